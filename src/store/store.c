/* store.c: back-end selection, the connection pool, group commit, statistics. */
#include "store/store.h"
#include "store/backend.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#define BATCH_MAX     512
#define BATCH_RETRIES 5
#define CHECKPOINT_MS 100

struct write_job {
	store_write_fn fn;
	void *arg;
	int rc;
	bool done;
	pthread_cond_t cond;   /* store_write: the waiting thread's */
	store_done_fn on_done; /* store_write_async: called instead (the job is freed after) */
	void *ctx;
	struct write_job *next;
};

struct store {
	const struct store_ops *ops;
	enum store_backend backend;
	char *target;
	uint64_t serial; /* unique in the process (store_serial) */

	pthread_mutex_t pool_lock;
	struct store_conn *idle;

	pthread_mutex_t q_lock;
	pthread_cond_t q_cond;
	pthread_cond_t stop_cond; /* wakes the checkpointer when stopping */
	struct write_job *q_head, *q_tail;
	bool stopping;
	int ncommitters;
	pthread_t *committers;
	pthread_t checkpointer;
	bool checkpointer_on;
	/* ops->durable_sync: the batch committed but not yet on disk, waiting for the syncer */
	pthread_cond_t sync_cond;
	struct write_job *sync_head;
	char *sync_path; /* from ops->writer_async */
	bool sync_busy, sync_stopping;
	pthread_t syncer;
	bool syncer_on;

	pthread_mutex_t stats_lock;
	struct store_stats stats;

	/* store_routing_versions as last read outside a transaction (store_versions_cached) */
	pthread_mutex_t vc_lock;
	uint64_t vc_epoch; /* + 1 at every bump of a version by this process */
	bool vc_ok;
	int64_t vc_at_ns;
	int64_t vc[5];
};

const double store_stats_bounds_ms[11] = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250};

struct store_val sv_null(void)
{
	return (struct store_val){.type = SV_NULL};
}

struct store_val sv_int(int64_t i)
{
	return (struct store_val){.type = SV_INT, .i = i};
}

struct store_val sv_real(double d)
{
	return (struct store_val){.type = SV_REAL, .d = d};
}

struct store_val sv_text(const char *s)
{
	if (!s)
		return sv_null();
	return (struct store_val){.type = SV_TEXT, .s = s, .len = strlen(s)};
}

struct store_val sv_textn(const char *s, size_t n)
{
	if (!s)
		return sv_null();
	return (struct store_val){.type = SV_TEXT, .s = s, .len = n};
}

