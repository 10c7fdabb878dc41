/* server.c: libmicrohttpd glue: connection state, body limits, authentication, permission,
 * CSRF and rate-limit checks from the route table, dispatch, security headers, access log. */
#include "http/server.h"
#include "http/http.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "http/route.h"
#include "auth/session.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SESSION_COOKIE "otklik_session"

static const char *const security_csp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

static atomic_int deferring; /* http_defer writes queued and not done: their requests hold
                              * a connection state the committer will write to */

struct conn_state {
	struct arena arena;
	struct buf body;
	const struct route *route;
	const char *params[REQ_MAX_PARAMS];
	size_t nparams;
	bool path_known;
	bool too_large;
	int64_t t0;
	int status;
	char request_id[24];
	/* http_defer: the job is queued; its result, then the continuation on the next call */
	struct MHD_Connection *conn;
	struct http_deferred *deferred;
	struct actor actor;
	int deferred_rc;
};

struct http_deferred {
	int (*fn)(struct store_conn *c, void *arg);
	void *arg;
	http_then_fn then;
};

int http_defer(struct req *r, int (*fn)(struct store_conn *c, void *arg), void *arg,
               http_then_fn then)
{
	struct http_deferred *d = arena_alloc(r->a, sizeof(*d));
	d->fn = fn;
	d->arg = arg;
	d->then = then;
	r->deferred = d;
	return 0;
}

int http_defer_finish(struct req *r, int rc)
{
	struct http_deferred *d = r->deferred;
	if (rc || !d)
		return rc;
	r->deferred = NULL;
	return d->then(r, d->arg, store_write(r->store, d->fn, d->arg));
}

/* The committer's callback for a deferred write: the result, then the connection goes on
 * (cs is not touched after the resume: the connection may end at once). */
static void deferred_done(void *ctx, int rc)
{
	struct conn_state *cs = ctx;
	cs->deferred_rc = rc;
	MHD_resume_connection(cs->conn);
	atomic_fetch_sub(&deferring, 1);
}

static atomic_uint_fast64_t request_seq;
static atomic_int inflight; /* requests between their first call and completion */
static uint64_t node_salt;

static void request_id_new(char *out, size_t n)
{
	uint64_t seq = atomic_fetch_add(&request_seq, 1) + 1;
	snprintf(out, n, "%08llx%08llx", (unsigned long long)(node_salt & 0xffffffffu),
	         (unsigned long long)seq);
}

const char *http_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *http_query(struct req *r, const char *name)
{
	/* MHD has already URL-decoded GET arguments. */
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
	return v;
}

int http_query_int(struct req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *v = http_query(r, name);
	if (!v)
		return 0;
	if (!*v)
		return 0;
	char *end;
	long long x = strtoll(v, &end, 10);
	if (*end || x < min || x > max)
		return http_fail(
		    r, ERR_INVALID,
		    arena_printf(r->a, "Параметр %s должен быть целым числом от %lld до %lld", name,
		                 (long long)min, (long long)max),
		    name);
	*out = x;
	return 0;
}

int http_param_id(struct req *r, size_t i, int64_t *out)
{
	if (i >= r->nparams)
		return http_fail(r, ERR_NOTFOUND, "Не найдено", NULL);
	char *end;
	long long x = strtoll(r->params[i], &end, 10);
	if (*end || x <= 0 || r->params[i][0] == '+' || r->params[i][0] == '-')
		return http_fail(r, ERR_NOTFOUND, "Не найдено", NULL);
	*out = x;
	return 0;
}

int http_json(struct req *r, int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(body);
	if (!s)
		return http_fail(r, ERR_INTERNAL, "Внутренняя ошибка", NULL);
	size_t n = strlen(s);
	char *copy = arena_strndup(r->a, s, n);
	free(s);
	r->status = status;
	r->resp_type = "application/json; charset=utf-8";
	r->resp_body = copy;
	r->resp_len = n;
	return 0;
}

