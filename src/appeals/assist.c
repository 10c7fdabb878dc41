/* assist.c: the text engine inside the server (placeholder until it is wired). */
#include "appeals/assist.h"

int assist_start(struct store *s)
{
	(void)s;
	return 0;
}

void assist_stop(void)
{
}

int64_t assist_doubt_topic(const char *text, size_t len, int64_t chosen_topic_id)
{
	(void)text;
	(void)len;
	(void)chosen_topic_id;
	return 0;
}

void assist_appeal_added(int64_t appeal_id)
{
	(void)appeal_id;
}
