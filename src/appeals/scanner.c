/* scanner.c: the deadline scanner (placeholder until the workflow lands). */
#include "appeals/scanner.h"

int scanner_start(struct store *s)
{
	(void)s;
	return 0;
}

void scanner_stop(void)
{
}

int scanner_run_once(struct store *s, int64_t now)
{
	(void)s;
	(void)now;
	return 0;
}
