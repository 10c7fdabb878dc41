/* worker.c: the delivery workers of `otklik serve`: claim due outbox rows with a lease, send
 * them (SMTP, webhooks), record each attempt, retry with backoff; and the daily digests.
 * Several nodes may run them on one database: leases and conditional updates make every
 * message go out once. */
#include "appeals/appeal.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "notify/config.h"
#include "notify/email.h"
#include "notify/notify.h"
#include "notify/render.h"
#include "notify/webhook.h"
#include "store/notify.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define CLAIM_BATCH 10
#define MAX_WORKERS 16

static struct {
	struct store *s;
	pthread_t th[MAX_WORKERS];
	int n;
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} W = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

struct claim_job {
	struct arena *a;
	const char *node;
	int64_t now;
	struct delivery *rows;
	size_t n;
};

static int claim_fn(struct store_conn *c, void *arg)
{
	struct claim_job *j = arg;
	j->rows = NULL;
	j->n = 0;
	return store_delivery_claim(c, j->a, j->node, j->now, notify_config()->lease_ms,
	                            CLAIM_BATCH, &j->rows, &j->n);
}

struct finish_job {
	int64_t id, now, next_at, duration_ms;
	const char *node, *state, *error;
	int status;
};

static int finish_fn(struct store_conn *c, void *arg)
{
	struct finish_job *j = arg;
	return store_delivery_finish(c, j->id, j->node, j->state, j->now, j->next_at, j->status,
	                             j->error, j->duration_ms);
}

/* Sends one claimed delivery; returns 0 when delivered, else an error with err/status set;
 * *cancel when it must not be tried again (webhook deleted or disabled). */
static int send_one(struct arena *a, const struct delivery *d, int *status, char *err,
                    size_t errlen, bool *cancel)
{
	const struct notify_config *cfg = notify_config();
	*cancel = false;
	if (!strcmp(d->channel, "webhook")) {
		struct store_conn *c;
		int rc = store_conn_get(W.s, &c);
		if (rc) {
			snprintf(err, errlen, "database unavailable");
			return rc;
		}
		struct webhook_row w;
		rc = store_webhook_get(c, a, d->webhook_id, &w);
		store_conn_put(W.s, c);
		if (rc == ERR_NOTFOUND || (!rc && !w.active)) {
			*cancel = true;
			snprintf(err, errlen, "webhook deleted or disabled");
			return ERR_NOTFOUND;
		}
		if (rc) {
			snprintf(err, errlen, "database error");
			return rc;
		}
		return notify_webhook_post(w.url, w.secret, d->kind, d->id, d->payload,
		                           strlen(d->payload), cfg->allow_private, cfg->timeout_ms,
		                           status, err, errlen);
	}
	/* email and digest */
	if (!cfg->smtp_url) {
		snprintf(err, errlen, "OTKLIK_SMTP_URL is not set");
		return ERR_UNAVAILABLE;
	}
	struct buf msg = BUF_INIT(8u << 20);
	int rc = notify_email_build(&msg, cfg->smtp_from, d->target, d->subject, d->payload, d->id,
	                            clock_now_ms());
	if (rc) {
		buf_release(&msg);
		*cancel = true;
		snprintf(err, errlen, "bad address");
		return rc;
	}
	rc = notify_email_send(cfg->smtp_url, cfg->smtp_from, d->target, msg.data, msg.len,
	                       cfg->timeout_ms, status, err, errlen);
	buf_release(&msg);
	return rc;
}

/* One round of deliveries; returns how many were handled (0 = nothing due). */
static size_t deliver_round(void)
{
	const struct notify_config *cfg = notify_config();
	struct arena a;
	arena_init(&a, 16384);
	struct claim_job cj = {.a = &a, .node = cfg->node_id, .now = clock_now_ms()};
	int rc = store_write(W.s, claim_fn, &cj);
	if (rc) {
		log_warn("notify_claim", "claim failed: %d", rc);
		arena_release(&a);
		return 0;
	}
	for (size_t i = 0; i < cj.n; i++) {
		const struct delivery *d = &cj.rows[i];
		char err[512];
		int status = 0;
		bool cancel = false;
		int64_t t0 = clock_mono_ns();
		int src = send_one(&a, d, &status, err, sizeof(err), &cancel);
		int64_t now = clock_now_ms();
		struct finish_job fj = {
		    .id = d->id,
		    .now = now,
		    .next_at = now,
		    .duration_ms = (clock_mono_ns() - t0) / 1000000,
		    .node = cfg->node_id,
		    .status = status,
		    .error = src ? err : NULL,
		};
		if (!src)
			fj.state = "sent";
		else if (cancel)
			fj.state = "cancelled";
		else if (d->attempts >= cfg->max_attempts)
			fj.state = "dead";
		else {
			fj.state = "pending";
			fj.next_at = now + notify_backoff_ms(cfg->backoff_ms, d->attempts);
		}
		rc = store_write(W.s, finish_fn, &fj);
		if (rc)
			log_warn("notify_finish", "recording delivery %lld failed: %d",
			         (long long)d->id, rc);
		else if (src)
			/* an SMTP server's reply may quote the recipient's address: the text stays
			 * in the delivery log (admins only), not in the server's log */
			log_info("notify_retry", "delivery %lld (%s) attempt %lld: %s -> %s",
			         (long long)d->id, d->channel, (long long)d->attempts,
			         strcmp(d->channel, "email") ? err
			                                     : "SMTP error (see the delivery log)",
			         fj.state);
	}
	size_t n = cj.n;
	arena_release(&a);
	return n;
}

