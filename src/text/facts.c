/* facts.c: facts and essence of an appeal's text (facts.h), rules over scan.h's tokens. */
#include "text/facts.h"
#include "text/scan.h"
#include "text/tokenize.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[FACT_KINDS] = {
    "address",  "apartment", "entrance", "floor", "date",  "time",
    "duration", "money",     "measure",  "phone", "email", "org",
};

const char *text_fact_kind_name(unsigned kind)
{
	return kind < FACT_KINDS ? kind_names[kind] : "";
}

/* One of the words of a NULL-terminated list. */
static bool in_list(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(w, *list))
			return true;
	return false;
}

static bool word_in(const struct scan *sc, size_t i, const char *const *list)
{
	return i < sc->n && sc->t[i].kind == SCAN_WORD && in_list(sc->t[i].low, list);
}

/* Token i follows token i - 1 with no space between. */
static bool glued(const struct scan *sc, size_t i)
{
	return i < sc->n && !sc->t[i].space_before;
}

struct ctx {
	const char *s;
	const struct scan *sc;
	struct text_fact *out;
	size_t n, max;
};

/* Emits tokens [from, to) as a fact; returns to (the next token to look at). */
static size_t emit(struct ctx *x, unsigned kind, size_t from, size_t to, const char *value)
{
	if (x->n < x->max) {
		struct text_fact *f = &x->out[x->n++];
		const struct scan_tok *a = &x->sc->t[from], *b = &x->sc->t[to - 1];
		f->kind = (uint8_t)kind;
		f->off = a->off;
		f->len = b->off + b->len - a->off;
		snprintf(f->value, sizeof(f->value), "%s", value ? value : "");
	}
	return to;
}

/* Copies the digits of tokens [from, to) into d (size cap); returns their count. */
static size_t digits_of(const struct ctx *x, size_t from, size_t to, char *d, size_t cap)
{
	size_t k = 0;
	for (size_t i = from; i < to; i++)
		if (x->sc->t[i].kind == SCAN_NUM)
			for (uint32_t j = 0; j < x->sc->t[i].len; j++) {
				if (k + 1 < cap)
					d[k] = x->s[x->sc->t[i].off + j];
				k++;
			}
	d[k < cap ? k : cap - 1] = '\0';
	return k;
}

static bool num_len(const struct scan *sc, size_t i, uint32_t lo, uint32_t hi)
{
	return i < sc->n && sc->t[i].kind == SCAN_NUM && sc->t[i].len >= lo && sc->t[i].len <= hi;
}

/* ---- e-mail and phone ------------------------------------------------------------------ */

static bool mail_part(const struct scan *sc, size_t i)
{
	const struct scan_tok *t = &sc->t[i];
	return t->kind == SCAN_WORD || t->kind == SCAN_NUM ||
	       (t->kind == SCAN_PUNCT &&
	        (t->cp == '.' || t->cp == '_' || t->cp == '-' || t->cp == '+'));
}

static size_t try_email(struct ctx *x, size_t i)
{
	const struct scan *sc = x->sc;
	/* i is the first token of the local part: find '@' glued to it */
	if (!mail_part(sc, i) || sc->t[i].kind == SCAN_PUNCT)
		return 0;
	size_t j = i + 1;
	while (j < sc->n && glued(sc, j) && mail_part(sc, j))
		j++;
	if (!scan_punct(sc, j, '@') || !glued(sc, j) || !glued(sc, j + 1))
		return 0;
	size_t k = j + 1;
	bool dot = false;
	while (k < sc->n && glued(sc, k) && mail_part(sc, k)) {
		dot |= scan_punct(sc, k, '.') && k + 1 < sc->n && glued(sc, k + 1) &&
		       sc->t[k + 1].kind == SCAN_WORD;
		k++;
	}
	while (k > j + 1 && sc->t[k - 1].kind == SCAN_PUNCT) /* a sentence's full stop */
		k--;
	if (!dot || k <= j + 1)
		return 0;
	return emit(x, FACT_EMAIL, i, k, NULL);
}

