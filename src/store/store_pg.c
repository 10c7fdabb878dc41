/* store_pg.c: the PostgreSQL back end over libpq (one PGconn per pooled connection, each with a
 * cache of prepared statements: parsing and planning were most of the server's work). */
#include "store/backend.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STACK_PARAMS 64 /* more parameters than this: arrays from the heap */
#define INT8OID      20
#define FLOAT8OID    701
#define CACHE_SLOTS  512

/* A statement prepared on this connection for one SQL text and one pattern of parameter
 * types (a NULL leaves the type to the server, so it is part of the key). */
struct prepared {
	char *sql;
	size_t len;
	uint64_t hash;
	unsigned int *types; /* nparams of them */
	int nparams;
	char name[24];
};

/* At most this many results pending in a pipeline (pg_send): then it is read. Small results,
 * so neither side's socket buffer fills while the other is still writing. */
#define QUEUE_MAX 128

/* One result the pipeline owes: of a statement (ps: its prepared statement, NULL for
 * transaction control) or of the preparation of ps (prepare). */
struct pending {
	struct prepared *ps;
	bool prepare;
};

struct store_conn {
	struct store_conn_base base;
	PGconn *pg;
	struct prepared cache[CACHE_SLOTS];
	unsigned next_name;
	bool retrying;
	/* pipeline mode (libpq's): statements sent by pg_send whose results are not read yet */
	struct pending pending[QUEUE_MAX + 4];
	int npending;
};

static uint64_t stmt_hash(const char *sql, const unsigned int *types, size_t n, size_t *len)
{
	uint64_t h = store_sql_hash(sql, len);
	for (size_t i = 0; i < n; i++)
		h = (h ^ types[i]) * 1099511628211ULL;
	return h ^ n;
}

static void forget(struct store_conn *c, struct prepared *ps, bool deallocate)
{
	if (!ps->sql)
		return;
	if (deallocate && PQstatus(c->pg) == CONNECTION_OK &&
	    PQpipelineStatus(c->pg) == PQ_PIPELINE_OFF &&
	    PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
		char q[48];
		snprintf(q, sizeof(q), "DEALLOCATE %s", ps->name);
		PQclear(PQexec(c->pg, q));
	}
	/* inside a transaction the old statement stays on the server until the connection
	 * closes: harmless (a unique name per statement) */
	free(ps->sql);
	free(ps->types);
	memset(ps, 0, sizeof(*ps));
}

/* Transaction control is sent as it is (the simple protocol): nothing to plan. */
static bool is_control(const char *sql)
{
	static const char *const words[] = {"BEGIN",     "COMMIT",  "ROLLBACK",
	                                    "SAVEPOINT", "RELEASE", "SET "};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strncmp(sql, words[i], strlen(words[i])))
			return true;
	return false;
}

/* The prepared statement for (sql, types), preparing it on first use; NULL with *res set to
 * the failed result (the caller reports it) when the server refuses. */
static struct prepared *prepared_get(struct store_conn *c, const char *sql,
                                     const unsigned int *types, size_t n, PGresult **res)
{
	size_t len;
	uint64_t h = stmt_hash(sql, types, n, &len);
	struct prepared *ps = &c->cache[h % CACHE_SLOTS];
	*res = NULL;
	if (ps->sql && ps->hash == h && (size_t)ps->nparams == n && ps->len == len &&
	    !memcmp(ps->sql, sql, len) && !memcmp(ps->types, types, n * sizeof(*types)))
		return ps;
	forget(c, ps, true);
	char name[24];
	snprintf(name, sizeof(name), "o%u", ++c->next_name);
	if (PQpipelineStatus(c->pg) != PQ_PIPELINE_OFF) {
		/* sent, its result read with the pipeline's (pipeline_end forgets ps if it
		 * failed) */
		if (!PQsendPrepare(c->pg, name, sql, (int)n, types))
			return NULL;
		c->pending[c->npending++] = (struct pending){.ps = ps, .prepare = true};
	} else {
		PGresult *r = PQprepare(c->pg, name, sql, (int)n, types);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			*res = r;
			return NULL;
		}
		PQclear(r);
	}
	ps->sql = xstrdup(sql);
	ps->len = len;
	ps->hash = h;
	ps->nparams = (int)n;
	ps->types = xmalloc((n ? n : 1) * sizeof(*types));
	memcpy(ps->types, types, n * sizeof(*types));
	memcpy(ps->name, name, sizeof(name));
	return ps;
}

