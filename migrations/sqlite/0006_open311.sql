-- 0006_open311: Open311 service definitions (topic attributes) and the values given with appeals.
CREATE TABLE topic_attributes (
  id INTEGER PRIMARY KEY,
  topic_id BIGINT NOT NULL REFERENCES topics(id),
  code TEXT NOT NULL,
  datatype TEXT NOT NULL,
  required INTEGER NOT NULL DEFAULT 0,
  description TEXT NOT NULL,
  datatype_description TEXT,
  sort INTEGER NOT NULL DEFAULT 0,
  "values" TEXT,
  UNIQUE (topic_id, code)
);

CREATE TABLE appeal_attributes (
  appeal_id BIGINT NOT NULL REFERENCES appeals(id),
  code TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX appeal_attributes_appeal ON appeal_attributes(appeal_id, code);
