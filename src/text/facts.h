/* facts.h: what the executor's assistant reads out of an appeal — the facts in the text
 * (addresses, flats, entrances, floors, dates, times, durations, sums, measures, phones, e-mail
 * addresses, organisations) and its essence (the sentences that state the problem and the
 * request). Rules over the text as typed; offsets point into it. */
#ifndef OTKLIK_TEXT_FACTS_H
#define OTKLIK_TEXT_FACTS_H

#include <stddef.h>
#include <stdint.h>

enum text_fact_kind {
	FACT_ADDRESS, /* "ул. Ленина, д. 5, корп. 2", "Садовая ул. 12", "дом 7" */
	FACT_APARTMENT, /* "кв. 12": value "12" */
	FACT_ENTRANCE,  /* "2-й подъезд", "парадная № 3": value "2" */
	FACT_FLOOR,     /* "на 8 этаже": value "8" */
	FACT_DATE,      /* "15.01.2021", "15 января": value "2021-01-15" or "--01-15" */
	FACT_TIME,      /* "10:30": value "10:30" */
	FACT_DURATION,  /* "3 недели", "уже месяц" */
	FACT_MONEY,     /* "1 500 руб." */
	FACT_MEASURE,   /* "30 см", "+15 градусов" */
	FACT_PHONE,     /* "+7 (812) 123-45-67": value "+78121234567" */
	FACT_EMAIL,     /* "name@example.ru" */
	FACT_ORG, /* "УК «Жилкомсервис»", "ГУП ТЭК", "управляющая компания" */
	FACT_KINDS
};

struct text_fact {
	uint8_t kind;      /* enum text_fact_kind */
	uint32_t off, len; /* bytes of the text */
	char value[24];    /* normalised value where the kind has one, else "" */
};

/* The facts of s[0..n) in text order, at most max; returns how many. Spans never overlap. */
size_t text_facts(const char *s, size_t n, struct text_fact *out, size_t max);

/* "address", "apartment", … (the API's names). */
const char *text_fact_kind_name(unsigned kind);

struct text_span {
	uint32_t off, len;
};

/* The essence of s[0..n): up to max (≥ 1) sentences, in text order — the one that states the
 * problem best, the request if there is one — greetings and politeness left out. Returns how
 * many (0 for a text without content words). */
size_t text_essence(const char *s, size_t n, struct text_span *out, size_t max);

#endif
