/* test_store_send.c: store_send (writes sent without waiting for their result: libpq's
 * pipeline mode on PostgreSQL) and how its failures reach the right job. Runs on SQLite, and on
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
struct job {
	int64_t thread;
	int rows;
	int dup;
	int rc;
	int done;
	pthread_mutex_t *mu;
	pthread_cond_t *cond;
	int *left;
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

static void job_done(void *ctx, int rc)
{
	struct job *j = ctx;
	pthread_mutex_lock(j->mu);
	j->rc = rc;
	j->done++;
	(*j->left)--;
	pthread_cond_signal(j->cond);
	pthread_mutex_unlock(j->mu);
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
		jobs[i] = (struct job){.thread = 100 + i,
		                       .rows = 1 + i % 4,
		                       .dup = i == 7    ? 2
		                              : i == 31 ? 4
		                                        : -1,
		                       .rc = -100,
		                       .mu = &mu,
		                       .cond = &cond,
		                       .left = &left};
		cr_assert_eq(store_write_async(s, job_fn, &jobs[i], job_done, &jobs[i]), 0);
	}
	pthread_mutex_lock(&mu);
	while (left > 0)
		pthread_cond_wait(&cond, &mu);
	pthread_mutex_unlock(&mu);
	int64_t want_rows = 0;
	for (int i = 0; i < N; i++) {
		cr_expect_eq(jobs[i].done, 1, "job %d called back once", i);
		bool bad = i == 7 || i == 31;
		cr_expect_eq(jobs[i].rc, bad ? ERR_CONFLICT : 0, "job %d: %d", i, jobs[i].rc);
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
