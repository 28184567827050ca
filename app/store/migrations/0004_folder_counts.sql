-- Schema 4: folder counts (messages, unread, gone) read from an index alone.
--
-- The window refreshes the folder list's counts while sync runs; without this index each count
-- read every message row of the folder (a 100,000-message folder: about 70 ms, several times
-- that cold), on the read thread the message lists share.

CREATE INDEX messages_folder_counts ON messages (folder_id, flags, gone_at);