int http_text(struct req *r, int status, const char *type, const char *body, size_t len)
{
	r->status = status;
	r->resp_type = type;
	r->resp_body = body;
	r->resp_len = len;
	return 0;
}

int http_no_content(struct req *r)
{
	return http_text(r, 204, NULL, "", 0);
}

int http_redirect(struct req *r, const char *location)
{
	http_add_header(r, "Location", location);
	return http_text(r, 302, "text/plain; charset=utf-8", "", 0);
}

void http_add_header(struct req *r, const char *name, const char *value)
{
	if (r->nresp_headers >= REQ_MAX_HEADERS)
		return;
	r->resp_headers[r->nresp_headers][0] = name;
	r->resp_headers[r->nresp_headers][1] = arena_strdup(r->a, value);
	r->nresp_headers++;
}

/* --- streams (server-sent events) -------------------------------------------------------------
 * A stream's response is produced by a content reader callback. With nothing to send, the
 * callback suspends the connection (no request thread is held, no busy loop); the stream thread
 * polls each stream's source on its interval and resumes the connection when there is data, a
 * keep-alive comment is due, or the stream must end. Only the stream thread frees streams, after
 * the library has let go of the response (free callback). */

#define STREAM_TICK_MS      100
#define STREAM_KEEPALIVE_MS 15000

struct stream {
	struct http_stream_spec spec;
	struct MHD_Connection *conn;
	struct buf out; /* pending bytes; sent from `off` */
	size_t off;
	int64_t next_poll, end_at, last_data;
	bool started, suspended, ending, closed;
	struct stream *next;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct stream *head;
	int count;
	bool stop, running;
	pthread_t thread;
} streams = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

int http_stream(struct req *r, const char *type, const struct http_stream_spec *spec)
{
	pthread_mutex_lock(&streams.mu);
	bool full = streams.count >= HTTP_STREAMS_MAX || !streams.running;
	if (!full)
		streams.count++;
	pthread_mutex_unlock(&streams.mu);
	if (full) {
		if (spec->free_ctx)
			spec->free_ctx(spec->ctx);
		return http_fail(r, ERR_UNAVAILABLE,
		                 "Слишком много открытых потоков обновлений, попробуйте позже",
		                 NULL);
	}
	struct http_stream_spec *copy = arena_alloc(r->a, sizeof(*copy));
	*copy = *spec;
	r->stream = copy;
	r->status = 200;
	r->resp_type = type;
	return 0;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct stream *st = cls;
	ssize_t n = 0;
	pthread_mutex_lock(&streams.mu);
	if (st->out.len > st->off) {
		size_t k = st->out.len - st->off;
		if (k > max)
			k = max;
		memcpy(buf, st->out.data + st->off, k);
		st->off += k;
		if (st->off == st->out.len)
			st->out.len = st->off = 0;
		n = (ssize_t)k;
	} else if (st->ending) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		st->suspended = true;
		MHD_suspend_connection(st->conn);
	}
	pthread_mutex_unlock(&streams.mu);
	return n;
}

static void stream_closed(void *cls)
{
	struct stream *st = cls;
	pthread_mutex_lock(&streams.mu);
	st->closed = true;
	pthread_cond_signal(&streams.cv);
	pthread_mutex_unlock(&streams.mu);
}

static void stream_resume_locked(struct stream *st)
{
	if (st->suspended && !st->closed) {
		st->suspended = false;
		MHD_resume_connection(st->conn);
	}
}

