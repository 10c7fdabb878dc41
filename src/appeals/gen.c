/* gen.c: synthetic appeals (load tests) and the raw-insert ceiling, via src/store/bulk.c. */
#include "appeals/gen.h"
#include "appeals/appeal.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "registry/registry.h"
#include "store/bulk.h"
#include "store/entity.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define GEN_CHUNK 50000

static const struct actor gen_actor = {.roles = ROLE_ADMIN, .request_id = "gen"};

/* CSV imports of the synthetic registry, collection by collection, in one write job. */
struct reg_job {
	struct arena *a;
	const char *colls[4];
	const char *csv[4];
	struct problem p;
};

static int reg_fn(struct store_conn *c, void *arg)
{
	struct reg_job *j = arg;
	memset(&j->p, 0, sizeof(j->p));
	for (int k = 0; k < 4; k++) {
		int64_t ins = 0, upd = 0;
		int rc = registry_import_csv_conn(c, j->a, &gen_actor, registry_find(j->colls[k]),
		                                  j->csv[k], strlen(j->csv[k]), &ins, &upd, &j->p);
		if (rc) {
			log_error("gen", "%s: %s", j->colls[k],
			          j->p.message ? j->p.message : "error");
			return rc;
		}
	}
	return 0;
}

/* The synthetic registry; fills the ids in st. */
static int gen_registry(struct store *s, int orgs, struct gen_stats *st)
{
	struct arena a;
	arena_init(&a, 4096);
	struct buf o = BUF_INIT(16u << 20);
	buf_puts(&o, "code,name,short_name,kind,territory_code,parent_code,email\r\n");
	for (int i = 1; i <= orgs; i++)
		buf_printf(&o, "gen-org-%04d,Синтетическое ведомство № %d,,regional,RU-MOW,,\r\n",
		           i, i);
	struct reg_job j = {.a = &a,
	                    .colls = {"categories", "topics", "orgs", "rules"},
	                    .csv = {"code,name,sort\r\ngen-cat,Синтетическая категория,999\r\n",
	                            "code,category_code,name,deadline,deadline_unit,hint,active\r\n"
	                            "gen-topic,gen-cat,Синтетическая тема,10,wdays,,1\r\n",
	                            o.data,
	                            "code,topic_code,category_code,territory_code,org_code\r\n"
	                            "gen-r,gen-topic,,RU-MOW,gen-org-0001\r\n"}};
	int rc = o.overflow ? ERR_TOOLARGE : store_write(s, reg_fn, &j);
	buf_release(&o);
	arena_release(&a);
	if (rc)
		return rc;
	struct store_conn *c;
	if ((rc = store_conn_get(s, &c)))
		return rc;
	rc = store_id_by_code(c, "topics", "gen-topic", &st->topic_id);
	if (!rc)
		rc = store_id_by_code(c, "territories", "RU-MOW", &st->territory_id);
	if (!rc)
		rc = bulk_orgs_by_prefix(c, "gen-org-", &st->first_org, &st->orgs);
	store_conn_put(s, c);
	return rc;
}

/* One chunk of synthetic appeals per write job: either kind of generator. */
struct chunk_job {
	bool spread;
	struct bulk_gen g;     /* !spread */
	struct bulk_spread sp; /* spread */
	int64_t inserted;
};

static int chunk_fn(struct store_conn *c, void *arg)
{
	struct chunk_job *j = arg;
	j->inserted = 0;
	return j->spread ? bulk_gen_spread(c, &j->sp, &j->inserted)
	                 : bulk_gen_appeals(c, &j->g, &j->inserted);
}

/* Writes count appeals GEN_CHUNK at a time, checkpointing the WAL in full between chunks;
 * st->appeals counts them. */
static int run_chunks(struct store *s, struct chunk_job *j, int64_t count, struct gen_stats *st)
{
	int rc = 0;
	for (int64_t first = 0; !rc && first < count; first += GEN_CHUNK) {
		int64_t last = (first + GEN_CHUNK < count ? first + GEN_CHUNK : count) - 1;
		j->g.first = j->sp.first = first;
		j->g.last = j->sp.last = last;
		rc = store_write(s, chunk_fn, j);
		if (!rc)
			st->appeals += j->inserted;
		if (!rc)
			rc = store_checkpoint_full(s);
	}
	return rc;
}

/* "<tag>-<12 hex>-": the tokens of one run are unique across runs. */
static void run_prefix(char *out, size_t n, const char *tag)
{
	unsigned char rnd[6];
	randombytes_buf(rnd, sizeof(rnd));
	char hex[13];
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(out, n, "%s-%s-", tag, hex);
}

int gen_appeals(struct store *s, int64_t count, int orgs, struct gen_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (count < 1 || orgs < 1 || orgs > 10000)
		return ERR_INVALID;
	int64_t t0 = clock_mono_ns();
	int rc = gen_registry(s, orgs, st);
	if (rc)
		return rc;
	int64_t category = 0;
	{
		struct store_conn *c;
		if ((rc = store_conn_get(s, &c)))
			return rc;
		rc = store_topic_category(c, st->topic_id, &category);
		store_conn_put(s, c);
		if (rc)
			return rc;
	}
	char prefix[32];
	run_prefix(prefix, sizeof(prefix), "gen");
	struct chunk_job j = {.g = {.topic_id = st->topic_id,
	                            .category_id = category,
	                            .territory_id = st->territory_id,
	                            .org_prefix = "gen-org-",
	                            .token_prefix = prefix,
	                            .now = clock_now_ms(),
	                            .tz_offset_ms = (int64_t)appeal_tz_offset_min() * 60000}};
	rc = run_chunks(s, &j, count, st);
	st->seconds = (double)(clock_mono_ns() - t0) / 1e9;
	return rc;
}

