-- 0003_calendar: the production calendar (exception days) and organisations' deadline overrides.
CREATE TABLE calendar_days (
  day TEXT PRIMARY KEY,                 -- 'YYYY-MM-DD', local date
  kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
  note TEXT,
  updated_at BIGINT NOT NULL
);

CREATE TABLE org_deadlines (
  id INTEGER PRIMARY KEY,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  topic_id BIGINT REFERENCES topics(id),  -- NULL = every topic of the org
  deadline INTEGER NOT NULL,
  deadline_unit TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (org_id, topic_id)
);
-- UNIQUE treats NULLs as distinct: at most one "all topics" row per org.
CREATE UNIQUE INDEX org_deadlines_all ON org_deadlines(org_id) WHERE topic_id IS NULL;
CREATE INDEX org_deadlines_topic ON org_deadlines(topic_id);

-- Cache versions: every PUT bumps them so each node reloads its in-memory copy.
INSERT INTO meta (key, value) VALUES ('calendar_version', 1);
INSERT INTO meta (key, value) VALUES ('org_deadlines_version', 1);

-- The official production calendar: holidays (non-working days, also those falling on a
-- weekend, for reference) and transferred working days. Weekends are implied.

-- 2025: Government decree of 04.10.2024 No. 1335 "О переносе выходных дней в 2025 году"
--   (Jan 4 → May 2, Jan 5 → Dec 31, Feb 23 → May 8, Mar 8 → Jun 13, Nov 1 → Nov 3); 247 working days.

INSERT INTO calendar_days (day, kind, note, updated_at) VALUES
  ('2025-01-01', 'holiday', 'Новогодние каникулы', 0),
  ('2025-01-02', 'holiday', 'Новогодние каникулы', 0),
  ('2025-01-03', 'holiday', 'Новогодние каникулы', 0),
  ('2025-01-04', 'holiday', 'Новогодние каникулы', 0),
  ('2025-01-05', 'holiday', 'Новогодние каникулы', 0),
  ('2025-01-06', 'holiday', 'Новогодние каникулы', 0),
  ('2025-01-07', 'holiday', 'Рождество Христово', 0),
  ('2025-01-08', 'holiday', 'Новогодние каникулы', 0),
  ('2025-02-23', 'holiday', 'День защитника Отечества', 0),
  ('2025-03-08', 'holiday', 'Международный женский день', 0),
  ('2025-05-01', 'holiday', 'Праздник Весны и Труда', 0),
  ('2025-05-02', 'holiday', 'Выходной (перенос с 4 января)', 0),
  ('2025-05-08', 'holiday', 'Выходной (перенос с 23 февраля)', 0),
  ('2025-05-09', 'holiday', 'День Победы', 0),
  ('2025-06-12', 'holiday', 'День России', 0),
  ('2025-06-13', 'holiday', 'Выходной (перенос с 8 марта)', 0),
  ('2025-11-01', 'workday', 'Рабочая суббота (выходной перенесён на 3 ноября)', 0),
  ('2025-11-03', 'holiday', 'Выходной (перенос с 1 ноября)', 0),
  ('2025-11-04', 'holiday', 'День народного единства', 0),
  ('2025-12-31', 'holiday', 'Выходной (перенос с 5 января)', 0);

-- 2026: Government decree "О переносе выходных дней в 2026 году" (September 2025, No. 1466 as
--   recalled: Jan 3 → Jan 9, Jan 4 → Dec 31); Mar 8 (Sunday) and May 9 (Saturday) move to Mondays
--   Mar 9 and May 11 under Labour Code art. 112; 247 working days.

INSERT INTO calendar_days (day, kind, note, updated_at) VALUES
  ('2026-01-01', 'holiday', 'Новогодние каникулы', 0),
  ('2026-01-02', 'holiday', 'Новогодние каникулы', 0),
  ('2026-01-03', 'holiday', 'Новогодние каникулы', 0),
  ('2026-01-04', 'holiday', 'Новогодние каникулы', 0),
  ('2026-01-05', 'holiday', 'Новогодние каникулы', 0),
  ('2026-01-06', 'holiday', 'Новогодние каникулы', 0),
  ('2026-01-07', 'holiday', 'Рождество Христово', 0),
  ('2026-01-08', 'holiday', 'Новогодние каникулы', 0),
  ('2026-01-09', 'holiday', 'Выходной (перенос с 3 января)', 0),
  ('2026-02-23', 'holiday', 'День защитника Отечества', 0),
  ('2026-03-08', 'holiday', 'Международный женский день', 0),
  ('2026-03-09', 'holiday', 'Выходной (перенос с 8 марта)', 0),
  ('2026-05-01', 'holiday', 'Праздник Весны и Труда', 0),
  ('2026-05-09', 'holiday', 'День Победы', 0),
  ('2026-05-11', 'holiday', 'Выходной (перенос с 9 мая)', 0),
  ('2026-06-12', 'holiday', 'День России', 0),
  ('2026-11-04', 'holiday', 'День народного единства', 0),
  ('2026-12-31', 'holiday', 'Выходной (перенос с 4 января)', 0);

-- 2027: no transfer decree for 2027 was known when this was written: the holidays of Labour Code
--   art. 112 and its automatic transfers of weekend days that coincide with holidays (May 1 → May 3,
--   May 9 → May 10, Jun 12 → Jun 14). Where Jan 2 and 3 (weekend days inside the New Year holidays)
--   go is for the decree to say: update the year with PUT /api/calendar/2027 then. 249 working days.

INSERT INTO calendar_days (day, kind, note, updated_at) VALUES
  ('2027-01-01', 'holiday', 'Новогодние каникулы', 0),
  ('2027-01-02', 'holiday', 'Новогодние каникулы', 0),
  ('2027-01-03', 'holiday', 'Новогодние каникулы', 0),
  ('2027-01-04', 'holiday', 'Новогодние каникулы', 0),
  ('2027-01-05', 'holiday', 'Новогодние каникулы', 0),
  ('2027-01-06', 'holiday', 'Новогодние каникулы', 0),
  ('2027-01-07', 'holiday', 'Рождество Христово', 0),
  ('2027-01-08', 'holiday', 'Новогодние каникулы', 0),
  ('2027-02-23', 'holiday', 'День защитника Отечества', 0),
  ('2027-03-08', 'holiday', 'Международный женский день', 0),
  ('2027-05-01', 'holiday', 'Праздник Весны и Труда', 0),
  ('2027-05-03', 'holiday', 'Выходной (перенос с 1 мая)', 0),
  ('2027-05-09', 'holiday', 'День Победы', 0),
  ('2027-05-10', 'holiday', 'Выходной (перенос с 9 мая)', 0),
  ('2027-06-12', 'holiday', 'День России', 0),
  ('2027-06-14', 'holiday', 'Выходной (перенос с 12 июня)', 0),
  ('2027-11-04', 'holiday', 'День народного единства', 0);
