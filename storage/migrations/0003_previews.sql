-- Link previews: one durable job per link whose page title and description are to be fetched.
-- Capture inserts a job in the same transaction as the share; the preview worker claims due
-- jobs, and records the page's metadata on `links` (title, description, site_name,
-- canonical_url, language, content_type) or the failure here.
--
-- state: pending  -> waiting for next_attempt_at
--        fetching -> claimed by a worker (attempts already counted); a restart puts it back
--        done     -> metadata stored on the link (updated_at = when)
--        failed   -> given up: a permanent error, or max attempts reached (last_error says why)

CREATE TABLE preview_jobs (
    link_id INTEGER PRIMARY KEY REFERENCES links(id) ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'fetching', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    updated_at INTEGER NOT NULL
);
-- Due jobs in order (link_id, the rowid, is the index's implicit last column), and the
-- in-flight jobs a restart recovers.
CREATE INDEX preview_jobs_state ON preview_jobs(state, next_attempt_at);
