-- Schema 3: message bodies move to encrypted segment files (app/store/blobs.py). A row keeps
-- where its record is and the record's own key; bodies stored inline by schema 1 and 2 stay
-- in `raw` and are read from there.

CREATE TABLE message_bodies_v3 (
    message_id  INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    raw         BLOB,                    -- inline (archives written before schema 3)
    segment     INTEGER,                 -- segment file number, or NULL when inline
    offset      INTEGER,
    length      INTEGER,
    blob_key    BLOB,                    -- the record's AES-256-GCM key
    sha256      BLOB NOT NULL,
    CHECK ((raw IS NULL) != (segment IS NULL))
);
INSERT INTO message_bodies_v3 (message_id, raw, sha256)
    SELECT message_id, raw, sha256 FROM message_bodies;
DROP TABLE message_bodies;
ALTER TABLE message_bodies_v3 RENAME TO message_bodies;
CREATE INDEX message_bodies_by_segment ON message_bodies (segment) WHERE segment IS NOT NULL;