struct digest_job {
	struct arena *a;
	int64_t user_id, old_next, new_next, after_id, now;
	const char *email;
	bool sent;
};

static int digest_fn(struct store_conn *c, void *arg)
{
	struct digest_job *j = arg;
	j->sent = false;
	struct notification_row *rows;
	size_t n;
	int rc = store_notifications_after(c, j->a, j->user_id, j->after_id, 200, &rows, &n);
	if (rc)
		return rc;
	int64_t new_after = n ? rows[n - 1].id : j->after_id;
	bool claimed = false;
	rc = store_digest_claim(c, j->user_id, j->old_next, j->new_next, new_after, &claimed);
	if (rc || !claimed || !n || !j->email || !notify_config()->smtp_url)
		return rc;
	const char *subject, *body;
	notify_render_digest(j->a, rows, n, &subject, &body);
	/* the digest's own key: user and period (event_id is NULL, so unique by the claim) */
	struct delivery_new d = {
	    .channel = "digest",
	    .target = j->email,
	    .user_id = j->user_id,
	    .kind = "digest",
	    .subject = subject,
	    .payload = body,
	    .now = j->now,
	};
	rc = store_delivery_insert(c, &d);
	if (!rc)
		j->sent = true;
	return rc;
}

static void digest_round(void)
{
	const struct notify_config *cfg = notify_config();
	struct arena a;
	arena_init(&a, 16384);
	int64_t now = clock_now_ms();
	struct store_conn *c;
	struct digest_due *due = NULL;
	size_t n = 0;
	int rc = store_conn_get(W.s, &c);
	if (!rc) {
		rc = store_digest_due(c, &a, now, 50, &due, &n);
		store_conn_put(W.s, c);
	}
	for (size_t i = 0; !rc && i < n; i++) {
		struct digest_job j = {
		    .a = &a,
		    .user_id = due[i].user_id,
		    .old_next = due[i].next_digest_at,
		    .new_next = notify_next_digest(now, cfg->digest_hour, cfg->digest_interval_ms,
		                                   appeal_tz_offset_min()),
		    .after_id = due[i].after_id,
		    .now = now,
		    .email = due[i].email && *due[i].email ? due[i].email : NULL,
		};
		rc = store_write(W.s, digest_fn, &j);
	}
	if (rc)
		log_warn("notify_digest", "digest round failed: %d", rc);
	arena_release(&a);
}

static bool wait_interval(int64_t ms)
{
	struct timespec ts = clock_realtime_in(ms);
	pthread_mutex_lock(&W.mu);
	while (!W.stop)
		if (pthread_cond_timedwait(&W.cv, &W.mu, &ts) == ETIMEDOUT)
			break;
	bool stop = W.stop;
	pthread_mutex_unlock(&W.mu);
	return stop;
}

static bool stopping(void)
{
	pthread_mutex_lock(&W.mu);
	bool s = W.stop;
	pthread_mutex_unlock(&W.mu);
	return s;
}

static void *run(void *arg)
{
	pthread_setname_np(pthread_self(), "otk-notify"); /* for top -H and perf */
	int idx = (int)(intptr_t)arg;
	const struct notify_config *cfg = notify_config();
	int64_t next_digest = 0;
	while (!stopping()) {
		if (idx == 0 && clock_now_ms() >= next_digest) {
			digest_round();
			next_digest = clock_now_ms() + cfg->interval_ms;
		}
		if (deliver_round() == CLAIM_BATCH)
			continue; /* more may be due */
		if (wait_interval(cfg->interval_ms))
			break;
	}
	return NULL;
}

int notify_start(struct store *s)
{
	if (W.n)
		return 0;
	const struct notify_config *cfg = notify_config();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	W.s = s;
	W.stop = false;
	for (int i = 0; i < cfg->workers && i < MAX_WORKERS; i++) {
		if (pthread_create(&W.th[i], NULL, run, (void *)(intptr_t)i)) {
			notify_stop();
			return ERR_INTERNAL;
		}
		W.n++;
	}
	log_info("notify", "%d delivery workers on node %s; e-mail %s", W.n, cfg->node_id,
	         cfg->smtp_url ? "on" : "off (OTKLIK_SMTP_URL not set)");
	return 0;
}

void notify_stop(void)
{
	pthread_mutex_lock(&W.mu);
	W.stop = true;
	pthread_cond_broadcast(&W.cv);
	pthread_mutex_unlock(&W.mu);
	for (int i = 0; i < W.n; i++)
		pthread_join(W.th[i], NULL);
	W.n = 0;
	W.s = NULL;
}
