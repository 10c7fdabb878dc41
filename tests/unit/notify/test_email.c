/* test_email.c: unit tests for notify/email.c (the RFC 5322 message builder). */
#include <criterion/criterion.h>

#include "core/err.h"
#include "notify/email.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Decodes every =?UTF-8?B?…?= word of the (folded) Subject header into out. */
static void decode_subject(const char *msg, char *out, size_t cap)
{
	const char *p = strstr(msg, "\r\nSubject:");
	cr_assert_not_null(p);
	p += 10;
	size_t o = 0;
	for (;;) {
		const char *w = strstr(p, "=?UTF-8?B?");
		const char *eol = strstr(p, "\r\n");
		if (!w || w > eol)
			break;
		w += 10;
		const char *e = strstr(w, "?=");
		size_t bin = 0;
		cr_assert_eq(sodium_base642bin((unsigned char *)out + o, cap - o - 1, w,
		                               (size_t)(e - w), NULL, &bin, NULL,
		                               sodium_base64_VARIANT_ORIGINAL),
		             0);
		cr_assert_leq(e - (w - 10) + 2, 75, "encoded word too long");
		o += bin;
		p = e + 2;
		eol = strstr(p, "\r\n");
		if (strncmp(eol, "\r\n ", 3))
			break; /* no continuation line */
		p = eol + 3;
	}
	out[o] = '\0';
}

static char *decode_body(const char *msg)
{
	const char *b = strstr(msg, "\r\n\r\n");
	cr_assert_not_null(b);
	b += 4;
	size_t cap = strlen(b) + 1, n = 0;
	char *out = calloc(1, cap);
	cr_assert_eq(sodium_base642bin((unsigned char *)out, cap, b, strlen(b), "\r\n", &n, NULL,
	                               sodium_base64_VARIANT_ORIGINAL),
	             0);
	out[n] = '\0';
	return out;
}

Test(email, headers_and_encoding)
{
	struct buf m = BUF_INIT(1 << 20);
	const char *subject = "Обращение №42: «В работе» — длинная тема письма, чтобы пришлось "
	                      "переносить её на несколько строк заголовка";
	cr_assert_eq(notify_email_build(&m, "otklik@example.org", "ivan@example.org", subject,
	                                "Статус изменён.\nВторая строка.", 77, 1700000000000),
	             0);
	cr_expect(strstr(m.data, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n") != NULL, "%s",
	          m.data);
	cr_expect(strstr(m.data, "\r\nFrom: otklik@example.org\r\n") != NULL);
	cr_expect(strstr(m.data, "\r\nTo: ivan@example.org\r\n") != NULL);
	cr_expect(strstr(m.data, "\r\nMessage-ID: <otklik-delivery-77@example.org>\r\n") != NULL);
	cr_expect(strstr(m.data, "\r\nContent-Type: text/plain; charset=utf-8\r\n") != NULL);
	cr_expect(strstr(m.data, "\r\nContent-Transfer-Encoding: base64\r\n") != NULL);
	char dec[1024];
	decode_subject(m.data, dec, sizeof(dec));
	cr_expect_str_eq(dec, subject);
	char *body = decode_body(m.data);
	cr_expect_str_eq(body, "Статус изменён.\r\nВторая строка.");
	free(body);
	/* every line ends in CRLF and stays short */
	for (const char *p = m.data; *p;) {
		const char *e = strstr(p, "\r\n");
		cr_assert_not_null(e, "line without CRLF");
		cr_expect_leq(e - p, 78, "line too long: %.*s", (int)(e - p), p);
		p = e + 2;
	}
	buf_release(&m);
}

Test(email, refuses_header_injection)
{
	struct buf m = BUF_INIT(1 << 20);
	cr_expect_eq(
	    notify_email_build(&m, "otklik@example.org", "a@b.c\r\nBcc: x@y.z", "s", "b", 1, 0),
	    ERR_INVALID);
	cr_expect_eq(notify_email_build(&m, "otklik@example.org", "not an address", "s", "b", 1, 0),
	             ERR_INVALID);
	buf_release(&m);
}

Test(email, empty_subject_and_body)
{
	struct buf m = BUF_INIT(1 << 20);
	cr_assert_eq(notify_email_build(&m, "a@b.c", "d@e.f", "", "", 1, 0), 0);
	cr_expect(strstr(m.data, "\r\nSubject: \r\n") != NULL);
	buf_release(&m);
}
