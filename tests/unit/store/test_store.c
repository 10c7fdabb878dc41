/* test_store.c: unit tests for src/store on SQLite: open, migrations, parameters, errors and
 * the group-commit write path. */
#include <criterion/criterion.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"
#include "store/testdb.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static struct testdb db;
static struct arena a;

static void setup(void)
{
	log_set_level(LOG_ERROR);
	testdb_open(&db, true);
	arena_init(&a, 4096);
}

static void teardown(void)
{
	arena_release(&a);
	testdb_close(&db);
}

TestSuite(store, .init = setup, .fini = teardown);

static struct store_conn *conn(void)
{
	struct store_conn *c = NULL;
	cr_assert_eq(store_conn_get(db.s, &c), 0);
	cr_assert_not_null(c);
	return c;
}

static void exec(const char *sql)
{
	struct store_conn *c = conn();
	cr_assert_eq(store_exec_script(c, sql), 0, "%s", sql);
	store_conn_put(db.s, c);
}

static int64_t count(const char *sql)
{
	struct store_conn *c = conn();
	struct store_rows r;
	cr_assert_eq(store_query(c, &a, sql, NULL, 0, &r), 0, "%s", sql);
	store_conn_put(db.s, c);
	cr_assert_eq(r.nrows, 1);
	return store_rows_i64(&r, 0, 0);
}

Test(store_open, bad_urls)
{
	struct store *s = (struct store *)1;
	cr_expect_eq(store_open("mysql://x", 0, &s), ERR_INVALID);
	cr_expect_eq(store_open("sqlite:", 0, &s), ERR_INVALID);
	cr_expect_eq(store_open("", 0, &s), ERR_INVALID);
	cr_expect_eq(store_open("sqlite:/nonexistent-dir-otklik/x/db", 0, &s), ERR_DB);
	store_close(NULL); /* a no-op */
}

Test(store_open, migrate_applies_once)
{
	struct testdb t;
	testdb_open(&t, false);
	cr_expect_eq(store_backend(t.s), STORE_SQLITE);
	cr_expect_str_eq(store_backend_name(t.s), "sqlite");
	int applied = -1;
	cr_assert_eq(store_migrate(t.s, &applied), 0);
	cr_expect_geq(applied, 1, "a fresh database gets every migration");
	struct store_conn *c;
	cr_assert_eq(store_conn_get(t.s, &c), 0);
	struct arena ta;
	arena_init(&ta, 1024);
	struct store_rows r;
	cr_assert_eq(store_query(c, &ta, "SELECT count(*) FROM schema_migrations", NULL, 0, &r), 0);
	cr_expect_eq(store_rows_i64(&r, 0, 0), applied);
	cr_expect_eq(store_query(c, &ta, "SELECT count(*) FROM territories", NULL, 0, &r), 0,
	             "the foundation tables exist");
	store_conn_put(t.s, c);
	arena_release(&ta);

	cr_assert_eq(store_migrate(t.s, &applied), 0);
	cr_expect_eq(applied, 0, "a second run applies nothing");
	cr_expect_eq(store_ping(t.s), 0);

	/* Reopening keeps the data and applies nothing either. */
	store_close(t.s);
	cr_assert_eq(store_open(t.url, 0, &t.s), 0);
	applied = -1;
	cr_assert_eq(store_migrate(t.s, &applied), 0);
	cr_expect_eq(applied, 0);
	testdb_close(&t);
}

