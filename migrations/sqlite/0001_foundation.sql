-- 0001_foundation: registry, accounts, sessions, API keys, audit.
CREATE TABLE territories (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  parent_id BIGINT REFERENCES territories(id),
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  okato TEXT, oktmo TEXT, iso TEXT,
  polygon TEXT,
  has_polygon INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  search TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
);
CREATE INDEX territories_parent ON territories(parent_id);
CREATE INDEX territories_kind ON territories(kind);

CREATE TABLE orgs (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  short_name TEXT,
  kind TEXT NOT NULL,
  territory_id BIGINT REFERENCES territories(id),
  parent_id BIGINT REFERENCES orgs(id),
  email TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  search TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
);
CREATE INDEX orgs_territory ON orgs(territory_id);
CREATE INDEX orgs_parent ON orgs(parent_id);

CREATE TABLE categories (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  sort INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  search TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
);

CREATE TABLE topics (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  category_id BIGINT NOT NULL REFERENCES categories(id),
  name TEXT NOT NULL,
  deadline INTEGER NOT NULL,
  deadline_unit TEXT NOT NULL,
  hint TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  search TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
);
CREATE INDEX topics_category ON topics(category_id);

CREATE TABLE rules (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  topic_id BIGINT REFERENCES topics(id),
  category_id BIGINT REFERENCES categories(id),
  territory_id BIGINT REFERENCES territories(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  search TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
);
CREATE INDEX rules_topic ON rules(topic_id);
CREATE INDEX rules_category ON rules(category_id);
CREATE INDEX rules_org ON rules(org_id);
CREATE INDEX rules_territory ON rules(territory_id);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL UNIQUE,
  password_hash TEXT,
  name TEXT,
  email TEXT,
  phone TEXT,
  birth_year INTEGER,
  sex TEXT,
  home_territory_id BIGINT REFERENCES territories(id),
  verified INTEGER NOT NULL DEFAULT 0,
  oidc_issuer TEXT,
  oidc_sub TEXT,
  search TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  UNIQUE (oidc_issuer, oidc_sub)
);

CREATE TABLE role_grants (
  id INTEGER PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  org_id BIGINT REFERENCES orgs(id),
  territory_id BIGINT REFERENCES territories(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX role_grants_user ON role_grants(user_id);
CREATE INDEX role_grants_org ON role_grants(org_id);
CREATE INDEX role_grants_territory ON role_grants(territory_id);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  org_id BIGINT REFERENCES orgs(id),
  scopes TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);

CREATE TABLE oidc_states (
  state TEXT PRIMARY KEY,
  verifier TEXT NOT NULL,
  nonce TEXT NOT NULL,
  next TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at BIGINT NOT NULL,
  actor_user_id BIGINT,
  actor_apikey_id BIGINT,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id BIGINT,
  before_json TEXT,
  after_json TEXT,
  request_id TEXT
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('registry_version', 1);

-- The audit log is append-only.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
