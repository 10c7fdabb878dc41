/* analytics.c (store): the rollups of docs/analytics.md — facts per appeal, additive cells, their
 * upkeep (differences of facts), full rebuild and the reads of the dashboard and ratings. */
#include "store/analytics.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/users.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double stat_hist_bounds[STAT_HIST] = {
    1, 2, 4, 8, 12, 24, 48, 72, 96, 120, 168, 240, 336, 480, 720, 960, 1440, 2160, 4320, INFINITY};

#define MSK_OFFSET_MS (3LL * 3600 * 1000) /* Moscow time, UTC+3 all year */
#define DAY_MS        86400000LL
#define IN_CHUNK      64 /* ids per IN (...) list: one statement text for the prepared cache */
#define TERR_DEPTH    8  /* territory chain levels kept */

/* --- days and months ------------------------------------------------------------------------ */

int32_t stat_day_of_ms(int64_t ms)
{
	int64_t t = ms + MSK_OFFSET_MS;
	return (int32_t)(t >= 0 ? t / DAY_MS : -((-t + DAY_MS - 1) / DAY_MS));
}

/* Civil date <-> days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithms). */
static int32_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int yy = yoe + era * 400;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yy + (*m <= 2);
}

int32_t stat_month_of_day(int32_t day)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	return y * 12 + m - 1;
}

int32_t stat_month_first_day(int32_t month)
{
	return days_from_civil(month / 12, month % 12 + 1, 1);
}

int32_t stat_month_last_day(int32_t month)
{
	return stat_month_first_day(month + 1) - 1;
}

bool stat_day_parse(const char *s, int32_t *day)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 1970 || y > 2200 || m < 1 || m > 12 || d < 1)
		return false;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return false;
	*day = days_from_civil(y, m, d);
	return true;
}

void stat_day_format(int32_t day, char out[11])
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y, m, d);
	memcpy(out, tmp, 10);
	out[10] = 0;
}

bool stat_key_daily(const struct stat_key *k)
{
	return k->topic_id == 0 && k->org_id == 0;
}

double stat_share(int64_t num, int64_t den)
{
	return den > 0 ? (double)num / (double)den : NAN;
}

double stat_median_review_h(const struct stat_sums *s)
{
	int64_t n = 0;
	for (int i = 0; i < STAT_HIST; i++)
		n += s->hist[i];
	if (n <= 0)
		return NAN;
	double half = (double)n / 2.0, seen = 0;
	for (int i = 0; i < STAT_HIST; i++) {
		if (!s->hist[i])
			continue;
		if (seen + (double)s->hist[i] >= half) {
			double lo = i ? stat_hist_bounds[i - 1] : 0;
			double hi = stat_hist_bounds[i];
			if (isinf(hi)) /* the open last bucket: no better guess than its lower bound
			                */
				return lo;
			return lo + (hi - lo) * (half - seen) / (double)s->hist[i];
		}
		seen += (double)s->hist[i];
	}
	return NAN;
}

static int hist_bucket(int64_t hours)
{
	for (int i = 0; i < STAT_HIST; i++)
		if ((double)hours < stat_hist_bounds[i])
			return i;
	return STAT_HIST - 1;
}

/* --- facts ------------------------------------------------------------------------------------ */

struct fact {
	int64_t appeal_id, territory_id, category_id, topic_id, org_id, assignee_id;
	int32_t created_day, answered_day, review_h, on_time, rated_day, rating, satisfied,
	    rereview;
	int32_t redirected, rejected, deadline_day, late, is_open, overdue_now;
};

#define FACT_COLS                                                                                  \
	"appeal_id, territory_id, category_id, topic_id, org_id, assignee_id, created_day, "       \
	"answered_day, review_h, on_time, rated_day, rating, satisfied, rereview, redirected, "    \
	"rejected, deadline_day, late, is_open, overdue_now"
#define FACT_NCOLS 20

static void fact_from_row(const struct store_rows *r, size_t i, struct fact *f)
{
	int64_t v[FACT_NCOLS];
	for (size_t k = 0; k < FACT_NCOLS; k++)
		v[k] = store_rows_i64(r, i, k);
	f->appeal_id = v[0], f->territory_id = v[1], f->category_id = v[2], f->topic_id = v[3];
	f->org_id = v[4], f->assignee_id = v[5];
	f->created_day = (int32_t)v[6], f->answered_day = (int32_t)v[7],
	f->review_h = (int32_t)v[8];
	f->on_time = (int32_t)v[9], f->rated_day = (int32_t)v[10], f->rating = (int32_t)v[11];
	f->satisfied = (int32_t)v[12], f->rereview = (int32_t)v[13], f->redirected = (int32_t)v[14];
	f->rejected = (int32_t)v[15], f->deadline_day = (int32_t)v[16], f->late = (int32_t)v[17];
	f->is_open = (int32_t)v[18], f->overdue_now = (int32_t)v[19];
}

static bool fact_equal(const struct fact *a, const struct fact *b)
{
	return a->territory_id == b->territory_id && a->category_id == b->category_id &&
	       a->topic_id == b->topic_id && a->org_id == b->org_id &&
	       a->assignee_id == b->assignee_id && a->created_day == b->created_day &&
	       a->answered_day == b->answered_day && a->review_h == b->review_h &&
	       a->on_time == b->on_time && a->rated_day == b->rated_day && a->rating == b->rating &&
	       a->satisfied == b->satisfied && a->rereview == b->rereview &&
	       a->redirected == b->redirected && a->rejected == b->rejected &&
	       a->deadline_day == b->deadline_day && a->late == b->late &&
	       a->is_open == b->is_open && a->overdue_now == b->overdue_now;
}

/* The appeal columns facts are computed from (appeal_fact_row reads them in this order). */
#define APPEAL_FACT_SQL                                                                            \
	"SELECT a.id, a.territory_id, a.category_id, a.topic_id, a.org_id, a.assignee_id, "        \
	"a.created_at, a.answered_at, a.deadline_at, a.rated_at, a.rating, a.rating_solved, "      \
	"a.status, a.is_open, a.overdue, a.problem_id, "                                           \
	"(SELECT COUNT(*) FROM appeal_routes r WHERE r.appeal_id = a.id AND r.kind = "             \
	"'redirect'), "                                                                            \
	"(SELECT CASE WHEN p.solved_at IS NULL THEN 0 ELSE 1 END FROM problems p "                 \
	"WHERE p.id = a.problem_id) "                                                              \
	"FROM appeals a "

