/* csv.c: RFC 4180 reader (field text is unescaped into one scratch buffer per record) and field
 * writer. */
#include "core/csv.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

void csv_init(struct csv_reader *r, const char *s, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->p = s;
	r->end = s + n;
	if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
	    (unsigned char)s[2] == 0xBF)
		r->p += 3;
	r->line = r->next_line = 1;
}

void csv_release(struct csv_reader *r)
{
	free(r->fields);
	free(r->lens);
	free(r->starts);
	free(r->scratch);
	memset(r, 0, sizeof(*r));
}

int csv_next(struct csv_reader *r)
{
	if (r->p >= r->end)
		return 0;
	/* Unescaped output never exceeds the input consumed plus one NUL per field separator. */
	r->scratch = xgrow(r->scratch, 1, (size_t)(r->end - r->p) + 2, &r->scratch_cap);
	char *out = r->scratch;
	size_t o = 0, nf = 0, newlines = 0;
	const char *p = r->p;
	r->line = r->next_line;
	for (;;) {
		r->starts = xgrow(r->starts, sizeof(*r->starts), nf + 1, &r->starts_cap);
		r->starts[nf++] = o;
		if (p < r->end && *p == '"') {
			p++;
			for (;;) {
				if (p >= r->end)
					return ERR_INVALID; /* unterminated quote */
				if (*p == '"') {
					if (p + 1 < r->end && p[1] == '"') {
						out[o++] = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\n')
					newlines++;
				out[o++] = *p++;
			}
			if (p < r->end && *p != ',' && *p != '\n' && *p != '\r')
				return ERR_INVALID; /* text after a closing quote */
		} else {
			while (p < r->end && *p != ',' && *p != '\n' && *p != '\r')
				out[o++] = *p++;
		}
		out[o++] = '\0';
		if (p < r->end && *p == ',') {
			p++;
			continue;
		}
		if (p < r->end && *p == '\r')
			p++;
		if (p < r->end && *p == '\n')
			p++;
		break;
	}
	r->fields = xgrow(r->fields, sizeof(*r->fields), nf, &r->cap);
	r->lens = xgrow(r->lens, sizeof(*r->lens), nf, &r->lens_cap);
	for (size_t i = 0; i < nf; i++) {
		r->fields[i] = out + r->starts[i];
		r->lens[i] = (i + 1 < nf ? r->starts[i + 1] : o) - r->starts[i] - 1;
	}
	r->nfields = nf;
	r->p = p;
	r->next_line = r->line + newlines + 1;
	return 1;
}

void csv_put_quoted(struct buf *b, const char *prefix, const char *s)
{
	buf_puts(b, "\"");
	buf_puts(b, prefix);
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '"')
			buf_puts(b, "\"\"");
		else
			buf_append(b, p, 1);
	}
	buf_puts(b, "\"");
}

void csv_put_field(struct buf *b, const char *s)
{
	if (!s)
		return;
	if (strpbrk(s, ",\"\r\n"))
		csv_put_quoted(b, "", s);
	else
		buf_puts(b, s);
}
