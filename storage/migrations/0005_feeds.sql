-- Feed sources: RSS, Atom and JSON Feed documents polled politely; their new entries become
-- announcements (bot/feeds.py). Chat ids cascade on update like the core tables, so a group
-- upgraded to a supergroup keeps its feeds; erasing a chat erases its feeds.
--
-- A feed belongs to the chat whose admins added it (its entries go there, "direct"
-- announcements), or to no chat when an operator added it for the whole community. A public
-- feed's entries are also community announcements, for every subscription whose filters match.
--
-- state: active -> polled when next_poll_at comes
--        paused -> not polled (paused_reason says why: failures, gone, chat_unavailable, ...)
-- primed: 0 until the first successful read, which records the entries that exist and
-- announces none of them (at most the newest, when sample_wanted).

CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    chat_id INTEGER REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    kind TEXT NOT NULL DEFAULT 'auto' CHECK (kind IN ('auto', 'petition', 'campaign')),
    tags TEXT NOT NULL DEFAULT '[]',  -- JSON [[folded key, display form], ...], added to entries
    public INTEGER NOT NULL DEFAULT 0,
    title TEXT,  -- the feed's own title, shown as the announcements' source
    site_url TEXT,  -- the site the feed describes (its link), else NULL
    interval_seconds INTEGER CHECK (interval_seconds IS NULL OR interval_seconds > 0),
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused')),
    paused_reason TEXT,
    primed INTEGER NOT NULL DEFAULT 0,
    sample_wanted INTEGER NOT NULL DEFAULT 0,
    -- Conditional GET: validators of the last 200, and a digest of its body for servers that
    -- send neither (an identical body is not parsed again).
    etag TEXT,
    last_modified TEXT,
    body_digest TEXT,
    failures INTEGER NOT NULL DEFAULT 0,  -- consecutive
    next_poll_at INTEGER NOT NULL,
    last_polled_at INTEGER,
    last_success_at INTEGER,
    last_status INTEGER,  -- HTTP status of the last answer (304 included)
    last_error TEXT,
    last_error_at INTEGER,
    announced INTEGER NOT NULL DEFAULT 0,  -- entries announced so far
    added_by INTEGER,  -- the person told when the feed is paused
    added_by_language TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (chat_id IS NOT NULL OR public = 1)
);
CREATE UNIQUE INDEX feeds_chat_url ON feeds(coalesce(chat_id, 0), url);
CREATE INDEX feeds_due ON feeds(next_poll_at) WHERE state = 'active';
CREATE INDEX feeds_chat ON feeds(chat_id);
CREATE INDEX feeds_added_by ON feeds(added_by);

-- The entries a feed has shown, by identity (guid, else normalised link, else title and
-- summary): 64 bits of BLAKE2b, enough that two entries of one feed never meet. Entries no
-- longer in the document are forgotten after a retention period (bot/feeds.py).
CREATE TABLE feed_entries (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    entry_key INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (feed_id, entry_key)
) WITHOUT ROWID;
