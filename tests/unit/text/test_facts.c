/* test_facts.c: facts, essence and plain language of text/facts.c and text/plain.c — what the
 * executor's assistant shows. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/arena.h"
#include "text/facts.h"
#include "text/plain.h"

static struct text_fact f[64];
static size_t nf;
static const char *src;

static void facts(const char *s)
{
	src = s;
	nf = text_facts(s, strlen(s), f, 64);
}

/* The k-th fact of the kind (0-based) has this text (and value, when given). */
static void has(unsigned kind, size_t k, const char *text, const char *value)
{
	for (size_t i = 0; i < nf; i++) {
		if (f[i].kind != kind || k--)
			continue;
		cr_assert_eq(f[i].len, strlen(text), "%s: got \"%.*s\", want \"%s\"",
		             text_fact_kind_name(kind), (int)f[i].len, src + f[i].off, text);
		cr_assert(!memcmp(src + f[i].off, text, f[i].len), "%s: got \"%.*s\", want \"%s\"",
		          text_fact_kind_name(kind), (int)f[i].len, src + f[i].off, text);
		if (value)
			cr_assert_str_eq(f[i].value, value);
		return;
	}
	cr_assert_fail("no %s \"%s\" in \"%s\"", text_fact_kind_name(kind), text, src);
}

static size_t count(unsigned kind)
{
	size_t c = 0;
	for (size_t i = 0; i < nf; i++)
		c += f[i].kind == kind;
	return c;
}

Test(facts, addresses)
{
	facts("Во дворе дома по адресу ул. Маршала Жукова, д. 5а, корп. 2 яма.");
	has(FACT_ADDRESS, 0, "ул. Маршала Жукова, д. 5а, корп. 2", NULL);
	facts("Садовая ул. 12 — не убран снег. Также пр-т Просвещения 87");
	has(FACT_ADDRESS, 0, "Садовая ул. 12", NULL);
	has(FACT_ADDRESS, 1, "пр-т Просвещения 87", NULL);
	facts("ул ленина д 5 кв 12");
	has(FACT_ADDRESS, 0, "ул ленина д 5", NULL);
	has(FACT_APARTMENT, 0, "кв 12", "12");
	facts("14-я линия В.О., дом 7, лит. А");
	has(FACT_ADDRESS, 0, "14-я линия", NULL);
	has(FACT_ADDRESS, 1, "дом 7, лит. А", NULL);
	facts("Данный проезд и Вымести проезд — не адреса");
	cr_assert_eq(count(FACT_ADDRESS), 0);
	facts("на набережной Обводного канала грязно");
	has(FACT_ADDRESS, 0, "набережной Обводного канала", NULL);
	facts("Улица Римского-Корсакова, 5");
	has(FACT_ADDRESS, 0, "Улица Римского-Корсакова, 5", NULL);
}

Test(facts, flats_entrances_floors)
{
	facts("Во 2-й парадной на 8 этаже, квартира № 40, подъезд 3");
	has(FACT_ENTRANCE, 0, "2-й парадной", "2");
	has(FACT_FLOOR, 0, "8 этаже", "8");
	has(FACT_APARTMENT, 0, "квартира № 40", "40");
	has(FACT_ENTRANCE, 1, "подъезд 3", "3");
}

Test(facts, dates_and_times)
{
	facts("Звонил 15.01.2021 в 10:30, потом 3 февраля 2021 г. и 2021-02-10, ещё 20.02");
	has(FACT_DATE, 0, "15.01.2021", "2021-01-15");
	has(FACT_TIME, 0, "10:30", "10:30");
	has(FACT_DATE, 1, "3 февраля 2021 г.", "2021-02-03");
	has(FACT_DATE, 2, "2021-02-10", "2021-02-10");
	has(FACT_DATE, 3, "20.02", "--02-20");
	facts("яма 1.5 м, версия 1.2.3, 31.13.2020, 25:99, 1.2.2645");
	cr_assert_eq(count(FACT_DATE), 0, "decimals, versions and impossible dates are not dates");
	cr_assert_eq(count(FACT_TIME), 0);
	has(FACT_MEASURE, 0, "1.5 м", NULL);
}

Test(facts, amounts_and_durations)
{
	facts("Уже три недели нет воды, плачу 1 500 руб. в месяц, яма 30 см, в квартире +15 °C, "
	      "жду 2 месяца, штраф 5 тыс. руб.");
	has(FACT_DURATION, 0, "три недели", NULL);
	has(FACT_MONEY, 0, "1 500 руб.", NULL);
	has(FACT_MEASURE, 0, "30 см", NULL);
	has(FACT_MEASURE, 1, "+15 °C", NULL);
	has(FACT_DURATION, 1, "2 месяца", NULL);
	has(FACT_MONEY, 1, "5 тыс. руб.", NULL);
	facts("не убирают уже месяц, в течение недели; -5 градусов. Яма 30 см.");
	has(FACT_DURATION, 0, "уже месяц", NULL);
	has(FACT_DURATION, 1, "течение недели", NULL);
	has(FACT_MEASURE, 0, "-5 градусов", NULL);
	has(FACT_MEASURE, 1, "30 см.", NULL);
}

