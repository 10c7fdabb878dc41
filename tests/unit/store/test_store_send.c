/* test_store_send.c: store_send (writes sent without waiting for their result: libpq's
 * pipeline mode on PostgreSQL), how its failures reach the right job, and ids taken ahead of
 * their inserts (store_id_ahead). Runs on SQLite, and on
 * PostgreSQL too when OTKLIK_TEST_PG (postgres://user@host:port) is set: tests/run-api.sh
 * postgres runs it so against its cluster, on a database of its own. */
#include <criterion/criterion.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "store/store.h"
#include "store/testdb.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct testdb db;
static struct store *s;
static struct arena a;
static char pg_url[256];

static void pg_database(const char *server, const char *name, bool create)
{
	char url[300];
	snprintf(url, sizeof(url), "%s/postgres", server);
	struct store *admin = NULL;
	cr_assert_eq(store_open(url, 1, &admin), 0, "store_open %s", url);
	struct store_conn *c = NULL;
	cr_assert_eq(store_conn_get(admin, &c), 0);
	char sql[128];
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
	store_exec_script(c, sql);
	if (create) {
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
		cr_assert_eq(store_exec_script(c, sql), 0, "%s", sql);
	}
	store_conn_put(admin, c);
	store_close(admin);
}

static void setup(void)
{
	log_set_level(LOG_ERROR);
	arena_init(&a, 4096);
	const char *server = getenv("OTKLIK_TEST_PG");
	if (server && *server) {
		char name[64];
		snprintf(name, sizeof(name), "otklik_unit_send_%d", (int)getpid());
		pg_database(server, name, true);
		snprintf(pg_url, sizeof(pg_url), "%s/%s", server, name);
		cr_assert_eq(store_open(pg_url, 0, &s), 0, "store_open %s", pg_url);
	} else {
		testdb_open(&db, false);
		s = db.s;
	}
	struct store_conn *c = NULL;
	cr_assert_eq(store_conn_get(s, &c), 0);
	cr_assert_eq(store_exec_script(c, "CREATE TABLE w (thread BIGINT NOT NULL, seq BIGINT NOT "
	                                  "NULL, note TEXT, UNIQUE (thread, seq))"),
	             0);
	store_conn_put(s, c);
}

static void teardown(void)
{
	arena_release(&a);
	if (*pg_url) {
		store_close(s);
		pg_database(getenv("OTKLIK_TEST_PG"), strrchr(pg_url, '/') + 1, false);
		pg_url[0] = 0;
	} else {
		testdb_close(&db);
	}
	s = NULL;
}

TestSuite(store_send, .init = setup, .fini = teardown);

static int64_t count(const char *sql)
{
	struct store_conn *c = NULL;
	cr_assert_eq(store_conn_get(s, &c), 0);
	struct store_rows r;
	cr_assert_eq(store_query(c, &a, sql, NULL, 0, &r), 0, "%s", sql);
	store_conn_put(s, c);
	cr_assert_eq(r.nrows, 1);
	return store_rows_i64(&r, 0, 0);
}

static int send_row(struct store_conn *c, int64_t thread, int64_t seq, const char *note)
{
	struct store_val v[] = {sv_int(thread), sv_int(seq), note ? sv_text(note) : sv_null()};
	return store_send(c, "INSERT INTO w (thread, seq, note) VALUES ($1, $2, $3)", v, 3);
}

/* A job that sends `rows` rows of its thread, one of them (when dup >= 0) the same (thread,
 * dup) as a row written before, then reads something (a statement that waits). */
/* What an async job reports (first member of each job below) and how the test waits for all. */
struct waiter {
	int rc, done;
	pthread_mutex_t *mu;
	pthread_cond_t *cond;
	int *left;
};

static void job_done(void *ctx, int rc)
{
	struct waiter *w = ctx;
	pthread_mutex_lock(w->mu);
	w->rc = rc;
	w->done++;
	(*w->left)--;
	pthread_cond_signal(w->cond);
	pthread_mutex_unlock(w->mu);
}

static void wait_all(pthread_mutex_t *mu, pthread_cond_t *cond, int *left)
{
	pthread_mutex_lock(mu);
	while (*left > 0)
		pthread_cond_wait(cond, mu);
	pthread_mutex_unlock(mu);
}

struct job {
	struct waiter w;
	int64_t thread;
	int rows;
	int dup;
};

static int job_fn(struct store_conn *c, void *arg)
{
	struct job *j = arg;
	for (int i = 0; i < j->rows; i++) {
		int rc = send_row(c, j->thread, i, "sent");
		if (rc)
			return rc;
	}
	if (j->dup >= 0) {
		int rc = send_row(c, 0, j->dup, "again");
		if (rc)
			return rc;
	}
	return 0;
}

