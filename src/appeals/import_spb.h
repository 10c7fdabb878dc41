/* import_spb.h: `otklik import nash-spb` — the St Petersburg portal «Наш Санкт-Петербург»
 * (gorod.gov.spb.ru) appeals, one JSON object per line in a gzip file, loaded with their
 * registry (districts, categories, reasons, bodies, rules) through the bulk path. */
#ifndef OTKLIK_APPEALS_IMPORT_SPB_H
#define OTKLIK_APPEALS_IMPORT_SPB_H

#include "store/store.h"

#include <stdint.h>

struct import_spb_stats {
	int64_t lines, appeals, skipped, answers, routes, events;
	int64_t territories, categories, topics, orgs, rules;
	int64_t bad_lines; /* unparsable or without id/created_at */
	double seconds;
};

/* Loads path (a .jsonl.gz or plain .jsonl) into s: creates or updates (by code) the
 * districts of RU-SPE, the categories (spb-cat-<id>), topics (spb-<reason_id>), bodies
 * (spb-org-<hash>) and rules (reason × district → the most frequent executor), then inserts
 * the appeals not yet imported (external_id = portal id, channel "import") with their
 * answers, route history and timeline, `batch` appeals per transaction (0 = 250).
 * Returns 0, ERR_NOTFOUND (file or region RU-SPE), ERR_INVALID (not gzip/JSON lines), ERR_DB. */
int import_spb_run(struct store *s, const char *path, int batch, struct import_spb_stats *st);

#endif
