/* gen.h: synthetic appeals for load tests (`otklik gen appeals`) and the raw-insert ceiling
 * (`otklik bench-raw`), both through the bulk path of src/store/bulk.c. */
#ifndef OTKLIK_APPEALS_GEN_H
#define OTKLIK_APPEALS_GEN_H

#include "store/store.h"

#include <stdint.h>

struct gen_stats {
	int64_t appeals;   /* rows inserted */
	int64_t orgs;      /* synthetic bodies (gen-org-NNNN) */
	int64_t first_org; /* id of gen-org-0001: its executors see a queue of thousands */
	int64_t topic_id, territory_id;
	double seconds;
};

/* Creates (idempotently) the synthetic registry — category gen-cat, topic gen-topic,
 * bodies gen-org-0001..K in region RU-MOW and a rule sending gen-topic there to gen-org-0001 —
 * then inserts count appeals spread over the K bodies, 50,000 per transaction.
 * Returns 0, ERR_INVALID (count < 1, orgs outside 1..10000), ERR_DB. */
int gen_appeals(struct store *s, int64_t count, int orgs, struct gen_stats *st);

/* The dashboard benchmark's country: four synthetic municipalities gen-m-* under each region of
 * the reference data, three bodies gen-b-* per region, ten categories of six topics gen-t-*
 * (idempotent), then count appeals spread over them and over `days` days before now with
 * region-dependent speed and satisfaction (bulk_gen_spread), 50,000 per transaction. The rollups
 * are not touched: run `otklik analytics rebuild` afterwards. */
int gen_spread(struct store *s, int64_t count, int days, struct gen_stats *st);

/* The ceiling of the database itself: rows appeal rows inserted on one connection, `batch`
 * rows per transaction (1 = a durable commit per row). *rows_per_s is the rate. */
int gen_bench_raw(struct store *s, int64_t rows, int batch, double *rows_per_s);

#endif