static size_t try_phone(struct ctx *x, size_t i)
{
	const struct scan *sc = x->sc;
	const struct scan_tok *t = &sc->t[i];
	if (!(t->kind == SCAN_NUM || (t->kind == SCAN_PUNCT && (t->cp == '+' || t->cp == '('))))
		return 0;
	size_t j = i, digits = 0, groups = 0;
	while (j < sc->n && digits < 11) {
		const struct scan_tok *u = &sc->t[j];
		if (u->kind == SCAN_NUM) {
			digits += u->len;
			groups++;
		} else if (!(u->kind == SCAN_PUNCT &&
		             (u->cp == '+' || u->cp == '(' || u->cp == ')' || u->cp == '-')))
			break;
		j++;
	}
	if (j == i || sc->t[j - 1].kind != SCAN_NUM)
		return 0;
	if (j < sc->n && sc->t[j].kind == SCAN_NUM) /* more digits follow: not a phone */
		return 0;
	char d[16];
	digits_of(x, i, j, d, sizeof(d));
	char v[24];
	if (digits == 11 && (d[0] == '7' || d[0] == '8') && groups >= 2)
		snprintf(v, sizeof(v), "+7%s", d + 1);
	else if (digits == 10 && d[0] == '9' && groups >= 2)
		snprintf(v, sizeof(v), "+7%s", d);
	else if (digits == 11 && groups == 1 && (d[0] == '7' || d[0] == '8') && d[1] == '9')
		snprintf(v, sizeof(v), "+7%s", d + 1);
	else if (digits == 7 && groups == 3 && sc->t[i].len == 3 && scan_punct(sc, i + 1, '-'))
		snprintf(v, sizeof(v), "%s", d);
	else
		return 0;
	return emit(x, FACT_PHONE, i, j, v);
}

/* ---- dates and times --------------------------------------------------------------------- */

static const char *const months[] = {"января", "февраля", "марта",   "апреля",   "мая",
                                     "июня",   "июля",    "августа", "сентября", "октября",
                                     "ноября", "декабря", NULL};

static int month_of(const struct scan *sc, size_t i)
{
	if (i >= sc->n || sc->t[i].kind != SCAN_WORD)
		return 0;
	for (int m = 0; months[m]; m++)
		if (!strcmp(sc->t[i].low, months[m]))
			return m + 1;
	return 0;
}

static size_t date_value(char *v, size_t cap, long y, long m, long d)
{
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	if (y >= 0 && y < 100)
		y += 2000;
	if (y >= 0 && (y < 1900 || y > 2100))
		return 0;
	if (y >= 0) /* -1: no year */
		snprintf(v, cap, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		         (unsigned)d % 100u);
	else
		snprintf(v, cap, "--%02u-%02u", (unsigned)m % 100u, (unsigned)d % 100u);
	return 1;
}

static size_t try_date(struct ctx *x, size_t i)
{
	const struct scan *sc = x->sc;
	char v[24];
	/* 2021-01-15 */
	if (num_len(sc, i, 4, 4) && scan_punct(sc, i + 1, '-') && glued(sc, i + 1) &&
	    num_len(sc, i + 2, 2, 2) && glued(sc, i + 2) && scan_punct(sc, i + 3, '-') &&
	    glued(sc, i + 3) && num_len(sc, i + 4, 2, 2) && glued(sc, i + 4) &&
	    date_value(v, sizeof(v), scan_num(sc, x->s, i), scan_num(sc, x->s, i + 2),
	               scan_num(sc, x->s, i + 4)))
		return emit(x, FACT_DATE, i, i + 5, v);
	/* 15.01.2021, 15.01.21, 15/01/2021, 15.01 */
	if (num_len(sc, i, 1, 2) && i + 2 < sc->n && glued(sc, i + 1) && glued(sc, i + 2) &&
	    (scan_punct(sc, i + 1, '.') || scan_punct(sc, i + 1, '/')) &&
	    num_len(sc, i + 2, 1, 2)) {
		uint32_t sep = sc->t[i + 1].cp;
		long d = scan_num(sc, x->s, i), m = scan_num(sc, x->s, i + 2), y = -1;
		size_t end = i + 3;
		if (scan_punct(sc, i + 3, sep) && glued(sc, i + 3) && glued(sc, i + 4) &&
		    (num_len(sc, i + 4, 4, 4) || num_len(sc, i + 4, 2, 2))) {
			y = scan_num(sc, x->s, i + 4);
			end = i + 5;
		} else if (sc->t[i + 2].len != 2 ||
		           (end < sc->n && glued(sc, end) && sc->t[end].kind != SCAN_PUNCT)) {
			return 0; /* "1.5 м", "3.5км": a decimal, not a date */
		}
		if (end < sc->n && glued(sc, end) && scan_punct(sc, end, '.') && end + 1 < sc->n &&
		    glued(sc, end + 1) && sc->t[end + 1].kind == SCAN_NUM)
			return 0; /* an IP address or a version number */
		if (!date_value(v, sizeof(v), y, m, d))
			return 0;
		return emit(x, FACT_DATE, i, end, v);
	}
	/* 15 января [2021 [г.|года]] */
	int m = month_of(sc, i + 1);
	if (num_len(sc, i, 1, 2) && m) {
		long d = scan_num(sc, x->s, i), y = -1;
		size_t end = i + 2;
		if (num_len(sc, end, 4, 4)) {
			y = scan_num(sc, x->s, end);
			end++;
			if (scan_is(sc, end, "года") || scan_is(sc, end, "году"))
				end++;
			else if (scan_is(sc, end, "г"))
				end += scan_punct(sc, end + 1, '.') ? 2 : 1;
		}
		if (!date_value(v, sizeof(v), y, m, d))
			return 0;
		return emit(x, FACT_DATE, i, end, v);
	}
	return 0;
}

