/* plain.c: bureaucratic phrases into plain ones (plain.h). */
#include "text/plain.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "text/scan.h"

#include <stdbool.h>
#include <string.h>

/* Each phrase is matched as whole words in lower case (ё as е, "," as a token); the
 * replacement takes the case of the phrase's first letter. Only replacements that keep the
 * words around them in the same grammatical case are listed ("в целях обеспечения" →
 * "для обеспечения": both take the genitive); "в соответствии с" → "по" would not. */
static const struct {
	const char *from, *to;
} phrases[] = {
    {"в связи с тем , что", "так как"},
    {"в связи с тем что", "так как"},
    {"ввиду того , что", "так как"},
    {"ввиду того что", "так как"},
    {"в случае , если", "если"},
    {"в случае если", "если"},
    {"доводим до вашего сведения", "сообщаем"},
    {"довожу до вашего сведения", "сообщаю"},
    {"не представляется возможным", "невозможно"},
    {"представляется возможным", "возможно"},
    {"в настоящее время", "сейчас"},
    {"в настоящий момент", "сейчас"},
    {"на сегодняшний день", "сегодня"},
    {"на текущий момент", "сейчас"},
    {"в кратчайшие сроки", "как можно скорее"},
    {"в максимально короткие сроки", "как можно скорее"},
    {"в установленные сроки", "в срок"},
    {"в установленный срок", "в срок"},
    {"в установленном порядке", "по правилам"},
    {"в обязательном порядке", "обязательно"},
    {"в плановом порядке", "по плану"},
    {"в полном объеме", "полностью"},
    {"в ходе проведения", "во время"},
    {"в связи с этим", "поэтому"},
    {"в ходе", "во время"},
    {"в целях", "для"},
    {"с целью", "для"},
    {"по окончании", "после"},
    {"по завершении", "после"},
    {"по состоянию на", "на"},
    {"в срок до", "до"},
    {"имеет место", "есть"},
    {"имеют место", "есть"},
    {"дополнительно сообщаем", "также сообщаем"},
    {"денежные средства", "деньги"},
    {"денежных средств", "денег"},
    {"денежными средствами", "деньгами"},
    {"транспортное средство", "автомобиль"},
    {"транспортного средства", "автомобиля"},
    {"транспортные средства", "автомобили"},
    {"транспортных средств", "автомобилей"},
    {"вследствие", "из-за"},
    {"незамедлительно", "сразу"},
    {"ранее", "раньше"},
    {"информируем", "сообщаем"},
    {"информирую", "сообщаю"},
    {"проинформировать", "сообщить"},
    {"осуществить", "провести"},
    {"осуществлен", "проведён"},
    {"осуществлена", "проведена"},
    {"осуществлено", "проведено"},
    {"осуществлены", "проведены"},
    {"осуществляется", "проводится"},
    {"осуществляются", "проводятся"},
    {"произведен", "выполнен"},
    {"произведена", "выполнена"},
    {"произведено", "выполнено"},
    {"произведены", "выполнены"},
    {"производится", "ведётся"},
    {"производятся", "ведутся"},
    {"данный", "этот"},
    {"данная", "эта"},
    {"данное", "это"},
    {"данного", "этого"},
    {"данной", "этой"},
    {"данному", "этому"},
    {"данную", "эту"},
    {"вышеуказанный", "этот"},
    {"вышеуказанная", "эта"},
    {"вышеуказанное", "это"},
    {"вышеуказанного", "этого"},
    {"вышеуказанной", "этой"},
    {"вышеуказанные", "эти"},
    {"вышеуказанных", "этих"},
};

/* How many tokens of sc from i match the phrase, or 0. */
static size_t match(const struct scan *sc, size_t i, const char *phrase)
{
	size_t k = i;
	const char *p = phrase;
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (k >= sc->n || (k > i && sc->t[k].line_before))
			return 0;
		const struct scan_tok *t = &sc->t[k];
		if (len == 1 && *p == ',') {
			if (!(t->kind == SCAN_PUNCT && t->cp == ','))
				return 0;
		} else if (t->kind != SCAN_WORD || strlen(t->low) != len ||
		           memcmp(t->low, p, len)) {
			return 0;
		} else if (k > i && !t->space_before) {
			return 0;
		}
		k++;
		p += len;
		while (*p == ' ')
			p++;
	}
	return k - i;
}

/* Appends to, with its first letter in capitals when cap. */
static void put_cased(struct buf *b, const char *to, bool cap)
{
	uint32_t cp;
	size_t k = utf8_decode(to, strlen(to), &cp);
	if (cap && ((cp >= 0x430 && cp <= 0x44F) || cp == 0x451 || (cp >= 'a' && cp <= 'z'))) {
		char enc[4];
		cp = cp == 0x451 ? 0x401 : cp < 0x80 ? cp - 32 : cp - 0x20;
		buf_append(b, enc, utf8_encode(cp, enc));
		buf_puts(b, to + k);
	} else {
		buf_puts(b, to);
	}
}

void text_plain(struct arena *a, const char *s, size_t n, const char **out,
                struct text_change **changes, size_t *nchanges)
{
	struct scan sc;
	scan_text(s, n, &sc);
	struct buf b = BUF_INIT(4 * n + 1024); /* replacements are at most a few bytes longer */
	struct text_change *ch = NULL;
	size_t nch = 0, cap = 0, copied = 0;
	for (size_t i = 0; i < sc.n;) {
		size_t best = 0, which = 0;
		if (sc.t[i].kind == SCAN_WORD)
			for (size_t p = 0; p < sizeof(phrases) / sizeof(phrases[0]); p++) {
				size_t m = match(&sc, i, phrases[p].from);
				if (m > best) {
					best = m;
					which = p;
				}
			}
		if (!best) {
			i++;
			continue;
		}
		const struct scan_tok *first = &sc.t[i], *last = &sc.t[i + best - 1];
		buf_append(&b, s + copied, first->off - copied);
		put_cased(&b, phrases[which].to, first->upper);
		copied = last->off + last->len;
		if (nch == cap) {
			cap = cap ? cap * 2 : 8;
			struct text_change *nc = arena_alloc(a, cap * sizeof(*nc));
			if (nch)
				memcpy(nc, ch, nch * sizeof(*nc));
			ch = nc;
		}
		ch[nch++] =
		    (struct text_change){first->off, copied - first->off, phrases[which].to};
		i += best;
	}
	buf_append(&b, s + copied, n - copied);
	*out = arena_strndup(a, b.data ? b.data : "", b.len);
	*changes = ch;
	*nchanges = nch;
	buf_release(&b);
	scan_free(&sc);
}