static void *stream_main(void *arg)
{
	pthread_setname_np(pthread_self(), "otk-streams"); /* for top -H and perf */
	(void)arg;
	struct buf tmp = BUF_INIT(1u << 20);
	pthread_mutex_lock(&streams.mu);
	while (!streams.stop || streams.head) {
		int64_t now = clock_now_ms();
		/* free what the library let go of */
		for (struct stream **pp = &streams.head; *pp;) {
			struct stream *st = *pp;
			if (st->closed) {
				*pp = st->next;
				streams.count--;
				if (st->spec.free_ctx)
					st->spec.free_ctx(st->spec.ctx);
				buf_release(&st->out);
				free(st);
			} else {
				pp = &st->next;
			}
		}
		if (streams.stop && !streams.head)
			break;
		for (struct stream *st = streams.head; st; st = st->next) {
			if (st->closed || st->ending)
				continue;
			if (streams.stop || now >= st->end_at) {
				st->ending = true;
				stream_resume_locked(st);
				continue;
			}
			if (now < st->next_poll)
				continue;
			st->next_poll = now + st->spec.interval_ms;
			/* the source may query the database: not under the lock (only this thread
			 * frees streams, so st stays valid) */
			pthread_mutex_unlock(&streams.mu);
			tmp.len = 0;
			int rc = st->spec.poll(st->spec.ctx, &tmp, now);
			if (!tmp.len && now - st->last_data >= STREAM_KEEPALIVE_MS)
				buf_puts(&tmp, ": keep-alive\n\n");
			pthread_mutex_lock(&streams.mu);
			if (tmp.len) {
				buf_append(&st->out, tmp.data, tmp.len);
				st->last_data = now;
			}
			if (rc)
				st->ending = true;
			if (st->out.len > st->off || st->ending)
				stream_resume_locked(st);
		}
		struct timespec ts = clock_realtime_in(STREAM_TICK_MS);
		pthread_cond_timedwait(&streams.cv, &streams.mu, &ts);
	}
	pthread_mutex_unlock(&streams.mu);
	buf_release(&tmp);
	return NULL;
}

/* The response of a stream; NULL when it cannot be made (the slot is given back). */
static void streams_stop(void)
{
	if (!streams.running)
		return;
	pthread_mutex_lock(&streams.mu);
	streams.stop = true;
	/* after the daemon stopped every response is gone: mark what the library did not report */
	pthread_cond_signal(&streams.cv);
	pthread_mutex_unlock(&streams.mu);
	pthread_join(streams.thread, NULL);
	streams.running = false;
}

static struct MHD_Response *stream_response(struct MHD_Connection *conn, struct req *r)
{
	struct stream *st = xcalloc(1, sizeof(*st));
	st->spec = *r->stream;
	st->conn = conn;
	st->out = (struct buf)BUF_INIT(4u << 20);
	int64_t now = clock_now_ms();
	st->next_poll = now;
	st->last_data = now;
	st->end_at = now + (st->spec.max_ms > 0 ? st->spec.max_ms : 600000);
	if (st->spec.interval_ms <= 0)
		st->spec.interval_ms = 1000;
	/* the first bytes at once: the client knows the stream is open */
	buf_puts(&st->out, ": open\n\nretry: 3000\n\n");
	struct MHD_Response *resp = MHD_create_response_from_callback(
	    MHD_SIZE_UNKNOWN, 4096, stream_read, st, stream_closed);
	pthread_mutex_lock(&streams.mu);
	if (resp) {
		st->next = streams.head;
		streams.head = st;
	} else {
		streams.count--;
	}
	pthread_mutex_unlock(&streams.mu);
	if (!resp) {
		if (st->spec.free_ctx)
			st->spec.free_ctx(st->spec.ctx);
		buf_release(&st->out);
		free(st);
	}
	return resp;
}

/* Ends every stream (shutdown): each sends what it has and closes. */
static void streams_end_all(void)
{
	pthread_mutex_lock(&streams.mu);
	for (struct stream *st = streams.head; st; st = st->next) {
		st->ending = true;
		stream_resume_locked(st);
	}
	pthread_mutex_unlock(&streams.mu);
}

int http_fail(struct req *r, int err, const char *message, const char *field)
{
	/* Copies: the strings often live in a JSON document the caller frees next. */
	if (!r->err_message) {
		r->err_message = message ? arena_strdup(r->a, message) : NULL;
		r->err_field = field ? arena_strdup(r->a, field) : NULL;
	}
	return err;
}