static size_t try_time(struct ctx *x, size_t i)
{
	const struct scan *sc = x->sc;
	if (!num_len(sc, i, 1, 2) || !scan_punct(sc, i + 1, ':') || !glued(sc, i + 1) ||
	    !glued(sc, i + 2) || !num_len(sc, i + 2, 2, 2))
		return 0;
	long h = scan_num(sc, x->s, i), m = scan_num(sc, x->s, i + 2);
	if (h > 24 || m > 59)
		return 0;
	char v[24];
	snprintf(v, sizeof(v), "%02u:%02u", (unsigned)h % 100u, (unsigned)m % 100u);
	return emit(x, FACT_TIME, i, i + 3, v);
}

/* ---- places ---------------------------------------------------------------------------- */

/* Street kinds written out, in the forms a sentence gives them. */
static const char *const street_words[] = {
    "улица",      "улице",      "улицы",    "улицу",      "проспект", "проспекта",
    "проспекте",  "переулок",   "переулка", "переулке",   "шоссе",    "набережная",
    "набережной", "набережную", "бульвар",  "бульвара",   "бульваре", "площадь",
    "площади",    "линия",      "линии",    "аллея",      "аллеи",    "проезд",
    "проезда",    "проезде",    "тупик",    "микрорайон", "квартал",  NULL};
/* Abbreviations: only with a full stop after them ("пр-т" and "б-р" are matched apart). */
static const char *const street_abbr[] = {"ул",  "пр",  "просп", "пер", "ш",
                                          "наб", "бул", "пл",    "мкр", NULL};

/* A street keyword at i: returns the tokens it takes (0 if none). */
static size_t street_at(const struct scan *sc, size_t i)
{
	if (word_in(sc, i, street_words))
		return 1;
	if (scan_is(sc, i, "пр") && scan_punct(sc, i + 1, '-') && glued(sc, i + 1) &&
	    scan_is(sc, i + 2, "т") && glued(sc, i + 2))
		return scan_punct(sc, i + 3, '.') ? 4 : 3;
	if (scan_is(sc, i, "б") && scan_punct(sc, i + 1, '-') && glued(sc, i + 1) &&
	    scan_is(sc, i + 2, "р") && glued(sc, i + 2))
		return 3;
	if (scan_is(sc, i, "ул")) /* "ул Ленина": the one abbreviation common without a stop */
		return scan_punct(sc, i + 1, '.') ? 2 : 1;
	if (word_in(sc, i, street_abbr) && scan_punct(sc, i + 1, '.') && glued(sc, i + 1))
		return 2;
	return 0;
}

/* An ordinal written with digits: "2-я", "14-я", "1-й". Returns its tokens (0 if none). */
static size_t ordinal_at(const struct scan *sc, size_t i)
{
	if (num_len(sc, i, 1, 3) && scan_punct(sc, i + 1, '-') && glued(sc, i + 1) &&
	    glued(sc, i + 2) && i + 2 < sc->n && sc->t[i + 2].kind == SCAN_WORD &&
	    strlen(sc->t[i + 2].low) <= 6)
		return 3;
	return 0;
}

static const char *const house_words[] = {"д", "дом", "дома", "доме", "домом", NULL};
static const char *const block_words[] = {"к", "корп", "корпус", "корпуса", NULL};
static const char *const part_words[] = {"стр", "строение", "лит", "литера", "литер", NULL};

/* A house part at i ("д. 5а, корп. 2, лит. А", "дом 7", with_word false: "5к2" right after a
 * street). Returns the end token (i if none). */
static size_t house_at(const struct scan *sc, size_t i, bool with_word)
{
	size_t j = i;
	if (word_in(sc, j, house_words)) {
		j++;
		if (scan_punct(sc, j, '.'))
			j++;
		if (scan_punct(sc, j, 0x2116)) /* № */
			j++;
	} else if (with_word) {
		return i;
	}
	if (!num_len(sc, j, 1, 4))
		return i;
	j++;
	/* 5а, 5-а, 5/2 */
	if (glued(sc, j) && j < sc->n && sc->t[j].kind == SCAN_WORD && strlen(sc->t[j].low) <= 2 &&
	    !word_in(sc, j, block_words))
		j++;
	else if (glued(sc, j) && (scan_punct(sc, j, '/') || scan_punct(sc, j, '-')) &&
	         glued(sc, j + 1) &&
	         (num_len(sc, j + 1, 1, 3) || (j + 1 < sc->n && sc->t[j + 1].kind == SCAN_WORD &&
	                                       strlen(sc->t[j + 1].low) <= 2)))
		j += 2;
	for (int round = 0; round < 2; round++) {
		size_t k = j;
		if (scan_punct(sc, k, ','))
			k++;
		const char *const *kw = round == 0 ? block_words : part_words;
		if (!word_in(sc, k, kw))
			continue;
		k++;
		if (scan_punct(sc, k, '.'))
			k++;
		if (num_len(sc, k, 1, 3) ||
		    (round == 1 && k < sc->n && sc->t[k].kind == SCAN_WORD &&
		     strlen(sc->t[k].low) <= 2))
			j = k + 1;
	}
	return j;
}

