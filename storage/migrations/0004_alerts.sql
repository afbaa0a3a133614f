-- Alerts: announcements of petitions and campaigns, the chats subscribed to them, and the
-- durable outbox of their deliveries (one row per announcement and chat).
-- Chat ids cascade on update like the core tables, so a group upgraded to a supergroup takes
-- its subscription and its pending deliveries along.

-- One row per thing to announce. A "community" announcement goes to every matching
-- subscription and is unique per normalised URL; a "direct" one goes to target_chat_id only
-- (a feed added by that chat) and is unique per (target chat, URL).
-- The source is described only when it is public (source_name, source_url); a private group
-- is never named, and nothing says who shared.
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('petition', 'campaign')),
    url TEXT NOT NULL,
    title TEXT,
    tags TEXT NOT NULL DEFAULT '[]',  -- JSON [[folded key, display form], ...]
    source_kind TEXT NOT NULL CHECK (source_kind IN ('chat', 'feed')),
    source_chat_id INTEGER REFERENCES chats(id) ON UPDATE CASCADE ON DELETE SET NULL,
    source_name TEXT,
    source_url TEXT,
    audience TEXT NOT NULL CHECK (audience IN ('community', 'direct')),
    target_chat_id INTEGER REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    link_id INTEGER REFERENCES links(id) ON DELETE SET NULL,
    -- The share that made the link notable: its comment is the title, read when sending and
    -- never copied, so that /forgetme (which deletes the share) leaves nothing of it here.
    share_id INTEGER REFERENCES shares(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    CHECK ((audience = 'direct') = (target_chat_id IS NOT NULL))
);
CREATE UNIQUE INDEX announcements_community_url ON announcements(url)
    WHERE audience = 'community';
CREATE UNIQUE INDEX announcements_direct_url ON announcements(target_chat_id, url)
    WHERE audience = 'direct';
-- Foreign keys need an index on the child side, or every chat update or link deletion scans.
CREATE INDEX announcements_source ON announcements(source_chat_id);
CREATE INDEX announcements_link ON announcements(link_id);
CREATE INDEX announcements_share ON announcements(share_id);

-- At most one subscription per chat: its filters are the ones in force. An ended subscription
-- stays (active = 0) with the reason, until the chat subscribes again.
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL UNIQUE REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    kinds TEXT NOT NULL DEFAULT 'petition campaign',  -- space-separated
    tags TEXT NOT NULL DEFAULT '[]',  -- JSON [[folded key, display form], ...]; [] = any
    active INTEGER NOT NULL DEFAULT 1,
    subscribed_by INTEGER,  -- the user to tell if it ends; NULL when a channel post did it
    ended_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX subscriptions_by ON subscriptions(subscribed_by);

-- The outbox. pending -> sending (claimed, lease_until) -> sent | dead | unconfirmed |
-- cancelled; pending again after a flood wait, a migration or a retryable failure.
-- dead and unconfirmed are the dead letters operators retry or drop (-> dropped).
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON UPDATE CASCADE ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN (
        'pending', 'sending', 'sent', 'dead', 'unconfirmed', 'cancelled', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,  -- failed tries that count towards dead-lettering
    due_at REAL NOT NULL,  -- Unix seconds with a fraction: a flood wait is honoured exactly
    lease_until INTEGER,
    message_id INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (announcement_id, chat_id)
);
CREATE INDEX deliveries_lane ON deliveries(state, chat_id, due_at, id);
CREATE INDEX deliveries_chat ON deliveries(chat_id);
CREATE INDEX deliveries_errors ON deliveries(updated_at) WHERE last_error IS NOT NULL;