static const char *default_message(int err)
{
	switch (err) {
	case ERR_INVALID: return "Некорректный запрос";
	case ERR_UNAUTHORIZED: return "Требуется вход в систему";
	case ERR_FORBIDDEN: return "Недостаточно прав";
	case ERR_NOTFOUND: return "Не найдено";
	case ERR_METHOD: return "Метод не поддерживается";
	case ERR_CONFLICT: return "Конфликт с текущим состоянием данных";
	case ERR_TOOLARGE: return "Слишком большой запрос";
	case ERR_MEDIATYPE: return "Неподдерживаемый тип содержимого";
	case ERR_VALIDATION: return "Проверьте введённые данные";
	case ERR_RATELIMIT: return "Слишком много запросов, попробуйте позже";
	case ERR_UNAVAILABLE: return "Сервис временно недоступен";
	default: return "Внутренняя ошибка сервера";
	}
}

/* Render an error in the one error shape. */
static void render_error(struct req *r, int err, const char *code_override)
{
	json_t *e = json_object();
	json_object_set_new(e, "code", json_string(code_override ? code_override : err_code(err)));
	json_object_set_new(e, "message",
	                    json_string(r->err_message ? r->err_message : default_message(err)));
	if (r->err_field)
		json_object_set_new(e, "field", json_string(r->err_field));
	r->resp_headers[0][0] = NULL;
	r->nresp_headers = 0;
	if (err == ERR_RATELIMIT)
		http_add_header(r, "Retry-After", "60");
	http_json(r, err_http_status(err), json_pack("{s:o}", "error", e));
}

/* Max JSON nesting we accept; jansson's own limit is far higher. */
#define JSON_MAX_DEPTH 32

static int json_depth_ok(const char *s, size_t n)
{
	int depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[') {
			if (++depth > JSON_MAX_DEPTH)
				return 0;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return 1;
}

int http_body_json(struct req *r, json_t **out)
{
	*out = NULL;
	if (!r->content_type || strncasecmp(r->content_type, "application/json", 16) != 0 ||
	    (r->content_type[16] && r->content_type[16] != ';' && r->content_type[16] != ' ' &&
	     r->content_type[16] != '\t'))
		return http_fail(r, ERR_MEDIATYPE, "Ожидается Content-Type: application/json",
		                 NULL);
	if (!json_depth_ok(r->body, r->body_len))
		return http_fail(r, ERR_INVALID, "Слишком глубокая вложенность JSON", NULL);
	json_error_t jerr;
	json_t *j = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return http_fail(r, ERR_INVALID,
		                 arena_printf(r->a, "Некорректный JSON (строка %d, позиция %d): %s",
		                              jerr.line, jerr.column, jerr.text),
		                 NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return http_fail(r, ERR_INVALID, "Ожидается JSON-объект", NULL);
	}
	*out = j;
	return 0;
}

static bool is_write(const char *method)
{
	return strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "OPTIONS");
}

/* Establish the actor from the session cookie or the Bearer key. */
static int authenticate(struct req *r)
{
	const char *authz = http_header(r, "Authorization");
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		int rc = auth_apikey_authenticate(r->store, r->a, authz + 7, &r->actor);
		if (rc && rc != ERR_UNAUTHORIZED)
			return rc; /* the database is down: a 503/500, not "your key is invalid" */
		if (rc)
			return http_fail(r, ERR_UNAUTHORIZED, "Недействительный ключ API", NULL);
		return 0;
	}
	const char *tok = http_cookie(r, SESSION_COOKIE);
	if (tok && *tok) {
		int rc = auth_session_authenticate(r->store, r->a, tok, &r->actor);
		if (rc == ERR_DB)
			return rc;
		/* An unknown or expired cookie simply means anonymous. */
	}
	return 0;
}