/* A word that can be part of a street's name after its keyword. */
static bool name_word(const struct scan *sc, size_t i)
{
	if (i >= sc->n || sc->t[i].kind != SCAN_WORD)
		return false;
	if (word_in(sc, i, house_words) || word_in(sc, i, block_words) || scan_is(sc, i, "кв") ||
	    scan_is(sc, i, "квартира"))
		return false;
	return sc->t[i].upper || !text_is_stopword(sc->t[i].low, strlen(sc->t[i].low));
}

/* A street's name before its keyword is an adjective ("Садовая ул.", "Невского проспекта"),
 * and not a pointing word ("Данный проезд"). */
static bool adjective(const char *w)
{
	static const char *const endings[] = {"ая", "яя", "ой", "ий", "ый", "ого", "его",
	                                      "ей", "ую", "юю", "ом", "ем", NULL};
	static const char *const pointing[] = {"данн", "указанн", "вышеуказанн", "эт",  "соседн",
	                                       "наш",  "ваш",     "кажд",        "люб", NULL};
	size_t n = strlen(w);
	for (const char *const *p = pointing; *p; p++)
		if (!strncmp(w, *p, strlen(*p)))
			return false;
	for (const char *const *e = endings; *e; e++) {
		size_t k = strlen(*e);
		if (n > k + 2 && !strcmp(w + n - k, *e))
			return true;
	}
	return false;
}

/* The end of an address that starts at i (a street, then maybe its house), or 0. */
static size_t address_end(const struct scan *sc, size_t i)
{
	size_t k = street_at(sc, i), end = 0;
	if (k) {
		/* keyword first: "ул. Ленина", "проспект Просвещения", "ул Маршала Жукова" */
		size_t j = i + k, names = 0, ucase = 0;
		while (names < 3) {
			size_t o = ordinal_at(sc, j);
			if (o) {
				j += o;
				names++;
				continue;
			}
			if (j + 1 < sc->n && sc->t[j].kind == SCAN_WORD && sc->t[j].upper &&
			    sc->t[j].len <= 2 && scan_punct(sc, j + 1, '.') && glued(sc, j + 1)) {
				j += 2; /* an initial: "ул. Я. Гашека" */
				continue;
			}
			if (!name_word(sc, j))
				break;
			/* a lower-case name only after an abbreviation ("ул ленина", not "линии
			 * освещения"), and lower-case words after a capital only in "Обводного
			 * канала" */
			if (!sc->t[j].upper &&
			    (names ? !scan_is(sc, j, "канала") && !scan_is(sc, j, "реки")
			           : word_in(sc, i, street_words)))
				break;
			ucase += sc->t[j].upper;
			j++;
			names++;
			if (scan_punct(sc, j, '-') && glued(sc, j) && glued(sc, j + 1) &&
			    name_word(sc, j + 1))
				j += 2; /* Римского-Корсакова */
		}
		if (!names)
			return 0;
		end = j;
	} else {
		/* name first: "Садовая ул.", "2-я Советская ул.", "Московский пр." */
		size_t j = i, names = 0;
		size_t o = ordinal_at(sc, j);
		bool ordinal = o > 0;
		j += o;
		if (j < sc->n && sc->t[j].kind == SCAN_WORD && sc->t[j].upper && name_word(sc, j) &&
		    adjective(sc->t[j].low)) {
			j++;
			names++;
		}
		names += ordinal;
		if (!names || !(k = street_at(sc, j)))
			return 0;
		end = j + k;
		if (!ordinal && end < sc->n && sc->t[end].kind == SCAN_WORD && sc->t[end].upper &&
		    name_word(sc, end))
			return 0; /* "Также пр-т Просвещения": the name is after the keyword */
	}
	/* the house: ", д. 5", " 5", ", 5к2" */
	size_t h = end;
	if (scan_punct(sc, h, ','))
		h++;
	size_t e = house_at(sc, h, false);
	if (e == h)
		e = house_at(sc, h, true);
	if (e > h)
		end = e;
	return end;
}

static size_t try_address(struct ctx *x, size_t i)
{
	size_t e = address_end(x->sc, i);
	return e ? emit(x, FACT_ADDRESS, i, e, NULL) : 0;
}

/* A house alone ("дом 7") or before its street ("у дома 6 корп. 1 по Белградской улице"). */
static size_t try_house(struct ctx *x, size_t i)
{
	size_t e = house_at(x->sc, i, true);
	if (e == i)
		return 0;
	if (scan_is(x->sc, e, "по")) {
		size_t s2 = address_end(x->sc, e + 1);
		if (s2)
			e = s2;
	}
	return emit(x, FACT_ADDRESS, i, e, NULL);
}

