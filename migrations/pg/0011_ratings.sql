-- 0011_ratings: the weights of the region rating's indicators (docs/ratings.md). A row overrides
-- the built-in default weight of one indicator; no row = the default.
CREATE TABLE rating_weights (
  key TEXT PRIMARY KEY,
  weight INTEGER NOT NULL,
  updated_at BIGINT NOT NULL
);
-- the drill-down to the appeals behind a region's indicator walks facts by territory
CREATE INDEX appeal_facts_ratings_territory ON appeal_facts(territory_id);
