/* email.c: building RFC 5322 messages and sending them over SMTP (libcurl). */
#include "notify/email.h"
#include "core/err.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool plain_address(const char *s)
{
	if (!s || !*s || strlen(s) > 254 || !strchr(s, '@'))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == '"' || *p == 0x7f)
			return false;
	return true;
}

static void b64(struct buf *out, const unsigned char *p, size_t n)
{
	char tmp[128];
	while (n) {
		size_t k = n > 57 ? 57 : n; /* 76 characters a line */
		sodium_bin2base64(tmp, sizeof(tmp), p, k, sodium_base64_VARIANT_ORIGINAL);
		buf_puts(out, tmp);
		buf_puts(out, "\r\n");
		p += k;
		n -= k;
	}
}

/* "Subject: " then encoded words of at most 42 bytes of UTF-8 each (never splitting a
 * character), folded onto continuation lines. */
static void subject_header(struct buf *out, const char *s)
{
	size_t n = strlen(s);
	buf_puts(out, "Subject:");
	if (!n) {
		buf_puts(out, " \r\n");
		return;
	}
	size_t i = 0;
	while (i < n) {
		size_t k = n - i > 42 ? 42 : n - i;
		while (k > 1 && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
			k--;
		char tmp[128];
		sodium_bin2base64(tmp, sizeof(tmp), (const unsigned char *)s + i, k,
		                  sodium_base64_VARIANT_ORIGINAL);
		buf_printf(out, "%s=?UTF-8?B?%s?=", i ? "\r\n " : " ", tmp);
		i += k;
	}
	buf_puts(out, "\r\n");
}

int notify_email_build(struct buf *out, const char *from, const char *to, const char *subject,
                       const char *body, int64_t delivery_id, int64_t now_ms)
{
	if (!plain_address(from) || !plain_address(to))
		return ERR_INVALID;
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
	           tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	           tm.tm_sec);
	buf_printf(out, "From: %s\r\nTo: %s\r\n", from, to);
	subject_header(out, subject ? subject : "");
	buf_printf(out, "Message-ID: <otklik-delivery-%lld@%s>\r\n", (long long)delivery_id,
	           strchr(from, '@') + 1);
	buf_puts(out, "MIME-Version: 1.0\r\n"
	              "Content-Type: text/plain; charset=utf-8\r\n"
	              "Content-Transfer-Encoding: base64\r\n"
	              "Auto-Submitted: auto-generated\r\n"
	              "\r\n");
	/* the body's line ends become CRLF before encoding (text/plain canonical form) */
	struct buf canon = BUF_INIT(4u << 20);
	for (const char *p = body ? body : ""; *p; p++) {
		if (*p == '\n' && (p == body || p[-1] != '\r'))
			buf_append(&canon, "\r", 1);
		buf_append(&canon, p, 1);
	}
	b64(out, (const unsigned char *)(canon.data ? canon.data : ""), canon.len);
	buf_release(&canon);
	return out->overflow ? ERR_TOOLARGE : 0;
}

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;
	if (n > u->left)
		n = u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

int notify_email_send(const char *smtp_url, const char *from, const char *to, const char *msg,
                      size_t len, int64_t timeout_ms, int *reply, char *err, size_t errlen)
{
	*reply = 0;
	err[0] = '\0';
	CURL *h = curl_easy_init();
	if (!h) {
		snprintf(err, errlen, "curl_easy_init failed");
		return ERR_UNAVAILABLE;
	}
	char from_br[300], to_br[300];
	snprintf(from_br, sizeof(from_br), "<%s>", from);
	snprintf(to_br, sizeof(to_br), "<%s>", to);
	struct curl_slist *rcpt = curl_slist_append(NULL, to_br);
	struct upload up = {msg, len};
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_URL, smtp_url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                 (long)(timeout_ms < 5000 ? timeout_ms : 5000));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from_br);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	CURLcode cc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	*reply = (int)code;
	if (cc != CURLE_OK)
		snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	return cc == CURLE_OK ? 0 : ERR_UNAVAILABLE;
}