/* "кв. 12", "квартира 5", "квартиры № 40" */
static size_t try_apartment(struct ctx *x, size_t i)
{
	static const char *const w[] = {"кв", "квартира", "квартиры", "квартире", "квартиру", NULL};
	const struct scan *sc = x->sc;
	if (!word_in(sc, i, w))
		return 0;
	size_t j = i + 1;
	if (scan_punct(sc, j, '.'))
		j++;
	if (scan_punct(sc, j, 0x2116))
		j++;
	if (!num_len(sc, j, 1, 4))
		return 0;
	char v[24];
	snprintf(v, sizeof(v), "%ld", scan_num(sc, x->s, j));
	return emit(x, FACT_APARTMENT, i, j + 1, v);
}

/* "2-й подъезд", "в 3 парадной", "подъезд № 4", "на 8 этаже", "этаж 5" */
static size_t try_numbered(struct ctx *x, size_t i)
{
	const struct scan *sc = x->sc;
	struct {
		const char *prefix;
		unsigned kind;
	} const nouns[] = {
	    {"подъезд", FACT_ENTRANCE}, {"парадн", FACT_ENTRANCE}, {"этаж", FACT_FLOOR}};
	static const char *const ordinals[] = {"перв",  "втор",  "трет",  "четверт", "пят", "шест",
	                                       "седьм", "восьм", "девят", "десят",   NULL};
	char v[24];
	for (size_t n = 0; n < sizeof(nouns) / sizeof(nouns[0]); n++) {
		/* a number first: "2-й подъезд", "1м этаже", "4 парадная" */
		if (num_len(sc, i, 1, 2)) {
			size_t j = i + 1, o = ordinal_at(sc, i);
			if (o)
				j = i + o;
			else if (glued(sc, j) && j < sc->n && sc->t[j].kind == SCAN_WORD &&
			         strlen(sc->t[j].low) <= 6)
				j++;
			if (scan_starts(sc, j, nouns[n].prefix)) {
				snprintf(v, sizeof(v), "%ld", scan_num(sc, x->s, i));
				return emit(x, nouns[n].kind, i, j + 1, v);
			}
		}
		/* an ordinal word: "первую парадную", "на третьем этаже" */
		for (int o = 0; ordinals[o]; o++)
			if (scan_starts(sc, i, ordinals[o]) &&
			    scan_starts(sc, i + 1, nouns[n].prefix) &&
			    strlen(sc->t[i].low) <= strlen(ordinals[o]) + 6) {
				snprintf(v, sizeof(v), "%d", o + 1);
				return emit(x, nouns[n].kind, i, i + 2, v);
			}
		/* noun first */
		if (scan_starts(sc, i, nouns[n].prefix)) {
			size_t j = i + 1;
			if (scan_punct(sc, j, 0x2116))
				j++;
			if (num_len(sc, j, 1, 2)) {
				snprintf(v, sizeof(v), "%ld", scan_num(sc, x->s, j));
				return emit(x, nouns[n].kind, i, j + 1, v);
			}
		}
	}
	return 0;
}

/* ---- amounts --------------------------------------------------------------------------- */

/* A number at i, with thousands groups ("1 500") and a decimal part ("2,5"): its end token. */
static size_t amount_end(const struct scan *sc, size_t i)
{
	if (!num_len(sc, i, 1, 9))
		return i;
	size_t j = i + 1;
	while (num_len(sc, j, 3, 3) && sc->t[j].space_before && !sc->t[j].line_before &&
	       sc->t[i].len <= 3)
		j++;
	if ((scan_punct(sc, j, ',') || scan_punct(sc, j, '.')) && glued(sc, j) &&
	    glued(sc, j + 1) && num_len(sc, j + 1, 1, 3))
		j += 2;
	return j;
}

