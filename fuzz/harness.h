/* harness.h: what the database-backed fuzz targets share: a migrated SQLite store with the demo
 * data in a throw-away directory, and a fake HTTP request (struct req) whose query string and
 * headers are served by a stand-in for libmicrohttpd's MHD_lookup_connection_value, so the
 * handlers in src/http can be called without a server. Header-only: each target is one file. */
#ifndef OTKLIK_FUZZ_HARNESS_H
#define OTKLIK_FUZZ_HARNESS_H

#include "appeals/submit.h"
#include "auth/session.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "http/http.h"
#include "http/route.h"
#include "open311/open311.h"
#include "registry/demo.h"
#include "store/store.h"
#include "store/users.h"

#include <ftw.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static char fz_dir[512];
static struct store *fz_store;

static int fz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void fz_cleanup(void)
{
	/* The store stays open until exit (its committer thread); remove what it leaves. */
	if (fz_dir[0])
		nftw(fz_dir, fz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under $FUZZ_TMPDIR (fuzz/run.sh points it into fuzz/out/tmp) or /tmp,
 * removed at exit. */
static const char *fz_tmpdir(void)
{
	if (fz_dir[0])
		return fz_dir;
	const char *base = getenv("FUZZ_TMPDIR");
	snprintf(fz_dir, sizeof(fz_dir), "%s/otklik-fuzz-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(fz_dir))
		abort();
	atexit(fz_cleanup);
	return fz_dir;
}

/* Opens the store once: migrated, with the registry, accounts, appeals and Open311 demo data
 * (what `otklik serve --demo` loads). Attachments go to the same directory. */
static struct store *fz_store_open(void)
{
	if (fz_store)
		return fz_store;
	log_set_level(LOG_ERROR); /* info lines from the demo loaders would drown the output */
	const char *dir = fz_tmpdir();
	setenv("OTKLIK_DATA_DIR", dir, 1);
	char url[600];
	snprintf(url, sizeof(url), "sqlite:%s/db", dir);
	int applied;
	if (store_open(url, 0, &fz_store) || store_migrate(fz_store, &applied) ||
	    demo_load(fz_store) || appeals_demo_load(fz_store) || open311_demo_load(fz_store))
		abort();
	return fz_store;
}

/* The actor of a demo account ("admin", "citizen", "executor" …) as a session would give it;
 * its grants live in a process-long arena. */
static void fz_actor_of(const char *login, struct actor *out)
{
	static struct arena keep;
	static bool keep_ready;
	if (!keep_ready) {
		arena_init(&keep, 0);
		keep_ready = true;
	}
	struct store_conn *c;
	struct user_row u;
	if (store_conn_get(fz_store_open(), &c))
		abort();
	if (store_user_by_login(c, &keep, login, &u) || auth_load_actor(c, &keep, u.id, out))
		abort();
	store_conn_put(fz_store, c);
}

/* ---- a fake connection for http_query / http_header / http_cookie ---- */

#define FZ_MAX_ARGS 64

struct fz_conn {
	char *keys[FZ_MAX_ARGS], *vals[FZ_MAX_ARGS]; /* vals[i] NULL: "key" without '=' */
	size_t n;
	const char *headers[8][2];
	size_t nheaders;
};

/* '+' to ' ', then %XX: what libmicrohttpd does to GET arguments before handlers see them. */
static char *fz_unescape(const char *s, size_t n)
{
	char *d = strndup(s, n);
	for (char *p = d; *p; p++)
		if (*p == '+')
			*p = ' ';
	MHD_http_unescape(d);
	return d;
}

/* Splits a raw query string the way libmicrohttpd 0.9.x does: pairs at '&', key and value at
 * the first '='; both decoded. */
static void fz_conn_parse(struct fz_conn *c, const char *q, size_t len)
{
	memset(c, 0, sizeof(*c));
	size_t i = 0;
	while (i < len && c->n < FZ_MAX_ARGS) {
		const char *amp = memchr(q + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - q) : len;
		const char *eq = memchr(q + i, '=', end - i);
		if (end > i) {
			if (eq) {
				c->keys[c->n] = fz_unescape(q + i, (size_t)(eq - (q + i)));
				c->vals[c->n] = fz_unescape(eq + 1, end - (size_t)(eq - q) - 1);
			} else {
				c->keys[c->n] = fz_unescape(q + i, end - i);
				c->vals[c->n] = NULL;
			}
			c->n++;
		}
		i = end + 1;
	}
}

static void fz_conn_release(struct fz_conn *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->keys[i]);
		free(c->vals[i]);
	}
	c->n = 0;
}

/* Replaces the library's function for this executable: server.c calls it with r->conn, which
 * here is a struct fz_conn. Keys compare case-insensitively, the first match wins. */
const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                        const char *key)
{
	const struct fz_conn *c = (const struct fz_conn *)(void *)connection;
	if (!c || !key)
		return NULL;
	if (kind & MHD_GET_ARGUMENT_KIND)
		for (size_t i = 0; i < c->n; i++)
			if (!strcasecmp(c->keys[i], key))
				return c->vals[i];
	if (kind & MHD_HEADER_KIND)
		for (size_t i = 0; i < c->nheaders; i++)
			if (!strcasecmp(c->headers[i][0], key))
				return c->headers[i][1];
	return NULL;
}

