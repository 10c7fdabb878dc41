/* backup.h: a consistent copy of a live SQLite database (SQLite's online backup API). */
#ifndef OTKLIK_STORE_BACKUP_H
#define OTKLIK_STORE_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct backup_stats {
	int64_t pages;    /* pages copied (the database's size in pages) */
	int64_t bytes;    /* size of the written file */
	double ms;        /* wall time of the copy */
	int64_t steps;    /* sqlite3_backup_step calls */
	int64_t restarts; /* times the copy started over (a writer changed the source) */
	bool snapshot;    /* WAL: the copy read one snapshot, writers went on meanwhile */
};

/* Writes a consistent copy of the SQLite database url ("sqlite:PATH") to file while other
 * processes keep reading and writing it: BACKUP_STEP_PAGES pages per step, the source's lock
 * dropped between steps (in WAL mode one read snapshot is held instead, which blocks no
 * writer). The copy goes to "file.partial", is synced and renamed over file only when
 * complete. Errors, with a one-line English message in err: ERR_INVALID (not a sqlite: URL;
 * for postgres:// the message names the pg_dump command), ERR_NOTFOUND (no database at
 * PATH), ERR_CONFLICT (file exists and !force, or file is the database itself), ERR_DB
 * (SQLite or I/O failure). */
#define BACKUP_STEP_PAGES 256
int backup_sqlite(const char *url, const char *file, bool force, struct backup_stats *st, char *err,
                  size_t errlen);

#endif
