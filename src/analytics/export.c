/* export.c: dashboard tables as CSV and XLSX files, and the dashboard answers as tables. */
#include "analytics/export.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/analytics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define EXPORT_MAX (64u << 20) /* the largest file an export builds */

void xtable_init(struct xtable *t, struct arena *a, const char *sheet, const char *const *headers,
                 size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->a = a;
	t->sheet = sheet;
	t->headers = headers;
	t->ncols = ncols;
}

static struct xcell *xtable_next(struct xtable *t)
{
	if (t->ncells == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct xcell *c = arena_alloc(t->a, cap * sizeof(*c));
		if (t->ncells)
			memcpy(c, t->cells, t->ncells * sizeof(*c));
		t->cells = c;
		t->cap = cap;
	}
	struct xcell *c = &t->cells[t->ncells++];
	memset(c, 0, sizeof(*c));
	return c;
}

void xtable_null(struct xtable *t)
{
	xtable_next(t)->type = XC_NULL;
}

void xtable_int(struct xtable *t, long long v)
{
	struct xcell *c = xtable_next(t);
	c->type = XC_INT;
	c->i = v;
}

void xtable_num(struct xtable *t, double v)
{
	struct xcell *c = xtable_next(t);
	c->type = isnan(v) || isinf(v) ? XC_NULL : XC_NUM;
	c->d = v;
}

void xtable_text(struct xtable *t, const char *s)
{
	struct xcell *c = xtable_next(t);
	c->type = s ? XC_TEXT : XC_NULL;
	c->s = s ? arena_strdup(t->a, s) : NULL;
}

void xtable_json(struct xtable *t, const json_t *v)
{
	if (json_is_integer(v))
		xtable_int(t, json_integer_value(v));
	else if (json_is_real(v))
		xtable_num(t, json_real_value(v));
	else if (json_is_string(v))
		xtable_text(t, json_string_value(v));
	else if (json_is_boolean(v))
		xtable_int(t, json_is_true(v));
	else
		xtable_null(t);
}

/* --- CSV ------------------------------------------------------------------------------------ */

void export_csv_field(struct buf *b, const char *s)
{
	/* =, +, -, @ (and tab, CR) start a formula in a spreadsheet: keep it text */
	if (s && s[0] && strchr("=+-@\t\r", s[0]))
		csv_put_quoted(b, "'", s);
	else
		csv_put_field(b, s);
}

/* A number with up to four decimals, without trailing zeros. */
static void csv_num(struct buf *b, double v)
{
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%.4f", v);
	char *dot = strchr(tmp, '.');
	if (dot) {
		char *e = tmp + strlen(tmp) - 1;
		while (e > dot && *e == '0')
			*e-- = '\0';
		if (e == dot)
			*e = '\0';
	}
	buf_puts(b, strcmp(tmp, "-0") ? tmp : "0");
}

int export_csv(const struct xtable *t, struct arena *a, const char **out, size_t *len)
{
	struct buf b = BUF_INIT(EXPORT_MAX);
	buf_puts(&b, "\xEF\xBB\xBF");
	for (size_t i = 0; i < t->ncols; i++) {
		if (i)
			buf_puts(&b, ",");
		export_csv_field(&b, t->headers[i]);
	}
	buf_puts(&b, "\r\n");
	for (size_t k = 0; k < t->ncells; k++) {
		const struct xcell *c = &t->cells[k];
		if (k % t->ncols)
			buf_puts(&b, ",");
		switch (c->type) {
		case XC_INT: buf_printf(&b, "%lld", c->i); break;
		case XC_NUM: csv_num(&b, c->d); break;
		case XC_TEXT: export_csv_field(&b, c->s); break;
		case XC_NULL: break;
		}
		if (k % t->ncols == t->ncols - 1)
			buf_puts(&b, "\r\n");
	}
	if (b.overflow) {
		buf_release(&b);
		return ERR_TOOLARGE;
	}
	*out = arena_strndup(a, b.data, b.len);
	*len = b.len;
	buf_release(&b);
	return 0;
}