Test(store, parameters_in_order_reused_and_out_of_order)
{
	struct store_conn *c = conn();
	struct store_rows r;
	struct store_val p[] = {sv_text("first"), sv_int(2)};

	cr_assert_eq(store_query(c, &a, "SELECT $1, $2", p, 2, &r), 0);
	cr_assert_eq(r.nrows, 1);
	cr_assert_eq(r.ncols, 2);
	cr_expect_str_eq(store_rows_get(&r, 0, 0), "first");
	cr_expect_eq(store_rows_i64(&r, 0, 1), 2);

	cr_assert_eq(store_query(c, &a, "SELECT $2, $1", p, 2, &r), 0);
	cr_expect_str_eq(store_rows_get(&r, 0, 0), "2", "$2 is the second parameter");
	cr_expect_str_eq(store_rows_get(&r, 0, 1), "first", "$1 is the first parameter");

	cr_assert_eq(store_query(c, &a, "SELECT $1 || '-' || $1, $2 + $2", p, 2, &r), 0);
	cr_expect_str_eq(store_rows_get(&r, 0, 0), "first-first", "a reused $1 binds both");
	cr_expect_eq(store_rows_i64(&r, 0, 1), 4);

	/* Only the later parameter used: $1 must not shift into its place. */
	cr_assert_eq(store_query(c, &a, "SELECT $2", p, 2, &r), 0);
	cr_expect_str_eq(store_rows_get(&r, 0, 0), "2");

	struct store_val q[] = {sv_int(1), sv_int(2), sv_int(3), sv_int(4),  sv_int(5), sv_int(6),
	                        sv_int(7), sv_int(8), sv_int(9), sv_int(10), sv_int(11)};
	cr_assert_eq(store_query(c, &a, "SELECT $11, $10, $1", q, 11, &r), 0);
	cr_expect_str_eq(store_rows_get(&r, 0, 0), "11", "$11 is not $1 followed by '1'");
	cr_expect_str_eq(store_rows_get(&r, 0, 1), "10");
	cr_expect_str_eq(store_rows_get(&r, 0, 2), "1");

	struct store_val rl[] = {sv_real(2.5), sv_textn("abcdef", 3)};
	cr_assert_eq(store_query(c, &a, "SELECT $1 * 2, $2, length($2)", rl, 2, &r), 0);
	cr_expect_eq(store_rows_f64(&r, 0, 0), 5.0);
	cr_expect_str_eq(store_rows_get(&r, 0, 1), "abc", "sv_textn binds only n bytes");
	cr_expect_eq(store_rows_i64(&r, 0, 2), 3);

	/* The same statement text again (cached statement) with new values. */
	struct store_val p2[] = {sv_text("again"), sv_int(9)};
	cr_assert_eq(store_query(c, &a, "SELECT $2, $1", p2, 2, &r), 0);
	cr_expect_str_eq(store_rows_get(&r, 0, 0), "9");
	cr_expect_str_eq(store_rows_get(&r, 0, 1), "again");
	store_conn_put(db.s, c);
}

Test(store, nulls_and_column_names)
{
	exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER)");
	struct store_conn *c = conn();
	struct store_val p[] = {sv_null(), sv_text(NULL), sv_int(0)};
	struct store_rows r;
	cr_assert_eq(store_query(c, &a, "INSERT INTO t (a, b) VALUES ($1, $2)", p, 2, &r), 0);
	cr_expect_eq(r.changes, 1);
	cr_assert_eq(store_query(c, &a, "INSERT INTO t (a, b) VALUES ('x', $3)", p, 3, &r), 0);
	cr_assert_eq(
	    store_query(c, &a, "SELECT a, b, a IS NULL AS anull FROM t ORDER BY id", NULL, 0, &r),
	    0);
	cr_assert_eq(r.nrows, 2);
	cr_expect_str_eq(r.names[0], "a");
	cr_expect_str_eq(r.names[2], "anull");
	cr_expect(store_rows_isnull(&r, 0, 0));
	cr_expect_null(store_rows_get(&r, 0, 0));
	cr_expect(store_rows_isnull(&r, 0, 1), "sv_text(NULL) binds NULL");
	cr_expect_eq(store_rows_i64(&r, 0, 2), 1);
	cr_expect_str_eq(store_rows_get(&r, 1, 0), "x");
	cr_expect_not(store_rows_isnull(&r, 1, 1), "0 is not NULL");
	cr_expect_str_eq(store_rows_get(&r, 1, 1), "0");
	/* Out of range reads are NULL, not a crash. */
	cr_expect_null(store_rows_get(&r, 2, 0));
	cr_expect_null(store_rows_get(&r, 0, 3));
	cr_assert_eq(store_query(c, &a, "SELECT a FROM t WHERE 0", NULL, 0, &r), 0);
	cr_expect_eq(r.nrows, 0);
	store_conn_put(db.s, c);
}

Test(store, many_rows_materialised)
{
	exec("CREATE TABLE n (v INTEGER)");
	exec("WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 1000) "
	     "INSERT INTO n SELECT x FROM s");
	struct store_conn *c = conn();
	struct store_rows r;
	cr_assert_eq(store_query(c, &a, "SELECT v, 'row' || v FROM n ORDER BY v", NULL, 0, &r), 0);
	store_conn_put(db.s, c);
	cr_assert_eq(r.nrows, 1000);
	for (size_t i = 0; i < r.nrows; i++) {
		cr_assert_eq(store_rows_i64(&r, i, 0), (int64_t)i + 1);
		cr_assert_str_eq(store_rows_get(&r, i, 1), arena_printf(&a, "row%zu", i + 1));
	}
}

