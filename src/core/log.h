/* log.h: structured (JSON lines) logging to stderr. Never log personal data. */
#ifndef OTKLIK_CORE_LOG_H
#define OTKLIK_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
/* Would a message of this level be written? (The access log is at info.) */
bool log_enabled(enum log_level lvl);
/* msg is a short English event name; fmt (may be NULL) adds free text. */
void log_msg(enum log_level lvl, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Write one already-formatted JSON object as a line. */
void log_line(const char *json, size_t len);

#define log_info(ev, ...)  log_msg(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...)  log_msg(LOG_WARN, ev, __VA_ARGS__)
#define log_error(ev, ...) log_msg(LOG_ERROR, ev, __VA_ARGS__)

#endif
