/* test_session.c: unit tests for auth/session.c: password hashing, tokens and their hashes. */
#include <criterion/criterion.h>

#include "auth/session.h"
#include "core/arena.h"

#include <stdio.h>
#include <string.h>

static struct arena a;

static void setup(void)
{
	cr_assert_eq(auth_init(), 0, "auth_init");
	arena_init(&a, 4096);
}

static void teardown(void)
{
	arena_release(&a);
}

TestSuite(session, .init = setup, .fini = teardown);

Test(session, init_is_repeatable)
{
	cr_expect_eq(auth_init(), 0, "a second call is harmless");
}

Test(session, password_hash_and_verify)
{
	const char *h = NULL;
	cr_assert_eq(auth_password_hash(&a, "correct horse Батарея", &h), 0);
	cr_assert_not_null(h);
	cr_expect_eq(strncmp(h, "$argon2id$", 10), 0, "argon2id string: %s", h);
	cr_expect_null(strstr(h, "correct horse"), "the password is not in the hash");
	cr_expect(auth_password_verify(h, "correct horse Батарея"));
	cr_expect_not(auth_password_verify(h, "correct horse батарея"), "case matters");
	cr_expect_not(auth_password_verify(h, "correct horse Батарея "));
	cr_expect_not(auth_password_verify(h, ""));
	cr_expect_not(auth_password_verify(h, "wrong"));
}

Test(session, password_hash_is_salted)
{
	const char *h1 = NULL, *h2 = NULL;
	cr_assert_eq(auth_password_hash(&a, "same", &h1), 0);
	cr_assert_eq(auth_password_hash(&a, "same", &h2), 0);
	cr_expect_str_neq(h1, h2, "two hashes of one password differ (random salt)");
	cr_expect(auth_password_verify(h1, "same"));
	cr_expect(auth_password_verify(h2, "same"));
}

Test(session, verify_rejects_missing_or_garbage_hash)
{
	cr_expect_not(auth_password_verify(NULL, "x"), "accounts without password (OIDC only)");
	cr_expect_not(auth_password_verify("", ""));
	cr_expect_not(auth_password_verify("not a hash", "not a hash"));
	cr_expect_not(auth_password_verify("$argon2id$v=19$m=19456,t=2,p=1$", "x"));
}

Test(session, tokens_are_random_and_url_safe)
{
	const char *t1 = auth_token_new(&a);
	const char *t2 = auth_token_new(&a);
	cr_assert_not_null(t1);
	cr_expect_eq(strlen(t1), 43, "32 bytes in unpadded base64url");
	cr_expect_str_neq(t1, t2);
	for (const char *p = t1; *p; p++)
		cr_expect(
		    strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p),
		    "URL-safe character '%c'", *p);
}

Test(session, token_hash_stable_and_distinct)
{
	const char *t = auth_token_new(&a);
	const char *h1 = auth_token_hash(&a, t);
	const char *h2 = auth_token_hash(&a, t);
	cr_expect_str_eq(h1, h2, "the same token always hashes the same");
	cr_expect_eq(strlen(h1), 64, "hex of 32 bytes");
	for (const char *p = h1; *p; p++)
		cr_expect(strchr("0123456789abcdef", *p), "lower-case hex");
	cr_expect_str_neq(h1, t, "the hash is not the token");
	const char *other = auth_token_hash(&a, auth_token_new(&a));
	cr_expect_str_neq(h1, other, "different tokens, different hashes");
	cr_expect_str_neq(auth_token_hash(&a, "a"), auth_token_hash(&a, "b"));
	/* A fixed value: the hash is what the database stores, so it must never change. */
	cr_expect_str_eq(auth_token_hash(&a, "abc"),
	                 "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
	                 "BLAKE2b-256 of \"abc\"");
}

Test(session, token_equal)
{
	cr_expect(auth_token_equal("abcdef", "abcdef"));
	cr_expect(auth_token_equal("", ""));
	cr_expect_not(auth_token_equal("abcdef", "abcdeg"));
	cr_expect_not(auth_token_equal("abcdef", "abcde"), "a prefix is not equal");
	cr_expect_not(auth_token_equal("abcde", "abcdef"));
	cr_expect_not(auth_token_equal("", "a"));
	const char *t = auth_token_new(&a);
	char copy[64];
	snprintf(copy, sizeof(copy), "%s", t);
	cr_expect(auth_token_equal(t, copy));
	copy[0] = copy[0] == 'A' ? 'B' : 'A';
	cr_expect_not(auth_token_equal(t, copy));
}