Test(store_send, sent_rows_are_committed_with_their_job)
{
	struct job j = {.thread = 1, .rows = 3, .dup = -1};
	cr_assert_eq(store_write(s, job_fn, &j), 0);
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 1 AND note = 'sent'"), 3);
}

Test(store_send, more_rows_than_a_pipeline_holds)
{
	struct job j = {.thread = 2, .rows = 1000, .dup = -1};
	cr_assert_eq(store_write(s, job_fn, &j), 0);
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 2"), 1000);
	cr_expect_eq(count("SELECT count(DISTINCT seq) FROM w WHERE thread = 2"), 1000);
}

Test(store_send, a_failed_send_fails_its_own_job_and_no_other)
{
	struct job first = {.thread = 0, .rows = 5, .dup = -1};
	cr_assert_eq(store_write(s, job_fn, &first), 0); /* thread 0, seq 0..4 */
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
	enum { N = 40 };
	struct job jobs[N];
	int left = N;
	for (int i = 0; i < N; i++) {
		/* jobs 7 and 31 send a row that exists: each must fail alone, whatever batch it
		 * shares and wherever in it the failure is read */
		jobs[i] = (struct job){.w = {.rc = -100, .mu = &mu, .cond = &cond, .left = &left},
		                       .thread = 100 + i,
		                       .rows = 1 + i % 4,
		                       .dup = i == 7    ? 2
		                              : i == 31 ? 4
		                                        : -1};
		cr_assert_eq(store_write_async(s, job_fn, &jobs[i], job_done, &jobs[i].w), 0);
	}
	wait_all(&mu, &cond, &left);
	int64_t want_rows = 0;
	for (int i = 0; i < N; i++) {
		cr_expect_eq(jobs[i].w.done, 1, "job %d called back once", i);
		bool bad = i == 7 || i == 31;
		cr_expect_eq(jobs[i].w.rc, bad ? ERR_CONFLICT : 0, "job %d: %d", i, jobs[i].w.rc);
		if (!bad)
			want_rows += jobs[i].rows;
	}
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread >= 100"), want_rows);
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread IN (107, 131)"), 0,
	             "the failed jobs' other rows are undone");
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 0"), 5);
}

Test(store_send, outside_a_transaction_it_runs_at_once)
{
	struct store_conn *c = NULL;
	cr_assert_eq(store_conn_get(s, &c), 0);
	cr_expect_eq(send_row(c, 3, 1, NULL), 0);
	cr_expect_eq(send_row(c, 3, 1, NULL), ERR_CONFLICT, "the conflict is reported by the call");
	store_conn_put(s, c);
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 3"), 1);
}

Test(store_send, a_failure_comes_with_the_next_statement_that_waits)
{
	struct store_conn *c = NULL;
	cr_assert_eq(store_conn_get(s, &c), 0);
	cr_assert_eq(send_row(c, 4, 1, NULL), 0);
	cr_assert_eq(store_tx_begin(c), 0);
	int rc = send_row(c, 4, 2, NULL);
	if (!rc)
		rc = send_row(c, 4, 1, NULL); /* a conflict: on PostgreSQL only sent */
	struct store_rows r;
	if (!rc)
		rc = store_query(c, &a, "SELECT count(*) FROM w", NULL, 0, &r);
	cr_expect_eq(rc, ERR_CONFLICT);
	cr_expect_eq(store_tx_rollback(c), 0);
	/* the connection is usable after it, and the rollback undid the row sent before */
	cr_expect_eq(store_query(c, &a, "SELECT count(*) FROM w WHERE thread = 4", NULL, 0, &r), 0);
	cr_expect_eq(store_rows_i64(&r, 0, 0), 1);
	/* and a transaction whose sends all succeed commits them */
	cr_assert_eq(store_tx_begin(c), 0);
	cr_expect_eq(send_row(c, 4, 3, NULL), 0);
	cr_expect_eq(send_row(c, 4, 4, NULL), 0);
	cr_expect_eq(store_tx_commit(c), 0);
	store_conn_put(s, c);
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 4"), 3);
}

Test(store_send, a_failure_at_the_commit_fails_the_commit)
{
	struct store_conn *c = NULL;
	cr_assert_eq(store_conn_get(s, &c), 0);
	cr_assert_eq(send_row(c, 5, 1, NULL), 0);
	cr_assert_eq(store_tx_begin(c), 0);
	cr_assert_eq(send_row(c, 5, 2, NULL), 0);
	int rc = send_row(c, 5, 1, NULL);
	if (!rc)
		rc = store_tx_commit(c);
	cr_expect_eq(rc, ERR_CONFLICT);
	store_tx_rollback(c);
	store_conn_put(s, c);
	cr_expect_eq(count("SELECT count(*) FROM w WHERE thread = 5"), 1);
}

/* --- ids taken ahead (store_id_ahead) ------------------------------------------------------ */