const char *store_rows_get(const struct store_rows *r, size_t row, size_t col)
{
	if (row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->vals[row * r->ncols + col];
}

bool store_rows_isnull(const struct store_rows *r, size_t row, size_t col)
{
	return store_rows_get(r, row, col) == NULL;
}

int64_t store_rows_i64(const struct store_rows *r, size_t row, size_t col)
{
	const char *v = store_rows_get(r, row, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

double store_rows_f64(const struct store_rows *r, size_t row, size_t col)
{
	const char *v = store_rows_get(r, row, col);
	return v ? strtod(v, NULL) : 0.0;
}

static struct store_conn_base *base(struct store_conn *c)
{
	return (struct store_conn_base *)c;
}

void store_note_query(struct store *s, int64_t ns, bool failed)
{
	double ms = (double)ns / 1e6;
	size_t b = 0;
	while (b < 11 && ms > store_stats_bounds_ms[b])
		b++;
	pthread_mutex_lock(&s->stats_lock);
	s->stats.queries++;
	if (failed)
		s->stats.errors++;
	s->stats.seconds += ms / 1000.0;
	s->stats.buckets[b]++;
	pthread_mutex_unlock(&s->stats_lock);
}

void store_stats_get(const struct store *s, struct store_stats *out)
{
	pthread_mutex_lock((pthread_mutex_t *)&s->stats_lock);
	*out = s->stats;
	pthread_mutex_unlock((pthread_mutex_t *)&s->stats_lock);
}

int store_conn_get(struct store *s, struct store_conn **out)
{
	pthread_mutex_lock(&s->pool_lock);
	struct store_conn *c = s->idle;
	if (c)
		s->idle = base(c)->next_idle;
	pthread_mutex_unlock(&s->pool_lock);
	if (c && !s->ops->healthy(c)) {
		s->ops->disconnect(c);
		c = NULL;
	}
	if (!c) {
		int rc = s->ops->connect(s->target, &c);
		if (rc)
			return rc;
		base(c)->ops = s->ops;
		base(c)->owner = s;
	}
	base(c)->next_idle = NULL;
	*out = c;
	return 0;
}

struct store *store_conn_store(struct store_conn *c)
{
	return base(c)->owner;
}

uint64_t store_serial(const struct store *s)
{
	return s->serial;
}

void store_conn_put(struct store *s, struct store_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&s->pool_lock);
	base(c)->next_idle = s->idle;
	s->idle = c;
	pthread_mutex_unlock(&s->pool_lock);
}

int store_query(struct store_conn *c, struct arena *a, const char *sql,
                const struct store_val *params, size_t nparams, struct store_rows *out)
{
	struct store_conn_base *b = base(c);
	int64_t t0 = clock_mono_ns();
	int rc = b->ops->query(c, a, sql, params, nparams, out);
	store_note_query(b->owner, clock_mono_ns() - t0, rc != 0 && rc != ERR_CONFLICT);
	return rc;
}

int store_query_i64(struct store_conn *c, const char *sql, const struct store_val *params,
                    size_t nparams, int64_t *out)
{
	struct arena a;
	arena_init(&a, 512);
	struct store_rows r;
	int rc = store_query(c, &a, sql, params, nparams, &r);
	if (!rc && !r.nrows)
		rc = ERR_NOTFOUND;
	if (!rc)
		*out = store_rows_i64(&r, 0, 0);
	arena_release(&a);
	return rc;
}

int store_send(struct store_conn *c, const char *sql, const struct store_val *params,
               size_t nparams)
{
	struct store_conn_base *b = base(c);
	if (!b->in_tx || !b->ops->send)
		return store_query(c, NULL, sql, params, nparams, NULL);
	int64_t t0 = clock_mono_ns();
	int rc = b->ops->send(c, sql, params, nparams);
	store_note_query(b->owner, clock_mono_ns() - t0, rc != 0 && rc != ERR_CONFLICT);
	return rc;
}

/* The block of ids of `table` in the open transaction; NULL where ids are not taken ahead
 * (SQLite, outside a transaction) or when every block holds another table. */
static struct id_block *id_block_of(struct store_conn *c, const char *table)
{
	struct store_conn_base *b = base(c);
	if (!b->in_tx || !b->ops->send)
		return NULL;
	for (size_t i = 0; i < sizeof(b->ids) / sizeof(b->ids[0]); i++)
		if (!b->ids[i].table || !strcmp(b->ids[i].table, table))
			return &b->ids[i];
	return NULL;
}

/* Adds ids of `table` to *k until it holds n unused ones (nextval of its sequence: ascending,
 * not always consecutive, as other connections take some meanwhile). */
static int id_block_fill(struct store_conn *c, struct id_block *k, const char *table, size_t n)
{
	if (n > STORE_IDS_AHEAD_MAX)
		n = STORE_IDS_AHEAD_MAX;
	size_t left = k->table ? k->n - k->next : 0;
	if (left >= n)
		return 0;
	if (left)
		memmove(k->vals, k->vals + k->next, left * sizeof(k->vals[0]));
	k->table = table;
	k->next = 0;
	k->n = left;
	struct store_val p[] = {sv_text(table), sv_int((int64_t)(n - left))};
	struct arena a;
	arena_init(&a, 4096);
	struct store_rows r;
	int rc =
	    store_query(c, &a,
	                "SELECT nextval(s) FROM (SELECT pg_get_serial_sequence($1, 'id') AS s) q, "
	                "generate_series(1, $2::int)",
	                p, 2, &r);
	if (!rc && !r.nrows)
		rc = ERR_DB;
	for (size_t i = 0; !rc && i < r.nrows && k->n < STORE_IDS_AHEAD_MAX; i++)
		k->vals[k->n++] = store_rows_i64(&r, i, 0);
	arena_release(&a);
	return rc;
}

int store_ids_reserve(struct store_conn *c, const char *table, size_t n)
{
	struct id_block *k = id_block_of(c, table);
	return k && n ? id_block_fill(c, k, table, n) : 0;
}

int store_ids_reserve_batch(struct store_conn *c, const char *table)
{
	struct store_conn_base *b = base(c);
	struct id_block *k = id_block_of(c, table);
	if (!k || (k->table && k->next < k->n))
		return 0;
	size_t n = 1;
	if (b->batch && b->batch_i < b->batch_n)
		for (size_t i = b->batch_i + 1; i < b->batch_n && n < STORE_IDS_AHEAD_MAX; i++)
			n += b->batch[i]->fn == b->batch[b->batch_i]->fn;
	return id_block_fill(c, k, table, n);
}

int store_id_ahead(struct store_conn *c, const char *table, int64_t *id)
{
	*id = 0;
	struct id_block *k = id_block_of(c, table);
	if (k && k->table && k->next < k->n)
		*id = k->vals[k->next++];
	return 0;
}

int store_flush(struct store_conn *c)
{
	struct store_conn_base *b = base(c);
	return b->ops->flush ? b->ops->flush(c) : 0;
}

int store_exec_script(struct store_conn *c, const char *sql)
{
	return base(c)->ops->exec_script(c, sql);
}

void store_versions_forget(struct store_conn *c)
{
	base(c)->versions_ok = false;
}

bool store_versions_cached(struct store *s, int64_t out[5], uint64_t *epoch)
{
	pthread_mutex_lock(&s->vc_lock);
	bool hit = s->vc_ok && clock_mono_ns() - s->vc_at_ns < STORE_VERSIONS_TTL_MS * 1000000;
	if (hit)
		memcpy(out, s->vc, sizeof(s->vc));
	*epoch = s->vc_epoch;
	pthread_mutex_unlock(&s->vc_lock);
	return hit;
}

void store_versions_cache_put(struct store *s, uint64_t epoch, const int64_t v[5])
{
	pthread_mutex_lock(&s->vc_lock);
	if (s->vc_epoch == epoch) { /* no bump since the read began */
		memcpy(s->vc, v, sizeof(s->vc));
		s->vc_at_ns = clock_mono_ns();
		s->vc_ok = true;
	}
	pthread_mutex_unlock(&s->vc_lock);
}

void store_versions_changed(struct store_conn *c)
{
	struct store *s = base(c)->owner;
	pthread_mutex_lock(&s->vc_lock);
	s->vc_epoch++;
	s->vc_ok = false;
	pthread_mutex_unlock(&s->vc_lock);
	if (base(c)->in_tx)
		base(c)->bumped = true; /* again when the transaction ends (tx_ended) */
}

int store_tx_begin(struct store_conn *c)
{
	/* sent with what follows when the back end can (its error comes with theirs) */
	const struct store_ops *ops = base(c)->ops;
	int rc = ops->send ? ops->send(c, ops->begin_sql, NULL, 0)
	                   : store_query(c, NULL, ops->begin_sql, NULL, 0, NULL);
	base(c)->in_tx = rc == 0;
	base(c)->versions_ok = false;
	return rc;
}

static void tx_ended(struct store_conn *c)
{
	for (size_t i = 0; i < sizeof(base(c)->ids) / sizeof(base(c)->ids[0]); i++)
		base(c)->ids[i].table = NULL;
	base(c)->in_tx = false;
	base(c)->versions_ok = false;
	if (base(c)->bumped) {
		/* what was read between the bump and the commit (the old values) is not kept */
		base(c)->bumped = false;
		store_versions_changed(c);
	}
}

int store_tx_commit(struct store_conn *c)
{
	int rc = store_query(c, NULL, "COMMIT", NULL, 0, NULL);
	tx_ended(c);
	return rc;
}

int store_tx_rollback(struct store_conn *c)
{
	int rc = store_query(c, NULL, "ROLLBACK", NULL, 0, NULL);
	tx_ended(c);
	return rc;
}

/* Runs jobs[i], the batch jobs[0..n) at hand for store_ids_reserve_batch. */
static int job_run(struct store_conn *c, struct write_job **jobs, size_t i, size_t n)
{
	struct store_conn_base *b = base(c);
	b->batch = jobs;
	b->batch_i = i;
	b->batch_n = n;
	int rc = jobs[i]->fn(c, jobs[i]->arg);
	b->batch = NULL;
	return rc;
}

/* Runs one batch in one transaction; each job inside its own savepoint. Returns 0 when the
 * transaction committed (job results are in each job), or the error of the batch. */
static int run_batch_savepoints(struct store_conn *c, struct write_job **jobs, size_t n)
{
	int rc = store_tx_begin(c);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct write_job *j = jobs[i];
		rc = store_query(c, NULL, "SAVEPOINT job", NULL, 0, NULL);
		if (rc)
			goto fail;
		int attempts = 0;
		for (;;) {
			j->rc = job_run(c, jobs, i, n);
			/* what it sent (store_send), so that a failure there is its own */
			if (j->rc == 0)
				j->rc = store_flush(c);
			if (j->rc == 0)
				break;
			store_versions_forget(c);
			rc = store_query(c, NULL, "ROLLBACK TO SAVEPOINT job", NULL, 0, NULL);
			if (rc)
				goto fail;
			if (j->rc != ERR_RETRY || ++attempts >= 3)
				break;
		}
		rc = store_query(c, NULL, "RELEASE SAVEPOINT job", NULL, 0, NULL);
		if (rc)
			goto fail;
	}
	rc = store_tx_commit(c);
	if (rc)
		goto fail;
	return 0;
fail:
	store_tx_rollback(c);
	return rc;
}

/* The common case first: every job succeeds, so no savepoints (three statements per job
 * saved). When one fails, the whole transaction is rolled back and the batch runs again with a
 * savepoint per job (jobs may be run again: store_write_fn). A single job that fails needs no
 * second run: rolling back undoes exactly its changes. */
static int run_batch(struct store_conn *c, struct write_job **jobs, size_t n)
{
	int rc = store_tx_begin(c);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		jobs[i]->rc = job_run(c, jobs, i, n);
		if (jobs[i]->rc == 0 && i + 1 == n)
			/* what the jobs sent (store_send): a failure there may be an earlier job's,
			 * which the savepoints sort out */
			jobs[i]->rc = store_flush(c);
		if (jobs[i]->rc == 0)
			continue;
		store_tx_rollback(c);
		if (n == 1 && jobs[i]->rc != ERR_RETRY)
			return 0;
		return run_batch_savepoints(c, jobs, n);
	}
	rc = store_tx_commit(c);
	if (rc)
		store_tx_rollback(c);
	return rc;
}

