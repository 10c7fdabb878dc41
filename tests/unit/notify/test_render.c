/* test_render.c: unit tests for notify/render.c (titles, bodies, excerpts, payload, digest). */
#include <criterion/criterion.h>

#include "notify/render.h"

#include <stdlib.h>
#include <string.h>

static struct arena A;

static void setup(void)
{
	arena_init(&A, 4096);
}

static void teardown(void)
{
	arena_release(&A);
}

TestSuite(render, .init = setup, .fini = teardown);

Test(render, status_names_are_russian)
{
	cr_expect_str_eq(notify_status_ru("in_progress"), "В работе");
	cr_expect_str_eq(notify_status_ru("answered"), "Дан ответ");
	cr_expect_str_eq(notify_status_ru("weird"), "weird");
	cr_expect_str_eq(notify_status_ru(NULL), "");
}

Test(render, excerpt_cuts_on_characters_and_folds_space)
{
	cr_expect_str_eq(notify_excerpt(&A, "  Яма  во\n\nдворе ", 100), "Яма во дворе");
	/* 5 Cyrillic characters: never half a character */
	cr_expect_str_eq(notify_excerpt(&A, "абвгдежз", 5), "абвгд…");
	cr_expect_str_eq(notify_excerpt(&A, "абв", 3), "абв");
	cr_expect_str_eq(notify_excerpt(&A, NULL, 3), "");
}

Test(render, status_change_names_both_statuses)
{
	struct notify_event ev = {.id = 9,
	                          .appeal_id = 42,
	                          .kind = "start",
	                          .status_from = "routed",
	                          .status_to = "in_progress",
	                          .public = true};
	const char *title, *body;
	notify_render_event(&A, &ev, true, &title, &body);
	cr_expect_str_eq(title, "Обращение №42: «В работе»");
	cr_expect(strstr(body, "«Направлено в ведомство» → «В работе»") != NULL, "%s", body);
}

Test(render, answer_text_quoted_only_when_allowed)
{
	struct notify_event ev = {.id = 9,
	                          .appeal_id = 7,
	                          .kind = "answer_final",
	                          .status_from = "in_progress",
	                          .status_to = "answered",
	                          .text = "Яму заделают до пятницы.",
	                          .public = true};
	const char *title, *body;
	notify_render_event(&A, &ev, true, &title, &body);
	cr_expect_str_eq(title, "Ответ на обращение №7");
	cr_expect(strstr(body, "Текст ответа: Яму заделают до пятницы.") != NULL, "%s", body);
	notify_render_event(&A, &ev, false, &title, &body);
	cr_expect_null(strstr(body, "Яму"), "%s", body);
}

Test(render, submitted_and_overdue)
{
	struct notify_event ev = {.appeal_id = 3, .kind = "submitted", .status_to = "routed"};
	const char *title, *body;
	notify_render_event(&A, &ev, false, &title, &body);
	cr_expect(strstr(body, "зарегистрировано") && strstr(body, "«Направлено в ведомство»"),
	          "%s", body);
	struct notify_event ov = {.appeal_id = 3, .kind = "overdue"};
	notify_render_event(&A, &ov, false, &title, &body);
	cr_expect_str_eq(title, "Просрочено обращение №3");
}

Test(render, webhook_payload_hides_internal_text)
{
	struct notify_event ev = {.id = 5,
	                          .appeal_id = 3,
	                          .at = 1000,
	                          .kind = "notes",
	                          .text = "внутреннее",
	                          .public = false};
	json_t *brief = json_pack("{s:i}", "id", 3);
	char *s = notify_webhook_payload(&ev, brief);
	json_t *j = json_loads(s, 0, NULL);
	cr_assert_not_null(j);
	cr_expect(json_is_null(json_object_get(json_object_get(j, "event"), "text")));
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(j, "appeal"), "id")), 3);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "event"), "kind")),
	                 "notes");
	json_decref(j);
	free(s);
	ev.public = true;
	s = notify_webhook_payload(&ev, brief);
	cr_expect(strstr(s, "внутреннее") != NULL);
	free(s);
	json_decref(brief);
}

Test(render, digest_lists_every_notification)
{
	struct notification_row rows[2] = {
	    {.id = 1, .title = "Обращение №1: «В работе»", .body = "Статус изменён."},
	    {.id = 2, .title = "Ответ на обращение №2", .body = "Текст ответа: готово."},
	};
	const char *subject, *body;
	notify_render_digest(&A, rows, 2, &subject, &body);
	cr_expect(strstr(subject, "(2)") != NULL, "%s", subject);
	cr_expect(strstr(body, "Обращение №1: «В работе»") && strstr(body, "Ответ на обращение №2"),
	          "%s", body);
}
