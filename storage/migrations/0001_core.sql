-- Core schema: chats, people, links, shares, tags.
-- Timestamps are Unix seconds (INTEGER). Chat and person ids are Telegram's.
-- Chat ids cascade on update, so a group upgraded to a supergroup moves with one UPDATE.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE chats (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL CHECK (type IN ('private', 'group', 'supergroup', 'channel')),
    title TEXT NOT NULL DEFAULT '',
    username TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    active INTEGER NOT NULL DEFAULT 1,
    language TEXT CHECK (language IN ('fr', 'en')),
    ack_mode TEXT NOT NULL DEFAULT 'react' CHECK (ack_mode IN ('react', 'reply', 'silent')),
    alerts_enabled INTEGER NOT NULL DEFAULT 1,
    previews_enabled INTEGER NOT NULL DEFAULT 1,
    added_by INTEGER,
    decided_by INTEGER,
    approval_requested_at INTEGER,
    privacy_warned_at INTEGER,
    migrated_from INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,              -- a user id (> 0), or a sender chat id (< 0)
    display_name TEXT NOT NULL DEFAULT '',
    username TEXT,
    language TEXT,
    updated_at INTEGER NOT NULL
);
CREATE INDEX people_username ON people(username COLLATE NOCASE);

-- Where the bot has seen a person: the candidates for private and inline search scopes.
CREATE TABLE chat_people (
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, person_id)
) WITHOUT ROWID;
CREATE INDEX chat_people_person ON chat_people(person_id);

-- One row per normalised URL per chat. tags_text and comment_text are derived from the link's
-- shares (kept by storage/links.py) so that a full-text index can use this table as content.
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    url TEXT NOT NULL,
    domain TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'link' CHECK (kind IN ('link', 'petition', 'campaign')),
    title TEXT,
    description TEXT,
    site_name TEXT,
    canonical_url TEXT,
    language TEXT,
    content_type TEXT,
    tags_text TEXT NOT NULL DEFAULT '',
    comment_text TEXT NOT NULL DEFAULT '',
    share_count INTEGER NOT NULL DEFAULT 0,
    first_shared_at INTEGER NOT NULL,
    last_shared_at INTEGER NOT NULL,
    UNIQUE (chat_id, url)
);
CREATE INDEX links_chat_recent ON links(chat_id, last_shared_at);
CREATE INDEX links_domain ON links(domain);
CREATE INDEX links_url ON links(url);

-- One row per message that shared a link. message_id 0 means "no message" (bookmark imports).
CREATE TABLE shares (
    id INTEGER PRIMARY KEY,
    link_id INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    message_id INTEGER NOT NULL,
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    shared_at INTEGER NOT NULL,
    edited_at INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    origin_type TEXT,
    origin_name TEXT,
    origin_chat_id INTEGER,
    origin_message_id INTEGER,
    origin_date INTEGER,
    source TEXT NOT NULL DEFAULT 'live',
    UNIQUE (link_id, message_id)
);
CREATE INDEX shares_message ON shares(chat_id, message_id);
CREATE INDEX shares_person ON shares(person_id);

-- Hashtags: the key is folded for case, accents and Unicode normalisation; the display form is
-- the first spelling seen.
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    display TEXT NOT NULL
);

CREATE TABLE share_tags (
    share_id INTEGER NOT NULL REFERENCES shares(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (share_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX share_tags_tag ON share_tags(tag_id);