/* A connection for the committer: with a syncer, one whose commits do not wait for the disk. */
static int writer_conn(struct store *s, struct store_conn **c)
{
	int rc = store_conn_get(s, c);
	if (rc || !s->syncer_on)
		return rc;
	char *path = NULL;
	rc = s->ops->writer_async(*c, true, &path);
	if (rc) {
		s->ops->disconnect(*c);
		*c = NULL;
		return rc;
	}
	pthread_mutex_lock(&s->q_lock); /* the syncer reads it under the lock */
	free(s->sync_path);
	s->sync_path = path;
	pthread_mutex_unlock(&s->q_lock);
	return 0;
}

static void writer_conn_put(struct store *s, struct store_conn *c)
{
	if (s->syncer_on && s->ops->writer_async(c, false, NULL))
		s->ops->disconnect(c);
	else
		store_conn_put(s, c);
}

/* Ends a list of jobs linked by next, whose results are final: wakes the threads waiting in
 * store_write, then (outside the lock: they may queue more) calls the store_write_async
 * callbacks and frees their jobs. Called without q_lock. */
static void jobs_done(struct store *s, struct write_job *list)
{
	struct write_job *async = NULL, **async_tail = &async;
	pthread_mutex_lock(&s->q_lock);
	while (list) {
		struct write_job *j = list;
		list = j->next; /* j is gone once signalled */
		if (j->on_done) {
			j->next = NULL;
			*async_tail = j;
			async_tail = &j->next;
			continue;
		}
		j->done = true;
		pthread_cond_signal(&j->cond);
	}
	pthread_mutex_unlock(&s->q_lock);
	while (async) {
		struct write_job *next = async->next;
		async->on_done(async->ctx, async->rc);
		free(async);
		async = next;
	}
}