static void appeal_fact_row(const struct store_rows *r, size_t i, int64_t now, struct fact *f)
{
	memset(f, 0, sizeof(*f));
	f->appeal_id = store_rows_i64(r, i, 0);
	f->territory_id = store_rows_i64(r, i, 1);
	f->category_id = store_rows_i64(r, i, 2);
	f->topic_id = store_rows_i64(r, i, 3);
	f->org_id = store_rows_i64(r, i, 4);
	f->assignee_id = store_rows_i64(r, i, 5);
	int64_t created = store_rows_i64(r, i, 6);
	bool answered = !store_rows_isnull(r, i, 7);
	int64_t answered_at = store_rows_i64(r, i, 7);
	bool has_deadline = !store_rows_isnull(r, i, 8);
	int64_t deadline = store_rows_i64(r, i, 8);
	bool rated = !store_rows_isnull(r, i, 9) && !store_rows_isnull(r, i, 10);
	const char *status = store_rows_get(r, i, 12);
	f->created_day = stat_day_of_ms(created);
	if (answered) {
		f->answered_day = stat_day_of_ms(answered_at);
		int64_t h = (answered_at - created) / 3600000;
		f->review_h = (int32_t)(h < 0 ? 0 : h > 1000000 ? 1000000 : h);
		f->on_time = !has_deadline || answered_at <= deadline;
	}
	if (rated) {
		f->rated_day = stat_day_of_ms(store_rows_i64(r, i, 9));
		f->rating = (int32_t)store_rows_i64(r, i, 10);
		bool solved = store_rows_isnull(r, i, 11) || store_rows_i64(r, i, 11) != 0;
		f->satisfied = f->rating >= 4 && solved;
		f->rereview = f->rating <= 3 || !solved;
	}
	f->redirected = store_rows_i64(r, i, 16) > 0;
	f->rejected = status && !strcmp(status, "rejected");
	f->is_open = store_rows_i64(r, i, 13) != 0;
	f->overdue_now = f->is_open && store_rows_i64(r, i, 14) != 0;
	if (has_deadline) {
		f->deadline_day = stat_day_of_ms(deadline);
		f->late = answered ? answered_at > deadline
		                   : (f->is_open && (f->overdue_now || now > deadline));
		/* an appeal closed without an answer (rejected, merged) was not late */
		if (!answered && !f->is_open)
			f->late = 0;
	}
}

/* --- cells: an in-memory map of differences, flushed as upserts ------------------------------ */

struct cell_key {
	int64_t t, c, p, o;
	int32_t grain, bucket;
};

struct cell_val {
	int64_t received, answered, on_time, review_h_sum, hist[STAT_HIST];
	int64_t rated, rating_sum, satisfied, rereview, redirected, rejected, late, open_now,
	    overdue_now;
};

struct cell {
	struct cell_key k;
	struct cell_val v;
	bool used;
};

struct cellmap {
	struct cell *slots;
	size_t cap, n;
};

static uint64_t cell_hash(const struct cell_key *k)
{
	uint64_t h = 1469598103934665603ULL;
	int64_t parts[5] = {k->t, k->c, k->p, k->o,
	                    ((int64_t)k->grain << 32) ^ (uint32_t)k->bucket};
	for (int i = 0; i < 5; i++) {
		h ^= (uint64_t)parts[i];
		h *= 1099511628211ULL;
		h ^= h >> 29;
	}
	return h;
}

static bool cell_key_eq(const struct cell_key *a, const struct cell_key *b)
{
	return a->t == b->t && a->c == b->c && a->p == b->p && a->o == b->o &&
	       a->grain == b->grain && a->bucket == b->bucket;
}

static void cellmap_init(struct cellmap *m)
{
	m->cap = 1024;
	m->n = 0;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
}

static void cellmap_release(struct cellmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

static struct cell_val *cellmap_get(struct cellmap *m, const struct cell_key *k);

static void cellmap_grow(struct cellmap *m)
{
	struct cell *old = m->slots;
	size_t oldcap = m->cap;
	m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	m->n = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].used)
			*cellmap_get(m, &old[i].k) = old[i].v;
	free(old);
}

static struct cell_val *cellmap_get(struct cellmap *m, const struct cell_key *k)
{
	if ((m->n + 1) * 4 > m->cap * 3)
		cellmap_grow(m);
	size_t i = cell_hash(k) & (m->cap - 1);
	while (m->slots[i].used) {
		if (cell_key_eq(&m->slots[i].k, k))
			return &m->slots[i].v;
		i = (i + 1) & (m->cap - 1);
	}
	m->slots[i].used = true;
	m->slots[i].k = *k;
	memset(&m->slots[i].v, 0, sizeof(m->slots[i].v));
	m->n++;
	return &m->slots[i].v;
}

/* Territory chains, cached for one pass. */
struct chains {
	int64_t *ids;
	int64_t (*chain)[TERR_DEPTH];
	size_t *len;
	size_t n, cap;
};

static void chains_release(struct chains *ch)
{
	free(ch->ids);
	free(ch->chain);
	free(ch->len);
	memset(ch, 0, sizeof(*ch));
}

static int chains_get(struct store_conn *c, struct chains *ch, int64_t territory_id,
                      const int64_t **out, size_t *n)
{
	for (size_t i = 0; i < ch->n; i++)
		if (ch->ids[i] == territory_id) {
			*out = ch->chain[i];
			*n = ch->len[i];
			return 0;
		}
	if (ch->n == ch->cap) {
		ch->cap = ch->cap ? ch->cap * 2 : 64;
		ch->ids = xrealloc(ch->ids, ch->cap * sizeof(*ch->ids));
		ch->chain = xrealloc(ch->chain, ch->cap * sizeof(*ch->chain));
		ch->len = xrealloc(ch->len, ch->cap * sizeof(*ch->len));
	}
	size_t k = ch->n;
	int rc = store_territory_chain(c, territory_id, ch->chain[k], TERR_DEPTH, &ch->len[k]);
	if (rc)
		return rc;
	if (!ch->len[k]) /* a territory that vanished: count it under itself */
		ch->chain[k][0] = territory_id, ch->len[k] = 1;
	ch->ids[k] = territory_id;
	ch->n++;
	*out = ch->chain[k];
	*n = ch->len[k];
	return 0;
}

