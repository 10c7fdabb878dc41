/* h_assist.c: text assistance: suggestions while typing, similar appeals, problems (clusters). */
#include "http/handlers.h"
#include "core/err.h"

int h_appeal_suggest(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_appeal_similar(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_problem_list(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_problem_get(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_problem_merge(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_problem_split(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

