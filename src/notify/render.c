/* render.c: Russian titles and bodies of notifications, the webhook payload, the digest. */
#include "notify/render.h"
#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name, *ru;
} statuses[] = {
    {"submitted", "Зарегистрировано, ожидает распределения"},
    {"routed", "Направлено в ведомство"},
    {"redirected", "Перенаправлено в другое ведомство"},
    {"in_progress", "В работе"},
    {"clarification", "Запрошено уточнение"},
    {"clarified", "Уточнено"},
    {"approval", "На согласовании ответа"},
    {"answered", "Дан ответ"},
    {"rereview", "На повторном рассмотрении"},
    {"closed", "Закрыто"},
    {"rejected", "Отклонено"},
    {"merged", "Объединено с другим обращением"},
};

const char *notify_status_ru(const char *status)
{
	if (!status)
		return "";
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (!strcmp(statuses[i].name, status))
			return statuses[i].ru;
	return status;
}

char *notify_excerpt(struct arena *a, const char *text, size_t max_chars)
{
	if (!text)
		return arena_strdup(a, "");
	size_t n = strlen(text);
	char *out = arena_alloc(a, n + 4);
	size_t o = 0, chars = 0;
	bool space = false, cut = false;
	for (size_t i = 0; i < n;) {
		unsigned char ch = (unsigned char)text[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = o > 0;
			i++;
			continue;
		}
		size_t len = ch < 0x80 ? 1 : (ch >> 5) == 6 ? 2 : (ch >> 4) == 14 ? 3 : 4;
		if (i + len > n)
			len = n - i;
		if (chars + (space ? 1 : 0) + 1 > max_chars) {
			cut = true;
			break;
		}
		if (space) {
			out[o++] = ' ';
			chars++;
			space = false;
		}
		memcpy(out + o, text + i, len);
		o += len;
		i += len;
		chars++;
	}
	out[o] = '\0';
	if (cut)
		return arena_printf(a, "%s…", out);
	return out;
}

void notify_render_event(struct arena *a, const struct notify_event *ev, bool with_text,
                         const char **title, const char **body)
{
	long long id = (long long)ev->appeal_id;
	const char *k = ev->kind ? ev->kind : "";
	const char *to = ev->status_to;
	struct buf b = BUF_INIT(16384);
	if (!strcmp(k, "overdue"))
		*title = arena_printf(a, "Просрочено обращение №%lld", id);
	else if (!strcmp(k, "due_soon"))
		*title = arena_printf(a, "Истекает срок ответа на обращение №%lld", id);
	else if (!strcmp(k, "answer_interim"))
		*title = arena_printf(a, "Промежуточный ответ по обращению №%lld", id);
	else if (!strcmp(k, "answer_final") && to && !strcmp(to, "answered"))
		*title = arena_printf(a, "Ответ на обращение №%lld", id);
	else if (!strcmp(k, "clarification"))
		*title = arena_printf(a, "Уточните обращение №%lld", id);
	else if (!strcmp(k, "extend"))
		*title = arena_printf(a, "Продлён срок ответа на обращение №%lld", id);
	else if (!strcmp(k, "join") || !strcmp(k, "joined"))
		*title = arena_printf(a, "К обращению №%lld присоединился ещё один житель", id);
	else if (to)
		*title = arena_printf(a, "Обращение №%lld: «%s»", id, notify_status_ru(to));
	else
		*title = arena_printf(a, "Новое событие по обращению №%lld", id);

	if (!strcmp(k, "submitted") && to)
		buf_printf(&b, "Обращение №%lld зарегистрировано. Статус: «%s».", id,
		           notify_status_ru(to));
	else if (to && ev->status_from)
		buf_printf(&b, "Статус обращения №%lld изменён: «%s» → «%s».", id,
		           notify_status_ru(ev->status_from), notify_status_ru(to));
	else if (to)
		buf_printf(&b, "Статус обращения №%lld: «%s».", id, notify_status_ru(to));
	else if (!strcmp(k, "overdue"))
		buf_printf(&b, "Срок ответа на обращение №%lld истёк.", id);
	else if (!strcmp(k, "due_soon"))
		buf_printf(&b, "Срок ответа на обращение №%lld истекает в течение рабочего дня.",
		           id);
	else
		buf_printf(&b, "По обращению №%lld новое событие.", id);
	if (with_text && ev->text && *ev->text) {
		const char *lead = !strncmp(k, "answer", 6)      ? "Текст ответа"
		                   : !strcmp(k, "clarification") ? "Вопрос"
		                   : !strcmp(k, "clarify")       ? "Уточнение"
		                                                 : "Комментарий";
		buf_printf(&b, "\n\n%s: %s", lead, notify_excerpt(a, ev->text, 500));
	}
	*body = arena_strdup(a, b.data ? b.data : "");
	buf_release(&b);
}

char *notify_render_email(struct arena *a, const char *title, const char *body)
{
	return arena_printf(a,
	                    "%s\n\n%s\n\n-- \nОтклик: платформа обратной связи. Эти письма можно "
	                    "отключить или получать раз в день в настройках уведомлений.\n",
	                    title, body);
}

char *notify_webhook_payload(const struct notify_event *ev, json_t *brief)
{
	json_t *e = json_pack("{s:I,s:s,s:I,s:o,s:o,s:b,s:o}", "id", (json_int_t)ev->id, "kind",
	                      ev->kind ? ev->kind : "", "at", (json_int_t)ev->at, "status_from",
	                      ev->status_from ? json_string(ev->status_from) : json_null(),
	                      "status_to", ev->status_to ? json_string(ev->status_to) : json_null(),
	                      "public", ev->public, "text",
	                      ev->public && ev->text ? json_string(ev->text) : json_null());
	json_t *root = json_pack("{s:o,s:O}", "event", e, "appeal", brief ? brief : json_null());
	char *s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return s;
}

void notify_render_digest(struct arena *a, const struct notification_row *rows, size_t n,
                          const char **subject, const char **body)
{
	*subject = arena_printf(a, "Отклик: сводка уведомлений за день (%zu)", n);
	struct buf b = BUF_INIT(1 << 20);
	buf_printf(&b, "Уведомления с прошлой сводки: %zu.\n", n);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "\n• %s\n  %s\n", rows[i].title,
		           notify_excerpt(a, rows[i].body, 300));
	buf_puts(&b, "\n-- \nОтклик: платформа обратной связи. Режим писем меняется в настройках "
	             "уведомлений.\n");
	*body = arena_strdup(a, b.data ? b.data : "");
	buf_release(&b);
}
