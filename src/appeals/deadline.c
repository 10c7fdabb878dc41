/* deadline.c: due times over the cached production calendar and deadline overrides; the
 * calendar's pages and the overrides' API logic (validation, audit, version bumps). */
#include "appeals/deadline.h"
#include "appeals/appeal.h"
#include "appeals/calendar.h"
#include "audit/audit.h"
#include "auth/perm.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "store/calendar.h"
#include "store/entity.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS        3600000LL
#define CHECK_EVERY_MS 1000 /* how often a process looks at the versions in meta */
#define DEADLINE_MAX   8760
#define NOTE_MAX       200 /* characters */
#define OVERRIDES_MAX  1000

/* --- the in-memory cache ------------------------------------------------------------------ */

struct override {
	int64_t org_id, topic_id; /* topic 0 = all topics */
	int64_t deadline;
	bool hours;
};

/* Readers hold `lock` shared while they use cal/ov; a reload builds the new data outside it and
 * swaps under the exclusive lock. `reload` keeps reloads one at a time. */
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t reload = PTHREAD_MUTEX_INITIALIZER;
static struct calendar *cal;
static int64_t cal_version = -1;
static struct override *ov;
static size_t nov;
static int64_t ov_version = -1;
static atomic_bool loaded;
static _Atomic int64_t checked_ms; /* monotonic ms of the last version check; 0 = check now */

static int64_t mono_ms(void)
{
	int64_t t = clock_mono_ns() / 1000000;
	return t > 0 ? t : 1;
}

void deadline_cache_invalidate(void)
{
	atomic_store(&checked_ms, 0);
}

static int ov_cmp(const void *x, const void *y)
{
	const struct override *a = x, *b = y;
	if (a->org_id != b->org_id)
		return a->org_id < b->org_id ? -1 : 1;
	return a->topic_id < b->topic_id ? -1 : a->topic_id > b->topic_id;
}

static int load_calendar(struct store_conn *c, struct calendar **out)
{
	struct arena a;
	arena_init(&a, 16384);
	struct store_rows r;
	int rc = store_calendar_all(c, &a, &r);
	if (!rc) {
		struct calendar_exception *ex = xcalloc(r.nrows + 1, sizeof(*ex));
		size_t n = 0;
		for (size_t i = 0; i < r.nrows; i++) {
			const char *d = store_rows_get(&r, i, 0);
			if (!d || calendar_parse_date(d, strlen(d), &ex[n].day))
				continue; /* not written by this code: ignore rather than fail */
			ex[n++].workday = !strcmp(store_rows_get(&r, i, 1), "workday");
		}
		*out = calendar_new(ex, n);
		free(ex);
	}
	arena_release(&a);
	return rc;
}

static int load_overrides(struct store_conn *c, struct override **out, size_t *n)
{
	struct arena a;
	arena_init(&a, 16384);
	struct store_rows r;
	int rc = store_org_deadlines_all(c, &a, &r);
	if (!rc) {
		*out = xcalloc(r.nrows + 1, sizeof(**out));
		for (size_t i = 0; i < r.nrows; i++) {
			struct override *o = &(*out)[i];
			o->org_id = store_rows_i64(&r, i, 0);
			o->topic_id = store_rows_i64(&r, i, 1);
			o->deadline = store_rows_i64(&r, i, 2);
			o->hours = !strcmp(store_rows_get(&r, i, 3), "hours");
		}
		*n = r.nrows;
		qsort(*out, *n, sizeof(**out), ov_cmp);
	}
	arena_release(&a);
	return rc;
}

/* Brings the cache up to date when a second has passed since the last check (or it was
 * invalidated). On a database failure the old data stays in use; ERR_DB only when there is
 * none yet. */
