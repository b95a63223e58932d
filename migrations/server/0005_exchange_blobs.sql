-- Blobs (content-addressed attachments, resumable uploads) and 公文交换.

-- A blob whose bytes are complete and verified in the blob store.
CREATE TABLE blobs (
    id           text PRIMARY KEY CHECK (id ~ '^sha256:[0-9a-f]{64}$'),
    size         bigint NOT NULL CHECK (size >= 0),
    uploaded_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL
);

-- An upload in progress. The offset lives here, not in a server's memory, so
-- any instance can take the next chunk and an upload survives restarts.
CREATE TABLE blob_uploads (
    id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
    blob_id     text NOT NULL CHECK (blob_id ~ '^sha256:[0-9a-f]{64}$'),
    size        bigint NOT NULL CHECK (size >= 0),
    "offset"    bigint NOT NULL DEFAULT 0 CHECK ("offset" >= 0 AND "offset" <= size),
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (blob_id, user_id)
);
CREATE INDEX blob_uploads_updated ON blob_uploads (updated_at);

-- Who may download a blob besides its uploader: every caller who may see one
-- of the pull buckets through which an entity referencing the blob is served.
CREATE TABLE blob_refs (
    blob_id      text NOT NULL REFERENCES blobs (id),
    entity_kind  text NOT NULL CHECK (length(entity_kind) BETWEEN 1 AND 40),
    entity_id    text NOT NULL CHECK (length(entity_id) BETWEEN 1 AND 200),
    bucket       text NOT NULL CHECK (length(bucket) BETWEEN 1 AND 200),
    PRIMARY KEY (blob_id, entity_kind, entity_id, bucket)
);
CREATE INDEX blob_refs_entity ON blob_refs (entity_kind, entity_id);

-- One 核发 to other organs: the document as issued.
CREATE TABLE exchange_documents (
    id             text PRIMARY KEY,
    document_id    text NOT NULL CHECK (length(document_id) BETWEEN 1 AND 100),
    from_organ_id  bigint NOT NULL REFERENCES organs (id),
    title          text NOT NULL,
    doc_number     text,
    document       jsonb NOT NULL,
    content_hash   text,
    pdf_name       text,
    pdf_blob       text REFERENCES blobs (id),
    -- [{"name": "附件1.pdf", "blob": "sha256:…", "size": 123}]
    attachments    jsonb NOT NULL DEFAULT '[]',
    sent_by        bigint NOT NULL REFERENCES users (id),
    sent_at        timestamptz NOT NULL,
    UNIQUE (from_organ_id, document_id),
    CHECK ((pdf_blob IS NULL) = (pdf_name IS NULL))
);

-- One recipient organ's copy: its 收文 inbox item.
CREATE TABLE exchange_items (
    id             text PRIMARY KEY,
    exchange_id    text NOT NULL REFERENCES exchange_documents (id),
    to_organ_id    bigint NOT NULL REFERENCES organs (id),
    state          text NOT NULL CHECK (state IN ('delivered', 'signed')),
    version        bigint NOT NULL DEFAULT 1,
    delivered_at   timestamptz NOT NULL,
    signed_by      bigint REFERENCES users (id),
    signed_at      timestamptz,
    UNIQUE (exchange_id, to_organ_id),
    CHECK ((state = 'signed') = (signed_by IS NOT NULL AND signed_at IS NOT NULL))
);
CREATE INDEX exchange_items_to ON exchange_items (to_organ_id, delivered_at);

-- 回执: written by the recipient's 签收, shown to the sender.
CREATE TABLE exchange_receipts (
    id           text PRIMARY KEY,
    item_id      text NOT NULL UNIQUE REFERENCES exchange_items (id),
    signed_by    bigint NOT NULL REFERENCES users (id),
    signer_name  text NOT NULL,
    signed_at    timestamptz NOT NULL
);