/* --- XLSX ----------------------------------------------------------------------------------- */

/* mkdir -p */
static int make_dirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		int rc = mkdir(path, 0750);
		*s = '/';
		if (rc && errno != EEXIST)
			return -1;
	}
	if (mkdir(path, 0750) && errno != EEXIST)
		return -1;
	return 0;
}

static int read_file(const char *path, struct arena *a, const char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ERR_INTERNAL;
	int rc = ERR_INTERNAL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		if (n >= 0 && (unsigned long)n <= EXPORT_MAX && fseek(f, 0, SEEK_SET) == 0) {
			char *data = arena_alloc(a, (size_t)n + 1);
			if (fread(data, 1, (size_t)n, f) == (size_t)n) {
				*out = data;
				*len = (size_t)n;
				rc = 0;
			}
		}
	}
	fclose(f);
	return rc;
}

int export_xlsx(const struct xtable *t, struct arena *a, const char **out, size_t *len)
{
	const char *d = getenv("OTKLIK_DATA_DIR");
	char *dir = arena_printf(a, "%s/tmp", d && *d ? d : "var");
	if (make_dirs(dir)) {
		log_error("export_xlsx", "cannot create %s", dir);
		return ERR_INTERNAL;
	}
	char *path = arena_printf(a, "%s/export-XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0) {
		log_error("export_xlsx", "cannot create a file under %s", dir);
		return ERR_INTERNAL;
	}
	close(fd);
	lxw_workbook_options opt = {.constant_memory = 0, .tmpdir = dir, .use_zip64 = 0};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	int rc = ERR_INTERNAL;
	if (!wb)
		goto out;
	lxw_worksheet *ws = workbook_add_worksheet(wb, t->sheet);
	lxw_format *head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_text_wrap(head);
	worksheet_set_column(ws, 0, (lxw_col_t)(t->ncols ? t->ncols - 1 : 0), 18, NULL);
	for (size_t i = 0; i < t->ncols; i++)
		worksheet_write_string(ws, 0, (lxw_col_t)i, t->headers[i], head);
	for (size_t k = 0; k < t->ncells; k++) {
		const struct xcell *c = &t->cells[k];
		lxw_row_t row = (lxw_row_t)(k / t->ncols + 1);
		lxw_col_t col = (lxw_col_t)(k % t->ncols);
		switch (c->type) {
		case XC_INT: worksheet_write_number(ws, row, col, (double)c->i, NULL); break;
		case XC_NUM: worksheet_write_number(ws, row, col, c->d, NULL); break;
		case XC_TEXT: worksheet_write_string(ws, row, col, c->s, NULL); break;
		case XC_NULL: break;
		}
	}
	lxw_error err = workbook_close(wb);
	if (err != LXW_NO_ERROR) {
		log_error("export_xlsx", "libxlsxwriter: %s", lxw_strerror(err));
		goto out;
	}
	rc = read_file(path, a, out, len);
out:
	unlink(path);
	return rc;
}

/* --- the dashboard's answers as tables ------------------------------------------------------ */

static const char *const figure_keys[] = {
    "received",       "answered",         "on_time_share",
    "late",           "avg_review_hours", "median_review_hours",
    "rated",          "satisfaction",     "avg_rating",
    "rereview_share", "redirect_share",   "rejected"};
static const char *const figure_names[] = {"Поступило",
                                           "Отвечено",
                                           "Доля ответов в срок",
                                           "Просрочено",
                                           "Среднее время ответа, ч",
                                           "Медианное время ответа, ч",
                                           "Оценено",
                                           "Удовлетворённость",
                                           "Средняя оценка",
                                           "Доля повторных рассмотрений",
                                           "Доля перенаправлений",
                                           "Отклонено"};
#define NFIG (sizeof(figure_keys) / sizeof(figure_keys[0]))

