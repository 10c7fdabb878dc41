-- 0004_notify: in-app notifications, e-mail settings and digests, webhooks, the delivery outbox
-- and its attempt log (docs/notify.md).
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  appeal_id BIGINT REFERENCES appeals(id),
  event_id BIGINT REFERENCES appeal_events(id),
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  read_at BIGINT,
  UNIQUE (event_id, user_id)
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;

-- E-mail preference per user (no row = instant); digest users get one message a day.
CREATE TABLE notification_settings (
  user_id BIGINT PRIMARY KEY REFERENCES users(id),
  email TEXT NOT NULL DEFAULT 'instant',
  next_digest_at BIGINT,
  digest_after_id BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL
);
CREATE INDEX notification_settings_digest ON notification_settings(next_digest_at) WHERE email = 'digest';

-- Webhooks: org_id NULL = global (every appeal); else that org and the orgs below it.
CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  org_id BIGINT REFERENCES orgs(id),
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  description TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted_at BIGINT
);
CREATE INDEX webhooks_org ON webhooks(org_id);

-- The outbox: one row per message to send (e-mail, webhook call, digest), claimed by workers
-- with a lease; state pending -> sent | dead | cancelled.
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  event_id BIGINT REFERENCES appeal_events(id),
  appeal_id BIGINT REFERENCES appeals(id),
  user_id BIGINT REFERENCES users(id),
  webhook_id BIGINT REFERENCES webhooks(id),
  kind TEXT NOT NULL,
  subject TEXT,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  created_at BIGINT NOT NULL,
  sent_at BIGINT,
  last_error TEXT,
  UNIQUE (event_id, channel, target)
);
CREATE INDEX deliveries_due ON deliveries(next_at, id) WHERE state = 'pending';
CREATE INDEX deliveries_webhook ON deliveries(webhook_id, id);

-- Every send attempt (the webhook delivery log): HTTP status or SMTP reply, error, duration.
CREATE TABLE delivery_attempts (
  id INTEGER PRIMARY KEY,
  delivery_id BIGINT NOT NULL REFERENCES deliveries(id),
  at BIGINT NOT NULL,
  node TEXT NOT NULL,
  status INTEGER,
  error TEXT,
  duration_ms BIGINT NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id, id);
