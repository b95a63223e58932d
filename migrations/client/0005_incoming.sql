-- Gongwen client store: 收文 (incoming documents of 公文交换) and 回执 as typed views,
-- and 收文登记 (issue 5 收文 chain, issue 7).
-- Append-only: never edit this file once shipped; add a new migration instead.

-- The `incoming` and `receipts` rows of 0003 keep the server's JSON as it came
-- (gongwen_protocol::exchange::{Incoming, Receipt}); these generated columns read the
-- fields the lists filter and sort on, so the JSON stays the one source of truth.
ALTER TABLE incoming ADD COLUMN state TEXT
    GENERATED ALWAYS AS (json_extract(data, '$.state')) VIRTUAL;
ALTER TABLE incoming ADD COLUMN from_code TEXT
    GENERATED ALWAYS AS (json_extract(data, '$.from.code')) VIRTUAL;
ALTER TABLE incoming ADD COLUMN from_name TEXT
    GENERATED ALWAYS AS (json_extract(data, '$.from.name')) VIRTUAL;
ALTER TABLE incoming ADD COLUMN delivered_at TEXT
    GENERATED ALWAYS AS (json_extract(data, '$.delivered_at')) VIRTUAL;
CREATE INDEX incoming_by_time ON incoming (delivered_at DESC, id);
CREATE INDEX incoming_by_sender ON incoming (from_code, delivered_at DESC);

ALTER TABLE receipts ADD COLUMN signed_at TEXT
    GENERATED ALWAYS AS (json_extract(data, '$.signed_at')) VIRTUAL;
ALTER TABLE receipts ADD COLUMN document_id TEXT
    GENERATED ALWAYS AS (json_extract(data, '$.document_id')) VIRTUAL;
CREATE INDEX receipts_by_time ON receipts (signed_at DESC, id);
CREATE INDEX receipts_by_document ON receipts (document_id);

-- 收文登记: the particulars recorded when a signed incoming document starts its 收文
-- flow (flows.document_id = the incoming item's id). receipt_number (收文编号) is
-- `{代字}收〔{year}〕{seq}号` unless the clerk typed one; (year, seq) numbers the
-- automatic ones. The same particulars travel in the flow.start.v1 args.
CREATE TABLE incoming_registrations (
    incoming_id    TEXT PRIMARY KEY NOT NULL,
    flow_id        TEXT NOT NULL,
    receipt_number TEXT NOT NULL,
    year           INTEGER NOT NULL,
    seq            INTEGER,
    from_organ     TEXT NOT NULL,
    doc_number     TEXT,
    secrecy        TEXT,
    urgency        TEXT,
    copies         INTEGER NOT NULL DEFAULT 1 CHECK (copies >= 1),
    registered_by  TEXT NOT NULL,
    registered_at  TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX incoming_registrations_by_number ON incoming_registrations (receipt_number);
CREATE INDEX incoming_registrations_by_seq ON incoming_registrations (year, seq);
