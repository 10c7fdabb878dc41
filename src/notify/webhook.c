/* webhook.c: webhook signatures, the URL/address policy and the signed POST. */
#include "notify/webhook.h"
#include "core/err.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void notify_webhook_sign(const char *secret, int64_t t, const char *body, size_t len, char out[128])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[32], hex[2 * crypto_auth_hmacsha256_BYTES + 1];
	int tl = snprintf(ts, sizeof(ts), "%lld.", (long long)t);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)tl);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, 128, "t=%lld,v1=%s", (long long)t, hex);
}

void notify_webhook_secret(char out[WEBHOOK_SECRET_HEX + 1])
{
	unsigned char raw[WEBHOOK_SECRET_HEX / 2];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, WEBHOOK_SECRET_HEX + 1, raw, sizeof(raw));
}

static bool v4_blocked(uint32_t a) /* host order */
{
	return (a >> 24) == 0 ||                   /* 0/8 */
	       (a >> 24) == 10 ||                  /* 10/8 */
	       (a >> 24) == 127 ||                 /* loopback */
	       (a >> 22) == ((100u << 2) | 1) ||   /* 100.64/10 */
	       (a >> 16) == ((169u << 8) | 254) || /* link-local */
	       (a >> 20) == ((172u << 4) | 1) ||   /* 172.16/12 */
	       (a >> 16) == ((192u << 8) | 168) || /* 192.168/16 */
	       (a >> 8) == ((192u << 16) | 0) ||   /* 192.0.0/24 */
	       (a >> 28) >= 14;                    /* multicast, reserved, broadcast */
}

bool notify_addr_blocked(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		return v4_blocked(ntohl(s4->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		const unsigned char *b = s6->sin6_addr.s6_addr;
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (!memcmp(b, mapped, 12))
			return v4_blocked(((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) |
			                  ((uint32_t)b[14] << 8) | b[15]);
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return true;
		if ((b[0] & 0xfe) == 0xfc) /* unique local fc00::/7 */
			return true;
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* link-local fe80::/10 */
			return true;
		if (b[0] == 0xff) /* multicast */
			return true;
		return false;
	}
	return true; /* anything else (unix sockets…) is never a webhook target */
}

int notify_webhook_url_check(const char *url, bool allow_private, const char **why)
{
	*why = NULL;
	if (!url || !*url || strlen(url) > 2000) {
		*why = "Укажите адрес (URL) до 2000 символов";
		return ERR_VALIDATION;
	}
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= ' ' || *p >= 0x7f) {
			*why = "В адресе недопустимые символы";
			return ERR_VALIDATION;
		}
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int rc = 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) || !host || !*host) {
		*why = "Адрес должен быть полным URL вида https://example.org/hook";
		rc = ERR_VALIDATION;
		goto out;
	}
	if (strcmp(scheme, "http") && strcmp(scheme, "https")) {
		*why = "Допустимы только адреса http:// и https://";
		rc = ERR_VALIDATION;
		goto out;
	}
	if (allow_private)
		goto out;
	/* strip IPv6 brackets for the resolver */
	char name[300];
	size_t hl = strlen(host);
	if (hl >= sizeof(name)) {
		*why = "Слишком длинное имя узла";
		rc = ERR_VALIDATION;
		goto out;
	}
	if (host[0] == '[' && hl > 2) {
		memcpy(name, host + 1, hl - 2);
		name[hl - 2] = '\0';
	} else {
		memcpy(name, host, hl + 1);
	}
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	if (getaddrinfo(name, NULL, &hints, &res) || !res) {
		*why = "Имя узла в адресе не найдено";
		rc = ERR_VALIDATION;
		goto out;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		if (notify_addr_blocked(ai->ai_addr)) {
			*why = "Адрес ведёт во внутреннюю сеть или на этот же сервер: так нельзя";
			rc = ERR_VALIDATION;
			break;
		}
	freeaddrinfo(res);
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

struct sock_policy {
	bool allow_private;
	bool refused;
};

static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct sock_policy *p = arg;
	(void)purpose;
	if (!p->allow_private && notify_addr_blocked(&addr->addr)) {
		p->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * nmemb;
}

int notify_webhook_post(const char *url, const char *secret, const char *kind, int64_t delivery_id,
                        const char *body, size_t len, bool allow_private, int64_t timeout_ms,
                        int *status, char *err, size_t errlen)
{
	*status = 0;
	err[0] = '\0';
	CURL *h = curl_easy_init();
	if (!h) {
		snprintf(err, errlen, "curl_easy_init failed");
		return ERR_UNAVAILABLE;
	}
	char sig[128], hsig[160], hkind[128], hid[64];
	notify_webhook_sign(secret, (int64_t)time(NULL), body, len, sig);
	snprintf(hsig, sizeof(hsig), "X-Otklik-Signature: %s", sig);
	snprintf(hkind, sizeof(hkind), "X-Otklik-Event: %s", kind);
	snprintf(hid, sizeof(hid), "X-Otklik-Delivery: %lld", (long long)delivery_id);
	struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
	hd = curl_slist_append(hd, "User-Agent: Otklik-Webhook/1");
	hd = curl_slist_append(hd, "Expect:");
	hd = curl_slist_append(hd, hsig);
	hd = curl_slist_append(hd, hkind);
	hd = curl_slist_append(hd, hid);
	struct sock_policy pol = {allow_private, false};
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                 (long)(timeout_ms < 5000 ? timeout_ms : 5000));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &pol);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	CURLcode cc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	*status = (int)code;
	int rc = 0;
	if (pol.refused) {
		snprintf(err, errlen, "address refused: private or loopback network");
		rc = ERR_UNAVAILABLE;
	} else if (cc != CURLE_OK) {
		snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
		rc = ERR_UNAVAILABLE;
	} else if (code < 200 || code > 299) {
		snprintf(err, errlen, "HTTP %ld", code);
		rc = ERR_UNAVAILABLE;
	}
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	return rc;
}
