/* h_analytics.h: handlers of dashboard, exports, open data, live stream. */
#ifndef OTKLIK_HTTP_H_ANALYTICS_H
#define OTKLIK_HTTP_H_ANALYTICS_H

#include "http/http.h"

/* the dashboard (docs/analytics.md); format=csv|xlsx answers the same table as a file */
int h_analytics_summary(struct req *r);
int h_analytics_series(struct req *r);
int h_analytics_breakdown(struct req *r);
int h_analytics_problems(struct req *r);
int h_analytics_problem_timeline(struct req *r);
/* open data: anonymised appeals as CSV (public) */
int h_opendata_appeals(struct req *r);

/* The common query of the dashboard endpoints (from, to, territory_id, category_id, topic_id,
 * org_id), validated and put in the caller's scope (docs/analytics.md); renders the error. */
struct store_conn;
struct dash_filter;
int analytics_load_filter(struct req *r, struct store_conn *c, struct dash_filter *f);

#endif
