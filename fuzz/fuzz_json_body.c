/* fuzz_json_body.c: libFuzzer target for the registry's JSON validation path: the input is a
 * request body for POST /api/<collection> (the first byte picks the collection and whether
 * it is an update of an existing object), parsed as the HTTP layer does and given to
 * registry_create / registry_update as an admin on a migrated SQLite store with demo data. */
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "registry/demo.h"
#include "registry/registry.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *store;
static char dir[512];
static const struct actor admin = {.roles = ROLE_ADMIN, .request_id = "fuzz"};

static void cleanup(void)
{
	/* The store stays open until exit (committer thread); remove the files it leaves. */
	static const char *const names[] = {"db", "db-wal", "db-shm"};
	for (size_t i = 0; i < 3; i++) {
		char p[600];
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR); /* info lines from the demo loader would drown the output */
	const char *base = getenv("FUZZ_TMPDIR"); /* fuzz/run.sh: fuzz/out/tmp */
	snprintf(dir, sizeof(dir), "%s/otklik-fuzz-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	char url[600];
	snprintf(url, sizeof(url), "sqlite:%s/db", dir);
	int applied;
	if (store_open(url, 0, &store) || store_migrate(store, &applied) || demo_load(store))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct entity_desc *const colls[] = {&registry_territories, &registry_orgs,
	                                                  &registry_categories, &registry_topics,
	                                                  &registry_rules};
	if (size < 1 || size > 16 * 1024 + 1) /* the routes' body limit */
		return 0;
	const struct entity_desc *d = colls[data[0] % 5];
	bool update = data[0] & 0x80;
	json_error_t jerr;
	json_t *in =
	    json_loadb((const char *)data + 1, size - 1,
	               JSON_REJECT_DUPLICATES | ((data[0] & 0x40) ? JSON_ALLOW_NUL : 0), &jerr);
	if (!json_is_object(in)) {
		json_decref(in);
		return 0;
	}
	struct arena a;
	arena_init(&a, 0);
	struct problem p = {0};
	json_t *out = NULL;
	int rc = update
	             ? registry_update(store, &a, &admin, d, 1 + (data[0] >> 3 & 7), in, &out, &p)
	             : registry_create(store, &a, &admin, d, in, &out, &p);
	if (rc == 0 && !json_is_object(out))
		abort(); /* success returns the object */
	if (rc != 0 && out)
		abort(); /* failure returns none */
	if (rc != 0 && rc != ERR_DB && !p.message)
		abort(); /* every user error carries a message */
	if (rc == ERR_DB || rc == ERR_INTERNAL)
		abort(); /* the database must not fail on any input */
	if (rc == 0 && !update) {
		/* Keep the database small: remove what was created (may be refused if referenced).
		 */
		int64_t id = json_integer_value(json_object_get(out, "id"));
		struct problem dp = {0};
		registry_delete(store, &a, &admin, d, id, &dp);
	}
	json_decref(out);
	json_decref(in);
	arena_release(&a);
	return 0;
}