/* Runs jobs[0..n) with run_batch, reconnecting and trying again on ERR_RETRY; 0 when they are
 * committed (each job's result in it). */
static int run_batch_retrying(struct store *s, struct store_conn **c, struct write_job **jobs,
                              size_t n)
{
	int rc = ERR_DB;
	for (int attempt = 0; attempt < BATCH_RETRIES; attempt++) {
		if (!*c && writer_conn(s, c)) {
			*c = NULL;
			return ERR_DB;
		}
		rc = run_batch(*c, jobs, n);
		if (rc == 0)
			break;
		if (!s->ops->healthy(*c)) {
			s->ops->disconnect(*c);
			*c = NULL;
		}
		if (rc != ERR_RETRY)
			break;
	}
	return rc;
}

/* Runs jobs[from..to) in the transaction the committer keeps open (begun here if none is).
 * Any failure rolls it back and returns non-zero: the caller then runs the whole batch again
 * with run_batch_retrying (jobs may run again: store_write_fn). */
static int run_more(struct store *s, struct store_conn **c, bool *open, struct write_job **jobs,
                    size_t from, size_t to)
{
	if (!*c && writer_conn(s, c)) {
		*c = NULL;
		return ERR_DB;
	}
	if (!*open) {
		if (store_tx_begin(*c))
			return ERR_DB;
		*open = true;
	}
	for (size_t i = from; i < to; i++) {
		jobs[i]->rc = job_run(*c, jobs, i, to);
		if (jobs[i]->rc) {
			store_tx_rollback(*c);
			*open = false;
			return ERR_DB;
		}
	}
	return 0;
}

