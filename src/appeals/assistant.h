/* assistant.h: the executor's assistant for one appeal (PRODUCT.md §3): the essence of the
 * complaint, the facts in it, a draft answer built from the appeal and from the best-rated
 * answers to similar appeals, in plain language, the topic's guidance and links to what the
 * executor needs. Rules and the platform's own history; no external service. */
#ifndef OTKLIK_APPEALS_ASSISTANT_H
#define OTKLIK_APPEALS_ASSISTANT_H

#include "appeals/appeal.h"
#include "auth/actor.h"
#include "store/store.h"

#include <jansson.h>
#include <stddef.h>

/* The assistant's object of docs/appeals.md for ap, which who may work on (the caller checks
 * the rights): {essence, facts, draft, guidance, links}. 0 with *out (new reference) or ERR_DB. */
int assistant_for(struct store *s, struct arena *a, const struct actor *who,
                  const struct appeal *ap, json_t **out);

/* {"text": plain version, "changes": [{"from", "to", "offset"}]} for text[0..len) (valid
 * UTF-8). offset counts characters of the original text. */
json_t *assistant_plain_json(struct arena *a, const char *text, size_t len);

/* The draft's parts, exposed for the unit tests: a past answer without its greeting and
 * signature, with old_address replaced by new_address (either may be NULL). */
const char *assistant_answer_body(struct arena *a, const char *answer, const char *old_address,
                                  const char *new_address);

#endif