/* Adds sign × the contribution of f to every cell it belongs to. */
static int contribute(struct store_conn *c, struct chains *ch, struct cellmap *m,
                      const struct fact *f, int sign)
{
	const int64_t *chain;
	size_t nchain;
	int rc = chains_get(c, ch, f->territory_id, &chain, &nchain);
	if (rc)
		return rc;
	/* the root of the chain (the country) is territory 0, "all": not kept twice */
	int64_t terrs[TERR_DEPTH + 1];
	size_t nt = 0;
	terrs[nt++] = 0;
	for (size_t i = 0; i + 1 < nchain; i++)
		terrs[nt++] = chain[i];
	int64_t sectors[3][2] = {{0, 0}, {f->category_id, 0}, {f->category_id, f->topic_id}};
	int64_t orgs[2] = {0, f->org_id};
	size_t norgs = f->org_id ? 2 : 1;
	int hb = hist_bucket(f->review_h);
	for (size_t ti = 0; ti < nt; ti++)
		for (int si = 0; si < 3; si++)
			for (size_t oi = 0; oi < norgs; oi++) {
				struct cell_key k = {
				    terrs[ti], sectors[si][0], sectors[si][1], orgs[oi], 0, 0};
				bool daily = k.p == 0 && k.o == 0;
				struct cell_val *v = cellmap_get(m, &k);
				v->open_now += sign * f->is_open;
				v->overdue_now += sign * f->overdue_now;
				for (int g = daily ? 1 : 2; g <= 2; g++) {
					k.grain = g;
#define BUCKET(day) (g == 1 ? (day) : stat_month_of_day(day))
					k.bucket = BUCKET(f->created_day);
					v = cellmap_get(m, &k);
					v->received += sign;
					v->redirected += sign * f->redirected;
					v->rejected += sign * f->rejected;
					if (f->answered_day) {
						k.bucket = BUCKET(f->answered_day);
						v = cellmap_get(m, &k);
						v->answered += sign;
						v->on_time += sign * f->on_time;
						v->review_h_sum += sign * f->review_h;
						v->hist[hb] += sign;
					}
					if (f->rated_day) {
						k.bucket = BUCKET(f->rated_day);
						v = cellmap_get(m, &k);
						v->rated += sign;
						v->rating_sum += sign * f->rating;
						v->satisfied += sign * f->satisfied;
						v->rereview += sign * f->rereview;
					}
					if (f->deadline_day && f->late) {
						k.bucket = BUCKET(f->deadline_day);
						v = cellmap_get(m, &k);
						v->late += sign;
					}
#undef BUCKET
				}
			}
	return 0;
}

static bool cell_zero(const struct cell_val *v)
{
	static const struct cell_val z;
	return !memcmp(v, &z, sizeof(z));
}

#define CELL_MEASURES                                                                              \
	"received, answered, on_time, review_h_sum, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, " \
	"h11, h12, h13, h14, h15, h16, h17, h18, h19, rated, rating_sum, satisfied, rereview, "    \
	"redirected, rejected, late, open_now, overdue_now"
#define CELL_NMEASURES (4 + STAT_HIST + 9)

/* --- writing facts and cells: MULTI_ROWS rows per statement (one round trip on PostgreSQL,
 * one parse of the values on both) ----------------------------------------------------------- */

#define MULTI_ROWS 64

#define FACT_HEAD "INSERT INTO appeal_facts (" FACT_COLS ")"
#define FACT_TAIL                                                                                  \
	"ON CONFLICT (appeal_id) DO UPDATE SET territory_id = excluded.territory_id, "             \
	"category_id = excluded.category_id, topic_id = excluded.topic_id, org_id = "              \
	"excluded.org_id, assignee_id = excluded.assignee_id, created_day = "                      \
	"excluded.created_day, "                                                                   \
	"answered_day = excluded.answered_day, review_h = excluded.review_h, on_time = "           \
	"excluded.on_time, rated_day = excluded.rated_day, rating = excluded.rating, satisfied = " \
	"excluded.satisfied, rereview = excluded.rereview, redirected = excluded.redirected, "     \
	"rejected = excluded.rejected, deadline_day = excluded.deadline_day, late = "              \
	"excluded.late, is_open = excluded.is_open, overdue_now = excluded.overdue_now"
#define CELL_HEAD                                                                                  \
	"INSERT INTO stat_cells (territory_id, category_id, topic_id, org_id, grain, "             \
	"bucket, " CELL_MEASURES ")"
#define CELL_NCOLS (6 + CELL_NMEASURES)

static struct {
	char *fact1, *factn, *cell1, *celln;
} wsql;
static pthread_once_t wsql_once = PTHREAD_ONCE_INIT;

/* "head VALUES ($1, …), (…) tail" for nrows rows of ncols values. */
static char *values_sql(const char *head, int ncols, int nrows, const char *tail)
{
	struct buf b = BUF_INIT(1u << 20);
	buf_puts(&b, head);
	buf_puts(&b, " VALUES ");
	for (int r = 0, k = 1; r < nrows; r++) {
		buf_puts(&b, r ? ", (" : "(");
		for (int c = 0; c < ncols; c++)
			buf_printf(&b, "%s$%d", c ? ", " : "", k++);
		buf_puts(&b, ")");
	}
	buf_puts(&b, " ");
	buf_puts(&b, tail);
	char *s = xstrndup(b.data, b.len);
	buf_release(&b);
	return s;
}

static void wsql_build(void)
{
	/* the cells' tail: each measure adds to the stored one */
	struct buf t = BUF_INIT(8192);
	buf_puts(&t, "ON CONFLICT (territory_id, category_id, topic_id, org_id, grain, bucket) "
	             "DO UPDATE SET ");
	const char *cols = CELL_MEASURES;
	bool first = true;
	while (*cols) {
		size_t len = strcspn(cols, ",");
		buf_printf(&t, "%s%.*s = stat_cells.%.*s + excluded.%.*s", first ? "" : ", ",
		           (int)len, cols, (int)len, cols, (int)len, cols);
		first = false;
		cols += len;
		while (*cols == ',' || *cols == ' ')
			cols++;
	}
	char *tail = xstrndup(t.data, t.len);
	buf_release(&t);
	wsql.fact1 = values_sql(FACT_HEAD, FACT_NCOLS, 1, FACT_TAIL);
	wsql.factn = values_sql(FACT_HEAD, FACT_NCOLS, MULTI_ROWS, FACT_TAIL);
	wsql.cell1 = values_sql(CELL_HEAD, CELL_NCOLS, 1, tail);
	wsql.celln = values_sql(CELL_HEAD, CELL_NCOLS, MULTI_ROWS, tail);
	free(tail);
}

static void fact_params(const struct fact *f, struct store_val *p)
{
	const int64_t v[FACT_NCOLS] = {
	    f->appeal_id,   f->territory_id, f->category_id,  f->topic_id, f->org_id,
	    f->assignee_id, f->created_day,  f->answered_day, f->review_h, f->on_time,
	    f->rated_day,   f->rating,       f->satisfied,    f->rereview, f->redirected,
	    f->rejected,    f->deadline_day, f->late,         f->is_open,  f->overdue_now};
	for (size_t k = 0; k < FACT_NCOLS; k++)
		p[k] = sv_int(v[k]);
}