static int check_rate(struct req *r)
{
	const struct route *rt = r->route;
	double rate = 0, burst = 0;
	switch (rt->rate) {
	case RL_NONE: return 0;
	case RL_READ:
		rate = r->srv->cfg.rate_read > 0 ? r->srv->cfg.rate_read : 500;
		burst = rate * 2;
		break;
	case RL_WRITE:
		rate = r->srv->cfg.rate_write > 0 ? r->srv->cfg.rate_write : 100;
		burst = rate * 2;
		break;
	case RL_AUTH:
		rate = 10.0 / 60.0; /* 10 per minute per address; logins also per account */
		burst = 10;
		break;
	}
	char key[128];
	if (r->actor.user_id)
		snprintf(key, sizeof(key), "%d:u%lld", (int)rt->rate, (long long)r->actor.user_id);
	else if (r->actor.apikey_id)
		snprintf(key, sizeof(key), "%d:k%lld", (int)rt->rate,
		         (long long)r->actor.apikey_id);
	else
		snprintf(key, sizeof(key), "%d:ip%s", (int)rt->rate, r->client_ip);
	if (!ratelimit_take(r->srv->rl, key, rate, burst))
		return http_fail(r, ERR_RATELIMIT, NULL, NULL);
	return 0;
}

static int dispatch(struct req *r)
{
	const struct route *rt = r->route;
	int rc = authenticate(r);
	if (rc)
		return rc;
	if (rt->perm != PERM_PUBLIC) {
		if (!r->actor.user_id && !r->actor.apikey_id)
			return http_fail(r, ERR_UNAUTHORIZED, NULL, NULL);
		if (rt->perm != PERM_AUTH && !(r->actor.roles & rt->perm))
			return http_fail(r, ERR_FORBIDDEN, NULL, NULL);
	}
	if (rt->csrf && r->actor.via_cookie && is_write(r->method)) {
		const char *t = http_header(r, "X-CSRF-Token");
		if (!t || !r->actor.csrf_token || !auth_token_equal(t, r->actor.csrf_token))
			return http_fail(r, ERR_FORBIDDEN,
			                 "Отсутствует или неверен CSRF-токен; обновите страницу",
			                 NULL);
	}
	rc = check_rate(r);
	if (rc)
		return rc;
	if (!rt->body_limit && r->body_len)
		return http_fail(r, ERR_INVALID, "Этот запрос не принимает тело", NULL);
	return rt->handler(r);
}