Test(store, constraint_errors)
{
	exec("CREATE TABLE u (code TEXT UNIQUE NOT NULL, parent INTEGER REFERENCES p(id));"
	     "CREATE TABLE p (id INTEGER PRIMARY KEY)");
	struct store_conn *c = conn();
	struct store_val v[] = {sv_text("dup")};
	cr_assert_eq(store_query(c, NULL, "INSERT INTO u (code) VALUES ($1)", v, 1, NULL), 0);
	cr_expect_eq(store_query(c, NULL, "INSERT INTO u (code) VALUES ($1)", v, 1, NULL),
	             ERR_CONFLICT, "unique violation");
	struct store_val fk[] = {sv_text("other"), sv_int(999)};
	cr_expect_eq(
	    store_query(c, NULL, "INSERT INTO u (code, parent) VALUES ($1, $2)", fk, 2, NULL),
	    ERR_CONFLICT, "foreign-key violation");
	cr_expect_eq(store_query(c, NULL, "INSERT INTO nosuchtable VALUES (1)", NULL, 0, NULL),
	             ERR_DB);
	cr_expect_eq(store_query(c, NULL, "SELEC 1", NULL, 0, NULL), ERR_DB);
	/* The connection still works after errors. */
	struct store_rows r;
	cr_assert_eq(store_query(c, &a, "SELECT count(*) FROM u", NULL, 0, &r), 0);
	cr_expect_eq(store_rows_i64(&r, 0, 0), 1);
	store_conn_put(db.s, c);
}

Test(store, transactions)
{
	exec("CREATE TABLE t (v INTEGER)");
	struct store_conn *c = conn();
	cr_assert_eq(store_tx_begin(c), 0);
	cr_assert_eq(store_query(c, NULL, "INSERT INTO t VALUES (1)", NULL, 0, NULL), 0);
	cr_assert_eq(store_tx_rollback(c), 0);
	cr_assert_eq(store_tx_begin(c), 0);
	cr_assert_eq(store_query(c, NULL, "INSERT INTO t VALUES (2)", NULL, 0, NULL), 0);
	cr_assert_eq(store_tx_commit(c), 0);
	store_conn_put(db.s, c);
	cr_expect_eq(count("SELECT count(*) FROM t"), 1);
	cr_expect_eq(count("SELECT v FROM t"), 2);
}

/* --- group commit ------------------------------------------------------------------------ */

struct ins {
	int64_t thread, seq;
	int result; /* what the job returns after inserting */
	int runs;
};

static int insert_job(struct store_conn *c, void *arg)
{
	struct ins *j = arg;
	j->runs++;
	struct store_val v[] = {sv_int(j->thread), sv_int(j->seq)};
	int rc = store_query(c, NULL, "INSERT INTO w (thread, seq) VALUES ($1, $2)", v, 2, NULL);
	if (rc)
		return rc;
	return j->result;
}

enum { THREADS = 8, PER_THREAD = 200 };

struct worker {
	int64_t id;
	int fail_every; /* 0 = never */
	int errors, wrong;
};

static void *worker_main(void *p)
{
	struct worker *w = p;
	for (int i = 0; i < PER_THREAD; i++) {
		bool fail = w->fail_every && i % w->fail_every == 0;
		struct ins j = {.thread = w->id, .seq = i, .result = fail ? ERR_VALIDATION : 0};
		int rc = store_write(db.s, insert_job, &j);
		if (rc != (fail ? ERR_VALIDATION : 0))
			w->wrong++;
		if (rc)
			w->errors++;
	}
	return NULL;
}

static void run_workers(int fail_every)
{
	pthread_t th[THREADS];
	struct worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.id = i, .fail_every = fail_every};
		cr_assert_eq(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(w[i].wrong, 0, "thread %d saw %d unexpected results", i, w[i].wrong);
	}
}

Test(store, group_commit_all_rows_present)
{
	exec("CREATE TABLE w (thread INTEGER, seq INTEGER, UNIQUE (thread, seq))");
	struct store_stats before, after;
	store_stats_get(db.s, &before);
	run_workers(0);
	store_stats_get(db.s, &after);
	cr_expect_eq(count("SELECT count(*) FROM w"), THREADS * PER_THREAD);
	cr_expect_eq(count("SELECT count(DISTINCT thread * 1000 + seq) FROM w"),
	             THREADS * PER_THREAD);
	cr_expect_eq(after.batched_jobs - before.batched_jobs, THREADS * PER_THREAD);
	cr_expect_leq(after.batches - before.batches, after.batched_jobs - before.batched_jobs);
}