static void cell_params(const struct cell *e, struct store_val *p)
{
	size_t k = 0;
	p[k++] = sv_int(e->k.t), p[k++] = sv_int(e->k.c), p[k++] = sv_int(e->k.p);
	p[k++] = sv_int(e->k.o), p[k++] = sv_int(e->k.grain), p[k++] = sv_int(e->k.bucket);
	const struct cell_val *v = &e->v;
	p[k++] = sv_int(v->received), p[k++] = sv_int(v->answered), p[k++] = sv_int(v->on_time);
	p[k++] = sv_int(v->review_h_sum);
	for (int h = 0; h < STAT_HIST; h++)
		p[k++] = sv_int(v->hist[h]);
	p[k++] = sv_int(v->rated), p[k++] = sv_int(v->rating_sum), p[k++] = sv_int(v->satisfied);
	p[k++] = sv_int(v->rereview), p[k++] = sv_int(v->redirected), p[k++] = sv_int(v->rejected);
	p[k++] = sv_int(v->late), p[k++] = sv_int(v->open_now), p[k++] = sv_int(v->overdue_now);
}

/* Writes (upserts) facts f[0..n): distinct appeals. */
static int facts_put(struct store_conn *c, const struct fact *f, size_t n)
{
	pthread_once(&wsql_once, wsql_build);
	struct store_val *p = xmalloc(MULTI_ROWS * FACT_NCOLS * sizeof(*p));
	int rc = 0;
	size_t i = 0;
	for (; !rc && n - i >= MULTI_ROWS; i += MULTI_ROWS) {
		for (size_t r = 0; r < MULTI_ROWS; r++)
			fact_params(&f[i + r], p + r * FACT_NCOLS);
		rc = store_query(c, NULL, wsql.factn, p, MULTI_ROWS * FACT_NCOLS, NULL);
	}
	for (; !rc && i < n; i++) {
		fact_params(&f[i], p);
		rc = store_query(c, NULL, wsql.fact1, p, FACT_NCOLS, NULL);
	}
	free(p);
	return rc;
}

/* Adds cells (an array with unused slots and zero differences, both skipped; keys distinct)
 * to stat_cells. */
static int cells_upsert(struct store_conn *c, const struct cell *cells, size_t n)
{
	pthread_once(&wsql_once, wsql_build);
	struct store_val *p = xmalloc(MULTI_ROWS * CELL_NCOLS * sizeof(*p));
	int rc = 0;
	size_t rows = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct cell *e = &cells[i];
		if (!e->used || cell_zero(&e->v))
			continue;
		cell_params(e, p + rows * CELL_NCOLS);
		if (++rows == MULTI_ROWS) {
			rc = store_query(c, NULL, wsql.celln, p, MULTI_ROWS * CELL_NCOLS, NULL);
			rows = 0;
		}
	}
	for (size_t r = 0; !rc && r < rows; r++)
		rc = store_query(c, NULL, wsql.cell1, p + r * CELL_NCOLS, CELL_NCOLS, NULL);
	free(p);
	return rc;
}

/* Moves the entries `cold` says are done out of the map into a new array (*out, *n). */
static void cellmap_take(struct cellmap *m, bool (*cold)(const struct cell_key *, int32_t),
                         int32_t now_day, struct cell **out, size_t *n)
{
	struct cell *taken = xmalloc((m->n ? m->n : 1) * sizeof(*taken));
	size_t nt = 0;
	struct cell *old = m->slots;
	size_t oldcap = m->cap;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	m->n = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].used)
			continue;
		if (!cold || cold(&old[i].k, now_day))
			taken[nt++] = old[i];
		else
			*cellmap_get(m, &old[i].k) = old[i].v;
	}
	free(old);
	*out = taken;
	*n = nt;
}

/* "$1, …, $64" with ids padded by -1 (one statement text for every chunk). */
static const char *in_list(void)
{
	static char s[IN_CHUNK * 6];
	static bool made;
	if (!made) {
		size_t off = 0;
		for (int i = 1; i <= IN_CHUNK; i++)
			off += (size_t)snprintf(s + off, sizeof(s) - off, "%s$%d",
			                        i > 1 ? ", " : "", i);
		made = true;
	}
	return s;
}

