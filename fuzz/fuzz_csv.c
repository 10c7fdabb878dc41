/* fuzz_csv.c: libFuzzer target for core/csv.c: csv_next over arbitrary bytes. */
#include "core/csv.h"
#include "core/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy so reading past the end is caught by ASan. */
	char *in = malloc(size ? size : 1);
	if (size)
		memcpy(in, data, size);
	struct csv_reader r;
	csv_init(&r, in, size);
	size_t last_line = 0, records = 0;
	int rc;
	while ((rc = csv_next(&r)) == 1) {
		records++;
		if (r.nfields == 0 || r.line <= last_line || r.next_line <= r.line)
			abort(); /* every record has a field; lines only go forward */
		last_line = r.line;
		size_t total = 0;
		for (size_t i = 0; i < r.nfields; i++) {
			if (r.fields[i][r.lens[i]] != '\0')
				abort(); /* fields are NUL-terminated at their length */
			total += r.lens[i];
		}
		if (total > size)
			abort(); /* unescaping never grows the text */
		if (records > size + 1)
			abort(); /* each record consumes input */
	}
	if (rc != 0 && rc != ERR_INVALID)
		abort();
	/* After an error the reader stays put and keeps saying so. */
	if (rc == ERR_INVALID && csv_next(&r) != ERR_INVALID)
		abort();
	csv_release(&r);
	free(in);
	return 0;
}
