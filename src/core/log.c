/* log.c: JSON-lines log writer; one write() per line so lines from threads do not interleave. */
#include "core/log.h"
#include "core/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;

void log_set_level(enum log_level lvl)
{
	min_level = lvl;
}

bool log_enabled(enum log_level lvl)
{
	return lvl >= min_level;
}

static size_t json_escape(char *out, size_t cap, const char *s)
{
	size_t o = 0;
	for (; *s && o + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		} else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return o;
}

void log_msg(enum log_level lvl, const char *event, const char *fmt, ...)
{
	if (lvl < min_level)
		return;
	static const char *names[] = {"debug", "info", "warn", "error"};
	char text[1024] = "";
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
	}
	char esc_ev[256], esc_text[2048], line[2600];
	json_escape(esc_ev, sizeof(esc_ev), event);
	json_escape(esc_text, sizeof(esc_text), text);
	int n =
	    snprintf(line, sizeof(line), "{\"ts\":%lld,\"level\":\"%s\",\"event\":\"%s\"%s%s%s}\n",
	             (long long)clock_now_ms(), names[lvl], esc_ev, fmt ? ",\"msg\":\"" : "",
	             fmt ? esc_text : "", fmt ? "\"" : "");
	if (n > 0)
		log_line(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void log_line(const char *json, size_t len)
{
	ssize_t w = write(STDERR_FILENO, json, len);
	(void)w;
}
