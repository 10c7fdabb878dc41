/* testdb.h: a throw-away SQLite database in a temp directory, for unit tests. */
#ifndef OTKLIK_TESTS_TESTDB_H
#define OTKLIK_TESTS_TESTDB_H

#include <criterion/criterion.h>

#include "store/store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct testdb {
	char dir[64];
	char url[128];
	struct store *s;
};

/* Creates /tmp/otklik-unit-XXXXXX, opens sqlite:<dir>/db and (if migrate) migrates it. */
static inline void testdb_open(struct testdb *t, bool migrate)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/otklik-unit-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir), "mkdtemp");
	snprintf(t->url, sizeof(t->url), "sqlite:%s/db", t->dir);
	t->s = NULL;
	cr_assert_eq(store_open(t->url, 0, &t->s), 0, "store_open %s", t->url);
	if (migrate) {
		int applied = -1;
		cr_assert_eq(store_migrate(t->s, &applied), 0, "store_migrate");
	}
}

/* Closes the store and removes the directory with everything in it. */
static inline void testdb_close(struct testdb *t)
{
	store_close(t->s);
	t->s = NULL;
	DIR *d = opendir(t->dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", t->dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(t->dir);
}

#endif