/* The committer: runs the queued jobs in transactions of as many as are waiting (group
 * commit). With a syncer (SQLite), a commit returns before it is on disk, and the syncer
 * acknowledges its jobs once it has synced it. Meanwhile this thread runs the jobs that
 * arrive into the next transaction, and commits that one only when the sync is over: the
 * disk's wait and the writer's work overlap, and each batch is as large as what arrived
 * during the last sync. No job is acknowledged before its commit is on disk. */
static void *committer_main(void *p)
{
	pthread_setname_np(pthread_self(), "otk-commit"); /* for top -H and perf */
	struct store *s = p;
	struct write_job *jobs[BATCH_MAX];
	size_t n = 0; /* jobs run in the open transaction, not committed yet */
	bool open = false;
	struct store_conn *c = NULL;
	for (;;) {
		pthread_mutex_lock(&s->q_lock);
		while (!(s->q_head && n < BATCH_MAX) && !(n && !s->sync_busy) &&
		       !(!n && !s->q_head && s->stopping))
			pthread_cond_wait(&s->q_cond, &s->q_lock);
		if (!n && !s->q_head) { /* stopping, and nothing is left */
			pthread_mutex_unlock(&s->q_lock);
			break;
		}
		size_t m = n;
		while (s->q_head && m < BATCH_MAX) {
			jobs[m++] = s->q_head;
			s->q_head = s->q_head->next;
		}
		if (!s->q_head)
			s->q_tail = NULL;
		bool commit_now = !s->sync_busy;
		pthread_mutex_unlock(&s->q_lock);

		bool again = m > n && run_more(s, &c, &open, jobs, n, m);
		n = m;
		if (!again && !commit_now && n < BATCH_MAX)
			continue; /* more may come while the last commit is being synced */
		int rc = 0;
		if (!again) {
			open = false;
			if (store_tx_commit(c)) {
				store_tx_rollback(c);
				again = true;
			}
		}
		if (again)
			rc = run_batch_retrying(s, &c, jobs, n);
		pthread_mutex_lock(&s->stats_lock);
		s->stats.batches++;
		s->stats.batched_jobs += n;
		pthread_mutex_unlock(&s->stats_lock);

		for (size_t i = 0; i < n; i++) {
			if (rc)
				jobs[i]->rc = rc == ERR_RETRY ? ERR_DB : rc;
			jobs[i]->next = i + 1 < n ? jobs[i + 1] : NULL;
		}
		if (rc || !s->syncer_on) {
			jobs_done(s, jobs[0]); /* durable already, or nothing was written */
		} else {
			pthread_mutex_lock(&s->q_lock);
			/* a full or re-run batch may be committed while the last one is syncing */
			while (s->sync_busy)
				pthread_cond_wait(&s->q_cond, &s->q_lock);
			s->sync_head = jobs[0];
			s->sync_busy = true;
			pthread_cond_signal(&s->sync_cond);
			pthread_mutex_unlock(&s->q_lock);
		}
		n = 0;
	}
	if (c)
		writer_conn_put(s, c);
	return NULL;
}

/* Puts each committed batch on disk (ops->durable_sync), then acknowledges its jobs (a failed
 * sync fails them: they are written but cannot be promised) and lets the committer commit the
 * next one. Runs until the store stops and nothing is waiting. */