static void add_security_headers(struct MHD_Response *resp, const char *path)
{
	MHD_add_response_header(resp, "Content-Security-Policy", security_csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (strncmp(path, "/static/", 8) != 0)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct req *r)
{
	struct MHD_Response *resp =
	    r->stream ? stream_response(conn, r)
	              : MHD_create_response_from_buffer(r->resp_len,
	                                                (void *)(r->resp_body ? r->resp_body : ""),
	                                                MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (r->resp_type)
		MHD_add_response_header(resp, "Content-Type", r->resp_type);
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	add_security_headers(resp, r->path ? r->path : "/");
	for (size_t i = 0; i < r->nresp_headers; i++)
		MHD_add_response_header(resp, r->resp_headers[i][0], r->resp_headers[i][1]);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char *client_ip(struct MHD_Connection *conn, struct arena *a)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char buf[INET6_ADDRSTRLEN] = "?";
	if (ci && ci->client_addr) {
		if (ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr,
			          buf, sizeof(buf));
		else if (ci->client_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
			          &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, buf,
			          sizeof(buf));
	}
	return arena_strdup(a, buf);
}

/* --- query arguments --------------------------------------------------------------------- */

struct args_check {
	const char *bad; /* the first bad argument's name (or "?") */
};

static enum MHD_Result arg_check(void *cls, enum MHD_ValueKind kind, const char *key,
                                 size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	struct args_check *ck = cls;
	bool key_ok = key && strlen(key) == key_size && utf8_valid(key, key_size);
	bool value_ok = !value || (strlen(value) == value_size && utf8_valid(value, value_size));
	if (key_ok && value_ok)
		return MHD_YES;
	ck->bad = key_ok ? key : "?";
	return MHD_NO;
}

/* A GET argument (decoded) with a NUL byte (which would cut it short) or invalid UTF-8 (which
 * PostgreSQL refuses as a parameter): its name, else NULL. Checked once for every request. */
static const char *query_args_bad(struct MHD_Connection *conn)
{
	struct args_check ck = {0};
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, arg_check, &ck);
	return ck.bad;
}

/* --- slow clients ------------------------------------------------------------------------ */

/* libmicrohttpd's connection timeout counts inactivity only: a client that sends a header byte
 * every few seconds would hold its connection for ever (slowloris). Each connection is tracked
 * from its start (and again after each response); one whose request has not reached the
 * handler HEADER_DEADLINE_MS later is shut down by the reaper thread. */
#define HEADER_DEADLINE_MS 30000

struct tracked {
	int fd;
	int64_t since_ms; /* start of the wait for a request's headers */
	bool busy;        /* a request is in the handler */
	struct tracked *prev, *next;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct tracked *head;
	bool stop;
	pthread_t thread;
} slow = {.mu = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		struct tracked *t = xcalloc(1, sizeof(*t));
		t->fd = ci ? ci->connect_fd : -1;
		t->since_ms = clock_mono_ns() / 1000000;
		pthread_mutex_lock(&slow.mu);
		t->next = slow.head;
		if (slow.head)
			slow.head->prev = t;
		slow.head = t;
		pthread_mutex_unlock(&slow.mu);
		*socket_context = t;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		/* before the socket is closed: the reaper never touches a reused descriptor */
		struct tracked *t = *socket_context;
		pthread_mutex_lock(&slow.mu);
		if (t->prev)
			t->prev->next = t->next;
		else
			slow.head = t->next;
		if (t->next)
			t->next->prev = t->prev;
		pthread_mutex_unlock(&slow.mu);
		free(t);
		*socket_context = NULL;
	}
}

static void track_mark(struct MHD_Connection *conn, bool busy)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct tracked *t = ci ? ci->socket_context : NULL;
	if (!t)
		return;
	pthread_mutex_lock(&slow.mu);
	t->busy = busy;
	t->since_ms = clock_mono_ns() / 1000000;
	pthread_mutex_unlock(&slow.mu);
}

static void reaper_stop(void)
{
	pthread_mutex_lock(&slow.mu);
	slow.stop = true;
	pthread_cond_signal(&slow.cond);
	pthread_mutex_unlock(&slow.mu);
	pthread_join(slow.thread, NULL);
}

