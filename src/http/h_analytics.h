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

#endif
