/* dataset.c: loads appeal rows from CSV into memory for training and evaluation. */
#include "text/dataset.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	C_ID,
	C_CREATED,
	C_CATID,
	C_CAT,
	C_REASON,
	C_DISTRICT,
	C_MUNI,
	C_LAT,
	C_LON,
	C_EXEC,
	C_TEXT,
	C_N
};
static const char *const colnames[C_N] = {"id",        "created_at",   "category_id",  "category",
                                          "reason_id", "district",     "municipality", "lat",
                                          "lon",       "executor_org", "text"};

int64_t dataset_parse_time(const char *s)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (sscanf(s, "%4d-%2d-%2d", &y, &mo, &d) != 3)
		return 0;
	if (strlen(s) >= 19)
		sscanf(s + 11, "%2d:%2d:%2d", &h, &mi, &sec);
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = sec};
	return (int64_t)timegm(&tm);
}

static const char *keep(struct dataset *ds, const char *s, size_t n)
{
	if (n == 0)
		return "";
	if (ds->nstrs + 1 > ds->strs_cap)
		ds->strs = xgrow(ds->strs, sizeof(*ds->strs), ds->nstrs + 1, &ds->strs_cap);
	return ds->strs[ds->nstrs++] = xstrndup(s, n);
}

static double num(const char *s, size_t n)
{
	char b[64];
	if (n == 0 || n >= sizeof(b))
		return NAN;
	memcpy(b, s, n);
	b[n] = '\0';
	char *e;
	double v = strtod(b, &e);
	return e == b ? NAN : v;
}

int dataset_load(struct dataset *ds, const char *path, size_t *errline)
{
	memset(ds, 0, sizeof(*ds));
	FILE *f = fopen(path, "rb");
	if (!f)
		return ERR_NOTFOUND;
	char *data = NULL;
	size_t len = 0, cap = 0, got;
	do {
		data = xgrow(data, 1, len + 65536, &cap);
		got = fread(data + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	struct csv_reader r;
	csv_init(&r, data, len);
	int col[C_N], rc;
	for (int i = 0; i < C_N; i++)
		col[i] = -1;
	rc = csv_next(&r);
	if (rc != 1) {
		rc = ERR_INVALID;
		goto out;
	}
	for (size_t i = 0; i < r.nfields; i++)
		for (int c = 0; c < C_N; c++)
			if (strlen(colnames[c]) == r.lens[i] &&
			    memcmp(colnames[c], r.fields[i], r.lens[i]) == 0)
				col[c] = (int)i;
	if (col[C_ID] < 0 || col[C_TEXT] < 0 || col[C_CREATED] < 0) {
		rc = ERR_INVALID;
		goto out;
	}
	while ((rc = csv_next(&r)) == 1) {
		const char *fv[C_N];
		size_t fl[C_N];
		for (int c = 0; c < C_N; c++) {
			int i = col[c];
			fv[c] = i >= 0 && (size_t)i < r.nfields ? r.fields[i] : "";
			fl[c] = i >= 0 && (size_t)i < r.nfields ? r.lens[i] : 0;
		}
		if (ds->n + 1 > ds->cap)
			ds->rows = xgrow(ds->rows, sizeof(*ds->rows), ds->n + 1, &ds->cap);
		struct dataset_row *w = &ds->rows[ds->n++];
		w->id = keep(ds, fv[C_ID], fl[C_ID]);
		w->category_id = keep(ds, fv[C_CATID], fl[C_CATID]);
		w->category = keep(ds, fv[C_CAT], fl[C_CAT]);
		w->reason_id = keep(ds, fv[C_REASON], fl[C_REASON]);
		w->district = keep(ds, fv[C_DISTRICT], fl[C_DISTRICT]);
		w->municipality = keep(ds, fv[C_MUNI], fl[C_MUNI]);
		w->executor = keep(ds, fv[C_EXEC], fl[C_EXEC]);
		w->text = keep(ds, fv[C_TEXT], fl[C_TEXT]);
		w->text_len = fl[C_TEXT];
		w->created = dataset_parse_time(keep(ds, fv[C_CREATED], fl[C_CREATED]));
		w->lat = num(fv[C_LAT], fl[C_LAT]);
		w->lon = num(fv[C_LON], fl[C_LON]);
	}
	if (rc < 0 && errline)
		*errline = r.line;
out:
	csv_release(&r);
	free(data);
	if (rc < 0) {
		dataset_release(ds);
		return rc;
	}
	return 0;
}

void dataset_release(struct dataset *ds)
{
	for (size_t i = 0; i < ds->nstrs; i++)
		free(ds->strs[i]);
	free(ds->strs);
	free(ds->rows);
	memset(ds, 0, sizeof(*ds));
}
