/* scanner.c: the deadline scanner — a thread of `otklik serve` that marks overdue appeals
 * (escalation), warns about appeals due within a working day, and closes answers left unrated
 * for 30 days. Each change is claimed with a conditional UPDATE, so several nodes on one
 * PostgreSQL write each event once. */
#include "appeals/scanner.h"
#include "appeals/appeal.h"
#include "appeals/deadline.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "notify/notify.h"
#include "store/appeal_flow.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define SCAN_BATCH       500
#define UNRATED_CLOSE_MS (30LL * 86400000LL)
/* Candidates for "due soon" are looked up this far ahead, then counted in working days (the
 * longest run of days off in the production calendar is well under two weeks). */
#define DUE_SOON_HORIZON_MS (16LL * 86400000LL)

enum pass_kind { PASS_OVERDUE, PASS_DUE_SOON, PASS_UNRATED };

struct pass_job {
	enum pass_kind kind;
	int64_t now;
	int changed;
	bool full; /* the batch was full: there may be more */
};

/* The event, audit entry and notifications of one claimed appeal. */
static int record(struct store_conn *c, struct arena *a, int64_t id, const char *kind, int from,
                  int to, bool public, int64_t now)
{
	int64_t eid = 0;
	int rc = appeal_event_add(c, NULL, id, kind, from, to, public, NULL, NULL, now, &eid);
	if (rc)
		return rc;
	json_t *after = json_pack("{s:s}", "scanner", kind);
	rc = audit_record(c, NULL, arena_printf(a, "appeal.%s", kind), "appeal", id, NULL, after);
	json_decref(after);
	if (rc)
		return rc;
	return notify_appeal_event(c, a, eid, now);
}

static int pass_fn(struct store_conn *c, void *arg)
{
	struct pass_job *j = arg;
	int64_t ids[SCAN_BATCH], deadlines[SCAN_BATCH];
	size_t n = 0;
	int rc;
	j->changed = 0;
	j->full = false;
	struct arena a;
	arena_init(&a, 4096);
	switch (j->kind) {
	case PASS_OVERDUE: rc = store_flow_scan_overdue(c, j->now, SCAN_BATCH, ids, &n); break;
	case PASS_DUE_SOON:
		rc = store_flow_scan_due_soon(c, j->now + DUE_SOON_HORIZON_MS, SCAN_BATCH, ids,
		                              deadlines, &n);
		break;
	default:
		rc = store_flow_scan_unrated(c, j->now - UNRATED_CLOSE_MS, SCAN_BATCH, ids, &n);
		break;
	}
	for (size_t i = 0; !rc && i < n; i++) {
		bool claimed = false;
		if (j->kind == PASS_OVERDUE) {
			rc = store_flow_claim_overdue(c, ids[i], j->now, &claimed);
			if (!rc && claimed)
				rc = record(c, &a, ids[i], "overdue", -1, -1, false, j->now);
		} else if (j->kind == PASS_DUE_SOON) {
			int left = 0;
			rc = deadline_wdays_left(c, j->now, deadlines[i], &left);
			if (rc || left > 1) {
				n = i; /* ordered by deadline: the rest are due later */
				break;
			}
			rc = store_flow_claim_due_soon(c, ids[i], &claimed);
			if (!rc && claimed)
				rc = record(c, &a, ids[i], "due_soon", -1, -1, false, j->now);
		} else {
			rc = store_flow_claim_auto_close(c, ids[i], j->now - UNRATED_CLOSE_MS,
			                                 j->now, &claimed);
			if (!rc && claimed)
				rc = record(c, &a, ids[i], "auto_closed", AS_ANSWERED, AS_CLOSED,
				            true, j->now);
		}
		if (claimed)
			j->changed++;
	}
	j->full = !rc && n == SCAN_BATCH;
	arena_release(&a);
	return rc;
}

int scanner_run_once(struct store *s, int64_t now)
{
	int total = 0;
	for (int k = PASS_OVERDUE; k <= PASS_UNRATED; k++) {
		for (;;) {
			struct pass_job j = {.kind = (enum pass_kind)k, .now = now};
			int rc = store_write(s, pass_fn, &j);
			if (rc)
				return rc;
			total += j.changed;
			/* another node may have claimed the whole batch: stop rather than spin */
			if (!j.full || !j.changed)
				break;
		}
	}
	return total;
}

/* --- the thread ----------------------------------------------------------------------------- */

static struct {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, stop;
	struct store *store;
	int64_t interval_ms, skew_ms;
} sc = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t env_ms(const char *name, int64_t dflt, int64_t min, int64_t max)
{
	const char *e = getenv(name);
	if (!e || !*e)
		return dflt;
	char *end;
	long long v = strtoll(e, &end, 10);
	if (*end || v < min || v > max) {
		log_warn("scanner", "%s=%s is not a number in [%lld, %lld]; using %lld", name, e,
		         (long long)min, (long long)max, (long long)dflt);
		return dflt;
	}
	return v;
}

static void *scanner_main(void *arg)
{
	pthread_setname_np(pthread_self(), "otk-scanner"); /* for top -H and perf */
	(void)arg;
	pthread_mutex_lock(&sc.mu);
	while (!sc.stop) {
		pthread_mutex_unlock(&sc.mu);
		int rc = scanner_run_once(sc.store, clock_now_ms() + sc.skew_ms);
		if (rc < 0)
			log_warn("scanner", "pass failed: %s", err_code(rc));
		pthread_mutex_lock(&sc.mu);
		if (sc.stop)
			break;
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += sc.interval_ms / 1000;
		until.tv_nsec += (sc.interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!sc.stop && pthread_cond_timedwait(&sc.cv, &sc.mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&sc.mu);
	return NULL;
}

int scanner_start(struct store *s)
{
	if (sc.running)
		return 0;
	sc.store = s;
	sc.stop = false;
	sc.interval_ms = env_ms("OTKLIK_SCAN_INTERVAL_MS", 30000, 10, 86400000);
	/* a test and simulation setting: the scanner's clock runs this far ahead */
	sc.skew_ms = env_ms("OTKLIK_CLOCK_SKEW_MS", 0, -3650LL * 86400000LL, 3650LL * 86400000LL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sc.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&sc.thread, NULL, scanner_main, NULL)) {
		pthread_cond_destroy(&sc.cv);
		return ERR_INTERNAL;
	}
	sc.running = true;
	return 0;
}

void scanner_stop(void)
{
	if (!sc.running)
		return;
	pthread_mutex_lock(&sc.mu);
	sc.stop = true;
	pthread_cond_signal(&sc.cv);
	pthread_mutex_unlock(&sc.mu);
	pthread_join(sc.thread, NULL);
	pthread_cond_destroy(&sc.cv);
	sc.running = false;
}