static void *syncer_main(void *p)
{
	pthread_setname_np(pthread_self(), "otk-sync"); /* for top -H and perf */
	struct store *s = p;
	pthread_mutex_lock(&s->q_lock);
	for (;;) {
		while (!s->sync_head && !s->sync_stopping)
			pthread_cond_wait(&s->sync_cond, &s->q_lock);
		if (!s->sync_head)
			break;
		struct write_job *list = s->sync_head;
		s->sync_head = NULL;
		char *path =
		    s->sync_path ? xstrdup(s->sync_path) : NULL; /* set before any commit */
		pthread_mutex_unlock(&s->q_lock);
		int rc = path ? s->ops->durable_sync(path) : ERR_DB;
		free(path);
		if (rc)
			for (struct write_job *j = list; j; j = j->next)
				j->rc = ERR_DB;
		jobs_done(s, list);
		pthread_mutex_lock(&s->q_lock);
		s->sync_busy = false;
		pthread_cond_broadcast(&s->q_cond);
		pthread_mutex_lock(&s->stats_lock);
		s->stats.syncs++;
		pthread_mutex_unlock(&s->stats_lock);
	}
	pthread_mutex_unlock(&s->q_lock);
	return NULL;
}

/* Runs ops->checkpoint_sql every CHECKPOINT_MS until the store stops (SQLite: copies the WAL
 * into the database file in parallel with the committer instead of inside one of its
 * commits). */
static void *checkpointer_main(void *p)
{
	pthread_setname_np(pthread_self(), "otk-checkpoint"); /* for top -H and perf */
	struct store *s = p;
	pthread_mutex_lock(&s->q_lock);
	while (!s->stopping) {
		struct timespec until = clock_realtime_in(CHECKPOINT_MS);
		pthread_cond_timedwait(&s->stop_cond, &s->q_lock, &until);
		if (s->stopping)
			break;
		pthread_mutex_unlock(&s->q_lock);
		struct store_conn *c;
		if (!store_conn_get(s, &c)) {
			store_query(c, NULL, s->ops->checkpoint_sql, NULL, 0, NULL);
			store_conn_put(s, c);
		}
		pthread_mutex_lock(&s->q_lock);
	}
	pthread_mutex_unlock(&s->q_lock);
	return NULL;
}

int store_write(struct store *s, store_write_fn fn, void *arg)
{
	struct write_job j = {.fn = fn, .arg = arg};
	pthread_cond_init(&j.cond, NULL);
	pthread_mutex_lock(&s->q_lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->q_lock);
		pthread_cond_destroy(&j.cond);
		return ERR_UNAVAILABLE;
	}
	if (s->q_tail)
		s->q_tail->next = &j;
	else
		s->q_head = &j;
	s->q_tail = &j;
	pthread_cond_signal(&s->q_cond);
	while (!j.done)
		pthread_cond_wait(&j.cond, &s->q_lock);
	pthread_mutex_unlock(&s->q_lock);
	pthread_cond_destroy(&j.cond);
	return j.rc;
}

int store_write_async(struct store *s, store_write_fn fn, void *arg, store_done_fn on_done,
                      void *ctx)
{
	struct write_job *j = xcalloc(1, sizeof(*j));
	j->fn = fn;
	j->arg = arg;
	j->on_done = on_done;
	j->ctx = ctx;
	pthread_mutex_lock(&s->q_lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->q_lock);
		free(j);
		return ERR_UNAVAILABLE;
	}
	if (s->q_tail)
		s->q_tail->next = j;
	else
		s->q_head = j;
	s->q_tail = j;
	pthread_cond_signal(&s->q_cond);
	pthread_mutex_unlock(&s->q_lock);
	return 0;
}

int store_checkpoint_full(struct store *s)
{
	if (!s->ops->checkpoint_full_sql)
		return 0;
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	rc = store_query(c, NULL, s->ops->checkpoint_full_sql, NULL, 0, NULL);
	store_conn_put(s, c);
	return rc;
}

int store_ping(struct store *s)
{
	struct store_conn *c;
	if (store_conn_get(s, &c))
		return ERR_DB;
	struct arena a;
	arena_init(&a, 1024);
	struct store_rows r;
	int rc = store_query(c, &a, "SELECT 1", NULL, 0, &r);
	arena_release(&a);
	if (rc) {
		s->ops->disconnect(c);
		return ERR_DB;
	}
	store_conn_put(s, c);
	return 0;
}

