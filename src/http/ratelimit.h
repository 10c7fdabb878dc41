/* ratelimit.h: token buckets keyed by string (per node, in memory). */
#ifndef OTKLIK_HTTP_RATELIMIT_H
#define OTKLIK_HTTP_RATELIMIT_H

#include <stdbool.h>

struct ratelimit;

struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *rl);
/* Takes one token from key's bucket (rate tokens/s, capacity burst). False when empty. */
bool ratelimit_take(struct ratelimit *rl, const char *key, double rate, double burst);

#endif
