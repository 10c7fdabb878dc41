/* h_notify.c: in-app notifications, notification settings and webhooks. */
#include "http/handlers.h"
#include "core/err.h"

int h_notifications_list(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_notifications_read(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_notify_settings_get(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_notify_settings_put(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_webhook_list(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_webhook_create(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_webhook_get(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_webhook_update(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_webhook_delete(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

int h_webhook_deliveries(struct req *r)
{
	return http_fail(r, ERR_INTERNAL, "Not implemented yet", NULL);
}

