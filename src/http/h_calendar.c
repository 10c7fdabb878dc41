/* h_calendar.c: the production calendar and organisations' deadline overrides. */
#include "http/handlers.h"
#include "core/err.h"

int h_calendar_get(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_calendar_put(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_org_deadlines_get(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_org_deadlines_put(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

