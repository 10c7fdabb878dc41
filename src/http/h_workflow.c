/* h_workflow.c: the workflow actions on one appeal (POST /api/appeals/{id}/<action>). */
#include "http/handlers.h"
#include "core/err.h"

int h_appeal_action(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

