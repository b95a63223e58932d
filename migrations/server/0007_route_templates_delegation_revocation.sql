-- Per-organ route templates (issue 5 item 2: "Routes are templates chosen by 文种 and
-- direction, editable per organ") and revocation of 委托. Append-only: never edit this
-- file once shipped.

-- An organ's own route templates (gongwen_domain::workflow::template::RouteTemplate as
-- JSON). A removed template keeps its row as a tombstone (removed_at set), so its
-- version keeps increasing if it is set again; version is the entity version of the
-- `route_template` ops in the organ bucket.
CREATE TABLE route_templates (
    organ_id    bigint NOT NULL REFERENCES organs (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind        text NOT NULL CHECK (kind IN ('outgoing', 'incoming')),
    template    jsonb NOT NULL,
    version     bigint NOT NULL CHECK (version >= 1),
    updated_by  text NOT NULL,
    updated_at  timestamptz NOT NULL,
    removed_at  timestamptz,
    PRIMARY KEY (organ_id, name)
);

-- A delegation revoked before its end is no longer in force; the row stays (history,
-- and the `delegation` op that tells both users' devices). version is the entity
-- version of those ops.
ALTER TABLE delegations
    ADD COLUMN revoked_at  timestamptz,
    ADD COLUMN revoked_by  text,
    ADD COLUMN version     bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
CREATE INDEX delegations_from ON delegations (from_user_id);
