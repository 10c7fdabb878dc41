-- 0002_appeals: appeals, their authors, timeline, routes, answers and attachments (docs/appeals.md).
ALTER TABLE orgs ADD COLUMN approval_required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE topics ADD COLUMN redirect_resets INTEGER NOT NULL DEFAULT 0;

CREATE TABLE appeals (
  id INTEGER PRIMARY KEY,
  token TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  author_id BIGINT REFERENCES users(id),
  operator_id BIGINT REFERENCES users(id),
  apikey_id BIGINT REFERENCES api_keys(id),
  person_name TEXT,
  person_contact TEXT,
  topic_id BIGINT NOT NULL REFERENCES topics(id),
  category_id BIGINT NOT NULL REFERENCES categories(id),
  territory_id BIGINT NOT NULL REFERENCES territories(id),
  org_id BIGINT REFERENCES orgs(id),
  assignee_id BIGINT REFERENCES users(id),
  status TEXT NOT NULL,
  is_open INTEGER NOT NULL DEFAULT 1,
  text TEXT NOT NULL,
  address TEXT,
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION,
  search TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  day INTEGER NOT NULL,
  deadline_at BIGINT,
  paused_at BIGINT,
  extended INTEGER NOT NULL DEFAULT 0,
  extension_reason TEXT,
  overdue INTEGER NOT NULL DEFAULT 0,
  due_soon_sent INTEGER NOT NULL DEFAULT 0,
  escalated_at BIGINT,
  answered_at BIGINT,
  closed_at BIGINT,
  reject_reason TEXT,
  merged_into BIGINT REFERENCES appeals(id),
  rating INTEGER,
  rating_solved INTEGER,
  rating_comment TEXT,
  rated_at BIGINT,
  suggested_topic_id BIGINT REFERENCES topics(id),
  problem_id BIGINT,
  external_id TEXT,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX appeals_org_queue ON appeals(org_id, is_open, deadline_at, id);
CREATE INDEX appeals_assignee ON appeals(assignee_id, is_open, deadline_at);
CREATE INDEX appeals_author ON appeals(author_id, id);
CREATE INDEX appeals_triage ON appeals(territory_id, created_at) WHERE org_id IS NULL AND is_open = 1;
CREATE INDEX appeals_due ON appeals(deadline_at) WHERE is_open = 1 AND overdue = 0;
CREATE INDEX appeals_topic_open ON appeals(topic_id, created_at) WHERE is_open = 1;
-- lists sorted by creation time (citizens', coordinators' and admins' wide scopes); grows in order
CREATE INDEX appeals_created ON appeals(created_at, id);
-- entries by an operator or an integration ("authored" for them)
CREATE INDEX appeals_operator ON appeals(operator_id, id) WHERE operator_id IS NOT NULL;
CREATE INDEX appeals_apikey ON appeals(apikey_id, id) WHERE apikey_id IS NOT NULL;

-- Authors and co-authors ("me too"): every update reaches each of them.
CREATE TABLE appeal_authors (
  appeal_id BIGINT NOT NULL REFERENCES appeals(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,
  joined_at BIGINT NOT NULL,
  PRIMARY KEY (appeal_id, user_id)
);
CREATE INDEX appeal_authors_user ON appeal_authors(user_id, appeal_id);

-- The timeline: every status change, answer, note, clarification, route (public = 0: staff only).
CREATE TABLE appeal_events (
  id INTEGER PRIMARY KEY,
  appeal_id BIGINT NOT NULL REFERENCES appeals(id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  actor_user_id BIGINT REFERENCES users(id),
  actor_apikey_id BIGINT,
  status_from TEXT,
  status_to TEXT,
  public INTEGER NOT NULL DEFAULT 1,
  text TEXT,
  data TEXT
);
CREATE INDEX appeal_events_appeal ON appeal_events(appeal_id, id);

-- Route history: automatic routing, triage decisions, redirects (with the reason and why).
CREATE TABLE appeal_routes (
  id INTEGER PRIMARY KEY,
  appeal_id BIGINT NOT NULL REFERENCES appeals(id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  from_org_id BIGINT REFERENCES orgs(id),
  to_org_id BIGINT REFERENCES orgs(id),
  rule_id BIGINT,
  reason TEXT,
  actor_user_id BIGINT REFERENCES users(id)
);
CREATE INDEX appeal_routes_appeal ON appeal_routes(appeal_id, id);

-- Interim and final answers (a final answer may wait for a supervisor's approval).
CREATE TABLE answers (
  id INTEGER PRIMARY KEY,
  appeal_id BIGINT NOT NULL REFERENCES appeals(id),
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  text TEXT NOT NULL,
  org_id BIGINT REFERENCES orgs(id),
  author_id BIGINT REFERENCES users(id),
  reviewer_id BIGINT REFERENCES users(id),
  review_comment TEXT,
  created_at BIGINT NOT NULL,
  published_at BIGINT
);
CREATE INDEX answers_appeal ON answers(appeal_id, id);

-- Uploaded files: stored on disk under the data directory by SHA-256; linked to an appeal,
-- an answer or a clarification event once used.
CREATE TABLE attachments (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  mime TEXT NOT NULL,
  name TEXT NOT NULL,
  uploader_user_id BIGINT REFERENCES users(id),
  uploader_apikey_id BIGINT,
  appeal_id BIGINT REFERENCES appeals(id),
  answer_id BIGINT REFERENCES answers(id),
  event_id BIGINT REFERENCES appeal_events(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX attachments_appeal ON attachments(appeal_id);
CREATE INDEX attachments_answer ON attachments(answer_id);