static const char *sget(const json_t *o, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(o, k1);
	if (k2)
		v = json_object_get(v, k2);
	return json_string_value(v);
}

void export_summary_table(struct xtable *t, struct arena *a, const json_t *s)
{
	static const char *const h[] = {"Показатель", "Текущий период", "Предыдущий период"};
	xtable_init(t, a, "Сводка", h, 3);
	xtable_text(t, "Начало периода");
	xtable_text(t, sget(s, "period", "from"));
	xtable_text(t, sget(s, "previous", "from"));
	xtable_text(t, "Конец периода");
	xtable_text(t, sget(s, "period", "to"));
	xtable_text(t, sget(s, "previous", "to"));
	const json_t *cur = json_object_get(s, "figures"),
	             *prev = json_object_get(s, "previous_figures");
	for (size_t i = 0; i < NFIG; i++) {
		xtable_text(t, figure_names[i]);
		xtable_json(t, json_object_get(cur, figure_keys[i]));
		xtable_json(t, json_object_get(prev, figure_keys[i]));
	}
	const json_t *now = json_object_get(s, "now");
	xtable_text(t, "В работе сейчас");
	xtable_json(t, json_object_get(now, "in_work"));
	xtable_null(t);
	xtable_text(t, "Просрочено сейчас");
	xtable_json(t, json_object_get(now, "overdue"));
	xtable_null(t);
}

static const char *metric_name(const char *m)
{
	static const char *const keys[] = {"received", "answered", "late", "satisfaction",
	                                   "median_review_hours"};
	static const char *const names[] = {"Поступило", "Отвечено", "Просрочено",
	                                    "Удовлетворённость", "Медианное время ответа, ч"};
	for (size_t i = 0; m && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(m, keys[i]))
			return names[i];
	return "Значение";
}

void export_series_table(struct xtable *t, struct arena *a, const json_t *s)
{
	const char *name = metric_name(json_string_value(json_object_get(s, "metric")));
	const char **h = arena_alloc(a, 6 * sizeof(*h));
	h[0] = "Начало";
	h[1] = "Конец";
	h[2] = name;
	h[3] = "Начало (предыдущий период)";
	h[4] = "Конец (предыдущий период)";
	h[5] = arena_printf(a, "%s (предыдущий период)", name);
	xtable_init(t, a, "Динамика", h, 6);
	const json_t *cur = json_object_get(s, "points"),
	             *prev = json_object_get(s, "previous_points");
	size_t n = json_array_size(cur) > json_array_size(prev) ? json_array_size(cur)
	                                                        : json_array_size(prev);
	for (size_t i = 0; i < n; i++) {
		const json_t *pc = json_array_get(cur, i), *pp = json_array_get(prev, i);
		xtable_json(t, json_object_get(pc, "from"));
		xtable_json(t, json_object_get(pc, "to"));
		xtable_json(t, json_object_get(pc, "value"));
		xtable_json(t, json_object_get(pp, "from"));
		xtable_json(t, json_object_get(pp, "to"));
		xtable_json(t, json_object_get(pp, "value"));
	}
}

void export_breakdown_table(struct xtable *t, struct arena *a, const json_t *b)
{
	const char **h = arena_alloc(a, (2 + 2 * NFIG) * sizeof(*h));
	h[0] = "ID";
	h[1] = "Название";
	for (size_t i = 0; i < NFIG; i++) {
		h[2 + i] = figure_names[i];
		h[2 + NFIG + i] = arena_printf(a, "%s (предыдущий период)", figure_names[i]);
	}
	xtable_init(t, a, "Разрез", h, 2 + 2 * NFIG);
	const json_t *rows = json_object_get(b, "rows");
	for (size_t r = 0; r < json_array_size(rows); r++) {
		const json_t *row = json_array_get(rows, r);
		xtable_json(t, json_object_get(row, "id"));
		xtable_json(t, json_object_get(row, "name"));
		for (size_t i = 0; i < NFIG; i++)
			xtable_json(t, json_object_get(row, figure_keys[i]));
		const json_t *prev = json_object_get(row, "previous");
		for (size_t i = 0; i < NFIG; i++)
			xtable_json(t, json_object_get(prev, figure_keys[i]));
	}
}

