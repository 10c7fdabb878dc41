/* webhook.h: signed webhook calls: the signature header, the URL policy (http/https only, no
 * private or loopback addresses unless allowed) and the POST itself (libcurl). */
#ifndef OTKLIK_NOTIFY_WEBHOOK_H
#define OTKLIK_NOTIFY_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define WEBHOOK_SECRET_HEX 64 /* 32 random bytes as hex */

/* out = "t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>" (the secret's characters are the
 * key). out must hold 128 bytes. */
void notify_webhook_sign(const char *secret, int64_t t, const char *body, size_t len,
                         char out[128]);

/* A new secret: 64 hex characters + NUL. */
void notify_webhook_secret(char out[WEBHOOK_SECRET_HEX + 1]);

/* True for addresses a webhook must not reach: loopback, private (10/8, 172.16/12,
 * 192.168/16, fc00::/7), link-local, unspecified, carrier-grade NAT, multicast, broadcast,
 * and IPv4-mapped forms of these. */
bool notify_addr_blocked(const struct sockaddr *sa);

/* Checks a webhook URL: http or https, a host, at most 2000 bytes; unless allow_private,
 * every address the host resolves to must be public. Returns 0 or ERR_VALIDATION with a
 * Russian *why. */
int notify_webhook_url_check(const char *url, bool allow_private, const char **why);

/* POSTs body to url with the Otklik headers. *status: the HTTP status (0 when none).
 * Returns 0 for a 2xx reply, else ERR_UNAVAILABLE with err set. Redirects are not followed;
 * connections to blocked addresses are refused unless allow_private. */
int notify_webhook_post(const char *url, const char *secret, const char *kind, int64_t delivery_id,
                        const char *body, size_t len, bool allow_private, int64_t timeout_ms,
                        int *status, char *err, size_t errlen);

#endif
