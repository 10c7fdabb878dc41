/* test_attachment.c: unit tests for appeals/attachment.c (type by content, safe file names). */
#include <criterion/criterion.h>

#include "appeals/attachment.h"
#include "core/arena.h"

#include <stdlib.h>
#include <string.h>

static struct arena a;

static void setup(void)
{
	arena_init(&a, 1024);
}

static void teardown(void)
{
	arena_release(&a);
}

TestSuite(attachment, .init = setup, .fini = teardown);

Test(attachment, sniff_by_magic_bytes)
{
	cr_assert_str_eq(attachment_sniff("\xFF\xD8\xFF\xE0rest", 7), "image/jpeg");
	cr_assert_str_eq(attachment_sniff("\x89PNG\r\n\x1a\n....", 12), "image/png");
	cr_assert_str_eq(attachment_sniff("GIF87a..", 8), "image/gif");
	cr_assert_str_eq(attachment_sniff("GIF89a..", 8), "image/gif");
	cr_assert_str_eq(attachment_sniff("RIFF\x10\0\0\0WEBPVP8 ", 16), "image/webp");
	cr_assert_str_eq(attachment_sniff("%PDF-1.7\n", 9), "application/pdf");
}

Test(attachment, sniff_refuses_the_rest)
{
	cr_assert_null(attachment_sniff("", 0));
	cr_assert_null(attachment_sniff("\xFF\xD8", 2), "a cut JPEG signature");
	cr_assert_null(attachment_sniff("\x89PNG\r\n\x1a", 7), "a cut PNG signature");
	cr_assert_null(attachment_sniff("RIFF\x10\0\0\0WAVEfmt ", 16), "RIFF but not WebP");
	cr_assert_null(attachment_sniff("GIF90a", 6));
	cr_assert_null(attachment_sniff("%PDF", 4));
	cr_assert_null(attachment_sniff("<html><img src=x>", 17));
	cr_assert_null(attachment_sniff("Привет", strlen("Привет")));
}

static const char *clean(const char *name)
{
	const char *why = NULL;
	const char *out = attachment_clean_name(&a, name, &why);
	if (!out)
		cr_assert_not_null(why, "a reason for refusing %s", name);
	return out;
}

Test(attachment, names_keep_the_last_component)
{
	cr_assert_str_eq(clean("photo.jpg"), "photo.jpg");
	cr_assert_str_eq(clean("Фото двора.jpeg"), "Фото двора.jpeg");
	cr_assert_str_eq(clean("../../etc/passwd"), "passwd");
	cr_assert_str_eq(clean("C:\\Users\\me\\scan.pdf"), "scan.pdf");
	cr_assert_str_eq(clean("/abs/path/.hidden"), "hidden");
	cr_assert_str_eq(clean("  spaced.png  "), "spaced.png");
}

Test(attachment, names_refused)
{
	cr_assert_null(clean(NULL));
	cr_assert_null(clean(""));
	cr_assert_null(clean(".."));
	cr_assert_null(clean("."));
	cr_assert_null(clean("dir/"));
	cr_assert_null(clean("a\nb.png"));
	cr_assert_null(clean("a\x01.png"));
	cr_assert_null(clean("a\x7f.png"));
	cr_assert_null(clean("a\xc2\x85.png"), "C1 control");
	cr_assert_null(clean("\xd0\x28.png"), "invalid UTF-8");
	char longname[512];
	memset(longname, 'x', 201);
	longname[201] = '\0';
	cr_assert_null(clean(longname));
	longname[200] = '\0';
	cr_assert_str_eq(clean(longname), longname, "200 characters pass");
}

Test(attachment, data_dir_from_the_environment)
{
	setenv("OTKLIK_DATA_DIR", "/srv/otklik", 1);
	cr_assert_str_eq(attachment_dir(&a), "/srv/otklik/attachments");
	unsetenv("OTKLIK_DATA_DIR");
	cr_assert_str_eq(attachment_dir(&a), "var/attachments");
}
