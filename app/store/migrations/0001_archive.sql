-- Schema 1: accounts, folders and the archive of messages, full-text index, replayed
-- operations, audit trail. Applied in one transaction by app/store/database.py.

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    address     TEXT NOT NULL,
    box_type    TEXT NOT NULL DEFAULT 'PER' CHECK (box_type IN ('PER', 'CAB', 'ORG', 'APP')),
    config      TEXT NOT NULL,             -- JSON: servers, security, auth method, identity
    created_at  INTEGER NOT NULL
);

-- Account secrets (password, refresh token, client certificate, OIDC client secret…) and
-- global ones (scope 'global'). The whole file is encrypted; values never leave it in clear.
CREATE TABLE secrets (
    scope       TEXT NOT NULL,             -- 'account:<id>' or 'global'
    kind        TEXT NOT NULL,
    value       BLOB NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, kind)
);

CREATE TABLE folders (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,           -- decoded server name
    delimiter     TEXT,
    role          TEXT,                    -- inbox, sent, drafts, trash, junk, archive or NULL
    selectable    INTEGER NOT NULL DEFAULT 1,
    on_server     INTEGER NOT NULL DEFAULT 1,
    uidvalidity   INTEGER,
    uidnext       INTEGER,
    highestmodseq INTEGER,
    exists_count  INTEGER,
    synced_at     INTEGER,
    UNIQUE (account_id, name)
);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    folder_id       INTEGER NOT NULL REFERENCES folders(id),
    uidvalidity     INTEGER,
    uid             INTEGER,               -- NULL while unbound (moved, UIDVALIDITY changed)
    sort_key        INTEGER NOT NULL UNIQUE, -- arrival-ordered key; the full-text rowid
    message_id      TEXT,
    in_reply_to     TEXT,
    refs            TEXT,                  -- References, space separated
    subject         TEXT,
    from_addr       TEXT,
    from_name       TEXT,
    to_json         TEXT,                  -- [[name, address], ...]
    cc_json         TEXT,
    reply_to        TEXT,
    sent_date       INTEGER,               -- Date: header (epoch seconds), may be absent
    internal_date   INTEGER NOT NULL,      -- arrival on the server (epoch seconds)
    size            INTEGER NOT NULL,
    flags           INTEGER NOT NULL DEFAULT 0, -- bitmask, app/domain/message.py
    keywords        TEXT NOT NULL DEFAULT '',
    modseq          INTEGER,
    has_attachments INTEGER NOT NULL DEFAULT 0,
    structure       TEXT,                  -- JSON summary of BODYSTRUCTURE
    body_state      INTEGER NOT NULL DEFAULT 0, -- 0 envelope only, 1 archived, 2 unfetchable
    gone_at         INTEGER,               -- the server no longer has it (purge): kept here
    thread_id       INTEGER,
    patient_ins     TEXT,                  -- the patient this message is to or from
    added_at        INTEGER NOT NULL,
    UNIQUE (folder_id, uidvalidity, uid)
);
CREATE INDEX messages_by_folder ON messages (folder_id, sort_key DESC);
CREATE INDEX messages_by_message_id ON messages (message_id);
CREATE INDEX messages_by_thread ON messages (thread_id);
CREATE INDEX messages_by_patient ON messages (patient_ins) WHERE patient_ins IS NOT NULL;
CREATE INDEX messages_missing_body ON messages (account_id, sort_key DESC) WHERE body_state = 0;
CREATE INDEX messages_unbound ON messages (folder_id, message_id) WHERE uid IS NULL;

-- The message exactly as the server gave it (RFC 5322 bytes).
CREATE TABLE message_bodies (
    message_id  INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    raw         BLOB NOT NULL,
    sha256      BLOB NOT NULL
);

-- Who a message is from/to, for the correspondent filter and patient conversations.
CREATE TABLE message_people (
    message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('from', 'to', 'cc', 'reply_to')),
    address     TEXT NOT NULL,             -- lower case
    name        TEXT
);
CREATE INDEX message_people_by_address ON message_people (address, message_id);
CREATE INDEX message_people_by_message ON message_people (message_id);

-- Attachments as listed from the structure, then inspected (type, PDF text) in the background.
CREATE TABLE attachments (
    message_id    INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    part          TEXT NOT NULL,           -- IMAP part number
    filename      TEXT,
    content_type  TEXT,
    size          INTEGER,
    index_state   INTEGER NOT NULL DEFAULT 0, -- 0 to inspect, 1 inspected, 2 not indexable
    info          TEXT,                    -- JSON of the inspection
    PRIMARY KEY (message_id, part)
);
CREATE INDEX attachments_to_inspect ON attachments (message_id) WHERE index_state = 0;

-- Thread links: the Message-IDs a message refers to (In-Reply-To and References).
CREATE TABLE message_refs (
    message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    ref         TEXT NOT NULL
);
CREATE INDEX message_refs_by_ref ON message_refs (ref);
CREATE INDEX message_refs_by_message ON message_refs (message_id);

-- The searchable text of each message, keyed by sort_key (arrival order), and its full-text
-- index (external content). rowid = sort_key, so newest-first results come straight out of
-- the index without sorting (notes/PERFORMANCE.md: sorting a large match by date is the
-- slow path), and a date range is a rowid range.
CREATE TABLE message_text (
    sort_key    INTEGER PRIMARY KEY,
    subject     TEXT NOT NULL DEFAULT '',
    people      TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    attachments TEXT NOT NULL DEFAULT ''
);
CREATE VIRTUAL TABLE message_fts USING fts5 (
    subject, people, body, attachments,
    content = 'message_text',
    content_rowid = 'sort_key',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- User actions applied locally at once, replayed to the server in order (Geary).
CREATE TABLE pending_ops (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,             -- flags, move, expunge
    payload     TEXT NOT NULL,             -- JSON
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX pending_ops_queue ON pending_ops (account_id, state, id);

-- Messages the user deleted in Pli: never fetched again, removed from the server on replay.
CREATE TABLE tombstones (
    folder_id   INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    PRIMARY KEY (folder_id, uidvalidity, uid)
);

-- Functional trace of every mailbox operation (spec §6, ECO.4.1.1/4.1.2).
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    ts          REAL NOT NULL,
    account_id  INTEGER,
    actor       TEXT NOT NULL,             -- the mailbox address acting, or 'local'
    action      TEXT NOT NULL,             -- sync.fetch_headers, flags.set, message.move…
    target      TEXT,                      -- folder, message ids…
    request     TEXT,                      -- the server request, e.g. UID STORE 12 +FLAGS (\Seen)
    outcome     TEXT NOT NULL,             -- ok, error:<code>, queued
    detail      TEXT
);
CREATE INDEX audit_by_time ON audit (ts);

-- Correspondents: favourites and recent ones (from sent mail). Health data: encrypted here.
CREATE TABLE contacts (
    address       TEXT PRIMARY KEY,        -- lower case
    display_name  TEXT,
    favourite     INTEGER NOT NULL DEFAULT 0,
    last_used     INTEGER,
    use_count     INTEGER NOT NULL DEFAULT 0
);
