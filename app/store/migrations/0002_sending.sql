-- Schema 2: writing. The durable outbox, drafts, patients and their conversations, delivery
-- and read status of sent messages, and the headers incoming messages are judged by.

-- Selected headers of each message (X-MSS-MES, Disposition-Notification-To, Return-Path…).
ALTER TABLE messages ADD COLUMN headers TEXT;
-- 0: not examined yet after archiving (reports, patients, late messages); 1: done.
ALTER TABLE messages ADD COLUMN examined INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_to_examine ON messages (id) WHERE examined = 0 AND body_state = 1;

-- Messages written in Pli, from composition to the copy in Sent. A message is never lost
-- (it is here before anything is sent) and never submitted twice (the state is committed
-- before and after the submission; an uncertain one is looked for by Message-ID first).
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    message_id    TEXT NOT NULL UNIQUE,
    state         TEXT NOT NULL CHECK (state IN
                      ('queued', 'submitting', 'uncertain', 'submitted', 'filed', 'failed')),
    kind          TEXT NOT NULL DEFAULT 'message' CHECK (kind IN
                      ('message', 'end_of_exchange', 'receipt')),
    raw           BLOB NOT NULL,             -- the composed message, exactly as submitted
    envelope_from TEXT NOT NULL,
    recipients    TEXT NOT NULL,             -- JSON list of envelope recipients
    dsn           TEXT,                      -- JSON {notify, ret, envid} when asked
    subject       TEXT NOT NULL DEFAULT '',
    patient_ins   TEXT,                      -- the patient it is written to, if any
    reply_to_pk   INTEGER,                   -- the archived message it answers
    issues        TEXT,                      -- JSON: warnings the user accepted
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    refused       TEXT,                      -- JSON list of {address, code, text}
    dsn_offered   INTEGER,
    server_reply  TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    submitted_at  INTEGER,
    filed_at      INTEGER
);
CREATE INDEX outbox_queue ON outbox (account_id, state, id);

-- Drafts, saved as the user types (kept here, encrypted; never on the server).
CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    content     TEXT NOT NULL,               -- JSON of the draft (attachments included)
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Patients (Mon espace santé): from their messages or typed in.
CREATE TABLE patients (
    ins           TEXT PRIMARY KEY,
    family_name   TEXT NOT NULL DEFAULT '',
    given_name    TEXT NOT NULL DEFAULT '',
    birth_date    TEXT,                      -- YYYY-MM-DD
    source        TEXT NOT NULL CHECK (source IN ('mail', 'manual')),
    objection     INTEGER NOT NULL DEFAULT 0, -- the patient objects to messaging (spec §6)
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- What happened in a patient's conversation besides messages: closed, reopened, a message
-- after closure, a bounce explained, an objection recorded.
CREATE TABLE patient_events (
    id          INTEGER PRIMARY KEY,
    ins         TEXT NOT NULL,
    ts          INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN
                    ('closed', 'reopened', 'late_message', 'bounce', 'objection')),
    account_id  INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    message_ref TEXT,                        -- a Message-ID
    detail      TEXT
);
CREATE INDEX patient_events_by_patient ON patient_events (ins, ts);

-- Delivery and read status of sent messages, per recipient: submitted → delivered → read,
-- or failed (DSN, MDN and bounces update it; it never goes backwards).
CREATE TABLE delivery_status (
    message_id  TEXT NOT NULL,               -- the sent message's Message-ID
    recipient   TEXT NOT NULL,               -- lower case
    status      TEXT NOT NULL CHECK (status IN ('submitted', 'delivered', 'failed', 'read')),
    detail      TEXT,
    report_ref  TEXT,                        -- the report's Message-ID
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (message_id, recipient)
);
