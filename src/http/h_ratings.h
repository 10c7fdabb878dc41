/* h_ratings.h: handlers of ratings of bodies, executors and regions. */
#ifndef OTKLIK_HTTP_H_RATINGS_H
#define OTKLIK_HTTP_H_RATINGS_H

#include "http/http.h"

/* GET /api/ratings/regions (public): the region rating with period comparison. */
int h_ratings_regions(struct req *r);
/* GET /api/ratings/regions/{id} (public): a region's indicators and bodies. */
int h_ratings_region(struct req *r);
/* GET /api/ratings/regions/{id}/appeals (coordinator of the region, admin): drill-down. */
int h_ratings_region_appeals(struct req *r);
/* GET /api/ratings/bodies (supervisor, coordinator, admin). */
int h_ratings_bodies(struct req *r);
/* GET /api/ratings/executors (supervisor of the org, admin). */
int h_ratings_executors(struct req *r);
/* GET /api/ratings/weights (public), PUT (admin). */
int h_ratings_weights_get(struct req *r);
int h_ratings_weights_put(struct req *r);

#endif
