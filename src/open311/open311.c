/* open311.c: Open311 GeoReport v2 (placeholder until the module lands). */
#include "open311/open311.h"

int open311_demo_load(struct store *s)
{
	(void)s;
	return 0;
}