Test(facts, contacts)
{
	facts("Звоните +7 (812) 123-45-67 или 8-911-222-33-44, 89110001122, 555-12-34; "
	      "почта ivan.petrov@mail.ru.");
	has(FACT_PHONE, 0, "+7 (812) 123-45-67", "+78121234567");
	has(FACT_PHONE, 1, "8-911-222-33-44", "+79112223344");
	has(FACT_PHONE, 2, "89110001122", "+79110001122");
	has(FACT_PHONE, 3, "555-12-34", "5551234");
	has(FACT_EMAIL, 0, "ivan.petrov@mail.ru", NULL);
	facts("дом 12345678901 и 2020 год");
	cr_assert_eq(count(FACT_PHONE), 0);
}

Test(facts, organisations)
{
	facts("УК «Жилкомсервис №2» и ТСЖ не отвечают, ГУП ТЭК тоже, ЖКС № 2 Приморского района, "
	      "управляющая компания «Дом»; ао, ип — не организации");
	has(FACT_ORG, 0, "УК «Жилкомсервис №2»", NULL);
	has(FACT_ORG, 1, "ТСЖ", NULL);
	has(FACT_ORG, 2, "ГУП ТЭК", NULL);
	has(FACT_ORG, 3, "ЖКС № 2", NULL);
	has(FACT_ORG, 4, "управляющая компания «Дом»", NULL);
	cr_assert_eq(count(FACT_ORG), 5);
}

Test(facts, bounded_and_robust)
{
	facts("");
	cr_assert_eq(nf, 0);
	const char bad[] = "ул. \xff\xfe Ленина д. 5 \xc0";
	src = bad;
	nf = text_facts(bad, sizeof(bad) - 1, f, 64);
	cr_assert_eq(nf, 1, "invalid bytes are white space");
	struct text_fact one[1];
	cr_assert_eq(text_facts("д. 1, д. 2, д. 3", 17, one, 1), 1, "at most max");
	cr_assert_str_eq(text_fact_kind_name(FACT_ORG), "org");
	cr_assert_str_eq(text_fact_kind_name(999), "");
}

static void essence_is(const char *s, size_t want, const char *const *parts)
{
	struct text_span sp[3];
	size_t n = text_essence(s, strlen(s), sp, 3);
	cr_assert_eq(n, want, "essence of \"%s\": %zu sentences", s, n);
	for (size_t i = 0; i < n; i++)
		cr_assert(sp[i].len == strlen(parts[i]) &&
		              !memcmp(s + sp[i].off, parts[i], sp[i].len),
		          "sentence %zu: got \"%.*s\"", i, (int)sp[i].len, s + sp[i].off);
}

Test(essence, problem_and_request)
{
	const char *want[] = {"Во дворе дома по ул. Ленина, д. 5 уже третью неделю не вывозят "
	                      "мусор, контейнеры переполнены.",
	                      "Прошу принять меры и вывезти мусор."};
	essence_is("Здравствуйте! Во дворе дома по ул. Ленина, д. 5 уже третью неделю не вывозят "
	           "мусор, контейнеры переполнены. Прошу принять меры и вывезти мусор. Спасибо.",
	           2, want);
	const char *one[] = {"не горит фонарь у парадной"};
	essence_is("Добрый день!\nне горит фонарь у парадной\nСпасибо!", 1, one);
	essence_is("Здравствуйте! Спасибо.", 0, NULL);
	essence_is("", 0, NULL);
}

Test(plain, replaces_and_reports)
{
	struct arena a;
	arena_init(&a, 1024);
	const char *in = "В настоящее время данный вопрос решается. В связи с тем, что денежные "
	                 "средства не выделены, работы будут произведены в целях безопасности. "
	                 "Ранее в ходе проверки ...";
	const char *out;
	struct text_change *ch;
	size_t n;
	text_plain(&a, in, strlen(in), &out, &ch, &n);
	cr_assert_str_eq(out, "Сейчас этот вопрос решается. Так как деньги не выделены, работы "
	                      "будут выполнены для безопасности. Раньше во время проверки ...");
	cr_assert_eq(n, 8);
	cr_assert_eq(ch[0].off, 0);
	cr_assert_eq(ch[0].len, strlen("В настоящее время"));
	cr_assert_str_eq(ch[0].to, "сейчас");
	text_plain(&a, "Персональные данные и данным", 42, &out, &ch, &n);
	cr_assert_eq(n, 0, "\"данные\" (data) is left alone");
	cr_assert_null(ch);
	text_plain(&a, "", 0, &out, &ch, &n);
	cr_assert_str_eq(out, "");
	text_plain(&a, "в\nцелях", 12, &out, &ch, &n);
	cr_assert_eq(n, 0, "a phrase does not run across lines");
	arena_release(&a);
}
