/* export.h: the dashboard's tables as files — CSV (RFC 4180, UTF-8 with a BOM for Excel) and
 * XLSX (libxlsxwriter) — with the column names in Russian in the first row. */
#ifndef OTKLIK_ANALYTICS_EXPORT_H
#define OTKLIK_ANALYTICS_EXPORT_H

#include "core/arena.h"
#include "core/buf.h"

#include <jansson.h>
#include <stddef.h>

enum xcell_type { XC_NULL, XC_INT, XC_NUM, XC_TEXT };

struct xcell {
	enum xcell_type type;
	long long i;
	double d;
	const char *s;
};

/* A table: ncols headers and cells row after row (arena-owned). */
struct xtable {
	struct arena *a;
	const char *sheet; /* the worksheet's name (at most 31 characters) */
	const char *const *headers;
	size_t ncols, ncells, cap;
	struct xcell *cells;
};

void xtable_init(struct xtable *t, struct arena *a, const char *sheet, const char *const *headers,
                 size_t ncols);
void xtable_null(struct xtable *t);
void xtable_int(struct xtable *t, long long v);
/* NaN is written as an empty cell. */
void xtable_num(struct xtable *t, double v);
/* NULL is written as an empty cell; the text is copied. */
void xtable_text(struct xtable *t, const char *s);
/* A JSON value as a cell: integer, real, string, true/false as 1/0, anything else empty. */
void xtable_json(struct xtable *t, const json_t *v);

/* One CSV field (quoted when it holds a comma, quote, CR or LF; a text that a spreadsheet
 * would take for a formula gets a leading apostrophe). */
void export_csv_field(struct buf *b, const char *s);
/* The table as CSV: BOM, header row, rows, CRLF line ends. 0 or ERR_TOOLARGE. */
int export_csv(const struct xtable *t, struct arena *a, const char **out, size_t *len);
/* The table as an XLSX workbook of one sheet, built in a temporary file under the data
 * directory and read back. 0 or ERR_INTERNAL (logged). */
int export_xlsx(const struct xtable *t, struct arena *a, const char **out, size_t *len);

/* The dashboard's JSON answers as tables (dash_summary, dash_series, dash_breakdown,
 * dash_problems, dash_problem_timeline). */
void export_summary_table(struct xtable *t, struct arena *a, const json_t *summary);
void export_series_table(struct xtable *t, struct arena *a, const json_t *series);
void export_breakdown_table(struct xtable *t, struct arena *a, const json_t *breakdown);
void export_problems_table(struct xtable *t, struct arena *a, const json_t *problems);
void export_timeline_table(struct xtable *t, struct arena *a, const json_t *timeline);

#endif