static size_t try_amount(struct ctx *x, size_t i)
{
	static const char *const money[] = {"руб", "рублей", "рубля", "рубль",
	                                    "р",   "тыс",    "млн",   NULL};
	static const char *const measure[] = {
	    "м",     "метр",     "метра",  "метров",  "см",       "сантиметров", "сантиметра",
	    "мм",    "км",       "градус", "градуса", "градусов", "кг",          "тонн",
	    "тонны", "литров",   "литра",  "м2",      "кв",       "шт",          "штук",
	    "штуки", "деревьев", "дерева", "машин",   "машины",   "автомобилей", NULL};
	static const char *const units[] = {
	    "минут", "минуты", "минуту",  "час",  "часа",   "часов",  "сутки",
	    "суток", "день",   "дня",     "дней", "неделю", "недели", "недель",
	    "месяц", "месяца", "месяцев", "год",  "года",   "лет",    NULL};
	static const char *const counted[] = {
	    "один", "одна",   "одну",   "два",    "две",       "три",  "четыре",  "пять", "шесть",
	    "семь", "восемь", "девять", "десять", "несколько", "пару", "полтора", NULL};
	static const char *const before[] = {"уже",   "более", "больше", "целый",
	                                     "целую", "почти", "около",  "течение",
	                                     "весь",  "всю",   "неделю", NULL};
	const struct scan *sc = x->sc;
	size_t start = i;
	if ((scan_punct(sc, i, '+') || scan_punct(sc, i, '-') || scan_punct(sc, i, 0x2212)) &&
	    glued(sc, i + 1) && num_len(sc, i + 1, 1, 3))
		i++; /* a sign: "+15 градусов" */
	size_t j = amount_end(sc, i);
	if (j > i) {
		if (j < sc->n && sc->t[j].kind == SCAN_PUNCT && sc->t[j].cp == 0x20BD) /* ₽ */
			return emit(x, FACT_MONEY, start, j + 1, NULL);
		if (j < sc->n && sc->t[j].kind == SCAN_PUNCT && sc->t[j].cp == 0xB0) { /* ° */
			size_t e = j + 1;
			if (glued(sc, e) && (scan_is(sc, e, "с") || scan_is(sc, e, "c")))
				e++;
			return emit(x, FACT_MEASURE, start, e, NULL);
		}
		if (start == i && word_in(sc, j, units))
			return emit(x, FACT_DURATION, i, j + 1, NULL);
		if (word_in(sc, j, money)) {
			size_t e = j + 1;
			if (scan_punct(sc, e, '.'))
				e++;
			if ((scan_is(sc, j, "тыс") || scan_is(sc, j, "млн")) &&
			    scan_starts(sc, e, "р")) {
				e++;
				if (scan_punct(sc, e, '.'))
					e++;
			} else if (scan_is(sc, j, "тыс") || scan_is(sc, j, "млн")) {
				return 0; /* "5 тыс. человек" is a count, not a sum */
			}
			if (scan_is(sc, j, "р") && e == j + 1)
				return 0; /* a bare "р" is too ambiguous */
			return emit(x, FACT_MONEY, start, e, NULL);
		}
		if (word_in(sc, j, measure)) {
			size_t e = j + 1;
			if (scan_is(sc, j, "кв")) { /* "кв. м" / "кв.м" */
				if (!scan_punct(sc, e, '.') || !scan_is(sc, e + 1, "м"))
					return 0;
				e += 2;
			}
			if (scan_punct(sc, e, '.') && strlen(sc->t[e - 1].low) <= 4 &&
			    !(e + 1 < sc->n && sc->t[e + 1].upper))
				e++; /* "30 см." but not "5 градусов." */
			return emit(x, FACT_MEASURE, start, e, NULL);
		}
		return 0;
	}
	/* "три недели", "уже месяц", "в течение недели" */
	if (word_in(sc, i, counted) && word_in(sc, i + 1, units))
		return emit(x, FACT_DURATION, i, i + 2, NULL);
	if (word_in(sc, i, before) && word_in(sc, i + 1, units) && !scan_is(sc, i, "неделю") &&
	    !scan_is(sc, i + 1, "год"))
		return emit(x, FACT_DURATION, i, i + 2, NULL); /* "более года", "течение недели" */
	return 0;
}

/* ---- organisations --------------------------------------------------------------------- */

/* Abbreviations that name an organisation; the short ones only in capitals ("УК", not "ук"),
 * except those citizens write in lower case too. */
static const char *const org_abbr[] = {"ук",  "тсж", "жск", "тсн", "жкс", "гуп", "гку", "гбу",
                                       "муп", "ооо", "оао", "зао", "пао", "ао",  "жэс", "жэк",
                                       "жа",  "гжи", "рэп", "рэу", "жэу", "ип",  NULL};
static const char *const org_lower_ok[] = {"ук", "тсж", "жск", "жкс", "ооо", NULL};
static const char *const org_names[] = {
    "водоканал",  "ленэнерго", "теплосеть",    "россети", "петербургтеплоэнерго",
    "мостотрест", "автодор",   "жилкомсервис", NULL};

static bool all_caps(const struct ctx *x, size_t i)
{
	const struct scan_tok *t = &x->sc->t[i];
	for (uint32_t k = 0; k < t->len;) {
		unsigned char c = (unsigned char)x->s[t->off + k];
		if (c < 0x80) {
			if (c >= 'a' && c <= 'z')
				return false;
			k++;
			continue;
		}
		/* two-byte Cyrillic: capitals are U+0410..U+042F and Ё */
		uint32_t cp =
		    ((uint32_t)(c & 0x1F) << 6) | ((unsigned char)x->s[t->off + k + 1] & 0x3F);
		if ((cp >= 0x430 && cp <= 0x44F) || cp == 0x451)
			return false;
		k += 2;
	}
	return true;
}

