/* ratelimit.c: a fixed-size open-addressing table of token buckets; the stalest entry in a
 * probe window is recycled when full, so memory stays bounded under a flood of keys. */
#include "http/ratelimit.h"
#include "core/clock.h"
#include "core/mem.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS  65536
#define PROBE  16
#define KEYMAX 96

struct bucket {
	char key[KEYMAX];
	double tokens;
	int64_t last_ns;
};

struct ratelimit {
	pthread_mutex_t lock;
	struct bucket *b;
};

struct ratelimit *ratelimit_new(void)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));
	pthread_mutex_init(&rl->lock, NULL);
	rl->b = xcalloc(SLOTS, sizeof(struct bucket));
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->b);
	free(rl);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

bool ratelimit_take(struct ratelimit *rl, const char *key, double rate, double burst)
{
	int64_t now = clock_mono_ns();
	uint64_t h = hash(key);
	pthread_mutex_lock(&rl->lock);
	struct bucket *found = NULL, *oldest = NULL;
	for (size_t i = 0; i < PROBE; i++) {
		struct bucket *b = &rl->b[(h + i) % SLOTS];
		if (b->key[0] && strncmp(b->key, key, KEYMAX - 1) == 0) {
			found = b;
			break;
		}
		if (!oldest || b->last_ns < oldest->last_ns)
			oldest = b;
	}
	if (!found) {
		found = oldest;
		size_t n = strlen(key);
		if (n > KEYMAX - 1)
			n = KEYMAX - 1;
		memcpy(found->key, key, n);
		found->key[n] = '\0';
		found->tokens = burst;
		found->last_ns = now;
	}
	double dt = (double)(now - found->last_ns) / 1e9;
	found->tokens += dt * rate;
	if (found->tokens > burst)
		found->tokens = burst;
	found->last_ns = now;
	bool ok = found->tokens >= 1.0;
	if (ok)
		found->tokens -= 1.0;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
