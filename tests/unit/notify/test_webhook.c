/* test_webhook.c: unit tests for notify/webhook.c (signature, address policy, URL checks) and
 * notify/config.c (backoff, digest schedule). */
#include <criterion/criterion.h>

#include "core/err.h"
#include "notify/config.h"
#include "notify/webhook.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

Test(webhook, signature_is_hmac_sha256_of_t_dot_body)
{
	char sig[128];
	const char *body = "{\"a\":1}";
	notify_webhook_sign("whsec-test", 1700000000, body, strlen(body), sig);
	/* python: hmac.new(b"whsec-test", b'1700000000.{"a":1}', sha256).hexdigest() */
	cr_expect_str_eq(
	    sig,
	    "t=1700000000,v1=fed7a1a6c799a6367d73724d76bc70c16678908a32a879cd1ded6565ac05cece");
	notify_webhook_sign("other", 1700000000, body, strlen(body), sig);
	cr_expect_null(strstr(sig, "fed7a1a6"));
}

Test(webhook, secrets_are_random_hex)
{
	char a[WEBHOOK_SECRET_HEX + 1], b[WEBHOOK_SECRET_HEX + 1];
	notify_webhook_secret(a);
	notify_webhook_secret(b);
	cr_expect_eq(strlen(a), 64);
	cr_expect_eq(strspn(a, "0123456789abcdef"), 64);
	cr_expect_str_neq(a, b);
}

static bool blocked4(const char *ip)
{
	struct sockaddr_in s = {.sin_family = AF_INET};
	cr_assert_eq(inet_pton(AF_INET, ip, &s.sin_addr), 1);
	return notify_addr_blocked((struct sockaddr *)&s);
}

static bool blocked6(const char *ip)
{
	struct sockaddr_in6 s = {.sin6_family = AF_INET6};
	cr_assert_eq(inet_pton(AF_INET6, ip, &s.sin6_addr), 1);
	return notify_addr_blocked((struct sockaddr *)&s);
}

Test(webhook, private_and_loopback_addresses_blocked)
{
	const char *bad[] = {"127.0.0.1",   "10.1.2.3",        "172.16.0.1", "172.31.255.255",
	                     "192.168.1.1", "169.254.169.254", "0.0.0.0",    "100.64.0.1",
	                     "224.0.0.1",   "255.255.255.255"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect(blocked4(bad[i]), "%s should be blocked", bad[i]);
	const char *good[] = {"8.8.8.8", "172.32.0.1", "93.184.216.34", "192.169.0.1"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_expect(!blocked4(good[i]), "%s should be allowed", good[i]);
	cr_expect(blocked6("::1"));
	cr_expect(blocked6("::"));
	cr_expect(blocked6("fd00::1"));
	cr_expect(blocked6("fe80::1"));
	cr_expect(blocked6("::ffff:127.0.0.1"));
	cr_expect(blocked6("::ffff:10.0.0.1"));
	cr_expect(!blocked6("2001:4860:4860::8888"));
}

Test(webhook, url_policy)
{
	const char *why;
	cr_expect_eq(notify_webhook_url_check("ftp://example.org/x", true, &why), ERR_VALIDATION);
	cr_expect_eq(notify_webhook_url_check("file:///etc/passwd", true, &why), ERR_VALIDATION);
	cr_expect_eq(notify_webhook_url_check("not a url", true, &why), ERR_VALIDATION);
	cr_expect_eq(notify_webhook_url_check("", true, &why), ERR_VALIDATION);
	cr_expect_eq(notify_webhook_url_check("http://127.0.0.1:9/hook", false, &why),
	             ERR_VALIDATION);
	cr_expect_eq(notify_webhook_url_check("http://[::1]:9/hook", false, &why), ERR_VALIDATION);
	cr_expect_eq(notify_webhook_url_check("http://10.0.0.5/hook", false, &why), ERR_VALIDATION);
	cr_expect_eq(notify_webhook_url_check("http://localhost/hook", false, &why),
	             ERR_VALIDATION);
	cr_expect_eq(notify_webhook_url_check("http://127.0.0.1:9/hook", true, &why), 0);
	cr_expect_eq(notify_webhook_url_check("https://93.184.216.34/hook", false, &why), 0);
}

Test(webhook, refuses_private_target_at_send_time)
{
	int status = 0;
	char err[256];
	int rc = notify_webhook_post("http://127.0.0.1:9/hook", "s", "submitted", 1, "{}", 2, false,
	                             2000, &status, err, sizeof(err));
	cr_expect_eq(rc, ERR_UNAVAILABLE);
	cr_expect(strstr(err, "private") != NULL, "%s", err);
}

Test(config, backoff_doubles_and_caps)
{
	cr_expect_eq(notify_backoff_ms(1000, 1), 1000);
	cr_expect_eq(notify_backoff_ms(1000, 2), 2000);
	cr_expect_eq(notify_backoff_ms(1000, 4), 8000);
	cr_expect_eq(notify_backoff_ms(50, 3), 200);
	cr_expect_eq(notify_backoff_ms(1000, 60), 3600000);
	cr_expect_eq(notify_backoff_ms(1000, 0), 1000);
}

Test(config, next_digest_at_the_local_hour)
{
	/* 2023-11-14 22:13:20 UTC = 2023-11-15 01:13:20 Moscow; next 08:00 Moscow = 05:00 UTC */
	int64_t now = 1700000000000;
	cr_expect_eq(notify_next_digest(now, 8, 0, 180), 1700024400000);
	/* at 09:00 Moscow the next one is tomorrow */
	int64_t nine = 1700024400000 + 3600000;
	cr_expect_eq(notify_next_digest(nine, 8, 0, 180), 1700024400000 + 86400000);
	cr_expect_eq(notify_next_digest(now, 8, 5000, 180), now + 5000);
}
