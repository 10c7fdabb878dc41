-- 0013_webhooks_version: every change of the webhooks table bumps meta.webhooks_version, read
-- in the same row as the routing versions inside a submission's write job, so that the list of
-- webhooks an appeal event goes to is kept in memory while it stays the same (notify/outbox.c)
-- instead of being read for every event.
INSERT INTO meta (key, value) VALUES ('webhooks_version', 1) ON CONFLICT (key) DO NOTHING;
