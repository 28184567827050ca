-- Schema 5: the server's own identifiers of folders and messages (RFC 8474 OBJECTID), when it
-- offers them. A folder renamed on the server keeps its MAILBOXID, a message moved or copied
-- keeps its EMAILID: with them a rename or a move is recognised for sure, instead of by content
-- (Message-ID, size, arrival date), which stays the fallback for servers without OBJECTID and
-- for rows stored before this schema (NULL here).

-- MAILBOXID (STATUS, LIST-STATUS, SELECT's response code).
ALTER TABLE folders ADD COLUMN mailbox_id TEXT;
CREATE INDEX folders_by_mailbox_id ON folders (account_id, mailbox_id)
    WHERE mailbox_id IS NOT NULL;

-- EMAILID and THREADID (FETCH items). The same EMAILID may be shared by copies of a message in
-- several folders, and a faulty server may give one to distinct messages: never a key alone.
ALTER TABLE messages ADD COLUMN email_id TEXT;
ALTER TABLE messages ADD COLUMN server_thread_id TEXT;
CREATE INDEX messages_by_email_id ON messages (account_id, email_id) WHERE email_id IS NOT NULL;
