-- 0009_alarms: alarms of the spike detector (docs/analytics.md, "Spikes and new problems"):
-- a problem (or a topic at a place / in a territory) got appeals faster than its history makes
-- probable ('spike'), a new problem grew fast ('new'), a solved problem came back ('returned').
-- Times in ms; appeal_ids is a JSON array of the appeals counted.
CREATE TABLE alarms (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('spike', 'new', 'returned')),
  problem_id BIGINT REFERENCES problems(id),
  topic_id BIGINT,
  category_id BIGINT,
  territory_id BIGINT,
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION,
  observed INTEGER NOT NULL,
  expected DOUBLE PRECISION NOT NULL,
  window_min INTEGER NOT NULL,
  reason TEXT NOT NULL,
  first_at BIGINT NOT NULL,
  at BIGINT NOT NULL,
  appeal_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX alarms_problem ON alarms(problem_id, id);
CREATE INDEX alarms_territory ON alarms(territory_id, id);
