-- 0008_analytics: rollups of docs/analytics.md. appeal_facts: what each appeal contributes;
-- stat_cells: additive sums by territory x category x topic x org (0 = all) x grain (0 gauges,
-- 1 day, 2 month) x bucket; rollup_state: the worker's cursor. Problem control columns.
CREATE TABLE appeal_facts (
  appeal_id BIGINT PRIMARY KEY,
  territory_id BIGINT NOT NULL,
  category_id BIGINT NOT NULL,
  topic_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL DEFAULT 0,
  assignee_id BIGINT NOT NULL DEFAULT 0,
  created_day INTEGER NOT NULL,
  answered_day INTEGER NOT NULL DEFAULT 0,
  review_h INTEGER NOT NULL DEFAULT 0,
  on_time INTEGER NOT NULL DEFAULT 0,
  rated_day INTEGER NOT NULL DEFAULT 0,
  rating INTEGER NOT NULL DEFAULT 0,
  satisfied INTEGER NOT NULL DEFAULT 0,
  rereview INTEGER NOT NULL DEFAULT 0,
  redirected INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  deadline_day INTEGER NOT NULL DEFAULT 0,
  late INTEGER NOT NULL DEFAULT 0,
  is_open INTEGER NOT NULL DEFAULT 0,
  overdue_now INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX appeal_facts_org_answered ON appeal_facts(org_id, answered_day);

CREATE TABLE stat_cells (
  territory_id BIGINT NOT NULL,
  category_id BIGINT NOT NULL,
  topic_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL,
  grain INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  received BIGINT NOT NULL DEFAULT 0,
  answered BIGINT NOT NULL DEFAULT 0,
  on_time BIGINT NOT NULL DEFAULT 0,
  review_h_sum BIGINT NOT NULL DEFAULT 0,
  h0 BIGINT NOT NULL DEFAULT 0,
  h1 BIGINT NOT NULL DEFAULT 0,
  h2 BIGINT NOT NULL DEFAULT 0,
  h3 BIGINT NOT NULL DEFAULT 0,
  h4 BIGINT NOT NULL DEFAULT 0,
  h5 BIGINT NOT NULL DEFAULT 0,
  h6 BIGINT NOT NULL DEFAULT 0,
  h7 BIGINT NOT NULL DEFAULT 0,
  h8 BIGINT NOT NULL DEFAULT 0,
  h9 BIGINT NOT NULL DEFAULT 0,
  h10 BIGINT NOT NULL DEFAULT 0,
  h11 BIGINT NOT NULL DEFAULT 0,
  h12 BIGINT NOT NULL DEFAULT 0,
  h13 BIGINT NOT NULL DEFAULT 0,
  h14 BIGINT NOT NULL DEFAULT 0,
  h15 BIGINT NOT NULL DEFAULT 0,
  h16 BIGINT NOT NULL DEFAULT 0,
  h17 BIGINT NOT NULL DEFAULT 0,
  h18 BIGINT NOT NULL DEFAULT 0,
  h19 BIGINT NOT NULL DEFAULT 0,
  rated BIGINT NOT NULL DEFAULT 0,
  rating_sum BIGINT NOT NULL DEFAULT 0,
  satisfied BIGINT NOT NULL DEFAULT 0,
  rereview BIGINT NOT NULL DEFAULT 0,
  redirected BIGINT NOT NULL DEFAULT 0,
  rejected BIGINT NOT NULL DEFAULT 0,
  late BIGINT NOT NULL DEFAULT 0,
  open_now BIGINT NOT NULL DEFAULT 0,
  overdue_now BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (territory_id, category_id, topic_id, org_id, grain, bucket)
) WITHOUT ROWID;

CREATE TABLE rollup_state (
  name TEXT PRIMARY KEY,
  cursor BIGINT NOT NULL DEFAULT 0,
  built INTEGER NOT NULL DEFAULT 0
);
INSERT INTO rollup_state (name, cursor, built) VALUES ('analytics', 0, 0);
INSERT INTO leases (name, owner, until) VALUES ('analytics', '', 0);

ALTER TABLE problems ADD COLUMN solved_at BIGINT;
ALTER TABLE problems ADD COLUMN returned_at BIGINT;
ALTER TABLE problems ADD COLUMN returned_count INTEGER NOT NULL DEFAULT 0;