static void *reaper_main(void *arg)
{
	pthread_setname_np(pthread_self(), "otk-reaper"); /* for top -H and perf */
	(void)arg;
	pthread_mutex_lock(&slow.mu);
	while (!slow.stop) {
		struct timespec until = clock_realtime_in(1000);
		pthread_cond_timedwait(&slow.cond, &slow.mu, &until);
		int64_t now = clock_mono_ns() / 1000000;
		for (struct tracked *t = slow.head; t; t = t->next)
			if (!t->busy && t->fd >= 0 && now - t->since_ms > HEADER_DEADLINE_MS) {
				shutdown(t->fd,
				         SHUT_RDWR); /* the daemon sees the end and closes it */
				t->fd = -1;
			}
	}
	pthread_mutex_unlock(&slow.mu);
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct server *srv = cls;
	struct conn_state *cs = *con_cls;
	if (!cs) {
		/* First call: only headers are known. Queue nothing yet (keep-alive, see STACK.md).
		 */
		cs = xcalloc(1, sizeof(*cs));
		atomic_fetch_add(&inflight, 1);
		arena_init(&cs->arena, 16384);
		cs->t0 = clock_mono_ns();
		request_id_new(cs->request_id, sizeof(cs->request_id));
		track_mark(conn, true);
		cs->route =
		    route_match(method, url, cs->params, &cs->nparams, &cs->arena, &cs->path_known);
		size_t limit = cs->route ? cs->route->body_limit : 0;
		cs->body = (struct buf)BUF_INIT(limit ? limit : 1);
		const char *cl =
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > (limit ? limit : 0) && cs->route &&
		    strtoull(cl, NULL, 10) > 0)
			cs->too_large = true;
		*con_cls = cs;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!cs->too_large && buf_append(&cs->body, upload_data, *upload_data_size))
			cs->too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}

	struct req r = {0};
	r.a = &cs->arena;
	r.srv = srv;
	r.store = srv->store;
	r.conn = conn;
	r.method = method;
	r.path = url;
	const char *q = strchr(url, '?');
	r.query = q ? q + 1 : "";
	r.body = cs->body.data ? cs->body.data : "";
	r.body_len = cs->body.len;
	r.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	r.client_ip = client_ip(conn, &cs->arena);
	memcpy(r.request_id, cs->request_id, sizeof(r.request_id));
	r.actor.request_id = r.request_id;
	r.route = cs->route;
	memcpy(r.params, cs->params, sizeof(r.params));
	r.nparams = cs->nparams;

	int rc;
	const char *allow = !cs->route && cs->path_known ? route_allow(url, r.a) : NULL;
	const char *bad_arg = query_args_bad(conn);
	r.bad_query_arg = bad_arg;
	if (cs->deferred) { /* resumed: the deferred write is done */
		struct http_deferred *d = cs->deferred;
		cs->deferred = NULL;
		r.actor = cs->actor;
		r.actor.request_id = r.request_id;
		rc = d->then(&r, d->arg, cs->deferred_rc);
	} else if (bad_arg && cs->route && strncmp(cs->route->pattern, "/open311/", 9) != 0)
		rc = http_fail(&r, ERR_INVALID,
		               arena_printf(r.a,
		                            "Параметр запроса %s: недопустимые символы (NUL или "
		                            "неверный UTF-8)",
		                            bad_arg),
		               NULL);
	else if (!cs->route)
		rc = http_fail(&r, cs->path_known ? ERR_METHOD : ERR_NOTFOUND, NULL, NULL);
	else if (cs->too_large)
		rc = http_fail(
		    &r, ERR_TOOLARGE,
		    arena_printf(r.a, "Тело запроса больше %zu байт", cs->route->body_limit), NULL);
	else
		rc = dispatch(&r);
	if (!rc && r.deferred) {
		/* suspended before queueing: the callback may resume it at once */
		cs->deferred = r.deferred;
		cs->actor = r.actor;
		cs->conn = conn;
		MHD_suspend_connection(conn);
		atomic_fetch_add(&deferring, 1);
		if (store_write_async(r.store, r.deferred->fn, r.deferred->arg, deferred_done, cs))
			deferred_done(cs, ERR_UNAVAILABLE);
		return MHD_YES;
	}
	if (rc) {
		const char *code = NULL;
		if (rc == ERR_FORBIDDEN && r.err_message && strstr(r.err_message, "CSRF"))
			code = "csrf_failed";
		if (r.err_code)
			code = r.err_code;
		if (rc == ERR_DB || rc == ERR_RETRY)
			r.err_message = "Внутренняя ошибка сервера, попробуйте повторить запрос";
		render_error(&r, rc, code);
		if (allow)
			http_add_header(&r, "Allow", allow);
	}
	if (!r.status)
		http_fail(&r, ERR_INTERNAL, NULL, NULL), render_error(&r, ERR_INTERNAL, NULL);
	cs->status = r.status;
	if (!strcmp(method, "HEAD"))
		r.resp_len = 0;
	return send_response(conn, &r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	struct conn_state *cs = *con_cls;
	track_mark(conn, false); /* the next request's headers have HEADER_DEADLINE_MS from now */
	if (!cs)
		return;
	int64_t dur = clock_mono_ns() - cs->t0;
	size_t ri = cs->route ? route_index(cs->route) : routes_count;
	metrics_observe(ri, cs->status, dur);
	char line[512];
	int n =
	    !log_enabled(LOG_INFO)
	        ? 0
	        : snprintf(
	              line, sizeof(line),
	              "{\"ts\":%lld,\"level\":\"info\",\"event\":\"access\",\"request_id\":\"%s\","
	              "\"route\":\"%s %s\",\"status\":%d,\"ms\":%.3f%s}\n",
	              (long long)clock_now_ms(), cs->request_id,
	              cs->route ? cs->route->method : "-", cs->route ? cs->route->pattern : "-",
	              cs->status, (double)dur / 1e6,
	              toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ",\"aborted\":true");
	if (n > 0 && (size_t)n < sizeof(line))
		log_line(line, (size_t)n);
	arena_release(&cs->arena);
	buf_release(&cs->body);
	free(cs);
	*con_cls = NULL;
	atomic_fetch_sub(&inflight, 1);
}