static bool org_word(const struct ctx *x, size_t i)
{
	const struct scan *sc = x->sc;
	if (!word_in(sc, i, org_abbr))
		return false;
	return all_caps(x, i) || word_in(sc, i, org_lower_ok);
}

static bool quote_open(const struct scan *sc, size_t i)
{
	return scan_punct(sc, i, 0xAB) || scan_punct(sc, i, '"') || scan_punct(sc, i, 0x201C) ||
	       scan_punct(sc, i, 0x201E);
}

static bool quote_close(const struct scan *sc, size_t i)
{
	return scan_punct(sc, i, 0xBB) || scan_punct(sc, i, '"') || scan_punct(sc, i, 0x201D) ||
	       scan_punct(sc, i, 0x201C);
}

/* The name after an organisation's kind: «…», "№ 2", a number, capitalised words. */
static size_t org_name_end(const struct ctx *x, size_t j)
{
	const struct scan *sc = x->sc;
	while (org_word(x, j)) /* "ГУП РЭП" */
		j++;
	if (quote_open(sc, j)) {
		for (size_t k = j + 1; k < sc->n && k < j + 10; k++)
			if (quote_close(sc, k))
				return k + 1;
		return j;
	}
	if (scan_punct(sc, j, 0x2116) && num_len(sc, j + 1, 1, 4))
		return j + 2;
	if (num_len(sc, j, 1, 4))
		return j + 1;
	size_t k = j;
	while (k < j + 3 && k < sc->n && sc->t[k].kind == SCAN_WORD && sc->t[k].upper &&
	       !sc->t[k].line_before)
		k++;
	if (k > j && scan_punct(sc, k, 0x2116) && num_len(sc, k + 1, 1, 4))
		k += 2; /* "ЖКС № 2" */
	return k;
}

static size_t try_org(struct ctx *x, size_t i)
{
	const struct scan *sc = x->sc;
	if (org_word(x, i)) {
		size_t e = org_name_end(x, i + 1);
		/* a bare "АО" or "ИП" is too often something else; a bare "УК" or "ТСЖ" is not */
		if (e == i + 1 && (scan_is(sc, i, "ао") || scan_is(sc, i, "ип")))
			return 0;
		return emit(x, FACT_ORG, i, e, NULL);
	}
	if (word_in(sc, i, org_names))
		return emit(x, FACT_ORG, i, quote_open(sc, i + 1) ? org_name_end(x, i + 1) : i + 1,
		            NULL);
	if (scan_starts(sc, i, "управляющ") && scan_starts(sc, i + 1, "компани")) {
		size_t e = i + 2;
		if (quote_open(sc, e)) {
			size_t q = org_name_end(x, e);
			if (q > e)
				e = q;
		}
		return emit(x, FACT_ORG, i, e, NULL);
	}
	return 0;
}

size_t text_facts(const char *s, size_t n, struct text_fact *out, size_t max)
{
	struct scan sc;
	scan_text(s, n, &sc);
	struct ctx x = {s, &sc, out, 0, max};
	size_t (*const rules[])(struct ctx *, size_t) = {
	    try_email, try_phone,     try_date,     try_time,   try_address,
	    try_house, try_apartment, try_numbered, try_amount, try_org,
	};
	for (size_t i = 0; i < sc.n && x.n < max;) {
		size_t next = 0;
		for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]) && !next; r++)
			next = rules[r](&x, i);
		i = next > i ? next : i + 1;
	}
	scan_free(&sc);
	return x.n;
}

/* ---- essence --------------------------------------------------------------------------- */

/* Words after which a full stop does not end a sentence. */
static const char *const abbrevs[] = {
    "ул",  "д",   "кв",   "г",   "пр",  "т",   "е",  "см",  "им",    "обл", "р",
    "руб", "тыс", "корп", "стр", "наб", "пер", "ш",  "пл",  "просп", "лит", "к",
    "п",   "м",   "мкр",  "св",  "ст",  "тел", "гр", "млн", "др",    "пос", NULL};
static const char *const request_words[] = {
    "прошу",     "просим",  "просьба",  "требую",         "требуем",    "примите",
    "принять",   "обязать", "помогите", "разберитесь",    "необходимо", "нужно",
    "устраните", "уберите", "почините", "отремонтируйте", "проверьте",  NULL};

struct sentence {
	size_t from, to; /* tokens */
	double score;
	bool request;
	size_t content;
};

struct sentences {
	const struct scan *sc;
	const struct text_fact *facts;
	size_t nf;
	struct sentence v[64];
	size_t n;
};

