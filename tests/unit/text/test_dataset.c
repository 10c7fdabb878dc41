/* test_dataset.c: reading appeal exports (quoted newlines, missing values, bad files). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "text/dataset.h"

Test(dataset, reads_the_fixture)
{
	struct dataset ds;
	cr_assert_eq(dataset_load(&ds, "tests/fixtures/text/appeals-train.csv", NULL), 0);
	cr_assert_eq(ds.n, 60);
	const struct dataset_row *r = &ds.rows[0];
	cr_assert_str_eq(r->id, "1000");
	cr_assert_str_eq(r->reason_id, "2");
	cr_assert_str_eq(r->district, "Кировский");
	cr_assert_eq(r->created, dataset_parse_time("2021-03-01T08:00:00"));
	cr_assert_not_null(strchr(r->text, '\n'), "a quoted field keeps its newline");
	cr_assert_eq(r->text_len, strlen(r->text));
	cr_assert_float_eq(r->lat, 59.869683, 1e-9);
	dataset_release(&ds);
}

Test(dataset, times)
{
	cr_assert_eq(dataset_parse_time("1970-01-02"), 86400);
	cr_assert_eq(dataset_parse_time("2021-03-01T00:00:01.5"), 1614556801);
	cr_assert_eq(dataset_parse_time("soon"), 0);
}

Test(dataset, missing_values_and_errors)
{
	char path[] = "/tmp/otklik-test-dsXXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	const char ok[] = "text,id,created_at,lat\n\"a, b\",1,2021-01-01,\n";
	cr_assert_eq(write(fd, ok, sizeof(ok) - 1), (ssize_t)sizeof(ok) - 1);
	close(fd);
	struct dataset ds;
	cr_assert_eq(dataset_load(&ds, path, NULL), 0);
	cr_assert_eq(ds.n, 1);
	cr_assert_str_eq(ds.rows[0].text, "a, b");
	cr_assert(isnan(ds.rows[0].lat));
	cr_assert_str_eq(ds.rows[0].reason_id, "");
	dataset_release(&ds);
	FILE *f = fopen(path, "w");
	fputs("id,created_at\n1,2021-01-01\n", f); /* no text column */
	fclose(f);
	cr_assert_eq(dataset_load(&ds, path, NULL), ERR_INVALID);
	f = fopen(path, "w");
	fputs("id,created_at,text\n1,2021-01-01,\"unterminated\n", f);
	fclose(f);
	size_t line = 0;
	cr_assert_eq(dataset_load(&ds, path, &line), ERR_INVALID);
	cr_assert_eq(line, 2);
	unlink(path);
	cr_assert_eq(dataset_load(&ds, "/nonexistent.csv", NULL), ERR_NOTFOUND);
}