int server_parse_listen(struct server_config *cfg, const char *listen)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(cfg->host))
		return ERR_INVALID;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return ERR_INVALID;
	memcpy(cfg->host, listen, (size_t)(colon - listen));
	cfg->host[colon - listen] = '\0';
	cfg->port = (int)port;
	return 0;
}

int server_run(const struct server_config *cfg, struct store *s)
{
	struct server srv = {.cfg = *cfg, .store = s};
	srv.rl = ratelimit_new();
	srv.oidc = oidc_client_new(&srv.cfg.oidc);
	node_salt = (uint64_t)clock_now_ms() ^ ((uint64_t)getpid() << 20);

	struct sockaddr_in addr = {0};
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)cfg->port);
	if (inet_pton(AF_INET, strcmp(cfg->host, "localhost") ? cfg->host : "127.0.0.1",
	              &addr.sin_addr) != 1) {
		log_error("listen", "bad address %s (use an IPv4 address)", cfg->host);
		ratelimit_free(srv.rl);
		oidc_client_free(srv.oidc);
		return ERR_INVALID;
	}

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	int threads = cfg->threads > 0 ? cfg->threads : 32;
	/* one address cannot take every connection slot (4096) */
	const char *pe = getenv("OTKLIK_PER_IP_CONNECTIONS");
	long per_ip = pe ? strtol(pe, NULL, 10) : 256;
	if (per_ip < 1 || per_ip > 4096)
		per_ip = 256;
	slow.stop = false;
	bool reaper_on = pthread_create(&slow.thread, NULL, reaper_main, NULL) == 0;
	streams.stop = false;
	streams.running = pthread_create(&streams.thread, NULL, stream_main, NULL) == 0;
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ITC |
	        MHD_ALLOW_SUSPEND_RESUME,
	    (uint16_t)cfg->port, NULL, NULL, on_request, &srv, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)4096, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)per_ip, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_END);
	if (!d) {
		log_error("listen", "cannot listen on %s:%d", cfg->host, cfg->port);
		if (reaper_on)
			reaper_stop();
		streams_stop();
		ratelimit_free(srv.rl);
		oidc_client_free(srv.oidc);
		return ERR_INTERNAL;
	}
	log_info("listening", "http://%s:%d", cfg->host, cfg->port);
	int sig = 0;
	sigwait(&set, &sig);
	log_info("shutdown", "signal %d: finishing in-flight requests", sig);
	/* Stop accepting, end the event streams, let workers finish what they hold, then stop. */
	MHD_quiesce_daemon(d);
	streams_end_all();
	for (int waited = 0; atomic_load(&inflight) > 0 && waited < 3000; waited++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	/* a deferred write's request cannot be closed under the committer: its end is waited
	 * for however long the database takes to answer or fail it */
	if (atomic_load(&deferring) > 0)
		log_warn("shutdown", "waiting for %d queued writes", atomic_load(&deferring));
	while (atomic_load(&deferring) > 0) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(d);
	streams_stop();
	if (reaper_on)
		reaper_stop();
	ratelimit_free(srv.rl);
	oidc_client_free(srv.oidc);
	log_info("stopped", NULL);
	return 0;
}
