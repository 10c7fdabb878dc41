/* opendata.c: anonymised appeals as CSV, read page by page, generalised by k-anonymity. */
#include "analytics/opendata.h"
#include "analytics/export.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "store/analytics.h"
#include "store/dashboard.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OPENDATA_MAX  (64u << 20) /* bytes of one file */
#define OPENDATA_PAGE 2000
#define MAX_DEPTH     32

/* Territories by id (sorted), with their region and municipality resolved on demand. */
struct terr {
	int64_t id, parent;
	const char *kind, *name;
	int region, mun; /* indexes, -1 none, -2 not resolved yet */
};

struct terrs {
	struct terr *t;
	size_t n;
};

static int terr_find(const struct terrs *ts, int64_t id)
{
	size_t lo = 0, hi = ts->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ts->t[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ts->n && ts->t[lo].id == id ? (int)lo : -1;
}

static void terr_resolve(struct terrs *ts, int i)
{
	if (i < 0 || ts->t[i].region != -2)
		return;
	int region = -1, mun = -1;
	for (int k = i, depth = 0; k >= 0 && depth < MAX_DEPTH; depth++) {
		const struct terr *t = &ts->t[k];
		if (mun < 0 && region < 0 && !strcmp(t->kind, "municipality"))
			mun = k;
		if (region < 0 && !strcmp(t->kind, "region"))
			region = k;
		k = t->parent ? terr_find(ts, t->parent) : -1;
	}
	ts->t[i].region = region;
	ts->t[i].mun = mun;
}

/* Names by id (sorted by id). */
struct names {
	int64_t *id, *extra;
	const char **name;
	size_t n;
};

struct id_row {
	int64_t id;
	size_t row;
};

static int cmp_id_row(const void *a, const void *b)
{
	const struct id_row *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static void names_load(struct names *nm, struct arena *a, const struct store_rows *r,
                       size_t name_col, int extra_col)
{
	size_t n = r->nrows;
	nm->n = n;
	nm->id = arena_alloc(a, (n + 1) * sizeof(*nm->id));
	nm->extra = arena_alloc(a, (n + 1) * sizeof(*nm->extra));
	nm->name = arena_alloc(a, (n + 1) * sizeof(*nm->name));
	struct id_row *ord = xcalloc(n + 1, sizeof(*ord));
	for (size_t i = 0; i < n; i++)
		ord[i] = (struct id_row){store_rows_i64(r, i, 0), i};
	qsort(ord, n, sizeof(*ord), cmp_id_row);
	for (size_t j = 0; j < n; j++) {
		size_t i = ord[j].row;
		nm->id[j] = ord[j].id;
		nm->name[j] = store_rows_get(r, i, name_col);
		nm->extra[j] = extra_col >= 0 && !store_rows_isnull(r, i, (size_t)extra_col)
		                   ? store_rows_i64(r, i, (size_t)extra_col)
		                   : 0;
	}
	free(ord);
}

static int names_find(const struct names *nm, int64_t id)
{
	size_t lo = 0, hi = nm->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (nm->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nm->n && nm->id[lo] == id ? (int)lo : -1;
}

/* Appeals per (month, municipality, topic). */
struct cell {
	int32_t month;
	int64_t mun, topic, n;
};

static int cmp_cell(const void *a, const void *b)
{
	const struct cell *x = a, *y = b;
	if (x->month != y->month)
		return x->month < y->month ? -1 : 1;
	if (x->mun != y->mun)
		return x->mun < y->mun ? -1 : 1;
	return (x->topic > y->topic) - (x->topic < y->topic);
}

static int64_t cells_count(const struct cell *cells, size_t n, int32_t month, int64_t mun,
                           int64_t topic)
{
	struct cell k = {.month = month, .mun = mun, .topic = topic};
	const struct cell *f = bsearch(&k, cells, n, sizeof(*cells), cmp_cell);
	return f ? f->n : 0;
}

static void field(struct buf *b, const char *s, bool last)
{
	export_csv_field(b, s);
	buf_puts(b, last ? "\r\n" : ",");
}

int opendata_appeals_csv(struct store_conn *c, struct arena *a, int32_t from, int32_t to,
                         int64_t territory_id, const char **out, size_t *len)
{
	int64_t from_ms = store_dash_day_ms(from), end_ms = store_dash_day_ms(to + 1);
	struct store_rows tr = {0}, cr = {0}, pr = {0}, orr = {0}, counts = {0};
	int rc = store_dash_territories_all(c, a, &tr);
	if (!rc)
		rc = store_dash_categories(c, a, &cr);
	if (!rc)
		rc = store_dash_topics(c, a, 0, &pr);
	if (!rc)
		rc = store_dash_orgs(c, a, 0, &orr);
	if (!rc)
		rc = store_dash_open_counts(c, a, territory_id, from_ms, end_ms, &counts);
	if (rc)
		return rc;
	struct terrs ts = {.n = tr.nrows,
	                   .t = arena_alloc(a, (tr.nrows + 1) * sizeof(struct terr))};
	for (size_t i = 0; i < tr.nrows; i++) {
		ts.t[i] = (struct terr){
		    .id = store_rows_i64(&tr, i, 0),
		    .parent = store_rows_isnull(&tr, i, 1) ? 0 : store_rows_i64(&tr, i, 1),
		    .kind = store_rows_get(&tr, i, 2),
		    .name = store_rows_get(&tr, i, 3),
		    .region = -2,
		    .mun = -2,
		};
	}
	struct names cats, topics, orgs;
	names_load(&cats, a, &cr, 1, -1);
	names_load(&topics, a, &pr, 2, 1);
	names_load(&orgs, a, &orr, 1, 2);

	/* k-anonymity: appeals per (month, municipality, topic), from every appeal of the period */
	size_t ncells = 0;
	struct cell *cells = arena_alloc(a, (counts.nrows + 1) * sizeof(*cells));
	for (size_t i = 0; i < counts.nrows; i++) {
		int ti = terr_find(&ts, store_rows_i64(&counts, i, 0));
		terr_resolve(&ts, ti);
		int mun = ti >= 0 ? ts.t[ti].mun : -1;
		cells[ncells++] = (struct cell){
		    .month = stat_month_of_day((int32_t)store_rows_i64(&counts, i, 2)),
		    .mun = mun >= 0 ? ts.t[mun].id : 0,
		    .topic = store_rows_i64(&counts, i, 1),
		    .n = store_rows_i64(&counts, i, 3),
		};
	}
	qsort(cells, ncells, sizeof(*cells), cmp_cell);
	size_t m = 0;
	for (size_t i = 0; i < ncells; i++) {
		if (m && !cmp_cell(&cells[m - 1], &cells[i]))
			cells[m - 1].n += cells[i].n;
		else
			cells[m++] = cells[i];
	}
	ncells = m;

	struct buf b = BUF_INIT(OPENDATA_MAX);
	buf_puts(&b, "\xEF\xBB\xBF");
	static const char *const head[] = {
	    "Месяц",     "Регион",         "Муниципальное образование",
	    "Категория", "Тема",           "Орган",
	    "Статус",    "Дней до ответа", "Оценка",
	    "В срок",    "Широта",         "Долгота"};
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		field(&b, head[i], i + 1 == sizeof(head) / sizeof(head[0]));
	int64_t after_at = from_ms - 1, after_id = 0;
	for (;;) {
		struct arena pa;
		arena_init(&pa, 1u << 16);
		struct store_rows r = {0};
		rc = store_dash_open_page(c, &pa, territory_id, from_ms, end_ms, after_at, after_id,
		                          OPENDATA_PAGE, &r);
		for (size_t i = 0; !rc && i < r.nrows && !b.overflow; i++) {
			int64_t created = store_rows_i64(&r, i, 6);
			int32_t cday = stat_day_of_ms(created);
			int32_t month = stat_month_of_day(cday);
			int ti = terr_find(&ts, store_rows_i64(&r, i, 1));
			terr_resolve(&ts, ti);
			int region = ti >= 0 ? ts.t[ti].region : -1,
			    mun = ti >= 0 ? ts.t[ti].mun : -1;
			int64_t topic = store_rows_i64(&r, i, 3);
			bool general = mun >= 0 && cells_count(cells, ncells, month, ts.t[mun].id,
			                                       topic) < OPENDATA_K;
			char ym[11];
			stat_day_format(cday, ym);
			ym[7] = '\0';
			field(&b, ym, false);
			field(&b, region >= 0 ? ts.t[region].name : NULL, false);
			field(&b, mun >= 0 && !general ? ts.t[mun].name : NULL, false);
			int k = names_find(&cats, store_rows_i64(&r, i, 2));
			field(&b, k >= 0 ? cats.name[k] : NULL, false);
			k = names_find(&topics, topic);
			field(&b, k >= 0 ? topics.name[k] : NULL, false);
			/* a body of the municipality would name it again */
			const char *body = NULL;
			if (!store_rows_isnull(&r, i, 4) &&
			    (k = names_find(&orgs, store_rows_i64(&r, i, 4))) >= 0) {
				int oi = terr_find(&ts, orgs.extra[k]);
				terr_resolve(&ts, oi);
				bool of_mun = oi >= 0 && mun >= 0 && ts.t[oi].mun == mun;
				body = general && of_mun ? NULL : orgs.name[k];
			}
			field(&b, body, false);
			field(&b, store_rows_get(&r, i, 5), false);
			/* the first final answer and its deadline, as the rollups count them */
			bool facts = !store_rows_isnull(&r, i, 12);
			int64_t aday = facts ? store_rows_i64(&r, i, 12) : 0;
			if (facts && aday)
				buf_printf(&b, "%lld,", (long long)(aday - cday));
			else if (!facts && !store_rows_isnull(&r, i, 7))
				buf_printf(&b, "%d,",
				           stat_day_of_ms(store_rows_i64(&r, i, 7)) - cday);
			else
				buf_puts(&b, ",");
			field(&b, store_rows_get(&r, i, 9), false);
			if (facts && aday)
				buf_puts(&b, store_rows_i64(&r, i, 13) ? "1," : "0,");
			else
				buf_puts(&b, ",");
			if (!general && !store_rows_isnull(&r, i, 10) &&
			    !store_rows_isnull(&r, i, 11))
				buf_printf(&b, "%.2f,%.2f\r\n",
				           round(store_rows_f64(&r, i, 10) * 100) / 100,
				           round(store_rows_f64(&r, i, 11) * 100) / 100);
			else
				buf_puts(&b, ",\r\n");
		}
		size_t n = r.nrows;
		if (n) {
			after_at = store_rows_i64(&r, n - 1, 6);
			after_id = store_rows_i64(&r, n - 1, 0);
		}
		arena_release(&pa);
		if (rc || b.overflow || n < OPENDATA_PAGE)
			break;
	}
	if (!rc && b.overflow)
		rc = ERR_TOOLARGE;
	if (!rc) {
		*out = arena_strndup(a, b.data, b.len);
		*len = b.len;
	}
	buf_release(&b);
	return rc;
}
