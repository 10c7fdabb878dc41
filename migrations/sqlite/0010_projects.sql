-- 0010_projects: the project map (docs/projects.md). A project turns problems (clusters of
-- appeals) into planned work: goal, responsible body, budget, deadline, place, stages; residents
-- who wrote the linked appeals are notified and say afterwards whether the problem is gone.
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  goal TEXT NOT NULL,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  territory_id BIGINT REFERENCES territories(id),
  region_id BIGINT REFERENCES territories(id),
  budget BIGINT,
  deadline TEXT,
  place_kind TEXT NOT NULL,
  lat DOUBLE PRECISION NOT NULL,
  lon DOUBLE PRECISION NOT NULL,
  area TEXT,
  min_lat DOUBLE PRECISION NOT NULL,
  min_lon DOUBLE PRECISION NOT NULL,
  max_lat DOUBLE PRECISION NOT NULL,
  max_lon DOUBLE PRECISION NOT NULL,
  status TEXT NOT NULL DEFAULT 'planned',
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT,
  done_at BIGINT
);
CREATE INDEX projects_territory ON projects(territory_id, id);
CREATE INDEX projects_status ON projects(status, id);
CREATE INDEX projects_box ON projects(min_lat, max_lat, min_lon, max_lon);

CREATE TABLE project_problems (
  project_id BIGINT NOT NULL REFERENCES projects(id),
  problem_id BIGINT NOT NULL REFERENCES problems(id),
  PRIMARY KEY (project_id, problem_id)
);
CREATE INDEX project_problems_problem ON project_problems(problem_id);

CREATE TABLE project_stages (
  id INTEGER PRIMARY KEY,
  project_id BIGINT NOT NULL REFERENCES projects(id),
  pos INTEGER NOT NULL,
  title TEXT NOT NULL,
  deadline TEXT,
  done INTEGER NOT NULL DEFAULT 0,
  done_at BIGINT,
  notified_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX project_stages_project ON project_stages(project_id, pos, id);

-- One answer per resident: is the problem gone after the project was done?
CREATE TABLE project_feedback (
  project_id BIGINT NOT NULL REFERENCES projects(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  gone INTEGER NOT NULL,
  comment TEXT,
  at BIGINT NOT NULL,
  PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_feedback_user ON project_feedback(user_id);