static int cache_fresh(struct store_conn *c)
{
	int64_t now = mono_ms();
	int64_t chk = atomic_load(&checked_ms);
	bool have = atomic_load(&loaded);
	if (have && chk && now - chk < CHECK_EVERY_MS)
		return 0;
	if (have) {
		if (pthread_mutex_trylock(&reload))
			return 0; /* somebody else is looking: use what we have */
	} else {
		pthread_mutex_lock(&reload);
	}
	int rc = 0;
	chk = atomic_load(&checked_ms);
	if (atomic_load(&loaded) && chk && now - chk < CHECK_EVERY_MS)
		goto out;
	int64_t cv, ovv;
	rc = store_deadline_versions(c, &cv, &ovv);
	if (rc)
		goto out;
	struct calendar *ncal = NULL;
	struct override *nov_arr = NULL;
	size_t nn = 0;
	if (cv != cal_version && (rc = load_calendar(c, &ncal)))
		goto out;
	if (ovv != ov_version && (rc = load_overrides(c, &nov_arr, &nn))) {
		calendar_free(ncal);
		goto out;
	}
	struct calendar *old_cal = NULL;
	struct override *old_ov = NULL;
	pthread_rwlock_wrlock(&lock);
	if (ncal) {
		old_cal = cal;
		cal = ncal;
		cal_version = cv;
	}
	if (nov_arr) {
		old_ov = ov;
		ov = nov_arr;
		nov = nn;
		ov_version = ovv;
	}
	pthread_rwlock_unlock(&lock);
	calendar_free(old_cal);
	free(old_ov);
	atomic_store(&loaded, true);
	atomic_store(&checked_ms, now);
out:
	pthread_mutex_unlock(&reload);
	if (rc && atomic_load(&loaded)) {
		log_warn("deadline_cache_stale", "version check failed (%d); using cached data",
		         rc);
		return 0;
	}
	return rc;
}

/* The override for (org, topic), else (org, all topics); NULL when none. Under `lock`. */
static const struct override *find_override(int64_t org_id, int64_t topic_id)
{
	struct override key = {.org_id = org_id, .topic_id = topic_id};
	const struct override *o = bsearch(&key, ov, nov, sizeof(*ov), ov_cmp);
	if (!o && topic_id) {
		key.topic_id = 0;
		o = bsearch(&key, ov, nov, sizeof(*ov), ov_cmp);
	}
	return o;
}

int deadline_rule(struct store_conn *c, int64_t topic_id, int64_t org_id, int64_t *n, bool *hours)
{
	int rc = cache_fresh(c);
	if (rc)
		return rc;
	*n = 0;
	*hours = false;
	if (org_id) {
		bool found = false;
		pthread_rwlock_rdlock(&lock);
		const struct override *o = find_override(org_id, topic_id);
		if (o) {
			*n = o->deadline;
			*hours = o->hours;
			found = true;
		}
		pthread_rwlock_unlock(&lock);
		if (found)
			return 0;
	}
	struct arena a;
	arena_init(&a, 512);
	const char *unit = NULL;
	rc = store_topic_deadline(c, &a, topic_id, n, &unit);
	*hours = !rc && unit && !strcmp(unit, "hours");
	arena_release(&a);
	return rc;
}

int deadline_due_by(struct store_conn *c, int64_t n, bool hours, int64_t start_ms, int64_t *due_ms)
{
	if (hours) {
		*due_ms = start_ms + n * HOUR_MS;
		return 0;
	}
	int rc = cache_fresh(c);
	if (rc)
		return rc;
	pthread_rwlock_rdlock(&lock);
	*due_ms = calendar_due_wdays(cal, start_ms, n, appeal_tz_offset_min());
	pthread_rwlock_unlock(&lock);
	return 0;
}

int deadline_due(struct store_conn *c, int64_t topic_id, int64_t org_id, int64_t start_ms,
                 int64_t *due_ms)
{
	int64_t n;
	bool hours;
	int rc = deadline_rule(c, topic_id, org_id, &n, &hours);
	return rc ? rc : deadline_due_by(c, n, hours, start_ms, due_ms);
}

