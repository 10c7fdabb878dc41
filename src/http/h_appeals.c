/* h_appeals.c: appeal submission, lists and queues, the full appeal, attachments, joining. */
#include "http/handlers.h"
#include "core/err.h"

int h_appeal_create(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_appeal_list(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_appeal_get(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_appeal_join(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_attachment_upload(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_attachment_get(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