/* A request as server.c would hand it to a handler (no server: handlers using r->srv are out). */
static void fz_req_init(struct req *r, struct arena *a, struct fz_conn *c, const char *method,
                        const char *path, const char *query, const struct actor *who)
{
	memset(r, 0, sizeof(*r));
	r->a = a;
	r->store = fz_store;
	r->method = method;
	r->path = path;
	r->query = query ? query : "";
	r->client_ip = "127.0.0.1";
	r->conn = c;
	if (who)
		r->actor = *who;
	snprintf(r->request_id, sizeof(r->request_id), "fuzz");
	r->actor.request_id = r->request_id;
}

/* What server.c's dispatch does after authentication: finds the route for r->method and
 * r->path (abort when none: the target named a wrong path), fills the path parameters and
 * applies the route's permission, then runs the handler (and the write it deferred). Rate
 * limits and CSRF are not applied. */
static int fz_dispatch(struct req *r)
{
	bool known;
	r->route = route_match(r->method, r->path, r->params, &r->nparams, r->a, &known);
	if (!r->route)
		abort();
	unsigned perm = r->route->perm;
	if (perm != PERM_PUBLIC) {
		if (!r->actor.user_id && !r->actor.apikey_id)
			return ERR_UNAUTHORIZED;
		if (perm != PERM_AUTH && !(r->actor.roles & perm))
			return ERR_FORBIDDEN;
	}
	if (!r->route->body_limit && r->body_len)
		return ERR_INVALID;
	if (r->body_len > r->route->body_limit)
		return ERR_TOOLARGE;
	return http_defer_finish(r, r->route->handler(r)); /* a deferred write: run it now */
}

/* The checks every handler call must pass: success renders a body, failure is one of the errors
 * a caller may cause (never the database or an internal error) and, when it is a plain 400 or
 * 422, says why. */
static void fz_check_handler(const struct req *r, int rc)
{
	if (rc == 0) {
		if (!r->status || !r->resp_body)
			abort();
		if (r->resp_type && !strncmp(r->resp_type, "application/json", 16)) {
			json_error_t e;
			json_t *j = json_loadb(r->resp_body, r->resp_len, 0, &e);
			if (!j)
				abort(); /* a JSON reply that is not JSON */
			json_decref(j);
		}
		return;
	}
	if (rc == ERR_DB || rc == ERR_INTERNAL)
		abort();
	if ((rc == ERR_VALIDATION || rc == ERR_INVALID) && !r->err_message)
		abort();
}

#endif