int deadline_add_wdays(struct store_conn *c, int64_t due_ms, int days, int64_t *out)
{
	int rc = cache_fresh(c);
	if (rc)
		return rc;
	int off = appeal_tz_offset_min();
	pthread_rwlock_rdlock(&lock);
	*out = calendar_due_wdays(cal, due_ms, days, off);
	pthread_rwlock_unlock(&lock);
	return 0;
}

int deadline_wdays_left(struct store_conn *c, int64_t now_ms, int64_t due_ms, int *out)
{
	int rc = cache_fresh(c);
	if (rc)
		return rc;
	int off = appeal_tz_offset_min();
	pthread_rwlock_rdlock(&lock);
	*out = (int)calendar_wdays_between(cal, calendar_day_of(now_ms, off),
	                                   calendar_day_of(due_ms, off));
	pthread_rwlock_unlock(&lock);
	return 0;
}

/* --- the calendar's pages ----------------------------------------------------------------- */

static int fail(struct deadline_problem *p, int err, const char *message, const char *field)
{
	p->message = message;
	p->field = field;
	return err;
}

static void year_bounds(int year, char from[static 11], char to[static 11])
{
	calendar_format_date(calendar_day_from_ymd(year, 1, 1), from);
	calendar_format_date(calendar_day_from_ymd(year, 12, 31), to);
}

/* {year, days, working_days} from the rows (day, kind, note) of one year. */
static json_t *page_json(int year, const struct store_rows *r)
{
	json_t *days = json_array();
	struct calendar_exception *ex = xcalloc(r->nrows + 1, sizeof(*ex));
	size_t n = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		const char *d = store_rows_get(r, i, 0), *kind = store_rows_get(r, i, 1);
		const char *note = store_rows_get(r, i, 2);
		if (!d || calendar_parse_date(d, strlen(d), &ex[n].day))
			continue;
		ex[n++].workday = !strcmp(kind, "workday");
		json_array_append_new(days,
		                      json_pack("{s:s,s:s,s:o}", "date", d, "kind", kind, "note",
		                                note ? json_string(note) : json_null()));
	}
	struct calendar *yc = calendar_new(ex, n);
	free(ex);
	json_t *out = json_pack("{s:i,s:o,s:I}", "year", year, "days", days, "working_days",
	                        (json_int_t)calendar_year_wdays(yc, year));
	calendar_free(yc);
	return out;
}

static int page_load(struct store_conn *c, struct arena *a, int year, json_t **out)
{
	char from[11], to[11];
	year_bounds(year, from, to);
	struct store_rows r;
	int rc = store_calendar_days(c, a, from, to, &r);
	if (!rc)
		*out = page_json(year, &r);
	return rc;
}

int deadline_calendar_get(struct store *s, struct arena *a, int year, json_t **out)
{
	if (year < CALENDAR_YEAR_MIN || year > CALENDAR_YEAR_MAX)
		return ERR_NOTFOUND;
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	rc = page_load(c, a, year, out);
	store_conn_put(s, c);
	return rc;
}

struct day_in {
	int64_t day;
	char date[11];
	const char *kind, *note;
};

static int day_cmp(const void *x, const void *y)
{
	const struct day_in *a = x, *b = y;
	return a->day < b->day ? -1 : a->day > b->day;
}