static int spread_registry(struct store *s)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct arena a;
	arena_init(&a, 1u << 16);
	struct store_rows r;
	rc = bulk_region_codes(c, &a, &r);
	store_conn_put(s, c);
	struct buf t = BUF_INIT(4u << 20), o = BUF_INIT(4u << 20), k = BUF_INIT(1u << 16),
	           p = BUF_INIT(1u << 16);
	buf_puts(&t, "code,parent_code,kind,name,okato,oktmo,iso\r\n");
	buf_puts(&o, "code,name,short_name,kind,territory_code,parent_code,email\r\n");
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		const char *code = store_rows_get(&r, i, 0);
		for (int m = 1; m <= 4; m++)
			buf_printf(&t, "gen-m-%s-%d,%s,municipality,Синтетический округ %d,,,\r\n",
			           code, m, code, m);
		for (int b = 1; b <= 3; b++)
			buf_printf(&o, "gen-b-%s-%d,Синтетическое ведомство %d,,regional,%s,,\r\n",
			           code, b, b, code);
	}
	buf_puts(&k, "code,name,sort\r\n");
	buf_puts(&p, "code,category_code,name,deadline,deadline_unit,hint,active\r\n");
	for (int ci = 1; ci <= 10; ci++) {
		buf_printf(&k, "gen-c-%02d,Синтетическая категория %d,%d\r\n", ci, ci, 900 + ci);
		for (int ti = 1; ti <= 6; ti++)
			buf_printf(
			    &p,
			    "gen-t-%02d-%02d,gen-c-%02d,Синтетическая тема %d.%d,10,wdays,,1\r\n",
			    ci, ti, ci, ci, ti);
	}
	if (!rc && (t.overflow || o.overflow || k.overflow || p.overflow))
		rc = ERR_TOOLARGE;
	if (!rc) {
		struct reg_job j = {.a = &a,
		                    .colls = {"territories", "categories", "topics", "orgs"},
		                    .csv = {t.data, k.data, p.data, o.data}};
		rc = store_write(s, reg_fn, &j);
	}
	buf_release(&t);
	buf_release(&o);
	buf_release(&k);
	buf_release(&p);
	arena_release(&a);
	return rc;
}

int gen_spread(struct store *s, int64_t count, int days, struct gen_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (count < 1 || days < 1 || days > 3660)
		return ERR_INVALID;
	int64_t t0 = clock_mono_ns();
	int rc = spread_registry(s);
	if (rc)
		return rc;
	char prefix[32];
	run_prefix(prefix, sizeof(prefix), "gs");
	struct chunk_job j = {.spread = true,
	                      .sp = {.now = clock_now_ms(),
	                             .days = days,
	                             .count = count,
	                             .tz_offset_ms = (int64_t)appeal_tz_offset_min() * 60000,
	                             .token_prefix = prefix}};
	rc = run_chunks(s, &j, count, st);
	st->seconds = (double)(clock_mono_ns() - t0) / 1e9;
	return rc;
}

int gen_bench_raw(struct store *s, int64_t rows, int batch, double *rows_per_s)
{
	struct gen_stats gs;
	*rows_per_s = 0;
	if (rows < 1 || batch < 1)
		return ERR_INVALID;
	int rc = gen_registry(s, 1, &gs);
	if (rc)
		return rc;
	struct store_conn *c;
	if ((rc = store_conn_get(s, &c)))
		return rc;
	int64_t category = 0;
	rc = store_topic_category(c, gs.topic_id, &category);
	char prefix[32];
	run_prefix(prefix, sizeof(prefix), "raw");
	int64_t now = clock_now_ms();
	struct bulk_appeal ap = {.channel = "api",
	                         .status = "routed",
	                         .is_open = true,
	                         .text = "Во дворе дома не убран мусор, прошу принять меры",
	                         .search = "во дворе дома не убран мусор, прошу принять меры",
	                         .topic_id = gs.topic_id,
	                         .category_id = category,
	                         .territory_id = gs.territory_id,
	                         .org_id = gs.first_org,
	                         .rating_solved = -1};
	int64_t t0 = clock_mono_ns(), done = 0;
	while (!rc && done < rows) {
		rc = store_tx_begin(c);
		for (int i = 0; !rc && i < batch && done < rows; i++, done++) {
			char tok[64];
			snprintf(tok, sizeof(tok), "%s%lld", prefix, (long long)done);
			ap.token = tok;
			ap.created_at = ap.updated_at = now;
			ap.day = appeal_day(now);
			ap.deadline_at = now + 14 * 86400000LL;
			rc = bulk_appeal_insert(c, &ap, NULL);
		}
		if (rc)
			store_tx_rollback(c);
		else
			rc = store_tx_commit(c);
	}
	double secs = (double)(clock_mono_ns() - t0) / 1e9;
	store_conn_put(s, c);
	if (!rc && secs > 0)
		*rows_per_s = (double)done / secs;
	return rc;
}
