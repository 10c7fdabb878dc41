-- 0005_problems: problems (clusters of appeals about one defect at one place and time) and leases.
CREATE TABLE problems (
  id INTEGER PRIMARY KEY,
  category_id BIGINT REFERENCES categories(id),
  topic_id BIGINT REFERENCES topics(id),
  label TEXT NOT NULL DEFAULT '',
  rep_appeal_id BIGINT,
  size INTEGER NOT NULL DEFAULT 0,
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION,
  territory_id BIGINT REFERENCES territories(id),
  first_at BIGINT,
  last_at BIGINT,
  merged_into BIGINT REFERENCES problems(id),
  split_from BIGINT REFERENCES problems(id),
  status TEXT NOT NULL DEFAULT 'open',
  updated_at BIGINT NOT NULL
);
CREATE INDEX problems_recent ON problems(last_at) WHERE merged_into IS NULL;
CREATE INDEX appeals_problem ON appeals(problem_id);
CREATE INDEX appeals_unplaced ON appeals(id) WHERE problem_id IS NULL;

-- Leases: one node at a time does a job ('problems': placing appeals into problems).
-- 'problems-edit' is a change counter: its `until` moves when a coordinator merges or splits.
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL DEFAULT '',
  until BIGINT NOT NULL DEFAULT 0
);
INSERT INTO leases (name, owner, until) VALUES ('problems', '', 0);
INSERT INTO leases (name, owner, until) VALUES ('problems-edit', '', 0);
