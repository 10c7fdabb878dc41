/* notify.c: the outbox (placeholder until the notifications module lands). */
#include "notify/notify.h"

int notify_appeal_event(struct store_conn *c, struct arena *a, int64_t event_id, int64_t now)
{
	(void)c;
	(void)a;
	(void)event_id;
	(void)now;
	return 0;
}

int notify_start(struct store *s)
{
	(void)s;
	return 0;
}

void notify_stop(void)
{
}
