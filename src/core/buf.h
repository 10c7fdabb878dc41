/* buf.h: a growing byte buffer with a hard maximum. */
#ifndef OTKLIK_CORE_BUF_H
#define OTKLIK_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len, cap, max;
	bool overflow; /* set when an append would pass max; the append is dropped */
};

#define BUF_INIT(maxbytes)                                                                         \
	{                                                                                          \
		NULL, 0, 0, (maxbytes), false                                                      \
	}

/* Returns 0, or ERR_TOOLARGE (and sets overflow) when max would be passed. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_release(struct buf *b);
/* Hands the data to the caller (free() it); the buffer is empty afterwards. */
char *buf_detach(struct buf *b, size_t *len);

#endif
