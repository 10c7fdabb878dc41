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

struct store_conn {
	struct store_conn_base base;
	PGconn *pg;
	struct prepared cache[CACHE_SLOTS];
	unsigned next_name;
	bool retrying;
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
	PGresult *r = PQprepare(c->pg, name, sql, (int)n, types);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		*res = r;
		return NULL;
	}
	PQclear(r);
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
	return PQstatus(c->pg) == CONNECTION_OK;
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

static int pg_query(struct store_conn *c, struct arena *a, const char *sql,
                    const struct store_val *params, size_t nparams, struct store_rows *out)
{
	if (nparams > STORE_MAX_PARAMS)
		return ERR_DB;
	const char *values_s[STACK_PARAMS];
	int lengths_s[STACK_PARAMS], formats_s[STACK_PARAMS];
	unsigned int types_s[STACK_PARAMS];
	char numbuf_s[STACK_PARAMS][32];
	const char **values = values_s;
	int *lengths = lengths_s, *formats = formats_s;
	unsigned int *types = types_s;
	char(*numbuf)[32] = numbuf_s;
	struct arena tmp; /* NUL-terminated copies of text parameters (and big arrays) */
	arena_init(&tmp, 1024);
	if (nparams > STACK_PARAMS) {
		values = arena_alloc(&tmp, nparams * sizeof(*values));
		lengths = arena_alloc(&tmp, nparams * sizeof(*lengths));
		formats = arena_alloc(&tmp, nparams * sizeof(*formats));
		types = arena_alloc(&tmp, nparams * sizeof(*types));
		numbuf = arena_alloc(&tmp, nparams * sizeof(*numbuf));
	}
	for (size_t i = 0; i < nparams; i++) {
		const struct store_val *v = &params[i];
		formats[i] = 0;
		lengths[i] = 0;
		switch (v->type) {
		case SV_NULL:
			values[i] = NULL;
			types[i] = 0;
			break;
		case SV_INT:
			snprintf(numbuf[i], sizeof(numbuf[i]), "%lld", (long long)v->i);
			values[i] = numbuf[i];
			types[i] = INT8OID;
			break;
		case SV_REAL:
			snprintf(numbuf[i], sizeof(numbuf[i]), "%.17g", v->d);
			values[i] = numbuf[i];
			types[i] = FLOAT8OID;
			break;
		case SV_TEXT:
			/* Text format needs NUL-terminated values; slices may not be. */
			values[i] = arena_strndup(&tmp, v->s, v->len);
			lengths[i] = (int)v->len;
			types[i] = 0;
			break;
		}
	}
	PGresult *r = NULL;
	struct prepared *ps = NULL;
	if (nparams == 0 && is_control(sql))
		r = PQexec(c->pg, sql);
	else if ((ps = prepared_get(c, sql, types, nparams, &r)) != NULL)
		r = PQexecPrepared(c->pg, ps->name, (int)nparams, values, lengths, formats, 0);
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
    .exec_script = pg_exec_script,
    .begin_sql = "BEGIN",
    .migrate_lock_sql = "SELECT pg_advisory_xact_lock(7270001)",
};
