-- 0014_partial_indexes: the indexes on appeals' assignee, author and problem hold only the rows
-- that have one. A new appeal has no assignee and no problem yet (the problem is set in the
-- background), and one entered by an operator, an API key or Open311 has no author, so every
-- submission wrote up to three index entries that no query reads: every query on these
-- columns compares them with a value (=, IN), which a "column IS NOT NULL" index serves.
DROP INDEX appeals_assignee;
CREATE INDEX appeals_assignee ON appeals(assignee_id, is_open, deadline_at) WHERE assignee_id IS NOT NULL;
DROP INDEX appeals_author;
CREATE INDEX appeals_author ON appeals(author_id, id) WHERE author_id IS NOT NULL;
DROP INDEX appeals_problem;
CREATE INDEX appeals_problem ON appeals(problem_id) WHERE problem_id IS NOT NULL;
