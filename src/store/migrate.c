/* migrate.c: numbered migrations embedded from migrations/<backend>/NNNN_name.sql. */
#include "store/store.h"
#include "store/backend.h"
#include "core/clock.h"
#include "core/embed.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_names(const void *a, const void *b)
{
	const struct embedded_file *const *x = a, *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

int store_migrate(struct store *s, int *applied)
{
	const char *be = store_backend(s) == STORE_SQLITE ? "sqlite" : "pg";
	char prefix[64];
	int plen = snprintf(prefix, sizeof(prefix), "migrations/%s/", be);
	const struct embedded_file **files = NULL;
	size_t n = 0, cap = 0;
	for (const struct embedded_file *f = embedded_files; f->name; f++) {
		size_t len = strlen(f->name);
		if (strncmp(f->name, prefix, (size_t)plen) == 0 && len > 4 &&
		    strcmp(f->name + len - 4, ".sql") == 0) {
			files = xgrow(files, sizeof(*files), n + 1, &cap);
			files[n++] = f;
		}
	}
	qsort(files, n, sizeof(*files), cmp_names);
	if (applied)
		*applied = 0;

	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc) {
		free(files);
		return rc;
	}
	rc = store_exec_script(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                          "version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
	                          "applied_at BIGINT NOT NULL)");
	for (size_t i = 0; !rc && i < n; i++) {
		const char *base_name = files[i]->name + plen;
		long version = strtol(base_name, NULL, 10);
		if (version <= 0) {
			log_error("migrate", "bad migration name %s", files[i]->name);
			rc = ERR_INTERNAL;
			break;
		}
		struct arena a;
		arena_init(&a, 1024);
		rc = store_tx_begin(c);
		if (!rc && ((const struct store_conn_base *)c)->ops->migrate_lock_sql)
			rc = store_query(c, NULL,
			                 ((const struct store_conn_base *)c)->ops->migrate_lock_sql,
			                 NULL, 0, NULL);
		struct store_rows r;
		struct store_val p[3] = {sv_int(version), sv_text(base_name),
		                         sv_int(clock_now_ms())};
		if (!rc)
			rc = store_query(
			    c, &a, "SELECT 1 FROM schema_migrations WHERE version = $1", p, 1, &r);
		if (!rc && r.nrows == 0) {
			rc = store_exec_script(c, files[i]->data);
			if (!rc)
				rc = store_query(
				    c, NULL,
				    "INSERT INTO schema_migrations (version, name, applied_at) "
				    "VALUES ($1, $2, $3)",
				    p, 3, NULL);
			if (!rc) {
				log_info("migration_applied", "%s", files[i]->name);
				if (applied)
					(*applied)++;
			}
		}
		if (!rc)
			rc = store_tx_commit(c);
		else
			store_tx_rollback(c);
		arena_release(&a);
	}
	store_conn_put(s, c);
	free(files);
	return rc;
}
