/* config.h: notification settings from the environment (read once; see docs/notify.md). */
#ifndef OTKLIK_NOTIFY_CONFIG_H
#define OTKLIK_NOTIFY_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

struct notify_config {
	const char *smtp_url;  /* OTKLIK_SMTP_URL; NULL = no e-mail */
	const char *smtp_from; /* OTKLIK_SMTP_FROM, default otklik@localhost */
	const char *node_id;   /* OTKLIK_NODE_ID, default hostname:pid */
	int64_t interval_ms;   /* OTKLIK_NOTIFY_INTERVAL_MS, default 1000 */
	int64_t backoff_ms;    /* OTKLIK_WEBHOOK_BACKOFF_MS, default 1000 */
	int64_t max_attempts;  /* OTKLIK_DELIVERY_MAX_ATTEMPTS, default 8 */
	int64_t timeout_ms;    /* OTKLIK_DELIVERY_TIMEOUT_MS, default 10000 (per send) */
	int64_t lease_ms;      /* OTKLIK_DELIVERY_LEASE_MS, default 60000; >= timeout_ms + 2 s */
	int digest_hour;       /* OTKLIK_DIGEST_HOUR, default 8 (platform time zone) */
	int64_t digest_interval_ms; /* OTKLIK_DIGEST_INTERVAL_MS; 0 = daily at digest_hour */
	bool allow_private; /* OTKLIK_WEBHOOK_ALLOW_PRIVATE=1: loopback/private URLs allowed */
	int workers;        /* OTKLIK_NOTIFY_WORKERS, default 2 */
};

/* The configuration (read from the environment on first use; never NULL). */
const struct notify_config *notify_config(void);

/* Retry delay after the attempts-th failed attempt: base · 2^(attempts-1), at most 1 hour. */
int64_t notify_backoff_ms(int64_t base_ms, int64_t attempts);

/* The next digest time after now: now + interval when interval_ms > 0, else the next
 * digest_hour:00 in the platform's time zone (tz_offset_min east of UTC). */
int64_t notify_next_digest(int64_t now, int digest_hour, int64_t interval_ms, int tz_offset_min);

#endif