static int pg_connect(const char *url, struct store_conn **out)
{
	PGconn *pg = PQconnectdb(url);
	if (PQstatus(pg) != CONNECTION_OK) {
		log_error("pg_connect", "%s", PQerrorMessage(pg));
		PQfinish(pg);
		return ERR_DB;
	}
	PGresult *r = PQexec(pg, "SET client_min_messages TO warning; SET TIME ZONE 'UTC'");
	PQclear(r);
	struct store_conn *c = xcalloc(1, sizeof(*c));
	c->pg = pg;
	*out = c;
	return 0;
}

static void pg_disconnect(struct store_conn *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		forget(c, &c->cache[i], false);
	PQfinish(c->pg);
	free(c);
}

static bool pg_healthy(struct store_conn *c)
{
	return PQstatus(c->pg) == CONNECTION_OK && PQpipelineStatus(c->pg) == PQ_PIPELINE_OFF;
}

static int map_state(const char *state)
{
	if (!state)
		return ERR_DB;
	if (!strcmp(state, "23505") || !strcmp(state, "23503"))
		return ERR_CONFLICT;
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
		return ERR_RETRY;
	return ERR_DB;
}

/* A statement's parameters as libpq takes them (text format; numbers printed, text copied
 * NUL-terminated into tmp); arrays on the stack up to STACK_PARAMS. */
struct pg_params {
	const char **values;
	int *lengths, *formats;
	unsigned int *types;
	const char *values_s[STACK_PARAMS];
	int lengths_s[STACK_PARAMS], formats_s[STACK_PARAMS];
	unsigned int types_s[STACK_PARAMS];
	char numbuf_s[STACK_PARAMS][32];
};

static void params_build(struct pg_params *pp, struct arena *tmp, const struct store_val *params,
                         size_t nparams)
{
	pp->values = pp->values_s;
	pp->lengths = pp->lengths_s;
	pp->formats = pp->formats_s;
	pp->types = pp->types_s;
	char(*numbuf)[32] = pp->numbuf_s;
	if (nparams > STACK_PARAMS) {
		pp->values = arena_alloc(tmp, nparams * sizeof(*pp->values));
		pp->lengths = arena_alloc(tmp, nparams * sizeof(*pp->lengths));
		pp->formats = arena_alloc(tmp, nparams * sizeof(*pp->formats));
		pp->types = arena_alloc(tmp, nparams * sizeof(*pp->types));
		numbuf = arena_alloc(tmp, nparams * sizeof(*numbuf));
	}
	for (size_t i = 0; i < nparams; i++) {
		const struct store_val *v = &params[i];
		pp->formats[i] = 0;
		pp->lengths[i] = 0;
		switch (v->type) {
		case SV_NULL:
			pp->values[i] = NULL;
			pp->types[i] = 0;
			break;
		case SV_INT:
			snprintf(numbuf[i], sizeof(numbuf[i]), "%lld", (long long)v->i);
			pp->values[i] = numbuf[i];
			pp->types[i] = INT8OID;
			break;
		case SV_REAL:
			snprintf(numbuf[i], sizeof(numbuf[i]), "%.17g", v->d);
			pp->values[i] = numbuf[i];
			pp->types[i] = FLOAT8OID;
			break;
		case SV_TEXT:
			/* Text format needs NUL-terminated values; slices may not be. */
			pp->values[i] = arena_strndup(tmp, v->s, v->len);
			pp->lengths[i] = (int)v->len;
			pp->types[i] = 0;
			break;
		}
	}
}

/* Sends one statement into the pipeline (preparing it first when it is new); 0, or ERR_DB
 * when libpq could not (the connection is broken). */
