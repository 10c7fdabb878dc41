/* submit.c: appeal submission (placeholder until the appeals module lands). */
#include "appeals/submit.h"
#include "core/err.h"

int appeal_submit(struct store *s, struct arena *a, const struct actor *who,
                  const struct appeal_input *in, struct appeal *out, struct problem *p)
{
	(void)s;
	(void)a;
	(void)who;
	(void)in;
	(void)out;
	p->message = "Not implemented yet";
	p->field = NULL;
	return ERR_INTERNAL;
}

int appeals_demo_load(struct store *s)
{
	(void)s;
	return 0;
}
