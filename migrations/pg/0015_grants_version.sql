-- 0015_grants_version: every change of role_grants bumps meta.grants_version, read in the same
-- row as the routing versions inside a submission's write job, so that the executors a new
-- appeal's notification goes to are kept in memory per organisation while it stays the same
-- (notify/outbox.c) instead of being read for every appeal.
INSERT INTO meta (key, value) VALUES ('grants_version', 1) ON CONFLICT (key) DO NOTHING;
