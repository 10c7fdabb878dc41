/* render.h: the words of notifications: titles and bodies (Russian) of appeal events, the
 * webhook payload and the daily digest. Pure functions (no database), unit-tested. */
#ifndef OTKLIK_NOTIFY_RENDER_H
#define OTKLIK_NOTIFY_RENDER_H

#include "core/arena.h"
#include "store/notify.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The Russian name of a status ("in_progress" -> "В работе"); the input itself when unknown,
 * "" for NULL. */
const char *notify_status_ru(const char *status);

/* At most max_chars characters of text (UTF-8 safe, whitespace runs folded to one space),
 * with "…" when cut; "" for NULL. In the arena. */
char *notify_excerpt(struct arena *a, const char *text, size_t max_chars);

/* Title and body of the notification about event ev of appeal appeal_id. with_text: the
 * event's text may be quoted (public events, or staff recipients). Strings in the arena. */
void notify_render_event(struct arena *a, const struct notify_event *ev, bool with_text,
                         const char **title, const char **body);

/* The plain-text e-mail body for one notification (title, body, footer). In the arena. */
char *notify_render_email(struct arena *a, const char *title, const char *body);

/* The webhook body: {"event": {id, kind, at, status_from, status_to, public, text (public
 * events only, else null)}, "appeal": brief}. brief is not stolen. Caller frees (free()). */
char *notify_webhook_payload(const struct notify_event *ev, json_t *brief);

/* Subject and body of a digest listing n notifications (oldest first). In the arena. */
void notify_render_digest(struct arena *a, const struct notification_row *rows, size_t n,
                          const char **subject, const char **body);

#endif
