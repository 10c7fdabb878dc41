/* backup.c: `otklik backup`: a consistent copy of a live SQLite database through SQLite's
 * online backup API (sqlite3_backup_init/step/finish), written next to the target and renamed
 * into place once complete and synced. PostgreSQL is backed up with pg_dump (docs/backup.md). */
#include "store/backup.h"
#include "core/clock.h"
#include "core/err.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STEP_PAUSE_MS 1 /* between steps: lets writers in when the lock is dropped */
#define BUSY_WAIT_MS  10
#define MAX_BUSY      3000 /* 30 s of a busy source before giving up */
#define MAX_RESTARTS  5    /* then finish in one step (one read transaction) */

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, int rc,
                                                      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* "'…'" for a POSIX shell. */
static void shell_quote(char *out, size_t n, const char *s)
{
	size_t o = 0;
	if (o + 1 < n)
		out[o++] = '\'';
	for (; *s && o + 5 < n; s++) {
		if (*s == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else
			out[o++] = *s;
	}
	if (o + 1 < n)
		out[o++] = '\'';
	out[o] = '\0';
}

/* fsync a file or directory by path; 0 or -1. */
static int sync_path(const char *path, bool dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* The copy itself: src → dst, filling st. */
static int copy(sqlite3 *src, sqlite3 *dst, struct backup_stats *st, char *err, size_t errlen)
{
	/* WAL (the server's mode): hold one read transaction for the whole copy. Writers are not
	 * blocked by a WAL reader, and the copy is the snapshot taken here, so steps never have
	 * to start over. In rollback-journal mode a held read lock would block writers: the
	 * lock is dropped between steps and a changed source restarts the copy. */
	sqlite3_stmt *q = NULL;
	bool wal = false;
	if (sqlite3_prepare_v2(src, "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		wal = !strcmp((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	if (wal) {
		if (sqlite3_exec(src, "BEGIN; SELECT COUNT(*) FROM sqlite_schema;", NULL, NULL,
		                 NULL) != SQLITE_OK)
			return fail(err, errlen, ERR_DB, "cannot read the database: %s",
			            sqlite3_errmsg(src));
		st->snapshot = true;
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		if (wal)
			sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
		return fail(err, errlen, ERR_DB, "cannot start the backup: %s",
		            sqlite3_errmsg(dst));
	}
	int rc, busy = 0, pages = BACKUP_STEP_PAGES;
	int64_t last_remaining = -1;
	for (;;) {
		rc = sqlite3_backup_step(b, pages);
		st->steps++;
		if (rc == SQLITE_DONE)
			break;
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			if (++busy > MAX_BUSY)
				break;
			sqlite3_sleep(BUSY_WAIT_MS);
			continue;
		}
		if (rc != SQLITE_OK)
			break;
		int64_t remaining = sqlite3_backup_remaining(b);
		if (last_remaining >= 0 && remaining > last_remaining &&
		    ++st->restarts >= MAX_RESTARTS)
			pages = -1; /* a busy rollback-journal source: copy the rest in one go */
		last_remaining = remaining;
		sqlite3_sleep(STEP_PAUSE_MS);
	}
	st->pages = sqlite3_backup_pagecount(b);
	int frc = sqlite3_backup_finish(b);
	if (wal)
		sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
	if (rc == SQLITE_DONE && frc != SQLITE_OK)
		rc = frc;
	if (rc != SQLITE_DONE)
		return fail(err, errlen, ERR_DB, "backup failed: %s", sqlite3_errstr(rc));
	return 0;
}

int backup_sqlite(const char *url, const char *file, bool force, struct backup_stats *st, char *err,
                  size_t errlen)
{
	memset(st, 0, sizeof(*st));
	if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) {
		char qurl[1024], qfile[1024];
		shell_quote(qurl, sizeof(qurl), url);
		shell_quote(qfile, sizeof(qfile), file);
		snprintf(err, errlen,
		         "otklik backup copies SQLite databases only; back up PostgreSQL with "
		         "pg_dump (docs/backup.md):\n  pg_dump --format=custom --no-owner "
		         "--dbname=%s --file=%s",
		         qurl, qfile);
		return ERR_INVALID;
	}
	if (strncmp(url, "sqlite:", 7) || !url[7])
		return fail(err, errlen, ERR_INVALID, "--db wants sqlite:PATH, not %s", url);
	const char *path = url + 7;
	struct stat ss, fs;
	if (stat(path, &ss) || !S_ISREG(ss.st_mode))
		return fail(err, errlen, ERR_NOTFOUND, "no database at %s", path);
	if (!stat(file, &fs)) {
		if (fs.st_dev == ss.st_dev && fs.st_ino == ss.st_ino)
			return fail(err, errlen, ERR_CONFLICT, "%s is the database itself", file);
		if (!force)
			return fail(err, errlen, ERR_CONFLICT,
			            "%s exists; pass --force to overwrite it", file);
		if (!S_ISREG(fs.st_mode))
			return fail(err, errlen, ERR_CONFLICT, "%s is not a regular file", file);
	}
	size_t n = strlen(file) + 16;
	char *tmp = malloc(n), *dir = malloc(n);
	if (!tmp || !dir)
		abort();
	snprintf(tmp, n, "%s.partial", file);
	snprintf(dir, n, "%s", file);
	unlink(tmp);
	int64_t t0 = clock_mono_ns();
	sqlite3 *src = NULL, *dst = NULL;
	int rc = 0;
	/* Read-only: the backup never writes the source (not even a checkpoint on close). */
	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = fail(err, errlen, ERR_DB, "cannot open %s: %s", path,
		          src ? sqlite3_errmsg(src) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(src, 5000);
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		rc = fail(err, errlen, ERR_DB, "cannot create %s: %s", tmp,
		          dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	sqlite3_exec(dst, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
	rc = copy(src, dst, st, err, errlen);
	if (rc)
		goto out;
	if (sqlite3_close(dst) != SQLITE_OK) {
		rc = fail(err, errlen, ERR_DB, "cannot close %s: %s", tmp, sqlite3_errmsg(dst));
		goto out;
	}
	dst = NULL;
	struct stat ts;
	if (sync_path(tmp, false) || stat(tmp, &ts) || rename(tmp, file) ||
	    sync_path(dirname(dir), true)) {
		rc = fail(err, errlen, ERR_DB, "cannot write %s: %s", file, strerror(errno));
		goto out;
	}
	st->bytes = ts.st_size;
	st->ms = (double)(clock_mono_ns() - t0) / 1e6;
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	if (rc) {
		unlink(tmp);
		/* a rollback-journal destination may leave its journal behind */
		char *j = malloc(n + 8);
		if (j) {
			snprintf(j, n + 8, "%s-journal", tmp);
			unlink(j);
			free(j);
		}
	}
	free(tmp);
	free(dir);
	return rc;
}
