/* fuzz_facts.c: libFuzzer target for the executor assistant's readers of appeal texts
 * (src/text/facts.c, plain.c, scan.c) on arbitrary bytes: facts lie inside the text, in order,
 * never overlapping, with a NUL-terminated value; essence sentences lie inside the text in
 * order; the plain-language rewrite keeps valid UTF-8 valid and reports changes in order. */
#include "core/arena.h"
#include "core/utf8.h"
#include "text/facts.h"
#include "text/plain.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct text_fact f[64];
	size_t max = size ? 1 + data[0] % 64 : 64;
	size_t n = text_facts(s, size, f, max);
	if (n > max)
		abort();
	size_t end = 0;
	for (size_t i = 0; i < n; i++) {
		if (f[i].kind >= FACT_KINDS || !f[i].len || f[i].off < end ||
		    (size_t)f[i].off + f[i].len > size ||
		    !memchr(f[i].value, 0, sizeof(f[i].value)) || !*text_fact_kind_name(f[i].kind))
			abort();
		end = (size_t)f[i].off + f[i].len;
	}
	struct text_span sp[3];
	size_t ns = text_essence(s, size, sp, 3);
	end = 0;
	for (size_t i = 0; i < ns; i++) {
		if (ns > 3 || !sp[i].len || sp[i].off < end || (size_t)sp[i].off + sp[i].len > size)
			abort();
		end = (size_t)sp[i].off + sp[i].len;
	}
	struct arena a;
	arena_init(&a, 4096);
	const char *out;
	struct text_change *ch;
	size_t nch;
	text_plain(&a, s, size, &out, &ch, &nch);
	if (!out || (nch && !ch))
		abort();
	end = 0;
	for (size_t i = 0; i < nch; i++) {
		if (!ch[i].len || ch[i].off < end || (size_t)ch[i].off + ch[i].len > size ||
		    !ch[i].to)
			abort();
		end = (size_t)ch[i].off + ch[i].len;
	}
	if (!nch && (strlen(out) != strnlen(s, size) || memcmp(out, s, strlen(out))))
		abort(); /* nothing replaced: the text comes back as it was (up to a NUL byte) */
	if (utf8_valid(s, size) && !memchr(s, 0, size) && !utf8_valid(out, strlen(out)))
		abort();
	arena_release(&a);
	return 0;
}