Test(store, group_commit_failed_jobs_roll_back_only_themselves)
{
	exec("CREATE TABLE w (thread INTEGER, seq INTEGER, UNIQUE (thread, seq))");
	run_workers(7);
	/* seq 0, 7, ..., 196: 29 failures per thread. */
	int64_t failed_per_thread = (PER_THREAD + 6) / 7;
	cr_expect_eq(count("SELECT count(*) FROM w"), THREADS * (PER_THREAD - failed_per_thread));
	cr_expect_eq(count("SELECT count(*) FROM w WHERE seq % 7 = 0"), 0,
	             "rows of failed jobs are rolled back");
	cr_expect_eq(count("SELECT count(*) FROM w WHERE seq % 7 = 3"),
	             THREADS * ((PER_THREAD + 3) / 7), "their batch neighbours are kept");
}

/* A job that holds the committer until the others have queued behind it, so the next batch
 * holds exactly them. */
struct gate {
	atomic_int queued;
	int want;
};

static int gate_job(struct store_conn *c, void *arg)
{
	(void)c;
	struct gate *g = arg;
	for (int i = 0; i < 500 && atomic_load(&g->queued) < g->want; i++)
		usleep(2000);
	usleep(100000); /* let the last ones reach the queue */
	return 0;
}

struct submit {
	struct gate *g;
	struct ins job;
	int rc;
};

static void *submit_main(void *p)
{
	struct submit *s = p;
	atomic_fetch_add(&s->g->queued, 1);
	s->rc = store_write(db.s, insert_job, &s->job);
	return NULL;
}

static void *gate_main(void *p)
{
	store_write(db.s, gate_job, p);
	return NULL;
}

Test(store, error_in_one_job_keeps_the_rest_of_its_batch)
{
	exec("CREATE TABLE w (thread INTEGER, seq INTEGER, UNIQUE (thread, seq))");
	/* Pre-existing row so that one job fails on a unique violation inside the batch. */
	struct ins pre = {.thread = 9, .seq = 9};
	cr_assert_eq(store_write(db.s, insert_job, &pre), 0);

	struct gate g = {.want = 4};
	struct submit sub[4] = {
	    {&g, {.thread = 1, .seq = 1}, -100},
	    {&g, {.thread = 2, .seq = 2, .result = ERR_NOTFOUND}, -100}, /* inserts, fails */
	    {&g, {.thread = 9, .seq = 9}, -100},                         /* conflict */
	    {&g, {.thread = 4, .seq = 4}, -100},
	};
	struct store_stats before, after;
	pthread_t gt, th[4];
	cr_assert_eq(pthread_create(&gt, NULL, gate_main, &g), 0);
	usleep(50000); /* the gate job is running in the committer now */
	store_stats_get(db.s, &before);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, submit_main, &sub[i]), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	pthread_join(gt, NULL);
	store_stats_get(db.s, &after);

	cr_expect_eq(sub[0].rc, 0);
	cr_expect_eq(sub[1].rc, ERR_NOTFOUND, "the job's own error comes back");
	cr_expect_eq(sub[2].rc, ERR_CONFLICT);
	cr_expect_eq(sub[3].rc, 0);
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 1"), 1);
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 2"), 0,
	             "a job that fails after writing leaves nothing");
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 9"), 1);
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 4"), 1);
	cr_expect_eq(count("SELECT count(*) FROM w"), 3);
	/* The gate's batch plus one batch for the four (when they queued in time). */
	cr_expect_eq(after.batches - before.batches, 2, "the four jobs shared one batch");
	cr_expect_eq(after.batched_jobs - before.batched_jobs, 5);
}

static int retry_job(struct store_conn *c, void *arg)
{
	struct ins *j = arg;
	j->runs++;
	struct store_val v[] = {sv_int(j->thread), sv_int(j->runs)};
	int rc = store_query(c, NULL, "INSERT INTO w (thread, seq) VALUES ($1, $2)", v, 2, NULL);
	if (rc)
		return rc;
	return j->runs < 2 ? ERR_RETRY : 0;
}

Test(store, retryable_job_is_run_again_from_a_clean_state)
{
	exec("CREATE TABLE w (thread INTEGER, seq INTEGER, UNIQUE (thread, seq))");
	struct ins j = {.thread = 5};
	cr_expect_eq(store_write(db.s, retry_job, &j), 0);
	cr_expect_eq(j.runs, 2);
	cr_expect_eq(count("SELECT count(*) FROM w"), 1, "the first attempt's row was undone");
	cr_expect_eq(count("SELECT seq FROM w"), 2);
}

