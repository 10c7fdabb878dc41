/* store_sqlite.c: the SQLite back end (WAL, synchronous=FULL, a statement cache per connection;
 * WAL checkpoints by store.c's checkpointer thread, not inside commits). */
#include "store/backend.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CACHE_SLOTS 512

struct cached_stmt {
	char *sql;
	size_t len;
	sqlite3_stmt *st;
	int *idx; /* idx[n] = bind index of "$n" (1 ≤ n ≤ nparams), 0 if absent */
	int nparams;
};

struct store_conn {
	struct store_conn_base base;
	sqlite3 *db;
	struct cached_stmt cache[CACHE_SLOTS];
};

static int map_rc(sqlite3 *db, int rc)
{
	int ext = sqlite3_extended_errcode(db);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return ERR_RETRY;
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY ||
	    ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		return ERR_CONFLICT;
	return ERR_DB;
}

/* Process-wide settings, before the library initialises: no memory statistics (they take a
 * global mutex on every allocation, the hottest lock under concurrent requests), and the
 * multi-thread mode (each connection is used by one thread at a time: the pool hands it out). */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void config_library(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}

static int trace_stmt(unsigned kind, void *ctx, void *p, void *x)
{
	(void)kind;
	(void)ctx;
	(void)x;
	char *sql = sqlite3_expanded_sql(p);
	fprintf(stderr, "sql: %s\n", sql ? sql : sqlite3_sql(p));
	sqlite3_free(sql);
	return 0;
}

static int sq_connect(const char *path, struct store_conn **out)
{
	pthread_once(&config_once, config_library);
	struct store_conn *c = xcalloc(1, sizeof(*c));
	int rc = sqlite3_open_v2(
	    path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error("sqlite_open", "%s", c->db ? sqlite3_errmsg(c->db) : "cannot open");
		sqlite3_close(c->db);
		free(c);
		return ERR_DB;
	}
	sqlite3_busy_timeout(c->db, 10000);
	/* no checkpoint inside a commit: store.c's checkpointer thread does it (checkpoint_sql) */
	sqlite3_wal_autocheckpoint(c->db, 0);
	static const char *pragmas = "PRAGMA journal_mode=WAL;"
	                             "PRAGMA synchronous=FULL;"
	                             "PRAGMA foreign_keys=ON;"
	                             "PRAGMA temp_store=MEMORY;"
	                             "PRAGMA cache_size=-65536;";
	char *msg = NULL;
	if (sqlite3_exec(c->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("sqlite_pragmas", "%s", msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(c->db);
		free(c);
		return ERR_DB;
	}
	/* OTKLIK_SQL_TRACE=1: every statement run is written to stderr (development: counting
	 * the statements behind one request) */
	const char *trace = getenv("OTKLIK_SQL_TRACE");
	if (trace && *trace == '1')
		sqlite3_trace_v2(c->db, SQLITE_TRACE_STMT, trace_stmt, NULL);
	*out = c;
	return 0;
}

static void sq_disconnect(struct store_conn *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].sql);
		free(c->cache[i].idx);
	}
	sqlite3_close(c->db);
	free(c);
}

/* The committer's connection commits without syncing (synchronous=NORMAL: WAL mode stays
 * consistent on a crash, and may lose the last commits); sq_durable_sync syncs the WAL file
 * for them before their jobs are acknowledged. */
static int sq_writer_async(struct store_conn *c, bool on, char **sync_path)
{
	if (on) { /* the WAL file as SQLite names it (the target may be a file: URI) */
		const char *db = sqlite3_db_filename(c->db, "main");
		const char *wal = db && *db ? sqlite3_filename_wal(db) : NULL;
		if (!wal || !*wal) {
			log_error("sqlite_sync", "no WAL file name for this database");
			return ERR_DB;
		}
		*sync_path = xstrdup(wal);
	}
	const char *sql = on ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL";
	char *msg = NULL;
	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("sqlite_pragmas", "%s", msg ? msg : "?");
		sqlite3_free(msg);
		return ERR_DB;
	}
	return 0;
}

/* Puts on disk every commit written so far: they are frames appended to the WAL file (an
 * fdatasync of it covers them all, wherever they were written from). The file is opened each
 * time (a few microseconds per batch). While the committer's connection is open the WAL file
 * exists, so a missing one is an error, not "nothing to sync". */
static int sq_durable_sync(const char *wal_path)
{
	int fd = open(wal_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("sqlite_sync", "%s: %s", wal_path, strerror(errno));
		return ERR_DB;
	}
	int rc = fdatasync(fd) ? ERR_DB : 0;
	if (rc)
		log_error("sqlite_sync", "%s: %s", wal_path, strerror(errno));
	close(fd);
	return rc;
}

static bool sq_healthy(struct store_conn *c)
{
	(void)c;
	return true;
}

