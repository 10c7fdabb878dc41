/* backend.h: the ops table each storage back end implements (private to src/store). */
#ifndef OTKLIK_STORE_BACKEND_H
#define OTKLIK_STORE_BACKEND_H

#include "store/store.h"

struct store_ops {
	const char *name;
	int (*connect)(const char *target, struct store_conn **out);
	void (*disconnect)(struct store_conn *c);
	bool (*healthy)(struct store_conn *c);
	int (*query)(struct store_conn *c, struct arena *a, const char *sql,
	             const struct store_val *params, size_t nparams, struct store_rows *out);
	/* store_send and store_flush, or both NULL (then store_send runs the statement) */
	int (*send)(struct store_conn *c, const char *sql, const struct store_val *params,
	            size_t nparams);
	int (*flush)(struct store_conn *c);
	int (*exec_script)(struct store_conn *c, const char *sql);
	const char *begin_sql;        /* "BEGIN IMMEDIATE" or "BEGIN" */
	const char *migrate_lock_sql; /* taken inside the migration transaction, or NULL */
	/* run by a background thread every CHECKPOINT_MS (store.c), or NULL: SQLite's WAL
	 * checkpoint, kept off the committer's path */
	const char *checkpoint_sql;
	const char *checkpoint_full_sql; /* NULL: nothing to do (store_checkpoint_full) */
	/* Durability off the writer's path, or both NULL (the commit itself is durable):
	 * writer_async(c, true, &path) makes the committer's commits return before they are on
	 * disk and sets path (malloc'd) to what durable_sync(path) then needs to put every commit
	 * returned so far on disk (store.c's syncer thread, which acknowledges the jobs only after
	 * it). writer_async(c, false, NULL) undoes it. */
	int (*writer_async)(struct store_conn *c, bool on, char **sync_path);
	int (*durable_sync)(const char *sync_path);
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

struct write_job;

#define STORE_IDS_AHEAD_MAX 256

/* Every connection starts with this header so store.c can find its ops. */
struct store_conn_base {
	const struct store_ops *ops;
	struct store *owner;
	struct store_conn *next_idle;
	/* store_routing_versions as read inside the open transaction (store_tx_begin to its
	 * commit or rollback): the writer reads them once per batch, not once per submission.
	 * Forgotten by every bump of a version and by a rollback to a savepoint. */
	bool in_tx, versions_ok;
	int64_t versions[5]; /* STORE_VERSIONS */
	bool bumped;         /* a version was bumped in the open transaction */
	/* store_id_ahead: ids reserved in the open transaction, per table (a reservation is
	 * exact, as ids left unused would hold back the readers of ids in order: the rollup) */
	struct id_block {
		const char *table;
		size_t next, n;
		int64_t vals[STORE_IDS_AHEAD_MAX];
	} ids[3];
	/* the committer's batch and the job running (store_id_ahead reserves for the jobs left
	 * with the same function); NULL outside the committer */
	struct write_job **batch;
	size_t batch_i, batch_n;
};

/* Forgets the versions read in this transaction (after a bump of one of them). */
void store_versions_forget(struct store_conn *c);

/* The versions read outside a transaction, kept per store for a request's pre-routing (the
 * writer reads them again inside its transaction, so a stale copy costs only a second
 * routing there): for STORE_VERSIONS_TTL_MS, and forgotten at once when this process bumps
 * one (store_versions_changed, at the bump and again when its transaction ends). A change
 * by another node is seen within the TTL. */
#define STORE_VERSIONS_TTL_MS 1000
/* Copies them into out when kept and fresh; *epoch is for store_versions_cache_put. */
bool store_versions_cached(struct store *s, int64_t out[5], uint64_t *epoch);
/* Keeps v, read after store_versions_cached returned *epoch, unless a bump came since. */
void store_versions_cache_put(struct store *s, uint64_t epoch, const int64_t v[5]);
/* A version changed (called by store_version_bump). */
void store_versions_changed(struct store_conn *c);
/* Bumps meta's version `key` (registry_version, calendar_version, …) and forgets the versions
 * read in this transaction. */
int store_version_bump(struct store_conn *c, const char *key);

/* Records a query's duration (and failure) in the owner's stats. */
void store_note_query(struct store *s, int64_t ns, bool failed);
/* Hash of an SQL text for the statement caches, eight bytes at a time (statements run
 * millions of times; some are kilobytes long); *len gets strlen(sql). */
uint64_t store_sql_hash(const char *sql, size_t *len);

#endif
