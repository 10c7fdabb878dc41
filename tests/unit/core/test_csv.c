/* test_csv.c: unit tests for core/csv.c (RFC 4180 reader). */
#include <criterion/criterion.h>

#include "core/csv.h"
#include "core/err.h"

#include <string.h>

static struct csv_reader rd;

static void open_csv(const char *s, size_t n)
{
	csv_init(&rd, s, n);
}

#define OPEN(lit) open_csv(lit, sizeof(lit) - 1)

static void done(void)
{
	csv_release(&rd);
}

/* Reads the next record and checks its fields (NULL-terminated list) and start line. */
static void expect_record(size_t line, const char *const *want)
{
	int rc = csv_next(&rd);
	cr_assert_eq(rc, 1, "expected a record at line %zu, got %d", line, rc);
	size_t n = 0;
	while (want[n])
		n++;
	cr_assert_eq(rd.nfields, n, "record at line %zu: %zu fields, want %zu", line, rd.nfields,
	             n);
	for (size_t i = 0; i < n; i++) {
		cr_expect_eq(rd.lens[i], strlen(want[i]), "field %zu length %zu, want %zu", i,
		             rd.lens[i], strlen(want[i]));
		cr_expect_eq(memcmp(rd.fields[i], want[i], strlen(want[i])), 0,
		             "field %zu is «%s», want «%s»", i, rd.fields[i], want[i]);
		cr_expect_eq(rd.fields[i][rd.lens[i]], '\0', "field %zu NUL-terminated", i);
	}
	cr_expect_eq(rd.line, line, "record starts at line %zu, want %zu", rd.line, line);
}

#define REC(line, ...) expect_record(line, (const char *const[]){__VA_ARGS__, NULL})

Test(csv, simple_records, .fini = done)
{
	OPEN("code,name\na,Альфа\nb,Бета\n");
	REC(1, "code", "name");
	REC(2, "a", "Альфа");
	REC(3, "b", "Бета");
	cr_expect_eq(csv_next(&rd), 0);
	cr_expect_eq(csv_next(&rd), 0, "end is sticky");
}

Test(csv, quoted_comma_quote_newline, .fini = done)
{
	OPEN("\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\"\nnext,row\n");
	REC(1, "a,b", "say \"hi\"", "line1\nline2");
	REC(3, "next", "row");
	cr_expect_eq(csv_next(&rd), 0);
}

Test(csv, line_numbers_across_multiline_records, .fini = done)
{
	OPEN("h1,h2\n\"a\nb\nc\",x\nsecond,y\n\"p\r\nq\",z\nlast,w\n");
	REC(1, "h1", "h2");
	REC(2, "a\nb\nc", "x");
	REC(5, "second", "y");
	REC(6, "p\r\nq", "z");
	REC(8, "last", "w");
	cr_expect_eq(csv_next(&rd), 0);
}

Test(csv, crlf_line_ends, .fini = done)
{
	OPEN("a,b\r\nc,d\r\n\"e\",\"f\"\r\n");
	REC(1, "a", "b");
	REC(2, "c", "d");
	REC(3, "e", "f");
	cr_expect_eq(csv_next(&rd), 0);
}

Test(csv, bom_skipped, .fini = done)
{
	OPEN("\xEF\xBB\xBF"
	     "code,name\nx,y\n");
	REC(1, "code", "name");
	REC(2, "x", "y");
	cr_expect_eq(csv_next(&rd), 0);
}

Test(csv, bom_only_in_front, .fini = done)
{
	/* A BOM later in the file is data, not skipped. */
	OPEN("a\n\xEF\xBB\xBF"
	     "b\n");
	REC(1, "a");
	REC(2, "\xEF\xBB\xBF"
	       "b");
}

Test(csv, empty_fields, .fini = done)
{
	OPEN(",,\na,,b\n\"\",x,\"\"\n\n");
	REC(1, "", "", "");
	REC(2, "a", "", "b");
	REC(3, "", "x", "");
	REC(4, ""); /* a blank line is one empty field */
	cr_expect_eq(csv_next(&rd), 0);
}

Test(csv, last_line_without_newline, .fini = done)
{
	OPEN("a,b\nc,d");
	REC(1, "a", "b");
	REC(2, "c", "d");
	cr_expect_eq(csv_next(&rd), 0);
}

Test(csv, last_quoted_field_without_newline, .fini = done)
{
	OPEN("a,\"b,c\"");
	REC(1, "a", "b,c");
	cr_expect_eq(csv_next(&rd), 0);
}

Test(csv, trailing_comma_at_end_of_input, .fini = done)
{
	OPEN("a,");
	REC(1, "a", "");
	cr_expect_eq(csv_next(&rd), 0);
}

Test(csv, empty_input, .fini = done)
{
	OPEN("");
	cr_expect_eq(csv_next(&rd), 0);
	csv_release(&rd);
	OPEN("\xEF\xBB\xBF");
	cr_expect_eq(csv_next(&rd), 0, "a BOM alone is an empty file");
}

Test(csv, unterminated_quote_invalid, .fini = done)
{
	OPEN("a,b\n\"never closed,x\ny,z\n");
	REC(1, "a", "b");
	cr_expect_eq(csv_next(&rd), ERR_INVALID);
}

Test(csv, unterminated_quote_at_very_end, .fini = done)
{
	OPEN("\"");
	cr_expect_eq(csv_next(&rd), ERR_INVALID);
	csv_release(&rd);
	OPEN("x,\"abc\"\"");
	cr_expect_eq(csv_next(&rd), ERR_INVALID, "a doubled quote does not close the field");
}

Test(csv, text_after_closing_quote_invalid, .fini = done)
{
	OPEN("\"abc\"def,x\n");
	cr_expect_eq(csv_next(&rd), ERR_INVALID);
	csv_release(&rd);
	OPEN("ok,\"abc\" \n");
	cr_expect_eq(csv_next(&rd), ERR_INVALID, "even a space after the closing quote");
}

Test(csv, quote_inside_unquoted_field_is_data, .fini = done)
{
	OPEN("5\" screen,x\n");
	REC(1, "5\" screen", "x");
}

Test(csv, fields_valid_until_next_call_and_lengths_with_nul, .fini = done)
{
	static const char in[] = "\"a\0b\",c\n";
	open_csv(in, sizeof(in) - 1);
	cr_assert_eq(csv_next(&rd), 1);
	cr_expect_eq(rd.nfields, 2);
	cr_expect_eq(rd.lens[0], 3, "an embedded NUL is kept and counted");
	cr_expect_eq(memcmp(rd.fields[0], "a\0b", 3), 0);
}

Test(csv, many_fields_and_long_record, .fini = done)
{
	char big[4096];
	size_t o = 0;
	for (int i = 0; i < 500; i++) {
		big[o++] = (char)('a' + i % 26);
		big[o++] = ',';
	}
	big[o++] = 'z';
	open_csv(big, o);
	cr_assert_eq(csv_next(&rd), 1);
	cr_expect_eq(rd.nfields, 501);
	cr_expect_eq(rd.fields[499][0], 'a' + 499 % 26);
	cr_expect_eq(rd.lens[499], 1);
	cr_expect_eq(rd.fields[500][0], 'z');
	cr_expect_eq(csv_next(&rd), 0);
}