/* Adds tokens [from, to) as a sentence when it has content words. */
static void sentence_add(struct sentences *ss, size_t from, size_t to)
{
	if (to <= from || ss->n == sizeof(ss->v) / sizeof(ss->v[0]))
		return;
	const struct scan *sc = ss->sc;
	struct sentence *st = &ss->v[ss->n];
	memset(st, 0, sizeof(*st));
	st->from = from;
	st->to = to;
	size_t words = 0;
	for (size_t k = from; k < to; k++) {
		if (sc->t[k].kind != SCAN_WORD)
			continue;
		words++;
		if (in_list(sc->t[k].low, request_words))
			st->request = true;
		size_t wl = strlen(sc->t[k].low);
		if (wl >= 6 && !text_is_stopword(sc->t[k].low, wl)) /* 3+ Cyrillic letters */
			st->content++;
	}
	if (!st->content)
		return;
	size_t fin = 0;
	uint32_t a = sc->t[from].off, b = sc->t[to - 1].off + sc->t[to - 1].len;
	for (size_t f = 0; f < ss->nf; f++)
		fin += ss->facts[f].off >= a && ss->facts[f].off < b;
	st->score =
	    (double)st->content / sqrt((double)words + 1.0) + 0.3 * (double)(fin < 3 ? fin : 3);
	ss->n++;
}

/* True when token i ends a sentence. */
static bool sentence_end(const struct scan *sc, size_t i)
{
	const struct scan_tok *t = &sc->t[i];
	if (t->kind != SCAN_PUNCT)
		return false;
	if (t->cp == '!' || t->cp == '?' || t->cp == 0x2026 || t->cp == ';')
		return true;
	if (t->cp != '.')
		return false;
	/* not after "ул." or "д.", not inside "15.01", not before a lower-case word */
	if (i > 0 && sc->t[i - 1].kind == SCAN_WORD && !t->space_before &&
	    in_list(sc->t[i - 1].low, abbrevs))
		return false;
	if (i > 0 && sc->t[i - 1].kind == SCAN_WORD && sc->t[i - 1].upper && sc->t[i - 1].len <= 2)
		return false; /* an initial: "Я. Гашека", "В.О." */
	if (i + 1 < sc->n && !sc->t[i + 1].space_before &&
	    (sc->t[i + 1].kind != SCAN_WORD || !sc->t[i + 1].upper))
		return false; /* "15.01", "т.е"; but "вода.В 2019 году" is two sentences */
	if (i + 1 < sc->n && sc->t[i + 1].kind == SCAN_WORD && !sc->t[i + 1].upper &&
	    !sc->t[i + 1].line_before)
		return false;
	return true;
}

size_t text_essence(const char *s, size_t n, struct text_span *out, size_t max)
{
	if (!max)
		return 0;
	struct scan sc;
	scan_text(s, n, &sc);
	struct text_fact facts[64];
	struct sentences ss = {.sc = &sc, .facts = facts};
	ss.nf = text_facts(s, n, facts, 64);
	size_t from = 0;
	for (size_t i = 0; i < sc.n; i++) {
		if (i > from && sc.t[i].line_before) { /* a new line starts a new sentence */
			sentence_add(&ss, from, i);
			from = i;
		}
		if (!sentence_end(&sc, i))
			continue;
		while (i + 1 < sc.n && sc.t[i + 1].kind == SCAN_PUNCT &&
		       !sc.t[i + 1].space_before && sc.t[i + 1].cp != '(' && sc.t[i + 1].cp != 0xAB)
			i++; /* "?!", "..." */
		sentence_add(&ss, from, i + 1);
		from = i + 1;
	}
	sentence_add(&ss, from, sc.n);
	struct sentence *sent = ss.v;
	size_t ns = ss.n;
	size_t m = 0;
	if (ns) {
		sent[0].score +=
		    0.5; /* the first sentence with content usually names the problem */
		bool pick[64] = {false};
		size_t best = 0, req = ns;
		for (size_t k = 1; k < ns; k++)
			if (sent[k].score > sent[best].score + 1e-9 &&
			    !(sent[k].request && !sent[best].request))
				best = k;
		if (sent[best].request) /* every sentence is a request: the best one stands */
			req = ns;
		else
			for (size_t k = 0; k < ns && req == ns; k++)
				if (sent[k].request)
					req = k;
		pick[best] = true;
		if (req < ns && max > 1)
			pick[req] = true;
		/* room left: the next best sentence that says something */
		size_t chosen = 1 + (req < ns && max > 1);
		while (chosen < max && chosen < 3) {
			size_t add = ns;
			for (size_t k = 0; k < ns; k++)
				if (!pick[k] && sent[k].content >= 2 && !sent[k].request &&
				    (add == ns || sent[k].score > sent[add].score))
					add = k;
			if (add == ns || sent[add].score < 0.6 * sent[best].score)
				break;
			pick[add] = true;
			chosen++;
		}
		for (size_t k = 0; k < ns && m < max; k++)
			if (pick[k]) {
				uint32_t a = sc.t[sent[k].from].off;
				const struct scan_tok *e = &sc.t[sent[k].to - 1];
				out[m].off = a;
				out[m].len = e->off + e->len - a;
				m++;
			}
	}
	scan_free(&sc);
	return m;
}