static void ids_table(void)
{
	struct store_conn *c = NULL;
	cr_assert_eq(store_conn_get(s, &c), 0);
	cr_assert_eq(store_exec_script(c, *pg_url ? "CREATE TABLE t_ids (id BIGINT GENERATED BY "
	                                            "DEFAULT AS IDENTITY PRIMARY KEY, job BIGINT)"
	                                          : "CREATE TABLE t_ids (id INTEGER PRIMARY KEY, "
	                                            "job BIGINT)"),
	             0);
	store_conn_put(s, c);
}

/* Inserts one row of t_ids, sent with an id taken ahead where there is one. */
static int ids_insert(struct store_conn *c, int64_t job, int64_t *id)
{
	int rc = store_id_ahead(c, "t_ids", id);
	if (rc)
		return rc;
	if (*id) {
		struct store_val v[] = {sv_int(*id), sv_int(job)};
		return store_send(c, "INSERT INTO t_ids (id, job) VALUES ($1, $2)", v, 2);
	}
	struct store_val v[] = {sv_int(job)};
	return store_query_i64(c, "INSERT INTO t_ids (job) VALUES ($1) RETURNING id", v, 1, id);
}

struct ids_job {
	struct waiter w;
	int64_t n, id;
};

static int ids_job_fn(struct store_conn *c, void *arg)
{
	struct ids_job *j = arg;
	int rc = store_ids_reserve_batch(c, "t_ids");
	return rc ? rc : ids_insert(c, j->n, &j->id);
}

Test(store_send, ids_reserved_for_a_batch_are_each_used_once)
{
	ids_table();
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
	enum { N = 60 };
	struct ids_job jobs[N];
	int left = N;
	for (int i = 0; i < N; i++) {
		jobs[i] = (struct ids_job){
		    .w = {.rc = -100, .mu = &mu, .cond = &cond, .left = &left}, .n = i};
		cr_assert_eq(store_write_async(s, ids_job_fn, &jobs[i], job_done, &jobs[i].w), 0);
	}
	wait_all(&mu, &cond, &left);
	for (int i = 0; i < N; i++) {
		cr_expect_eq(jobs[i].w.rc, 0, "job %d: %d", i, jobs[i].w.rc);
		cr_expect_gt(jobs[i].id, 0, "job %d has its id", i);
		for (int k = 0; k < i; k++)
			cr_expect_neq(jobs[i].id, jobs[k].id, "jobs %d and %d share id %lld", k, i,
			              (long long)jobs[i].id);
	}
	cr_expect_eq(count("SELECT count(*) FROM t_ids"), N);
	cr_expect_eq(count("SELECT count(DISTINCT job) FROM t_ids"), N);
	/* no id was reserved and left unused: the ids are 1..N, whatever the batches were */
	cr_expect_eq(count("SELECT max(id) FROM t_ids"), N);
	struct store_conn *c = NULL;
	cr_assert_eq(store_conn_get(s, &c), 0);
	for (int i = 0; i < N; i++) {
		struct store_val v[] = {sv_int(jobs[i].id)};
		int64_t job = -1;
		cr_expect_eq(store_query_i64(c, "SELECT job FROM t_ids WHERE id = $1", v, 1, &job),
		             0);
		cr_expect_eq(job, jobs[i].n, "the row of id %lld is job %d's",
		             (long long)jobs[i].id, i);
	}
	store_conn_put(s, c);
}

static int ids_reserve_fn(struct store_conn *c, void *arg)
{
	int64_t *ids = arg;
	int rc = store_ids_reserve(c, "t_ids", 5);
	for (int i = 0; i < 5 && !rc; i++)
		rc = ids_insert(c, 1000 + i, &ids[i]);
	return rc;
}

Test(store_send, ids_reserved_by_count_and_none_outside_a_transaction)
{
	ids_table();
	int64_t ids[5] = {0};
	cr_assert_eq(store_write(s, ids_reserve_fn, ids), 0);
	for (int i = 0; i < 5; i++) {
		cr_expect_gt(ids[i], 0);
		for (int k = 0; k < i; k++)
			cr_expect_neq(ids[i], ids[k]);
	}
	cr_expect_eq(count("SELECT count(*) FROM t_ids WHERE job >= 1000"), 5);
	cr_expect_eq(count("SELECT max(id) FROM t_ids"), 5, "all five reserved ids used");
	struct store_conn *c = NULL;
	cr_assert_eq(store_conn_get(s, &c), 0);
	int64_t id = -1;
	cr_expect_eq(store_ids_reserve_batch(c, "t_ids"), 0);
	cr_expect_eq(store_id_ahead(c, "t_ids", &id), 0);
	cr_expect_eq(id, 0, "no id ahead outside a transaction");
	store_conn_put(s, c);
}
