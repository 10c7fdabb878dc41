/* tokenize.c: UTF-8 check, utf8proc case folding, ё→е, masked spans, tokens and stop words. */
#include "text/tokenize.h"
#include "core/err.h"
#include "core/fold.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Snowball's Russian stop list (BSD, snowballstem.org) without negations, plus the greetings
 * and politeness formulas that open most portal messages. Sorted by bytes for bsearch. */
static const char *const stopwords[] = {
    "а",          "без",          "благодарю", "более",     "больше",
    "будет",      "будто",        "бы",        "был",       "была",
    "были",       "было",         "быть",      "в",         "вам",
    "вас",        "вдруг",        "ведь",      "весь",      "вечер",
    "во",         "вот",          "впрочем",   "все",       "всегда",
    "всего",      "всех",         "всю",       "вся",       "вы",
    "где",        "говорил",      "да",        "даже",      "два",
    "день",       "для",          "до",        "доброе",    "добрый",
    "добрых",     "другой",       "его",       "ее",        "ей",
    "ему",        "если",         "есть",      "еще",       "ж",
    "же",         "жизнь",        "за",        "заранее",   "зачем",
    "здесь",      "здравствуйте", "и",         "из",        "или",
    "им",         "иногда",       "их",        "к",         "кажется",
    "как",        "какая",        "какой",     "когда",     "конечно",
    "которая",    "которые",      "который",   "которых",   "кто",
    "куда",       "ли",           "лучше",     "между",     "меня",
    "мне",        "много",        "может",     "можно",     "мой",
    "моя",        "мы",           "на",        "над",       "надо",
    "наконец",    "нас",          "него",      "нее",       "ней",
    "нельзя",     "нибудь",       "никогда",   "ним",       "них",
    "ничего",     "но",           "ну",        "о",         "об",
    "один",       "он",           "она",       "они",       "опять",
    "от",         "очень",        "перед",     "по",        "под",
    "пожалуйста", "после",        "потом",     "потому",    "почти",
    "при",        "про",          "просим",    "просьба",   "прошу",
    "раз",        "разве",        "с",         "сам",       "свою",
    "себе",       "себя",         "сегодня",   "сейчас",    "сказал",
    "сказала",    "сказать",      "со",        "совсем",    "спасибо",
    "так",        "также",        "такой",     "там",       "тебя",
    "тем",        "теперь",       "то",        "тогда",     "того",
    "тоже",       "только",       "том",       "тот",       "три",
    "тут",        "ты",           "у",         "уважаемые", "уважаемый",
    "уж",         "уже",          "утро",      "хорошо",    "хоть",
    "чего",       "человек",      "чем",       "через",     "что",
    "чтоб",       "чтобы",        "чуть",      "эта",       "эти",
    "этих",       "это",          "этого",     "этой",      "этом",
    "этот",       "эту",          "я",
};

struct slice {
	const char *s;
	size_t n;
};

static int slice_cmp(const void *a, const void *b)
{
	const struct slice *x = a;
	const char *y = *(const char *const *)b;
	size_t yn = strlen(y);
	int c = memcmp(x->s, y, x->n < yn ? x->n : yn);
	if (c)
		return c;
	return x->n < yn ? -1 : x->n > yn;
}

bool text_is_stopword(const char *w, size_t n)
{
	struct slice key = {w, n};
	return bsearch(&key, stopwords, sizeof(stopwords) / sizeof(stopwords[0]),
	               sizeof(stopwords[0]), slice_cmp) != NULL;
}

void text_doc_init(struct text_doc *d)
{
	memset(d, 0, sizeof(*d));
}

void text_doc_release(struct text_doc *d)
{
	free(d->norm);
	free(d->toks);
	memset(d, 0, sizeof(*d));
}

static void put_bytes(struct text_doc *d, const char *p, size_t n)
{
	if (d->norm_len + n + 1 > d->norm_cap)
		d->norm = xgrow(d->norm, 1, d->norm_len + n + 1, &d->norm_cap);
	memcpy(d->norm + d->norm_len, p, n);
	d->norm_len += n;
	d->norm[d->norm_len] = '\0';
}

static void begin_token(struct text_doc *d, int kind)
{
	if (d->ntoks)
		put_bytes(d, " ", 1);
	if (d->ntoks + 1 > d->toks_cap)
		d->toks = xgrow(d->toks, sizeof(*d->toks), d->ntoks + 1, &d->toks_cap);
	struct text_token *t = &d->toks[d->ntoks++];
	t->off = (uint32_t)d->norm_len;
	t->len = 0;
	t->kind = (uint8_t)kind;
	t->stop = false;
}

