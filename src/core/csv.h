/* csv.h: an RFC 4180 CSV reader (quoted fields may hold commas, quotes and newlines) and field
 * writer. */
#ifndef OTKLIK_CORE_CSV_H
#define OTKLIK_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>

struct csv_reader {
	const char *p, *end;
	size_t line;      /* 1-based line number where the current record started */
	size_t next_line; /* where the next record starts */
	char **fields;
	size_t *lens;
	size_t nfields, cap, lens_cap;
	size_t *starts;
	size_t starts_cap;
	char *scratch;
	size_t scratch_cap;
};

/* Reads from the memory s[0..n); s must outlive the reader. A leading UTF-8 BOM is skipped. */
void csv_init(struct csv_reader *r, const char *s, size_t n);
void csv_release(struct csv_reader *r);
/* Next record: 1 when one was read (fields valid until the next call), 0 at the end,
 * ERR_INVALID on a malformed record (unterminated quote, garbage after a closing quote). */
int csv_next(struct csv_reader *r);

struct buf;
/* Appends s as one field: quoted (quotes doubled) when it holds a comma, quote, CR or LF; NULL
 * is an empty field. */
void csv_put_field(struct buf *b, const char *s);
/* Appends s quoted, with prefix (e.g. "'") inside the quotes before it. */
void csv_put_quoted(struct buf *b, const char *prefix, const char *s);

#endif