Test(store, write_after_close_is_refused)
{
	/* store_close drains and stops; a second store on the same file sees the data. */
	exec("CREATE TABLE w (thread INTEGER, seq INTEGER, UNIQUE (thread, seq))");
	struct ins j = {.thread = 1, .seq = 1};
	cr_assert_eq(store_write(db.s, insert_job, &j), 0);
	store_close(db.s);
	cr_assert_eq(store_open(db.url, 0, &db.s), 0);
	cr_expect_eq(count("SELECT count(*) FROM w"), 1, "committed writes are durable");
}

/* --- store_write_async -------------------------------------------------------------------- */

struct async_wait {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int done, rc_sum, nonzero;
	int order[64];
	atomic_int committed_when_called; /* rows seen by a reader when the callback ran */
};

struct async_one {
	struct async_wait *w;
	struct ins job;
	int rc;
	int idx;
};

static void async_done(void *ctx, int rc)
{
	struct async_one *o = ctx;
	struct async_wait *w = o->w;
	/* what the callback promises: the job's transaction is committed (a reader sees it) */
	if (rc == 0) {
		struct store_conn *c = NULL;
		struct arena ra;
		arena_init(&ra, 512);
		struct store_rows r;
		struct store_val v[] = {sv_int(o->job.thread), sv_int(o->job.seq)};
		if (!store_conn_get(db.s, &c) &&
		    !store_query(c, &ra, "SELECT count(*) FROM w WHERE thread = $1 AND seq = $2", v,
		                 2, &r) &&
		    store_rows_i64(&r, 0, 0) == 1)
			atomic_fetch_add(&w->committed_when_called, 1);
		store_conn_put(db.s, c);
		arena_release(&ra);
	}
	pthread_mutex_lock(&w->mu);
	o->rc = rc;
	w->order[w->done++] = o->idx;
	if (rc)
		w->nonzero++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
}

Test(store, write_async_calls_back_once_per_job_after_the_commit)
{
	exec("CREATE TABLE w (thread INTEGER, seq INTEGER, UNIQUE (thread, seq))");
	struct ins pre = {.thread = 7, .seq = 7};
	cr_assert_eq(store_write(db.s, insert_job, &pre), 0);
	struct async_wait w = {.mu = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	enum { N = 40 };
	struct async_one o[N];
	for (int i = 0; i < N; i++) {
		o[i] = (struct async_one){
		    .w = &w, .job = {.thread = 1, .seq = i}, .rc = -100, .idx = i};
		if (i == 10)
			o[i].job = (struct ins){.thread = 7, .seq = 7}; /* a conflict */
		if (i == 20)
			o[i].job.result = ERR_VALIDATION; /* inserts, then fails */
		cr_assert_eq(store_write_async(db.s, insert_job, &o[i].job, async_done, &o[i]), 0);
	}
	pthread_mutex_lock(&w.mu);
	while (w.done < N)
		pthread_cond_wait(&w.cond, &w.mu);
	pthread_mutex_unlock(&w.mu);
	for (int i = 0; i < N; i++) {
		int want = i == 10 ? ERR_CONFLICT : i == 20 ? ERR_VALIDATION : 0;
		cr_expect_eq(o[i].rc, want, "job %d: %d", i, o[i].rc);
	}
	cr_expect_eq(w.nonzero, 2);
	cr_expect_eq(atomic_load(&w.committed_when_called), N - 2,
	             "every successful job's row was visible when its callback ran");
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 1"), N - 2);
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 1 AND seq IN (10, 20)"), 0);
	bool seen[N] = {0};
	for (int i = 0; i < N; i++) {
		cr_expect(!seen[w.order[i]], "job %d called back twice", w.order[i]);
		seen[w.order[i]] = true;
	}
}

Test(store, write_async_jobs_queued_before_a_close_are_finished_by_it)
{
	exec("CREATE TABLE w (thread INTEGER, seq INTEGER, UNIQUE (thread, seq))");
	/* jobs queued before the close are all run and called back before it returns */
	struct async_wait w = {.mu = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	struct async_one o[8];
	for (int i = 0; i < 8; i++) {
		o[i] = (struct async_one){
		    .w = &w, .job = {.thread = 3, .seq = i}, .rc = -100, .idx = i};
		cr_assert_eq(store_write_async(db.s, insert_job, &o[i].job, async_done, &o[i]), 0);
	}
	store_close(db.s);
	cr_expect_eq(w.done, 8, "the queued jobs were finished by the close");
	for (int i = 0; i < 8; i++)
		cr_expect_eq(o[i].rc, 0);
	cr_assert_eq(store_open(db.url, 0, &db.s), 0);
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 3"), 8);
}
