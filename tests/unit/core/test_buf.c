/* test_buf.c: unit tests for core/buf.c (growing buffer with a hard maximum). */
#include <criterion/criterion.h>

#include "core/buf.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

Test(buf, append_grows_and_terminates)
{
	struct buf b = BUF_INIT(0);
	cr_expect_eq(buf_append(&b, "abc", 3), 0);
	cr_expect_eq(buf_puts(&b, "def"), 0);
	cr_expect_eq(buf_printf(&b, "-%d-%s", 42, "ё"), 0);
	cr_expect_eq(b.len, strlen("abcdef-42-ё"));
	cr_expect_str_eq(b.data, "abcdef-42-ё");
	for (int i = 0; i < 10000; i++)
		cr_assert_eq(buf_append(&b, "0123456789", 10), 0);
	cr_expect_eq(b.len, strlen("abcdef-42-ё") + 100000);
	cr_expect_eq(b.data[b.len], '\0');
	cr_expect_not(b.overflow);
	buf_release(&b);
	cr_expect_null(b.data);
	cr_expect_eq(b.len, 0);
}

Test(buf, max_enforced_append)
{
	struct buf b = BUF_INIT(10);
	cr_expect_eq(buf_append(&b, "12345", 5), 0);
	cr_expect_eq(buf_append(&b, "67890", 5), 0, "exactly max is allowed");
	cr_expect_not(b.overflow);
	cr_expect_eq(buf_append(&b, "x", 1), ERR_TOOLARGE);
	cr_expect(b.overflow);
	cr_expect_eq(b.len, 10, "the failed append is dropped");
	cr_expect_str_eq(b.data, "1234567890");
	/* Still over after a later small append. */
	cr_expect_eq(buf_puts(&b, "y"), ERR_TOOLARGE);
	cr_expect_eq(b.len, 10);
	buf_release(&b);
}

Test(buf, max_enforced_whole_append_dropped)
{
	struct buf b = BUF_INIT(8);
	cr_expect_eq(buf_puts(&b, "abc"), 0);
	cr_expect_eq(buf_puts(&b, "defghi"), ERR_TOOLARGE, "3+6 > 8");
	cr_expect(b.overflow);
	cr_expect_str_eq(b.data, "abc", "nothing of the too-large append is kept");
	cr_expect_eq(buf_puts(&b, "de"), 0, "a fitting append still works");
	cr_expect_str_eq(b.data, "abcde");
	cr_expect(b.overflow, "the overflow flag stays set");
	buf_release(&b);
}

Test(buf, max_enforced_printf)
{
	struct buf b = BUF_INIT(6);
	cr_expect_eq(buf_printf(&b, "%d", 12345), 0);
	cr_expect_eq(buf_printf(&b, "%d", 67), ERR_TOOLARGE);
	cr_expect(b.overflow);
	cr_expect_str_eq(b.data, "12345");
	cr_expect_eq(b.len, 5);
	cr_expect_eq(buf_printf(&b, "%c", 'z'), 0);
	cr_expect_str_eq(b.data, "12345z");
	buf_release(&b);
}

Test(buf, reset_clears_overflow_keeps_max)
{
	struct buf b = BUF_INIT(4);
	buf_puts(&b, "abcd");
	cr_expect_eq(buf_puts(&b, "e"), ERR_TOOLARGE);
	buf_reset(&b);
	cr_expect_eq(b.len, 0);
	cr_expect_not(b.overflow);
	cr_expect_str_eq(b.data, "");
	cr_expect_eq(buf_puts(&b, "wxyz"), 0);
	cr_expect_eq(buf_puts(&b, "!"), ERR_TOOLARGE, "max still applies after reset");
	buf_release(&b);
}

Test(buf, detach_hands_over_data)
{
	struct buf b = BUF_INIT(100);
	buf_puts(&b, "hello");
	size_t len = 0;
	char *d = buf_detach(&b, &len);
	cr_assert_not_null(d);
	cr_expect_eq(len, 5);
	cr_expect_str_eq(d, "hello");
	cr_expect_null(b.data, "the buffer is empty afterwards");
	cr_expect_eq(b.len, 0);
	/* The buffer can be reused; the detached data is independent. */
	cr_expect_eq(buf_puts(&b, "again"), 0);
	cr_expect_str_eq(b.data, "again");
	cr_expect_str_eq(d, "hello");
	free(d);
	buf_release(&b);
}

Test(buf, detach_empty_gives_empty_string)
{
	struct buf b = BUF_INIT(0);
	size_t len = 99;
	char *d = buf_detach(&b, &len);
	cr_assert_not_null(d, "never NULL, even with nothing appended");
	cr_expect_eq(len, 0);
	cr_expect_str_eq(d, "");
	free(d);
	d = buf_detach(&b, NULL);
	cr_assert_not_null(d);
	free(d);
}

Test(buf, embedded_nul_bytes_kept)
{
	struct buf b = BUF_INIT(0);
	cr_expect_eq(buf_append(&b, "a\0b", 3), 0);
	cr_expect_eq(b.len, 3);
	cr_expect_eq(memcmp(b.data, "a\0b", 4), 0);
	buf_release(&b);
}