/* A word of only x/х letters (3 or more) is the portal's masking of personal data. */
static bool is_mask_word(const char *w, size_t n)
{
	size_t i = 0, k = 0;
	while (i < n) {
		if (w[i] == 'x') {
			i++;
		} else if (i + 1 < n && (unsigned char)w[i] == 0xD1 &&
		           (unsigned char)w[i + 1] == 0x85) {
			i += 2; /* х */
		} else {
			return false;
		}
		k++;
	}
	return k >= 3;
}

static void end_token(struct text_doc *d, const char *src, size_t pos, size_t srclen)
{
	struct text_token *t = &d->toks[d->ntoks - 1];
	t->len = (uint32_t)(d->norm_len - t->off);
	if (t->kind != TEXT_TOK_WORD)
		return;
	const char *w = d->norm + t->off;
	static const char hidden[] = "скрыто";
	if ((t->len == sizeof(hidden) - 1 && memcmp(w, hidden, t->len) == 0 && pos < srclen &&
	     src[pos] == ']') ||
	    is_mask_word(w, t->len))
		t->kind = TEXT_TOK_MASK;
	else
		t->stop = text_is_stopword(w, t->len);
}

int text_tokenize(struct text_doc *d, const char *s, size_t n)
{
	d->norm_len = 0;
	d->ntoks = 0;
	if (d->norm)
		d->norm[0] = '\0';
	if (n > TEXT_MAX_INPUT) {
		n = TEXT_MAX_INPUT;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if (!utf8_valid(s, n))
		return ERR_INVALID;
	char *fs = NULL;
	long fl = fold_map(s, n, &fs); /* as utf8proc_map(STABLE|COMPOSE|CASEFOLD), ё → е */
	if (fl < 0)
		return ERR_INVALID;
	const utf8proc_uint8_t *f = (const utf8proc_uint8_t *)fs;
	const char *src = fs;
	size_t len = (size_t)fl, i = 0;
	int cur = -1; /* kind of the open token, -1 when none */
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;
		int kind = -1;
		unsigned char b0 = f[i];
		if (b0 < 0x80) { /* ASCII: letters (already lower case) and digits */
			cp = b0, k = 1;
			if ((b0 >= 'a' && b0 <= 'z') || (b0 >= 'A' && b0 <= 'Z'))
				kind = TEXT_TOK_WORD;
			else if (b0 >= '0' && b0 <= '9')
				kind = TEXT_TOK_NUMBER;
		} else if ((b0 == 0xD0 || b0 == 0xD1) && i + 1 < len && (f[i + 1] & 0xC0) == 0x80) {
			/* U+0400..U+047F: U+0400..U+045F are all letters (the Russian alphabet) */
			cp = ((b0 & 0x1F) << 6) | (f[i + 1] & 0x3F), k = 2;
			if (cp <= 0x45F)
				kind = TEXT_TOK_WORD;
			else
				kind = utf8proc_category(cp) <= UTF8PROC_CATEGORY_LO &&
				               utf8proc_category(cp) >= UTF8PROC_CATEGORY_LU
				           ? TEXT_TOK_WORD
				           : -1;
		} else {
			k = utf8proc_iterate(f + i, (utf8proc_ssize_t)(len - i), &cp);
			if (k <= 0)
				break;
			utf8proc_category_t cat = utf8proc_category(cp);
			if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)
				kind = TEXT_TOK_WORD;
			else if (cat == UTF8PROC_CATEGORY_ND)
				kind = TEXT_TOK_NUMBER;
			else if ((cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC) &&
			         cur == TEXT_TOK_WORD)
				kind = TEXT_TOK_WORD; /* combining marks stay inside a word */
		}
		if (cp == 0x451)
			cp = 0x435; /* ё → е */
		if (kind != cur && cur >= 0)
			end_token(d, src, i, len);
		if (kind >= 0) {
			if (kind != cur)
				begin_token(d, kind);
			char enc[4];
			put_bytes(d, enc, utf8_encode((uint32_t)cp, enc));
		}
		cur = kind;
		i += (size_t)k;
	}
	if (cur >= 0)
		end_token(d, src, len, len);
	free(fs);
	return 0;
}