/* Validates the PUT's days (all of them, before anything is written). */
static int parse_days(struct arena *a, int year, json_t *days, struct day_in **out, size_t *n,
                      struct deadline_problem *p)
{
	if (!json_is_array(days))
		return fail(p, ERR_VALIDATION, "Ожидается массив дней", "days");
	size_t cnt = json_array_size(days);
	if (cnt > 400)
		return fail(p, ERR_VALIDATION, "Слишком много дней (не больше 400)", "days");
	struct day_in *v = arena_alloc(a, (cnt + 1) * sizeof(*v));
	for (size_t i = 0; i < cnt; i++) {
		json_t *it = json_array_get(days, i);
		const char *fld = arena_printf(a, "days[%zu]", i);
		const char *fdate = arena_printf(a, "days[%zu].date", i);
		json_t *jd, *jk, *jn;
		if (!json_is_object(it))
			return fail(p, ERR_VALIDATION, "Ожидается объект {date, kind, note}", fld);
		const char *key;
		json_t *val;
		json_object_foreach(it, key, val)
		{
			if (strcmp(key, "date") && strcmp(key, "kind") && strcmp(key, "note"))
				return fail(p, ERR_VALIDATION,
				            arena_printf(a, "Неизвестное поле «%s»", key), fld);
		}
		jd = json_object_get(it, "date");
		jk = json_object_get(it, "kind");
		jn = json_object_get(it, "note");
		const char *ds = json_string_value(jd);
		if (!ds || calendar_parse_date(ds, json_string_length(jd), &v[i].day))
			return fail(p, ERR_VALIDATION, "Дата должна быть в виде ГГГГ-ММ-ДД", fdate);
		int y, m, d;
		calendar_ymd(v[i].day, &y, &m, &d);
		if (y != year)
			return fail(p, ERR_VALIDATION, arena_printf(a, "Дата вне %d года", year),
			            fdate);
		memcpy(v[i].date, ds, 10);
		v[i].date[10] = 0;
		v[i].kind = json_string_value(jk);
		if (!v[i].kind || (strcmp(v[i].kind, "holiday") && strcmp(v[i].kind, "workday")))
			return fail(p, ERR_VALIDATION, "Вид дня: holiday или workday",
			            arena_printf(a, "days[%zu].kind", i));
		if (!strcmp(v[i].kind, "workday") && calendar_weekday(v[i].day) < 5)
			return fail(p, ERR_VALIDATION,
			            "Рабочим днём можно объявить только субботу или воскресенье",
			            fdate);
		v[i].note = NULL;
		if (jn && !json_is_null(jn)) {
			if (!json_is_string(jn) ||
			    utf8_len(json_string_value(jn), json_string_length(jn)) > NOTE_MAX ||
			    !utf8_clean_text(json_string_value(jn), json_string_length(jn)))
				return fail(p, ERR_VALIDATION,
				            "Примечание: строка не длиннее 200 символов",
				            arena_printf(a, "days[%zu].note", i));
			v[i].note = arena_strdup(a, json_string_value(jn));
		}
		for (size_t k = 0; k < i; k++)
			if (v[k].day == v[i].day)
				return fail(p, ERR_VALIDATION, "Дата указана дважды", fdate);
	}
	qsort(v, cnt, sizeof(*v), day_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

struct cal_job {
	struct arena *a;
	const struct actor *who;
	int year;
	struct day_in *days;
	size_t n;
	json_t *out;
};

static int cal_put_fn(struct store_conn *c, void *arg)
{
	struct cal_job *j = arg;
	json_decref(j->out);
	j->out = NULL;
	json_t *before = NULL;
	char from[11], to[11];
	year_bounds(j->year, from, to);
	int64_t now = clock_now_ms();
	int rc = page_load(c, j->a, j->year, &before);
	if (!rc)
		rc = store_calendar_delete(c, from, to);
	for (size_t i = 0; !rc && i < j->n; i++)
		rc = store_calendar_insert(c, j->days[i].date, j->days[i].kind, j->days[i].note,
		                           now);
	if (!rc)
		rc = page_load(c, j->a, j->year, &j->out);
	if (!rc)
		rc = audit_record(c, j->who, "update", "calendar", j->year, before, j->out);
	if (!rc)
		rc = store_calendar_bump(c);
	json_decref(before);
	return rc;
}

int deadline_calendar_put(struct store *s, struct arena *a, const struct actor *who, int year,
                          json_t *days, json_t **out, struct deadline_problem *p)
{
	if (year < CALENDAR_YEAR_MIN || year > CALENDAR_YEAR_MAX)
		return fail(p, ERR_NOTFOUND, "Календарь ведётся на 2000–2100 годы", NULL);
	struct cal_job j = {.a = a, .who = who, .year = year};
	int rc = parse_days(a, year, days, &j.days, &j.n, p);
	if (rc)
		return rc;
	rc = store_write(s, cal_put_fn, &j);
	deadline_cache_invalidate(); /* this node sees the change at once (or a failed one's undo)
	                              */
	if (rc) {
		json_decref(j.out);
		return rc;
	}
	*out = j.out;
	return 0;
}

/* --- organisations' overrides ------------------------------------------------------------- */

static int org_load(struct store_conn *c, struct arena *a, int64_t org_id, json_t **out)
{
	bool exists;
	int rc = store_id_exists(c, "orgs", org_id, &exists);
	if (rc)
		return rc;
	if (!exists)
		return ERR_NOTFOUND;
	struct store_rows r;
	rc = store_org_deadlines(c, a, org_id, &r);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < r.nrows; i++) {
		bool all = store_rows_isnull(&r, i, 0);
		const char *name = store_rows_get(&r, i, 1);
		json_array_append_new(
		    items, json_pack("{s:o,s:o,s:I,s:s}", "topic_id",
		                     all ? json_null() : json_integer(store_rows_i64(&r, i, 0)),
		                     "topic_name", name && !all ? json_string(name) : json_null(),
		                     "deadline", (json_int_t)store_rows_i64(&r, i, 2),
		                     "deadline_unit", store_rows_get(&r, i, 3)));
	}
	*out = json_pack("{s:I,s:o}", "org_id", (json_int_t)org_id, "items", items);
	return 0;
}

int deadline_org_get(struct store *s, struct arena *a, int64_t org_id, json_t **out)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	rc = org_load(c, a, org_id, out);
	store_conn_put(s, c);
	return rc;
}

