/* email.h: RFC 5322 messages (UTF-8 subject as encoded words, base64 text body) and their
 * sending over SMTP with libcurl. */
#ifndef OTKLIK_NOTIFY_EMAIL_H
#define OTKLIK_NOTIFY_EMAIL_H

#include "core/buf.h"

#include <stddef.h>
#include <stdint.h>

/* Builds the message into out (CRLF line ends): Date, From, To, Subject (=?UTF-8?B?…?= words,
 * folded), Message-ID <otklik-delivery-ID@domain-of-from>, MIME-Version, Content-Type
 * text/plain; charset=utf-8, Content-Transfer-Encoding base64, Auto-Submitted. Returns 0, or
 * ERR_INVALID when from or to is not a plain address (CR/LF, spaces, no @). */
int notify_email_build(struct buf *out, const char *from, const char *to, const char *subject,
                       const char *body, int64_t delivery_id, int64_t now_ms);

/* Sends msg to `to` through smtp_url (smtp:// or smtps://). *reply: the SMTP reply code of the
 * last response (0 when none). Returns 0 when accepted, else ERR_UNAVAILABLE with err set. */
int notify_email_send(const char *smtp_url, const char *from, const char *to, const char *msg,
                      size_t len, int64_t timeout_ms, int *reply, char *err, size_t errlen);

#endif
