/* test_export.c: unit tests for analytics/export.c (CSV quoting, tables, XLSX). */
#include <criterion/criterion.h>

#include "analytics/export.h"
#include "core/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct arena a;

static void setup(void)
{
	arena_init(&a, 4096);
}

static void teardown(void)
{
	arena_release(&a);
}

TestSuite(export, .init = setup, .fini = teardown);

static const char *field(const char *s)
{
	struct buf b = BUF_INIT(1024);
	export_csv_field(&b, s);
	const char *out = arena_strndup(&a, b.data ? b.data : "", b.len);
	buf_release(&b);
	return out;
}

Test(export, csv_fields_are_quoted_when_needed)
{
	cr_expect_str_eq(field("Калуга"), "Калуга");
	cr_expect_str_eq(field("a,b"), "\"a,b\"");
	cr_expect_str_eq(field("say \"hi\""), "\"say \"\"hi\"\"\"");
	cr_expect_str_eq(field("two\nlines"), "\"two\nlines\"");
	/* a spreadsheet would run these as formulas */
	cr_expect_str_eq(field("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
	cr_expect_str_eq(field("@cmd"), "\"'@cmd\"");
	cr_expect_str_eq(field(""), "");
}

Test(export, csv_table_has_bom_header_and_crlf)
{
	static const char *const h[] = {"Название", "Поступило", "Доля"};
	struct xtable t;
	xtable_init(&t, &a, "Лист", h, 3);
	xtable_text(&t, "Округ, первый");
	xtable_int(&t, 4);
	xtable_num(&t, 0.5);
	xtable_text(&t, NULL);
	xtable_int(&t, -2);
	xtable_num(&t, NAN);
	const char *out;
	size_t len;
	cr_assert_eq(export_csv(&t, &a, &out, &len), 0);
	const char *want =
	    "\xEF\xBB\xBFНазвание,Поступило,Доля\r\n\"Округ, первый\",4,0.5\r\n,-2,\r\n";
	cr_expect_eq(len, strlen(want));
	cr_expect_str_eq(out, want);
}

Test(export, json_values_become_cells)
{
	static const char *const h[] = {"x"};
	struct xtable t;
	xtable_init(&t, &a, "s", h, 1);
	json_t *v = json_pack("[i,f,s,b,n]", 3, 0.25, "y", 1);
	for (size_t i = 0; i < json_array_size(v); i++)
		xtable_json(&t, json_array_get(v, i));
	json_decref(v);
	const char *out;
	size_t len;
	cr_assert_eq(export_csv(&t, &a, &out, &len), 0);
	cr_expect_str_eq(out, "\xEF\xBB\xBFx\r\n3\r\n0.25\r\ny\r\n1\r\n\r\n");
}

Test(export, xlsx_is_a_zip_with_the_sheet)
{
	char dir[] = "/tmp/otklik-export-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	setenv("OTKLIK_DATA_DIR", dir, 1);
	static const char *const h[] = {"Показатель", "Значение"};
	struct xtable t;
	xtable_init(&t, &a, "Сводка", h, 2);
	xtable_text(&t, "Поступило");
	xtable_int(&t, 6);
	const char *out;
	size_t len;
	cr_assert_eq(export_xlsx(&t, &a, &out, &len), 0);
	cr_expect_gt(len, 1000);
	cr_expect_eq(memcmp(out, "PK\x03\x04", 4), 0);
	cr_expect_not_null(memmem(out, len, "xl/worksheets/sheet1.xml", 24));
	/* the temporary file is gone */
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rmdir %s/tmp && rmdir %s", dir, dir);
	cr_expect_eq(system(cmd), 0);
}
