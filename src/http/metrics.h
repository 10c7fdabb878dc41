/* metrics.h: request counters by route and status, latency histograms; Prometheus text. */
#ifndef OTKLIK_HTTP_METRICS_H
#define OTKLIK_HTTP_METRICS_H

#include "core/buf.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* route_idx == routes_count means "no route matched". Thread-safe, lock-free. */
void metrics_observe(size_t route_idx, int status, int64_t duration_ns);
/* Appends the exposition text (requests, latency, database timings). */
void metrics_render(struct buf *out, struct store *s);

#endif