static void in_params(struct store_val *p, const int64_t *ids, size_t n)
{
	for (size_t i = 0; i < IN_CHUNK; i++)
		p[i] = sv_int(i < n ? ids[i] : -1);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int store_stat_refresh_appeals(struct store_conn *c, struct arena *a, const int64_t *ids, size_t n,
                               int64_t now)
{
	struct cellmap m;
	cellmap_init(&m);
	struct chains ch = {0};
	int64_t *problems = xcalloc(n + 1, sizeof(*problems));
	size_t nproblems = 0;
	int rc = 0;
	char *sql_a = arena_printf(a, APPEAL_FACT_SQL "WHERE a.id IN (%s)", in_list());
	char *sql_f = arena_printf(
	    a, "SELECT " FACT_COLS " FROM appeal_facts WHERE appeal_id IN (%s)", in_list());
	struct fact *put = xmalloc(IN_CHUNK * sizeof(*put)); /* changed facts of a chunk */
	for (size_t off = 0; !rc && off < n; off += IN_CHUNK) {
		size_t k = n - off < IN_CHUNK ? n - off : IN_CHUNK, nput = 0;
		struct store_val p[IN_CHUNK];
		in_params(p, ids + off, k);
		struct store_rows ra, rf;
		rc = store_query(c, a, sql_a, p, IN_CHUNK, &ra);
		if (!rc)
			rc = store_query(c, a, sql_f, p, IN_CHUNK, &rf);
		for (size_t i = 0; !rc && i < ra.nrows; i++) {
			struct fact nf, of;
			appeal_fact_row(&ra, i, now, &nf);
			/* its problem's state (solved or not) can change only when the appeal is
			 * not open, or it is open and the problem was solved (it came back) */
			if (!store_rows_isnull(&ra, i, 15) &&
			    (!store_rows_i64(&ra, i, 13) || store_rows_i64(&ra, i, 17)))
				problems[nproblems++] = store_rows_i64(&ra, i, 15);
			bool had = false;
			for (size_t j = 0; j < rf.nrows; j++)
				if (store_rows_i64(&rf, j, 0) == nf.appeal_id) {
					fact_from_row(&rf, j, &of);
					had = true;
					break;
				}
			if (had && fact_equal(&of, &nf))
				continue;
			if (had)
				rc = contribute(c, &ch, &m, &of, -1);
			if (!rc)
				rc = contribute(c, &ch, &m, &nf, +1);
			put[nput++] = nf;
		}
		if (!rc)
			rc = facts_put(c, put, nput); /* the chunk's rows are distinct appeals */
	}
	free(put);
	if (!rc)
		rc = cells_upsert(c, m.slots, m.cap);
	qsort(problems, nproblems, sizeof(*problems), cmp_i64);
	for (size_t i = 0; !rc && i < nproblems; i++)
		if (!i || problems[i] != problems[i - 1])
			rc = store_problem_state_refresh(c, problems[i], now);
	free(problems);
	chains_release(&ch);
	cellmap_release(&m);
	return rc;
}

int store_stat_events_after(struct store_conn *c, struct arena *a, int64_t after, int64_t limit,
                            struct store_rows *out)
{
	struct store_val p[] = {sv_int(after), sv_int(limit)};
	return store_query(
	    c, a, "SELECT appeal_id, id FROM appeal_events WHERE id > $1 ORDER BY id LIMIT $2", p,
	    2, out);
}

int store_stat_state(struct store_conn *c, int64_t *cursor, bool *built)
{
	struct arena a;
	arena_init(&a, 512);
	struct store_rows r;
	int rc = store_query(
	    c, &a, "SELECT cursor, built FROM rollup_state WHERE name = 'analytics'", NULL, 0, &r);
	if (!rc && !r.nrows)
		rc = ERR_NOTFOUND;
	if (!rc) {
		*cursor = store_rows_i64(&r, 0, 0);
		*built = store_rows_i64(&r, 0, 1) != 0;
	}
	arena_release(&a);
	return rc;
}

int store_stat_set_cursor(struct store_conn *c, int64_t cursor, bool built)
{
	struct store_val p[] = {sv_int(cursor), sv_int(built)};
	return store_query(
	    c, NULL, "UPDATE rollup_state SET cursor = $1, built = $2 WHERE name = 'analytics'", p,
	    2, NULL);
}

/* --- rebuild ---------------------------------------------------------------------------------
 * Appeals are read in creation order, so the cells they touch are mostly those of recent days:
 * cells of days (months) well behind the appeals being read are written out and forgotten, and
 * memory stays bounded while almost every cell is written once. A cell touched again later (an
 * answer a year on) is simply added to (the write is an upsert). */

#define REBUILD_PAGE   5000
#define REBUILD_MEMORY 400000 /* cells kept in memory before the cold ones are written */

struct rebuild_job {
	int step; /* 0 clear, 1 facts of a page, 2 cells, 3 finish */
	const struct fact *facts;
	size_t nfacts;
	const struct cell *cells;
	size_t ncells;
	int64_t cursor;
};

static int rebuild_write(struct store_conn *c, void *arg)
{
	struct rebuild_job *j = arg;
	int rc = 0;
	switch (j->step) {
	case 0:
		rc = store_query(c, NULL, "DELETE FROM stat_cells", NULL, 0, NULL);
		if (!rc)
			rc = store_query(c, NULL, "DELETE FROM appeal_facts", NULL, 0, NULL);
		if (!rc)
			rc = store_stat_set_cursor(c, 0, false);
		break;
	case 1: rc = facts_put(c, j->facts, j->nfacts); break;
	case 2: rc = cells_upsert(c, j->cells, j->ncells); break;
	default: rc = store_stat_set_cursor(c, j->cursor, true);
	}
	return rc;
}

/* Cells no appeal read from now on is likely to touch: days 60 behind, months 2 behind. */
static bool cell_cold(const struct cell_key *k, int32_t day)
{
	if (k->grain == 1)
		return k->bucket < day - 60;
	if (k->grain == 2)
		return k->bucket < stat_month_of_day(day) - 2;
	return false;
}

static int rebuild_flush(struct store *s, struct cellmap *m, bool all, int32_t day)
{
	struct cell *cells;
	size_t n;
	cellmap_take(m, all ? NULL : cell_cold, day, &cells, &n);
	struct rebuild_job j = {.step = 2, .cells = cells, .ncells = n};
	int rc = n ? store_write(s, rebuild_write, &j) : 0;
	free(cells);
	return rc;
}

int store_stat_rebuild(struct store *s, bool offline, int64_t *appeals, double *seconds)
{
	int64_t t0 = clock_mono_ns();
	*appeals = 0;
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	int64_t cursor = 0;
	rc = store_query_i64(c, "SELECT COALESCE(MAX(id), 0) FROM appeal_events", NULL, 0, &cursor);
	struct rebuild_job j = {0};
	if (!rc)
		rc = store_write(s, rebuild_write, &j);
	struct cellmap m;
	cellmap_init(&m);
	struct chains ch = {0};
	struct fact *facts = xcalloc(REBUILD_PAGE, sizeof(*facts));
	int64_t after_at = INT64_MIN, after_id = 0, now = clock_now_ms();
	unsigned pages = 0;
	size_t limit = REBUILD_MEMORY;
	while (!rc) {
		struct arena a;
		arena_init(&a, 1u << 20);
		struct store_rows r;
		struct store_val p[] = {sv_int(after_at), sv_int(after_id), sv_int(REBUILD_PAGE)};
		rc = store_query(c, &a,
		                 /* a row value, so that PostgreSQL seeks in appeals_created
		                  * (with an OR it filtered the index from its start at every page:
		                  * quadratic) */
		                 APPEAL_FACT_SQL "WHERE (a.created_at, a.id) > ($1, $2) "
		                                 "ORDER BY a.created_at, a.id LIMIT $3",
		                 p, 3, &r);
		size_t nrows = rc ? 0 : r.nrows;
		for (size_t i = 0; !rc && i < nrows; i++) {
			appeal_fact_row(&r, i, now, &facts[i]);
			rc = contribute(c, &ch, &m, &facts[i], +1);
		}
		if (nrows) {
			after_at = store_rows_i64(&r, nrows - 1, 6);
			after_id = store_rows_i64(&r, nrows - 1, 0);
		}
		arena_release(&a);
		if (rc || !nrows)
			break;
		*appeals += (int64_t)nrows;
		j = (struct rebuild_job){.step = 1, .facts = facts, .nfacts = nrows};
		rc = store_write(s, rebuild_write, &j);
		if (!rc && m.n > limit) {
			rc = rebuild_flush(s, &m, false, facts[nrows - 1].created_day);
			/* when most cells stay hot, do not rescan the whole map at every page */
			limit = m.n * 2 > REBUILD_MEMORY ? m.n * 2 : REBUILD_MEMORY;
		}
		if (!rc && offline && ++pages % 8 == 0)
			rc = store_checkpoint_full(s);
	}
	if (!rc)
		rc = rebuild_flush(s, &m, true, 0);
	if (!rc) {
		j = (struct rebuild_job){.step = 3, .cursor = cursor};
		rc = store_write(s, rebuild_write, &j);
	}
	store_conn_put(s, c);
	free(facts);
	chains_release(&ch);
	cellmap_release(&m);
	*seconds = (double)(clock_mono_ns() - t0) / 1e9;
	return rc;
}

/* --- reads ------------------------------------------------------------------------------------ */

#define SUM_SQL                                                                                    \
	"SELECT SUM(received), SUM(answered), SUM(on_time), SUM(review_h_sum), SUM(h0), SUM(h1), " \
	"SUM(h2), SUM(h3), SUM(h4), SUM(h5), SUM(h6), SUM(h7), SUM(h8), SUM(h9), SUM(h10), "       \
	"SUM(h11), SUM(h12), SUM(h13), SUM(h14), SUM(h15), SUM(h16), SUM(h17), SUM(h18), "         \
	"SUM(h19), "                                                                               \
	"SUM(rated), SUM(rating_sum), SUM(satisfied), SUM(rereview), SUM(redirected), "            \
	"SUM(rejected), SUM(late)"
#define SUM_NCOLS (4 + STAT_HIST + 7)

static void sums_add_row(struct stat_sums *s, const struct store_rows *r, size_t i, size_t off)
{
	size_t k = off;
	s->received += store_rows_i64(r, i, k++);
	s->answered += store_rows_i64(r, i, k++);
	s->on_time += store_rows_i64(r, i, k++);
	s->review_h_sum += store_rows_i64(r, i, k++);
	for (int h = 0; h < STAT_HIST; h++)
		s->hist[h] += store_rows_i64(r, i, k++);
	s->rated += store_rows_i64(r, i, k++);
	s->rating_sum += store_rows_i64(r, i, k++);
	s->satisfied += store_rows_i64(r, i, k++);
	s->rereview += store_rows_i64(r, i, k++);
	s->redirected += store_rows_i64(r, i, k++);
	s->rejected += store_rows_i64(r, i, k++);
	s->late += store_rows_i64(r, i, k++);
}

/* The key as cells keep it: a root territory (the country) is 0. */
static int norm_key(struct store_conn *c, const struct stat_key *k, struct stat_key *out)
{
	*out = *k;
	if (!k->territory_id)
		return 0;
	int64_t root = 0;
	struct store_val p[] = {sv_int(k->territory_id)};
	int rc = store_query_i64(
	    c, "SELECT COUNT(*) FROM territories WHERE id = $1 AND parent_id IS NULL", p, 1, &root);
	if (!rc && root)
		out->territory_id = 0;
	return rc;
}

static int sum_range(struct store_conn *c, const struct stat_key *k, int grain, int32_t lo,
                     int32_t hi, struct stat_sums *out)
{
	if (lo > hi)
		return 0;
	struct arena a;
	arena_init(&a, 2048);
	struct store_rows r;
	struct store_val p[] = {sv_int(k->territory_id),
	                        sv_int(k->category_id),
	                        sv_int(k->topic_id),
	                        sv_int(k->org_id),
	                        sv_int(grain),
	                        sv_int(lo),
	                        sv_int(hi)};
	int rc =
	    store_query(c, &a,
	                SUM_SQL " FROM stat_cells WHERE territory_id = $1 AND category_id = $2 "
	                        "AND topic_id = $3 AND org_id = $4 AND grain = $5 "
	                        "AND bucket BETWEEN $6 AND $7",
	                p, 7, &r);
	if (!rc && r.nrows)
		sums_add_row(out, &r, 0, 0);
	arena_release(&a);
	return rc;
}

/* The cell ranges whose sum is [from, to] for a key (daily or not): whole months inside the
 * period from month cells, the edges from day cells. Up to 3 (grain, lo, hi); ERR_INVALID when a
 * month-only key gets a period that is not whole months. */
struct cell_range {
	int grain;
	int32_t lo, hi;
};
static int period_ranges(bool daily, int32_t from, int32_t to, struct cell_range r[3], int *n)
{
	*n = 0;
	if (from > to)
		return ERR_INVALID;
	int32_t m0 = stat_month_of_day(from), m1 = stat_month_of_day(to);
	if (!daily) {
		if (from != stat_month_first_day(m0) || to != stat_month_last_day(m1))
			return ERR_INVALID;
		r[(*n)++] = (struct cell_range){2, m0, m1};
		return 0;
	}
	int32_t first_full = from == stat_month_first_day(m0) ? m0 : m0 + 1;
	int32_t last_full = to == stat_month_last_day(m1) ? m1 : m1 - 1;
	if (to - from < 45 || first_full > last_full) {
		r[(*n)++] = (struct cell_range){1, from, to};
		return 0;
	}
	struct cell_range all[3] = {{1, from, stat_month_first_day(first_full) - 1},
	                            {2, first_full, last_full},
	                            {1, stat_month_last_day(last_full) + 1, to}};
	for (int i = 0; i < 3; i++)
		if (all[i].lo <= all[i].hi)
			r[(*n)++] = all[i];
	return 0;
}

int store_stat_sum(struct store_conn *c, const struct stat_key *key, int32_t from, int32_t to,
                   struct stat_sums *out)
{
	memset(out, 0, sizeof(*out));
	if (from > to)
		return ERR_INVALID;
	struct stat_key kk;
	int nrc = norm_key(c, key, &kk);
	if (nrc)
		return nrc;
	struct cell_range r[3];
	int nr = 0;
	int rc = period_ranges(stat_key_daily(&kk), from, to, r, &nr);
	for (int i = 0; !rc && i < nr; i++)
		rc = sum_range(c, &kk, r[i].grain, r[i].lo, r[i].hi, out);
	return rc;
}

int store_stat_series(struct store_conn *c, const struct stat_key *key, int grain, int32_t from,
                      int32_t to, struct stat_sums *out, size_t n)
{
	memset(out, 0, n * sizeof(*out));
	struct stat_key kk;
	int nrc = norm_key(c, key, &kk);
	if (nrc)
		return nrc;
	const struct stat_key *k = &kk;
	if (from > to || (grain != 1 && grain != 2))
		return ERR_INVALID;
	if (grain == 1 && !stat_key_daily(k))
		return ERR_INVALID;
	int32_t lo = grain == 1 ? from : stat_month_of_day(from);
	int32_t hi = grain == 1 ? to : stat_month_of_day(to);
	struct arena a;
	arena_init(&a, 8192);
	struct store_rows r;
	struct store_val p[] = {sv_int(k->territory_id),
	                        sv_int(k->category_id),
	                        sv_int(k->topic_id),
	                        sv_int(k->org_id),
	                        sv_int(grain),
	                        sv_int(lo),
	                        sv_int(hi)};
	int rc =
	    store_query(c, &a,
	                SUM_SQL ", bucket FROM stat_cells WHERE territory_id = $1 AND "
	                        "category_id = $2 AND topic_id = $3 AND org_id = $4 AND grain = $5 "
	                        "AND bucket BETWEEN $6 AND $7 GROUP BY bucket",
	                p, 7, &r);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		int64_t b = store_rows_i64(&r, i, SUM_NCOLS);
		if (b >= lo && (size_t)(b - lo) < n)
			sums_add_row(&out[b - lo], &r, i, 0);
	}
	arena_release(&a);
	return rc;
}

