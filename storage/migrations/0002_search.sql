-- Full-text search: an external-content FTS5 index over links, kept in sync by triggers.
--
-- Two generated (VIRTUAL, so free to add) columns feed it:
--   chat_token  the chat as a token ('n1001234567890' for -1001234567890, 'p42' for 42): the
--               unicode61 tokenizer drops the minus sign, so the sign becomes a letter.
--   search_key  the index's rowid: the chat's slot in the high 32 bits, then the link id
--               counted down. Each chat's links are contiguous in every doclist, newest first,
--               so a chat-scoped query reads only that chat's part of each term (a rowid range)
--               and walking it in rowid order meets the most recent links first. Two chats that
--               share a slot only share a range: the chat token still separates them.
--               Link ids must stay below 2^32.
--
-- Do not use the 'rebuild' command: it reads links in id order, which is not search_key order,
-- and FTS5 writes a new segment each time the rowid goes down. `veille reindex` (storage/search.py
-- rebuild_index) refills the index in search_key order instead.

ALTER TABLE links ADD COLUMN chat_token TEXT GENERATED ALWAYS AS (
    CASE WHEN chat_id < 0 THEN 'n' || (-chat_id) ELSE 'p' || chat_id END
) VIRTUAL;

ALTER TABLE links ADD COLUMN search_key INTEGER GENERATED ALWAYS AS (
    (abs(chat_id) % 2147483647) * 4294967296 + (4294967295 - id)
) VIRTUAL;

CREATE VIRTUAL TABLE links_fts USING fts5(
    title, tags_text, comment_text, description, site_name, url, domain, chat_token,
    content = 'links',
    content_rowid = 'search_key',
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO links_fts(rowid, title, tags_text, comment_text, description, site_name, url, domain,
                      chat_token)
SELECT search_key, title, tags_text, comment_text, description, site_name, url, domain, chat_token
FROM links ORDER BY search_key;

CREATE TRIGGER links_fts_insert AFTER INSERT ON links BEGIN
    INSERT INTO links_fts(rowid, title, tags_text, comment_text, description, site_name, url,
                          domain, chat_token)
    VALUES (new.search_key, new.title, new.tags_text, new.comment_text, new.description,
            new.site_name, new.url, new.domain, new.chat_token);
END;

CREATE TRIGGER links_fts_delete AFTER DELETE ON links BEGIN
    INSERT INTO links_fts(links_fts, rowid, title, tags_text, comment_text, description,
                          site_name, url, domain, chat_token)
    VALUES ('delete', old.search_key, old.title, old.tags_text, old.comment_text,
            old.description, old.site_name, old.url, old.domain, old.chat_token);
END;

-- Capture recomputes derived columns often, mostly to the same values: skip those updates.
CREATE TRIGGER links_fts_update
AFTER UPDATE OF title, tags_text, comment_text, description, site_name, url, domain, chat_id
ON links
WHEN old.title IS NOT new.title OR old.tags_text IS NOT new.tags_text
    OR old.comment_text IS NOT new.comment_text OR old.description IS NOT new.description
    OR old.site_name IS NOT new.site_name OR old.url IS NOT new.url
    OR old.domain IS NOT new.domain OR old.chat_id IS NOT new.chat_id
BEGIN
    INSERT INTO links_fts(links_fts, rowid, title, tags_text, comment_text, description,
                          site_name, url, domain, chat_token)
    VALUES ('delete', old.search_key, old.title, old.tags_text, old.comment_text,
            old.description, old.site_name, old.url, old.domain, old.chat_token);
    INSERT INTO links_fts(rowid, title, tags_text, comment_text, description, site_name, url,
                          domain, chat_token)
    VALUES (new.search_key, new.title, new.tags_text, new.comment_text, new.description,
            new.site_name, new.url, new.domain, new.chat_token);
END;
