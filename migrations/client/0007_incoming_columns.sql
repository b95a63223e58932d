-- Gongwen client store: the 收文 columns the lists sort and filter on become plain
-- columns, written together with the JSON by whoever stores an item (the sync apply,
-- Client::store_incoming), instead of generated columns over json_extract (0005).
-- Append-only: never edit this file once shipped; add a new migration instead.
--
-- Why: an index on a generated column evaluates its expression for every row written,
-- so each stored item had its whole JSON (≈ 3 KB: the document travels inside) parsed
-- again by SQLite for incoming_by_time and incoming_by_sender; an initial sync of
-- 100,000 items paid that per row. The JSON stays the source of truth: the writer
-- takes the values from the same parsed item it stores.

DROP INDEX incoming_by_time;
DROP INDEX incoming_by_sender;
ALTER TABLE incoming DROP COLUMN state;
ALTER TABLE incoming DROP COLUMN from_code;
ALTER TABLE incoming DROP COLUMN from_name;
ALTER TABLE incoming DROP COLUMN delivered_at;
ALTER TABLE incoming ADD COLUMN state TEXT;
ALTER TABLE incoming ADD COLUMN from_code TEXT;
ALTER TABLE incoming ADD COLUMN from_name TEXT;
ALTER TABLE incoming ADD COLUMN delivered_at TEXT;
UPDATE incoming SET
    state = json_extract(data, '$.state'),
    from_code = json_extract(data, '$.from.code'),
    from_name = json_extract(data, '$.from.name'),
    delivered_at = json_extract(data, '$.delivered_at');
CREATE INDEX incoming_by_time ON incoming (delivered_at DESC, id);
CREATE INDEX incoming_by_sender ON incoming (from_code, delivered_at DESC);