static int64_t *key_dim(struct stat_key *k, int d)
{
	return d == 0   ? &k->territory_id
	       : d == 1 ? &k->category_id
	       : d == 2 ? &k->topic_id
	                : &k->org_id;
}

/* One statement per range and IN_CHUNK keys (a breakdown of 85 regions over two periods was
 * some 400 statements, each a round trip on PostgreSQL). */
int store_stat_sum_many(struct store_conn *c, const struct stat_key *base, char dim,
                        const int64_t *ids, size_t n, int32_t from, int32_t to,
                        struct stat_sums *out)
{
	static const char *const cols[] = {"territory_id", "category_id", "topic_id", "org_id"};
	int d = dim == 't' ? 0 : dim == 'c' ? 1 : dim == 'p' ? 2 : dim == 'o' ? 3 : -1;
	if (d < 0)
		return ERR_INVALID;
	memset(out, 0, n * sizeof(*out));
	if (!n)
		return 0;
	struct stat_key kb;
	int rc = norm_key(c, base, &kb);
	if (rc)
		return rc;
	struct arena a;
	arena_init(&a, 1u << 16);
	/* the keys as the cells keep them: a root territory is 0 */
	int64_t *keys = xmalloc(n * sizeof(*keys));
	memcpy(keys, ids, n * sizeof(*keys));
	if (d == 0) {
		struct store_rows roots;
		rc = store_query(c, &a, "SELECT id FROM territories WHERE parent_id IS NULL", NULL,
		                 0, &roots);
		for (size_t i = 0; !rc && i < n; i++)
			for (size_t j = 0; j < roots.nrows; j++)
				if (keys[i] == store_rows_i64(&roots, j, 0))
					keys[i] = 0;
	}
	struct stat_key k0 = kb; /* daily or not: the same for every key of one dimension */
	*key_dim(&k0, d) = ids[0];
	struct cell_range r[3];
	int nr = 0;
	if (!rc)
		rc = period_ranges(stat_key_daily(&k0), from, to, r, &nr);
	struct buf where = BUF_INIT(1024);
	for (int j = 0, pn = IN_CHUNK + 1; j < 4; j++)
		if (j != d)
			buf_printf(&where, " AND %s = $%d", cols[j], pn++);
	char *sql =
	    arena_printf(&a,
	                 SUM_SQL ", %s FROM stat_cells WHERE %s IN (%s)%s AND grain = $%d AND "
	                         "bucket BETWEEN $%d AND $%d GROUP BY %s",
	                 cols[d], cols[d], in_list(), where.data ? where.data : "", IN_CHUNK + 4,
	                 IN_CHUNK + 5, IN_CHUNK + 6, cols[d]);
	buf_release(&where);
	for (int ri = 0; !rc && ri < nr; ri++)
		for (size_t off = 0; !rc && off < n; off += IN_CHUNK) {
			size_t k = n - off < IN_CHUNK ? n - off : IN_CHUNK;
			struct store_val p[IN_CHUNK + 6];
			in_params(p, keys + off, k);
			size_t pn = IN_CHUNK;
			for (int j = 0; j < 4; j++)
				if (j != d)
					p[pn++] = sv_int(*key_dim(&kb, j));
			p[pn++] = sv_int(r[ri].grain);
			p[pn++] = sv_int(r[ri].lo);
			p[pn++] = sv_int(r[ri].hi);
			struct store_rows rows;
			rc = store_query(c, &a, sql, p, pn, &rows);
			for (size_t i = 0; !rc && i < rows.nrows; i++) {
				int64_t id = store_rows_i64(&rows, i, SUM_NCOLS);
				for (size_t x = off; x < off + k; x++)
					if (keys[x] == id)
						sums_add_row(&out[x], &rows, i, 0);
			}
		}
	arena_release(&a);
	free(keys);
	return rc;
}