static struct cached_stmt *prepare(struct store_conn *c, const char *sql)
{
	size_t len;
	struct cached_stmt *cs = &c->cache[store_sql_hash(sql, &len) % CACHE_SLOTS];
	if (cs->sql && cs->len == len && memcmp(cs->sql, sql, len) == 0) {
		sqlite3_reset(cs->st);
		sqlite3_clear_bindings(cs->st);
		return cs;
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		log_error("sqlite_prepare", "%s: %.200s", sqlite3_errmsg(c->db), sql);
		return NULL;
	}
	sqlite3_finalize(cs->st);
	free(cs->sql);
	cs->sql = xstrdup(sql);
	cs->len = len;
	cs->st = st;
	/* $N is a named parameter numbered by first appearance: map each $N to its index. */
	int nb = sqlite3_bind_parameter_count(st), maxn = 0;
	for (int b = 1; b <= nb; b++) {
		const char *name = sqlite3_bind_parameter_name(st, b);
		int n = name && name[0] == '$' ? atoi(name + 1) : 0;
		if (n > maxn)
			maxn = n;
	}
	free(cs->idx);
	cs->idx = xcalloc((size_t)maxn + 1, sizeof(*cs->idx));
	cs->nparams = maxn;
	for (int b = 1; b <= nb; b++) {
		const char *name = sqlite3_bind_parameter_name(st, b);
		int n = name && name[0] == '$' ? atoi(name + 1) : 0;
		if (n > 0)
			cs->idx[n] = b;
	}
	return cs;
}

static int sq_query(struct store_conn *c, struct arena *a, const char *sql,
                    const struct store_val *params, size_t nparams, struct store_rows *out)
{
	struct cached_stmt *cs = prepare(c, sql);
	if (!cs)
		return ERR_DB;
	sqlite3_stmt *st = cs->st;
	if (nparams > STORE_MAX_PARAMS)
		return ERR_DB;
	for (size_t i = 0; i < nparams; i++) {
		int ix = (int)i < cs->nparams ? cs->idx[i + 1] : 0;
		if (!ix)
			continue;
		const struct store_val *v = &params[i];
		switch (v->type) {
		case SV_NULL: sqlite3_bind_null(st, ix); break;
		case SV_INT: sqlite3_bind_int64(st, ix, v->i); break;
		case SV_REAL: sqlite3_bind_double(st, ix, v->d); break;
		case SV_TEXT: sqlite3_bind_text(st, ix, v->s, (int)v->len, SQLITE_STATIC); break;
		}
	}
	if (out)
		memset(out, 0, sizeof(*out));
	int ncols = sqlite3_column_count(st);
	size_t cap = 0;
	const char **vals = NULL;
	size_t nrows = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!out || !a)
			continue;
		if ((nrows + 1) * (size_t)ncols > cap) {
			size_t ncap = cap ? cap * 2 : (size_t)ncols * 16;
			const char **nv = arena_alloc(a, ncap * sizeof(*nv));
			if (vals)
				memcpy(nv, vals, nrows * (size_t)ncols * sizeof(*nv));
			vals = nv;
			cap = ncap;
		}
		for (int k = 0; k < ncols; k++) {
			const unsigned char *t = sqlite3_column_text(st, k);
			vals[nrows * (size_t)ncols + (size_t)k] =
			    t ? arena_strndup(a, (const char *)t,
			                      (size_t)sqlite3_column_bytes(st, k))
			      : NULL;
		}
		nrows++;
	}
	if (rc != SQLITE_DONE) {
		int err = map_rc(c->db, rc);
		if (err == ERR_DB)
			log_error("sqlite_step", "%s: %.200s", sqlite3_errmsg(c->db), sql);
		sqlite3_reset(st);
		return err;
	}
	if (out) {
		out->nrows = nrows;
		out->ncols = (size_t)ncols;
		out->vals = vals;
		out->changes = sqlite3_changes64(c->db);
		if (a) {
			out->names = arena_alloc(a, (size_t)(ncols ? ncols : 1) * sizeof(char *));
			for (int k = 0; k < ncols; k++)
				out->names[k] = arena_strdup(a, sqlite3_column_name(st, k));
		}
	}
	sqlite3_reset(st);
	return 0;
}

static int sq_exec_script(struct store_conn *c, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("sqlite_exec", "%s", msg ? msg : "?");
		sqlite3_free(msg);
		return map_rc(c->db, rc);
	}
	return 0;
}

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .healthy = sq_healthy,
    .query = sq_query,
    .exec_script = sq_exec_script,
    .begin_sql = "BEGIN IMMEDIATE",
    .migrate_lock_sql = NULL,
    .checkpoint_sql = "PRAGMA wal_checkpoint(PASSIVE)",
    .checkpoint_full_sql = "PRAGMA wal_checkpoint(TRUNCATE)",
    .writer_async = sq_writer_async,
    .durable_sync = sq_durable_sync,
};