static int pipeline_push(struct store_conn *c, const char *sql, const struct pg_params *pp,
                         size_t nparams)
{
	if (PQpipelineStatus(c->pg) == PQ_PIPELINE_OFF && !PQenterPipelineMode(c->pg))
		return ERR_DB;
	if (nparams == 0 && is_control(sql)) {
		if (!PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 0))
			return ERR_DB;
		c->pending[c->npending++] = (struct pending){.ps = NULL};
		return 0;
	}
	PGresult *r = NULL;
	struct prepared *ps = prepared_get(c, sql, pp->types, nparams, &r);
	PQclear(r); /* none: in pipeline mode the preparation's result comes later */
	if (!ps || !PQsendQueryPrepared(c->pg, ps->name, (int)nparams, pp->values, pp->lengths,
	                                pp->formats, 0))
		return ERR_DB;
	c->pending[c->npending++] = (struct pending){.ps = ps};
	return 0;
}

/* Ends the pipeline: a sync, then every pending result in order, then back to ordinary
 * mode. Returns the first failure (mapped like pg_query's; a statement whose prepared plan
 * went stale is forgotten and ERR_RETRY returned) or 0; *last (when not NULL) gets the last
 * statement's result, for the caller to read and clear. */
static int pipeline_end(struct store_conn *c, PGresult **last)
{
	int err = 0;
	if (last)
		*last = NULL;
	if (PQpipelineStatus(c->pg) == PQ_PIPELINE_OFF)
		return 0;
	if (!PQpipelineSync(c->pg))
		err = ERR_DB;
	for (int i = 0; !err && i < c->npending; i++) {
		struct pending *pd = &c->pending[i];
		PGresult *r = PQgetResult(c->pg);
		if (!r) {
			err = ERR_DB;
			break;
		}
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_FATAL_ERROR) {
			const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			int e = map_state(state);
			if (pd->ps && (pd->prepare || (state && (!strcmp(state, "0A000") ||
			                                         !strcmp(state, "26000"))))) {
				forget(c, pd->ps, false); /* never prepared, or its plan is stale */
				if (!pd->prepare)
					e = ERR_RETRY;
			}
			if (e == ERR_DB)
				log_error("pg_query", "%s", PQresultErrorMessage(r));
			err = e;
		} else if (st == PGRES_PIPELINE_ABORTED && pd->prepare && pd->ps) {
			forget(c, pd->ps, false); /* skipped after an earlier failure */
		}
		if (last && i == c->npending - 1)
			*last = r;
		else
			PQclear(r);
		PGresult *end = PQgetResult(c->pg); /* NULL: the end of this statement's results */
		if (end) {
			PQclear(end);
			err = err ? err : ERR_DB;
		}
		if (err && i + 1 < c->npending) {
			/* read the rest (aborted) so that the sync comes next */
			for (int k = i + 1; k < c->npending; k++) {
				struct pending *rest = &c->pending[k];
				if (rest->prepare && rest->ps)
					forget(c, rest->ps, false);
				PQclear(PQgetResult(c->pg));
				PQclear(PQgetResult(c->pg));
			}
			break;
		}
	}
	c->npending = 0;
	PGresult *sync = PQgetResult(c->pg);
	if (PQresultStatus(sync) != PGRES_PIPELINE_SYNC)
		err = err ? err : ERR_DB;
	PQclear(sync);
	if (!PQexitPipelineMode(c->pg))
		err = err ? err : ERR_DB; /* pg_healthy then drops the connection */
	if (err && last) {
		PQclear(*last);
		*last = NULL;
	}
	return err;
}

/* store_send: inside a transaction, the statement goes into the pipeline without waiting
 * for its result (read, with any error, by the next statement that waits: pg_query). */
static int pg_send(struct store_conn *c, const char *sql, const struct store_val *params,
                   size_t nparams)
{
	if (nparams > STORE_MAX_PARAMS)
		return ERR_DB;
	struct arena tmp;
	arena_init(&tmp, 1024);
	struct pg_params pp;
	params_build(&pp, &tmp, params, nparams);
	int rc = pipeline_push(c, sql, &pp, nparams);
	arena_release(&tmp);
	if (rc)
		pipeline_end(c, NULL);
	else if (c->npending >= QUEUE_MAX)
		rc = pipeline_end(c, NULL);
	return rc;
}

static int pg_flush(struct store_conn *c)
{
	return pipeline_end(c, NULL);
}

static bool is_rollback(const char *sql)
{
	return !strncmp(sql, "ROLLBACK", 8);
}