int store_stat_now(struct store_conn *c, const struct stat_key *key, struct stat_now *out)
{
	memset(out, 0, sizeof(*out));
	struct stat_key kk;
	int nrc = norm_key(c, key, &kk);
	if (nrc)
		return nrc;
	const struct stat_key *k = &kk;
	struct arena a;
	arena_init(&a, 1024);
	struct store_rows r;
	struct store_val p[] = {sv_int(k->territory_id), sv_int(k->category_id),
	                        sv_int(k->topic_id), sv_int(k->org_id)};
	int rc =
	    store_query(c, &a,
	                "SELECT open_now, overdue_now FROM stat_cells WHERE territory_id = $1 AND "
	                "category_id = $2 AND topic_id = $3 AND org_id = $4 AND grain = 0 AND "
	                "bucket = 0",
	                p, 4, &r);
	if (!rc && r.nrows) {
		out->open_now = store_rows_i64(&r, 0, 0);
		out->overdue_now = store_rows_i64(&r, 0, 1);
	}
	arena_release(&a);
	return rc;
}

struct exec_acc {
	int64_t id, answered, on_time, rated, satisfied, rereview, received;
	int32_t *hours;
	size_t nh, caph;
};

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return x < y ? -1 : x > y;
}

int store_stat_executors(struct store_conn *c, struct arena *a, int64_t org_id, int32_t from,
                         int32_t to, struct store_rows *out)
{
	memset(out, 0, sizeof(*out));
	struct arena t;
	arena_init(&t, 1u << 16);
	struct store_rows r;
	struct store_val p[] = {sv_int(org_id), sv_int(from), sv_int(to)};
	int rc = store_query(c, &t,
	                     "SELECT assignee_id, answered_day, review_h, on_time, rated_day, "
	                     "satisfied, rereview, created_day FROM appeal_facts WHERE org_id = $1 "
	                     "AND assignee_id <> 0 AND ((answered_day BETWEEN $2 AND $3) OR "
	                     "(created_day BETWEEN $2 AND $3))",
	                     p, 3, &r);
	struct exec_acc *acc = NULL;
	size_t nacc = 0;
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		int64_t id = store_rows_i64(&r, i, 0);
		struct exec_acc *e = NULL;
		for (size_t k = 0; k < nacc; k++)
			if (acc[k].id == id)
				e = &acc[k];
		if (!e) {
			acc = xrealloc(acc, (nacc + 1) * sizeof(*acc));
			e = &acc[nacc++];
			memset(e, 0, sizeof(*e));
			e->id = id;
		}
		int64_t aday = store_rows_i64(&r, i, 1), cday = store_rows_i64(&r, i, 7);
		if (cday >= from && cday <= to)
			e->received++;
		if (aday >= from && aday <= to && aday) {
			e->answered++;
			e->on_time += store_rows_i64(&r, i, 3) != 0;
			if (e->nh == e->caph) {
				e->caph = e->caph ? e->caph * 2 : 16;
				e->hours = xrealloc(e->hours, e->caph * sizeof(*e->hours));
			}
			e->hours[e->nh++] = (int32_t)store_rows_i64(&r, i, 2);
			if (store_rows_i64(&r, i, 4)) {
				e->rated++;
				e->satisfied += store_rows_i64(&r, i, 5) != 0;
				e->rereview += store_rows_i64(&r, i, 6) != 0;
			}
		}
	}
	if (!rc) {
		static const char *names[] = {"assignee_id", "answered",  "on_time",  "review_h",
		                              "rated",       "satisfied", "rereview", "received"};
		out->ncols = 8;
		out->nrows = nacc;
		out->names = names;
		out->vals = arena_alloc(a, (nacc ? nacc : 1) * 8 * sizeof(char *));
		for (size_t k = 0; k < nacc; k++) {
			struct exec_acc *e = &acc[k];
			const char **v = &out->vals[k * 8];
			v[0] = arena_printf(a, "%lld", (long long)e->id);
			v[1] = arena_printf(a, "%lld", (long long)e->answered);
			v[2] = arena_printf(a, "%lld", (long long)e->on_time);
			if (e->nh) {
				qsort(e->hours, e->nh, sizeof(*e->hours), cmp_i32);
				double med =
				    e->nh % 2
				        ? e->hours[e->nh / 2]
				        : (e->hours[e->nh / 2 - 1] + e->hours[e->nh / 2]) / 2.0;
				v[3] = arena_printf(a, "%.1f", med);
			} else {
				v[3] = NULL;
			}
			v[4] = arena_printf(a, "%lld", (long long)e->rated);
			v[5] = arena_printf(a, "%lld", (long long)e->satisfied);
			v[6] = arena_printf(a, "%lld", (long long)e->rereview);
			v[7] = arena_printf(a, "%lld", (long long)e->received);
		}
	}
	for (size_t k = 0; k < nacc; k++)
		free(acc[k].hours);
	free(acc);
	arena_release(&t);
	return rc;
}