struct org_in {
	int64_t topic_id; /* 0 = all topics */
	int64_t deadline;
	const char *unit;
};

/* Shape and range checks (topics' existence is checked in the write job). */
static int parse_items(struct arena *a, json_t *items, struct org_in **out, size_t *n,
                       struct deadline_problem *p)
{
	if (!json_is_array(items))
		return fail(p, ERR_VALIDATION, "Ожидается массив сроков", "items");
	size_t cnt = json_array_size(items);
	if (cnt > OVERRIDES_MAX)
		return fail(p, ERR_VALIDATION, "Слишком много сроков (не больше 1000)", "items");
	struct org_in *v = arena_alloc(a, (cnt + 1) * sizeof(*v));
	for (size_t i = 0; i < cnt; i++) {
		json_t *it = json_array_get(items, i);
		const char *fld = arena_printf(a, "items[%zu]", i);
		if (!json_is_object(it))
			return fail(p, ERR_VALIDATION,
			            "Ожидается объект {topic_id, deadline, deadline_unit}", fld);
		const char *key;
		json_t *val;
		json_object_foreach(it, key, val)
		{
			if (strcmp(key, "topic_id") && strcmp(key, "deadline") &&
			    strcmp(key, "deadline_unit"))
				return fail(p, ERR_VALIDATION,
				            arena_printf(a, "Неизвестное поле «%s»", key), fld);
		}
		json_t *jt = json_object_get(it, "topic_id"), *jd = json_object_get(it, "deadline");
		const char *ftopic = arena_printf(a, "items[%zu].topic_id", i);
		if (jt && !json_is_null(jt) && (!json_is_integer(jt) || json_integer_value(jt) < 1))
			return fail(p, ERR_VALIDATION, "Тема: номер темы или null (все темы)",
			            ftopic);
		v[i].topic_id = json_is_integer(jt) ? json_integer_value(jt) : 0;
		if (!json_is_integer(jd) || json_integer_value(jd) < 1 ||
		    json_integer_value(jd) > DEADLINE_MAX)
			return fail(p, ERR_VALIDATION, "Срок: целое число от 1 до 8760",
			            arena_printf(a, "items[%zu].deadline", i));
		v[i].deadline = json_integer_value(jd);
		v[i].unit = json_string_value(json_object_get(it, "deadline_unit"));
		if (!v[i].unit || (strcmp(v[i].unit, "wdays") && strcmp(v[i].unit, "hours")))
			return fail(p, ERR_VALIDATION, "Единица срока: wdays или hours",
			            arena_printf(a, "items[%zu].deadline_unit", i));
		v[i].unit = arena_strdup(a, v[i].unit);
		for (size_t k = 0; k < i; k++)
			if (v[k].topic_id == v[i].topic_id)
				return fail(p, ERR_VALIDATION,
				            v[i].topic_id ? "Тема указана дважды"
				                          : "Срок для всех тем указан дважды",
				            ftopic);
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* The org exists (else ERR_NOTFOUND) and who may change its overrides (else ERR_FORBIDDEN). */
static int org_access(struct store_conn *c, const struct actor *who, int64_t org_id,
                      struct deadline_problem *p)
{
	bool ok = false;
	int rc = store_id_exists(c, "orgs", org_id, &ok);
	if (rc)
		return rc;
	if (!ok)
		return fail(p, ERR_NOTFOUND, "Организация не найдена", NULL);
	if (who->roles & ROLE_ADMIN)
		return 0;
	rc = perm_org_scope(c, who, ROLE_SUPERVISOR, org_id, &ok);
	if (!rc && !ok)
		rc = fail(p, ERR_FORBIDDEN, "Организация вне вашей зоны ответственности", NULL);
	return rc;
}

struct org_job {
	struct arena *a;
	const struct actor *who;
	int64_t org_id;
	struct org_in *items;
	size_t n;
	json_t *out;
	struct deadline_problem *p;
};

static int org_put_fn(struct store_conn *c, void *arg)
{
	struct org_job *j = arg;
	json_decref(j->out);
	j->out = NULL;
	j->p->message = j->p->field = NULL;
	json_t *before = NULL;
	int rc = org_access(c, j->who, j->org_id, j->p);
	if (!rc)
		rc = org_load(c, j->a, j->org_id, &before);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < j->n; i++) {
		if (!j->items[i].topic_id)
			continue;
		bool exists;
		rc = store_id_exists(c, "topics", j->items[i].topic_id, &exists);
		if (!rc && !exists)
			rc = fail(j->p, ERR_VALIDATION, "Нет такой темы",
			          arena_printf(j->a, "items[%zu].topic_id", i));
	}
	int64_t now = clock_now_ms();
	if (!rc)
		rc = store_org_deadlines_delete(c, j->org_id);
	for (size_t i = 0; !rc && i < j->n; i++)
		rc = store_org_deadline_insert(c, j->org_id, j->items[i].topic_id,
		                               j->items[i].deadline, j->items[i].unit, now);
	if (!rc)
		rc = org_load(c, j->a, j->org_id, &j->out);
	if (!rc)
		rc = audit_record(c, j->who, "update", "org_deadlines", j->org_id, before, j->out);
	if (!rc)
		rc = store_org_deadlines_bump(c);
	json_decref(before);
	return rc;
}

int deadline_org_put(struct store *s, struct arena *a, const struct actor *who, int64_t org_id,
                     json_t *items, json_t **out, struct deadline_problem *p)
{
	struct org_job j = {.a = a, .who = who, .org_id = org_id, .p = p};
	/* Who and which org first: a stranger learns nothing from validation messages. */
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	rc = org_access(c, who, org_id, p);
	store_conn_put(s, c);
	if (!rc)
		rc = parse_items(a, items, &j.items, &j.n, p);
	if (rc)
		return rc;
	rc = store_write(s, org_put_fn, &j);
	deadline_cache_invalidate();
	if (rc) {
		json_decref(j.out);
		return rc;
	}
	*out = j.out;
	return 0;
}
