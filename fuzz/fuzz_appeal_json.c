/* fuzz_appeal_json.c: libFuzzer target for the JSON request bodies of appeals (src/http/
 * h_appeals.c, h_workflow.c, h_assist.c down to src/appeals) on a demo SQLite store: a new
 * appeal (POST /api/appeals: text, topic, place, person, attachments), the topic suggestion, and
 * the workflow actions on the demo appeals (route, start, assign, redirect, notes, answers,
 * approve, return, clarification, clarify, extend, reject, merge, rating, rereview).
 * Input: byte 0 picks the endpoint, byte 1 the caller (low 3 bits) and the appeal id (1..32),
 * the rest is the body, sent as application/json (the route's body limit applies). */
#include "harness.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const logins[] = {"citizen",     "operator", "executor", "supervisor",
                                     "coordinator", "admin",    "citizen2", NULL};
static struct actor who[8];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_store_open();
	for (size_t i = 0; logins[i]; i++)
		fz_actor_of(logins[i], &who[i]);
	return 0; /* who[7]: anonymous */
}

static const char *const actions[] = {
    "route",         "start",   "assign", "redirect", "notes", "answers", "approve",  "return",
    "clarification", "clarify", "extend", "reject",   "merge", "rating",  "rereview",
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 64 * 1024 + 2)
		return 0;
	unsigned ep = data[0] % (NACTIONS + 2);
	const struct actor *caller = &who[data[1] & 7];
	unsigned id = 1 + (data[1] >> 3);
	struct arena a;
	arena_init(&a, 0);
	const char *path = ep == 0   ? "/api/appeals"
	                   : ep == 1 ? "/api/appeals/suggest"
	                             : arena_printf(&a, "/api/appeals/%u/%s", id, actions[ep - 2]);
	/* an exact-size copy of the body, so that a read past the end is caught */
	size_t n = size - 2;
	char *body = malloc(n ? n : 1);
	if (n)
		memcpy(body, data + 2, n);
	struct fz_conn c;
	fz_conn_parse(&c, "", 0);
	struct req r;
	fz_req_init(&r, &a, &c, "POST", path, "", caller);
	r.body = body;
	r.body_len = n;
	r.content_type = "application/json";
	int rc = fz_dispatch(&r);
	fz_check_handler(&r, rc);
	if (ep == 0 && rc == 0) {
		json_t *j = json_loadb(r.resp_body, r.resp_len, 0, NULL);
		if (r.status != 201 || json_integer_value(json_object_get(j, "id")) < 1)
			abort(); /* a created appeal is shown with its id */
		json_decref(j);
	}
	fz_conn_release(&c);
	arena_release(&a);
	free(body);
	return 0;
}