static int pg_query(struct store_conn *c, struct arena *a, const char *sql,
                    const struct store_val *params, size_t nparams, struct store_rows *out)
{
	if (nparams > STORE_MAX_PARAMS)
		return ERR_DB;
	bool piped = PQpipelineStatus(c->pg) != PQ_PIPELINE_OFF;
	if (piped && is_rollback(sql)) {
		pipeline_end(c, NULL); /* whatever failed there is being undone */
		piped = false;
	}
	struct arena tmp; /* NUL-terminated copies of text parameters (and big arrays) */
	arena_init(&tmp, 1024);
	struct pg_params pp;
	params_build(&pp, &tmp, params, nparams);
	PGresult *r = NULL;
	struct prepared *ps = NULL;
	if (piped) {
		/* this statement goes last into the pipeline: one round trip for all of it */
		int err = pipeline_push(c, sql, &pp, nparams);
		if (!err)
			err = pipeline_end(c, &r);
		else
			pipeline_end(c, NULL);
		if (err) {
			arena_release(&tmp);
			return err;
		}
	} else if (nparams == 0 && is_control(sql))
		r = PQexec(c->pg, sql);
	else if ((ps = prepared_get(c, sql, pp.types, nparams, &r)) != NULL)
		r = PQexecPrepared(c->pg, ps->name, (int)nparams, pp.values, pp.lengths, pp.formats,
		                   0);
	arena_release(&tmp);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		int err = map_state(state);
		if (ps && state && (!strcmp(state, "0A000") || !strcmp(state, "26000"))) {
			/* the schema moved under a cached plan ("cached plan must not change result
			 * type"), or the statement is gone: prepare afresh; the caller's
			 * transaction is aborted, so it runs again */
			forget(c, ps, true);
			err = ERR_RETRY;
			if (PQtransactionStatus(c->pg) == PQTRANS_IDLE && !c->retrying) {
				/* no transaction to abort: run it again at once */
				PQclear(r);
				c->retrying = true;
				int rc = pg_query(c, a, sql, params, nparams, out);
				c->retrying = false;
				return rc;
			}
		}
		if (err == ERR_DB)
			log_error("pg_query", "%s: %.200s", PQresultErrorMessage(r), sql);
		PQclear(r);
		return err;
	}
	if (out) {
		memset(out, 0, sizeof(*out));
		const char *ch = PQcmdTuples(r);
		out->changes = ch && *ch ? strtoll(ch, NULL, 10) : 0;
		if (a && st == PGRES_TUPLES_OK) {
			size_t nr = (size_t)PQntuples(r), nc = (size_t)PQnfields(r);
			out->nrows = nr;
			out->ncols = nc;
			out->names = arena_alloc(a, (nc ? nc : 1) * sizeof(char *));
			for (size_t k = 0; k < nc; k++)
				out->names[k] = arena_strdup(a, PQfname(r, (int)k));
			out->vals = arena_alloc(a, (nr && nc ? nr * nc : 1) * sizeof(char *));
			for (size_t i = 0; i < nr; i++)
				for (size_t k = 0; k < nc; k++)
					out->vals[i * nc + k] =
					    PQgetisnull(r, (int)i, (int)k)
					        ? NULL
					        : arena_strndup(
					              a, PQgetvalue(r, (int)i, (int)k),
					              (size_t)PQgetlength(r, (int)i, (int)k));
		}
	}
	PQclear(r);
	return 0;
}

static int pg_exec_script(struct store_conn *c, const char *sql)
{
	int err = pipeline_end(c, NULL);
	if (err)
		return err;
	PGresult *r = PQexec(c->pg, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = map_state(PQresultErrorField(r, PG_DIAG_SQLSTATE));
		log_error("pg_exec", "%s", PQresultErrorMessage(r));
	}
	PQclear(r);
	return rc;
}

const struct store_ops store_pg_ops = {
    .name = "postgres",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .healthy = pg_healthy,
    .query = pg_query,
    .send = pg_send,
    .flush = pg_flush,
    .exec_script = pg_exec_script,
    .begin_sql = "BEGIN",
    .migrate_lock_sql = "SELECT pg_advisory_xact_lock(7270001)",
};
