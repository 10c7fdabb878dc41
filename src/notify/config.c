/* config.c: notification settings from the environment, backoff and digest schedule. */
#include "notify/config.h"
#include "core/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct notify_config cfg;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int64_t env_i64(const char *name, int64_t def, int64_t min, int64_t max)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	long long x = strtoll(v, &end, 10);
	if (*end || x < min || x > max)
		return def;
	return x;
}

static void load(void)
{
	const char *v = getenv("OTKLIK_SMTP_URL");
	cfg.smtp_url = v && *v ? xstrdup(v) : NULL;
	v = getenv("OTKLIK_SMTP_FROM");
	cfg.smtp_from = xstrdup(v && *v ? v : "otklik@localhost");
	v = getenv("OTKLIK_NODE_ID");
	if (v && *v) {
		cfg.node_id = xstrdup(v);
	} else {
		char host[256] = "node", id[300];
		gethostname(host, sizeof(host) - 1);
		host[sizeof(host) - 1] = '\0';
		snprintf(id, sizeof(id), "%s:%ld", host, (long)getpid());
		cfg.node_id = xstrdup(id);
	}
	cfg.interval_ms = env_i64("OTKLIK_NOTIFY_INTERVAL_MS", 1000, 10, 3600000);
	cfg.backoff_ms = env_i64("OTKLIK_WEBHOOK_BACKOFF_MS", 1000, 1, 3600000);
	cfg.max_attempts = env_i64("OTKLIK_DELIVERY_MAX_ATTEMPTS", 8, 1, 100);
	cfg.timeout_ms = env_i64("OTKLIK_DELIVERY_TIMEOUT_MS", 10000, 100, 300000);
	/* A claimed row is another node's again when its lease runs out: a send (at most
	 * timeout_ms) must end well before that, or a slow send could go out twice. */
	cfg.lease_ms = env_i64("OTKLIK_DELIVERY_LEASE_MS", 60000, 1000, 3600000);
	if (cfg.lease_ms < cfg.timeout_ms + 2000)
		cfg.lease_ms = cfg.timeout_ms + 2000;
	cfg.digest_hour = (int)env_i64("OTKLIK_DIGEST_HOUR", 8, 0, 23);
	cfg.digest_interval_ms = env_i64("OTKLIK_DIGEST_INTERVAL_MS", 0, 100, 86400000LL * 7);
	v = getenv("OTKLIK_WEBHOOK_ALLOW_PRIVATE");
	cfg.allow_private = v && !strcmp(v, "1");
	cfg.workers = (int)env_i64("OTKLIK_NOTIFY_WORKERS", 2, 1, 16);
}

const struct notify_config *notify_config(void)
{
	pthread_once(&once, load);
	return &cfg;
}

int64_t notify_backoff_ms(int64_t base_ms, int64_t attempts)
{
	const int64_t cap = 3600000;
	if (base_ms <= 0)
		base_ms = 1;
	if (attempts < 1)
		attempts = 1;
	int64_t d = base_ms;
	for (int64_t i = 1; i < attempts && d < cap; i++)
		d *= 2;
	return d < cap ? d : cap;
}

int64_t notify_next_digest(int64_t now, int digest_hour, int64_t interval_ms, int tz_offset_min)
{
	if (interval_ms > 0)
		return now + interval_ms;
	const int64_t day = 86400000;
	int64_t off = (int64_t)tz_offset_min * 60000;
	int64_t local = now + off;
	int64_t start = local - ((local % day) + day) % day; /* local midnight */
	int64_t at = start + (int64_t)digest_hour * 3600000;
	if (at <= local)
		at += day;
	return at - off;
}
