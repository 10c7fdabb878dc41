/* stem.c: wrapper over libstemmer's Russian (UTF-8) Snowball stemmer. */
#include "text/stem.h"
#include "core/err.h"

#include <libstemmer.h>
#include <string.h>

int text_stemmer_init(struct text_stemmer *st)
{
	st->sb = sb_stemmer_new("russian", "UTF_8");
	return st->sb ? 0 : ERR_INTERNAL;
}

void text_stemmer_release(struct text_stemmer *st)
{
	if (st->sb)
		sb_stemmer_delete(st->sb);
	st->sb = NULL;
}

const char *text_stem(struct text_stemmer *st, const char *w, size_t n, size_t *out_len)
{
	const sb_symbol *r = sb_stemmer_stem(st->sb, (const sb_symbol *)w, (int)n);
	if (!r) { /* only on out-of-memory inside libstemmer */
		*out_len = n;
		return w;
	}
	*out_len = (size_t)sb_stemmer_length(st->sb);
	return (const char *)r;
}