int store_open(const char *url, int committers, struct store **out)
{
	const struct store_ops *ops;
	const char *target;
	enum store_backend be;
	if (strncmp(url, "sqlite:", 7) == 0) {
		ops = &store_sqlite_ops;
		target = url + 7;
		be = STORE_SQLITE;
	} else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
		ops = &store_pg_ops;
		target = url;
		be = STORE_PG;
	} else {
		log_error("store_open", "database URL must start with sqlite: or postgres://");
		return ERR_INVALID;
	}
	if (!*target)
		return ERR_INVALID;
	static atomic_uint_fast64_t serials;
	struct store *s = xcalloc(1, sizeof(*s));
	s->serial = (uint64_t)atomic_fetch_add(&serials, 1) + 1;
	s->ops = ops;
	s->backend = be;
	s->target = xstrdup(target);
	pthread_mutex_init(&s->pool_lock, NULL);
	pthread_mutex_init(&s->q_lock, NULL);
	pthread_mutex_init(&s->stats_lock, NULL);
	pthread_mutex_init(&s->vc_lock, NULL);
	pthread_cond_init(&s->q_cond, NULL);
	pthread_cond_init(&s->stop_cond, NULL);
	pthread_cond_init(&s->sync_cond, NULL);

	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc) {
		store_close(s);
		return rc;
	}
	store_conn_put(s, c);

	const char *env = getenv("OTKLIK_DB_COMMITTERS");
	if (committers <= 0 && env && atoi(env) > 0)
		committers = atoi(env) > 64 ? 64 : atoi(env);
	if (committers <= 0) {
		/* PostgreSQL: one per core, 2 to 8. Committers share the server's CPU, and more
		 * transactions at once than cores only add contention: their foreign-key checks
		 * lock the same parent rows (topic, organisation, …), which turns each lock into a
		 * MultiXact. On 2 cores, 2 committers took ~8% more appeals/s than 4 with half the
		 * p99 (bench/README.md). */
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		committers = cores < 2 ? 2 : cores > 8 ? 8 : (int)cores;
	}
	if (be == STORE_SQLITE)
		committers = 1; /* one writer: SQLite serialises writers anyway */
	if (ops->durable_sync && pthread_create(&s->syncer, NULL, syncer_main, s) == 0)
		s->syncer_on = true;
	s->committers = xcalloc((size_t)committers, sizeof(pthread_t));
	for (int i = 0; i < committers; i++) {
		pthread_create(&s->committers[i], NULL, committer_main, s);
		s->ncommitters++;
	}
	if (ops->checkpoint_sql &&
	    pthread_create(&s->checkpointer, NULL, checkpointer_main, s) == 0)
		s->checkpointer_on = true;
	*out = s;
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->q_lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->q_cond);
	pthread_cond_broadcast(&s->stop_cond);
	pthread_mutex_unlock(&s->q_lock);
	for (int i = 0; i < s->ncommitters; i++)
		pthread_join(s->committers[i], NULL);
	if (s->syncer_on) { /* after the committers: their last batch is synced first */
		pthread_mutex_lock(&s->q_lock);
		s->sync_stopping = true;
		pthread_cond_signal(&s->sync_cond);
		pthread_mutex_unlock(&s->q_lock);
		pthread_join(s->syncer, NULL);
	}
	if (s->checkpointer_on)
		pthread_join(s->checkpointer, NULL);
	free(s->committers);
	struct store_conn *c = s->idle;
	while (c) {
		struct store_conn *n = base(c)->next_idle;
		s->ops->disconnect(c);
		c = n;
	}
	pthread_mutex_destroy(&s->pool_lock);
	pthread_mutex_destroy(&s->q_lock);
	pthread_mutex_destroy(&s->stats_lock);
	pthread_mutex_destroy(&s->vc_lock);
	pthread_cond_destroy(&s->q_cond);
	pthread_cond_destroy(&s->stop_cond);
	pthread_cond_destroy(&s->sync_cond);
	free(s->target);
	free(s->sync_path);
	free(s);
}

enum store_backend store_backend(const struct store *s)
{
	return s->backend;
}

const char *store_backend_name(const struct store *s)
{
	return s->ops->name;
}

uint64_t store_sql_hash(const char *sql, size_t *len)
{
	size_t n = strlen(sql);
	*len = n;
	uint64_t h = 1469598103934665603ULL ^ n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, sql + i, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 32;
	}
	uint64_t w = 0;
	memcpy(&w, sql + i, n - i);
	h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 29);
}
