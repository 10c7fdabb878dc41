/* dataset.h: appeal rows read from a portal CSV export (the nash-spb column layout). */
#ifndef OTKLIK_TEXT_DATASET_H
#define OTKLIK_TEXT_DATASET_H

#include <stddef.h>
#include <stdint.h>

/* One appeal. Strings point into the dataset's storage; empty fields are "". */
struct dataset_row {
	const char *id, *category_id, *category, *reason_id, *district, *municipality, *executor;
	const char *text;
	size_t text_len;
	int64_t created; /* seconds since the epoch (UTC), 0 when missing */
	double lat, lon; /* NAN when missing */
};

struct dataset {
	struct dataset_row *rows;
	size_t n, cap;
	char **strs; /* owned copies */
	size_t nstrs, strs_cap;
};

/* Reads path (columns found by header name; id, text and created_at are required).
 * Returns 0, ERR_NOTFOUND (cannot open), ERR_INVALID (malformed CSV or missing columns), with
 * *errline set to the offending line when non-NULL. Release with dataset_release. */
int dataset_load(struct dataset *ds, const char *path, size_t *errline);
/* Frees the rows and their strings. */
void dataset_release(struct dataset *ds);

/* Parses "YYYY-MM-DD[THH:MM:SS[.frac]]" (UTC); returns seconds or 0 on a malformed value. */
int64_t dataset_parse_time(const char *s);

#endif
