/* h_stream.h: the live stream of an open dashboard (GET /api/analytics/stream, docs/analytics.md).
 */
#ifndef OTKLIK_HTTP_H_STREAM_H
#define OTKLIK_HTTP_H_STREAM_H

#include "http/http.h"

int h_analytics_stream(struct req *r);

#endif