/* "2026-01-31 14:05" (Moscow time) of ms, or an empty cell. */
static void xtable_time(struct xtable *t, struct arena *a, const json_t *v)
{
	if (!json_is_integer(v)) {
		xtable_null(t);
		return;
	}
	long long ms = json_integer_value(v);
	int32_t day = stat_day_of_ms(ms);
	char d[11];
	stat_day_format(day, d);
	long long in_day = ms + 3LL * 3600 * 1000 - (long long)day * 86400000LL;
	xtable_text(
	    t, arena_printf(a, "%s %02lld:%02lld", d, in_day / 3600000, in_day % 3600000 / 60000));
}

void export_problems_table(struct xtable *t, struct arena *a, const json_t *p)
{
	static const char *const h[] = {"ID",
	                                "Проблема",
	                                "Тема",
	                                "Территория",
	                                "Всего обращений",
	                                "За период",
	                                "За предыдущий период",
	                                "Рост",
	                                "Статус",
	                                "Возвращалась",
	                                "Широта",
	                                "Долгота",
	                                "Первое обращение",
	                                "Последнее обращение",
	                                "Органы",
	                                "Последний сигнал"};
	xtable_init(t, a, "Проблемы", h, sizeof(h) / sizeof(h[0]));
	const json_t *items = json_object_get(p, "items");
	for (size_t r = 0; r < json_array_size(items); r++) {
		const json_t *it = json_array_get(items, r);
		xtable_json(t, json_object_get(it, "id"));
		xtable_json(t, json_object_get(it, "label"));
		xtable_json(t, json_object_get(it, "topic_name"));
		xtable_json(t, json_object_get(it, "territory_name"));
		xtable_json(t, json_object_get(it, "size"));
		xtable_json(t, json_object_get(it, "in_period"));
		xtable_json(t, json_object_get(it, "previous"));
		xtable_json(t, json_object_get(it, "growth"));
		const char *st = json_string_value(json_object_get(it, "status"));
		xtable_text(t, st && !strcmp(st, "solved") ? "решена" : "открыта");
		xtable_text(t, json_is_true(json_object_get(it, "returned")) ? "да" : "нет");
		xtable_json(t, json_object_get(it, "lat"));
		xtable_json(t, json_object_get(it, "lon"));
		xtable_time(t, a, json_object_get(it, "first_at"));
		xtable_time(t, a, json_object_get(it, "last_at"));
		struct buf b = BUF_INIT(1u << 16);
		const json_t *bodies = json_object_get(it, "bodies");
		for (size_t i = 0; i < json_array_size(bodies); i++) {
			const json_t *bo = json_array_get(bodies, i);
			const char *name = json_string_value(json_object_get(bo, "name"));
			buf_printf(&b, "%s%s (%lld)", i ? "; " : "", name ? name : "",
			           (long long)json_integer_value(json_object_get(bo, "appeals")));
		}
		xtable_text(t, b.data ? b.data : "");
		buf_release(&b);
		const json_t *al = json_array_get(json_object_get(it, "alarms"), 0);
		xtable_json(t, json_object_get(al, "reason"));
	}
}

void export_timeline_table(struct xtable *t, struct arena *a, const json_t *tl)
{
	static const char *const h[] = {"День", "Обращений"};
	xtable_init(t, a, "Хронология", h, 2);
	const json_t *pts = json_object_get(tl, "points");
	for (size_t i = 0; i < json_array_size(pts); i++) {
		const json_t *pt = json_array_get(pts, i);
		xtable_json(t, json_object_get(pt, "day"));
		xtable_json(t, json_object_get(pt, "appeals"));
	}
}