/* --- the live stream ------------------------------------------------------------------------- */

int store_live_max_ids(struct store_conn *c, int64_t *appeal, int64_t *alarm)
{
	int rc = store_query_i64(c, "SELECT COALESCE(MAX(id), 0) FROM appeals", NULL, 0, appeal);
	if (!rc)
		rc = store_query_i64(c, "SELECT COALESCE(MAX(id), 0) FROM alarms", NULL, 0, alarm);
	return rc;
}

int store_live_appeals_after(struct store_conn *c, struct arena *a, int64_t after, int64_t limit,
                             struct store_rows *out)
{
	struct store_val p[] = {sv_int(after), sv_int(limit)};
	return store_query(c, a,
	                   "SELECT id, created_at, territory_id, category_id, topic_id, org_id "
	                   "FROM appeals WHERE id > $1 ORDER BY id LIMIT $2",
	                   p, 2, out);
}

int store_live_alarms_after(struct store_conn *c, struct arena *a, int64_t after, int64_t limit,
                            struct store_rows *out)
{
	struct store_val p[] = {sv_int(after), sv_int(limit)};
	return store_query(c, a,
	                   "SELECT l.id, l.kind, l.problem_id, l.topic_id, l.category_id, "
	                   "l.territory_id, l.lat, l.lon, l.observed, l.expected, l.window_min, "
	                   "l.reason, l.first_at, l.at, l.appeal_ids, p.label, t.name "
	                   "FROM alarms l LEFT JOIN problems p ON p.id = l.problem_id "
	                   "LEFT JOIN topics t ON t.id = l.topic_id WHERE l.id > $1 ORDER BY l.id "
	                   "LIMIT $2",
	                   p, 2, out);
}

/* --- problem control -------------------------------------------------------------------------- */

int store_problem_solved(struct store_conn *c, int64_t problem_id, bool *solved)
{
	struct store_val p[] = {sv_int(problem_id)};
	int64_t n = 0;
	int rc = store_query_i64(
	    c, "SELECT COUNT(*) FROM problems WHERE id = $1 AND solved_at IS NOT NULL", p, 1, &n);
	*solved = !rc && n > 0;
	return rc;
}

int store_problem_state_refresh(struct store_conn *c, int64_t problem_id, int64_t now)
{
	struct arena a;
	arena_init(&a, 1024);
	struct store_rows r, pr;
	struct store_val p[] = {sv_int(problem_id)};
	int rc =
	    store_query(c, &a,
	                "SELECT COUNT(*), SUM(CASE WHEN status IN ('closed', 'rejected', "
	                "'merged') THEN 1 ELSE 0 END), SUM(CASE WHEN rating IS NOT NULL THEN 1 "
	                "ELSE 0 END), MAX(created_at) FROM appeals WHERE problem_id = $1",
	                p, 1, &r);
	if (!rc)
		rc = store_query(c, &a, "SELECT solved_at FROM problems WHERE id = $1", p, 1, &pr);
	if (rc || !pr.nrows || !r.nrows) {
		arena_release(&a);
		return rc;
	}
	int64_t total = store_rows_i64(&r, 0, 0), done = store_rows_i64(&r, 0, 1);
	int64_t rated = store_rows_i64(&r, 0, 2), newest = store_rows_i64(&r, 0, 3);
	bool was_solved = !store_rows_isnull(&pr, 0, 0);
	int64_t solved_at = store_rows_i64(&pr, 0, 0);
	bool solved = total > 0 && done == total && rated > 0;
	if (solved && !was_solved) {
		struct store_val q[] = {sv_int(problem_id), sv_int(now)};
		rc = store_query(c, NULL, "UPDATE problems SET solved_at = $2 WHERE id = $1", q, 2,
		                 NULL);
	} else if (!solved && was_solved) {
		struct store_val q[] = {sv_int(problem_id), sv_int(now)};
		if (newest > solved_at) /* a new appeal came after it was solved: it came back */
			rc = store_query(c, NULL,
			                 "UPDATE problems SET solved_at = NULL, returned_at = $2, "
			                 "returned_count = returned_count + 1 WHERE id = $1",
			                 q, 2, NULL);
		else
			rc = store_query(c, NULL,
			                 "UPDATE problems SET solved_at = NULL WHERE id = $1", q, 1,
			                 NULL);
	}
	arena_release(&a);
	return rc;
}
