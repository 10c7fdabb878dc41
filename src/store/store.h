/* store.h: the storage interface. One API over SQLite and PostgreSQL (ops tables behind it),
 * a connection pool, and the group-commit write path. Only src/store contains SQL. */
#ifndef OTKLIK_STORE_STORE_H
#define OTKLIK_STORE_STORE_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_conn;

enum store_backend { STORE_SQLITE, STORE_PG };

enum store_vtype { SV_NULL, SV_INT, SV_REAL, SV_TEXT };

/* A bound parameter. Text is (pointer, length) and is not copied. */
struct store_val {
	enum store_vtype type;
	int64_t i;
	double d;
	const char *s;
	size_t len;
};

struct store_val sv_null(void);
struct store_val sv_int(int64_t i);
struct store_val sv_real(double d);
/* s may be NULL (then a NULL value). */
struct store_val sv_text(const char *s);
struct store_val sv_textn(const char *s, size_t n);

/* A materialised result: every value as text (NULL for SQL NULL), owned by the arena
 * given to the query. */
struct store_rows {
	size_t nrows, ncols;
	const char **names;
	const char **vals; /* nrows * ncols */
	int64_t changes;   /* rows changed by a DML statement */
};

const char *store_rows_get(const struct store_rows *r, size_t row, size_t col);
bool store_rows_isnull(const struct store_rows *r, size_t row, size_t col);
int64_t store_rows_i64(const struct store_rows *r, size_t row, size_t col);
double store_rows_f64(const struct store_rows *r, size_t row, size_t col);

/* Opens the database named by url ("sqlite:PATH" or "postgres://…"). ERR_INVALID for a bad
 * URL, ERR_DB when it cannot connect. committers: group-commit threads (0 = default). */
int store_open(const char *url, int committers, struct store **out);
/* Drains pending writes, stops committers, closes every connection. NULL is a no-op. */
void store_close(struct store *s);
enum store_backend store_backend(const struct store *s);
const char *store_backend_name(const struct store *s);

/* Borrow a pooled connection (never NULL unless the database is unreachable: ERR_DB). */
int store_conn_get(struct store *s, struct store_conn **out);
void store_conn_put(struct store *s, struct store_conn *c);
/* The store a connection belongs to. */
struct store *store_conn_store(struct store_conn *c);
/* A number no other store opened by this process has had (never 0): for caches keyed by the
 * database, which a pointer cannot be (a store closed and another opened may share an address). */
uint64_t store_serial(const struct store *s);

/* At most this many parameters in one statement (multi-row inserts; both back ends allow more). */
#define STORE_MAX_PARAMS 4096

/* Run one statement with $1..$n parameters; results (if out != NULL) in arena a.
 * Errors: ERR_CONFLICT (unique or foreign-key violation), ERR_RETRY (busy, serialization
 * failure, deadlock), ERR_DB (anything else; logged). */
int store_query(struct store_conn *c, struct arena *a, const char *sql,
                const struct store_val *params, size_t nparams, struct store_rows *out);
/* First column of the first row as an integer (0 when SQL NULL); ERR_NOTFOUND when no row. */
int store_query_i64(struct store_conn *c, const char *sql, const struct store_val *params,
                    size_t nparams, int64_t *out);
/* store_query for a write whose result the caller does not need (no rows, no count, no
 * particular error to handle). Inside a transaction on PostgreSQL it is only sent (libpq's
 * pipeline mode): its result, and any error, comes with the next statement that waits for
 * one (at the latest the commit), which then fails with that error. Elsewhere it runs at once. */
int store_send(struct store_conn *c, const char *sql, const struct store_val *params,
               size_t nparams);
/* Waits for the statements store_send has sent; their first error, or 0. */
int store_flush(struct store_conn *c);
/* Ids taken ahead, so that an insert can be sent (store_send) rather than wait for RETURNING
 * id. On PostgreSQL inside a transaction a connection keeps ids it reserved (nextval of the
 * table's sequence; `table` a string literal, its id an identity column); elsewhere these do
 * nothing and store_id_ahead gives 0 (the insert then returns the id). A reservation is for
 * rows surely inserted: an id left unused is a gap that holds back the readers of ids in
 * order (the rollup waits for it to commit, docs/analytics.md). */
/* *id: a reserved id of `table`, or 0 when none is left. */
int store_id_ahead(struct store_conn *c, const char *table, int64_t *id);
/* Reserves ids of `table` until n are unused. */
int store_ids_reserve(struct store_conn *c, const char *table, size_t n);
/* When none is unused: reserves one for this job and each job left in the committer's batch
 * with the same function (for jobs that each insert exactly one row of `table`). */
int store_ids_reserve_batch(struct store_conn *c, const char *table);
/* Several statements without parameters (DDL). */
int store_exec_script(struct store_conn *c, const char *sql);
int store_tx_begin(struct store_conn *c); /* a write transaction */
int store_tx_commit(struct store_conn *c);
int store_tx_rollback(struct store_conn *c);

/* A write job: runs inside a transaction on the committer's connection; returns 0 to keep
 * its changes or an error to undo exactly its own changes. It may be run again (on a
 * retryable failure of the batch), so it must set, not accumulate, its outputs. */
typedef int (*store_write_fn)(struct store_conn *c, void *arg);

/* Group commit: the job is queued, run with others in one transaction, and this call
 * returns only after that transaction is durably committed (or rolled back). Returns the
 * job's result, or ERR_DB when the commit failed. */
int store_write(struct store *s, store_write_fn fn, void *arg);
/* store_write without waiting: the job is queued and this call returns at once (0, or
 * ERR_UNAVAILABLE when the store is stopping: then on_done is never called). Once the job's
 * transaction is durably committed or rolled back, on_done(ctx, rc) runs on the committer's
 * thread with what store_write would have returned; it must be quick and must not wait for
 * the store. fn and arg must stay valid until then. */
typedef void (*store_done_fn)(void *ctx, int rc);
int store_write_async(struct store *s, store_write_fn fn, void *arg, store_done_fn on_done,
                      void *ctx);

/* Cheap liveness check for /healthz: 0 or ERR_DB. */
int store_ping(struct store *s);

/* SQLite: copies the whole write-ahead log into the database file and truncates it. It blocks
 * writers while it runs, so it is for offline bulk tools (gen, analytics rebuild) between their
 * writes, where the passive checkpoints cannot keep up and the log would grow without bound.
 * PostgreSQL: nothing. */
int store_checkpoint_full(struct store *s);

/* Apply pending migrations embedded under migrations/<backend>/ (safe with several nodes). */
int store_migrate(struct store *s, int *applied);

/* Query timing, for /metrics: total queries, total seconds, and a histogram. */
struct store_stats {
	uint64_t queries, errors, batches, batched_jobs;
	uint64_t syncs; /* SQLite: syncs of the WAL that acknowledged committed batches */
	double seconds;
	uint64_t buckets[12]; /* <=0.1,0.25,0.5,1,2.5,5,10,25,50,100,250,+Inf ms */
};
void store_stats_get(const struct store *s, struct store_stats *out);
extern const double store_stats_bounds_ms[11];

#endif
