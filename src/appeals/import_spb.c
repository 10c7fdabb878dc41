/* import_spb.c: `otklik import nash-spb` — St Petersburg portal appeals (JSON lines, gzip) with
 * their registry, answers, re-routings and timeline, written in big transactions. */
#include "appeals/import_spb.h"
#include "appeals/appeal.h"
#include "appeals/deadline.h"
#include "audit/audit.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/fold.h"
#include "core/log.h"
#include "core/mem.h"
#include "registry/registry.h"
#include "store/appeals.h"
#include "store/bulk.h"
#include "store/entity.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define REGION_CODE   "RU-SPE"
#define LINE_MAX_SIZE (64u << 20) /* one record; the real ones are below 200 KB */

static const struct actor import_actor = {.roles = ROLE_ADMIN, .request_id = "import-nash-spb"};

/* ---- a small string → int64 map (open addressing; keys copied) ---- */

struct smap {
	char **keys;
	int64_t *vals;
	size_t cap, n;
};

static uint64_t hash_bytes(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void smap_release(struct smap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static size_t smap_slot(const struct smap *m, const char *k)
{
	size_t i = hash_bytes(k) & (m->cap - 1);
	while (m->keys[i] && strcmp(m->keys[i], k))
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Pointer to the value of k, or NULL when absent. */
static int64_t *smap_get(const struct smap *m, const char *k)
{
	if (!m->cap)
		return NULL;
	size_t i = smap_slot(m, k);
	return m->keys[i] ? &m->vals[i] : NULL;
}

/* Pointer to the value of k, inserted with v when absent (*added tells which). */
static int64_t *smap_put(struct smap *m, const char *k, int64_t v, bool *added)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct smap g = {0};
		g.cap = m->cap ? m->cap * 2 : 64;
		g.keys = xcalloc(g.cap, sizeof(char *));
		g.vals = xcalloc(g.cap, sizeof(int64_t));
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = smap_slot(&g, m->keys[i]);
			g.keys[j] = m->keys[i];
			g.vals[j] = m->vals[i];
		}
		g.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	size_t i = smap_slot(m, k);
	if (added)
		*added = !m->keys[i];
	if (!m->keys[i]) {
		m->keys[i] = xstrdup(k);
		m->vals[i] = v;
		m->n++;
	}
	return &m->vals[i];
}

/* ---- reading JSON lines from a gzip file ---- */

struct lines {
	gzFile f;
	struct buf b;
};

/* 1 with the next line in l->b, 0 at the end, ERR_TOOLARGE for a monstrous line. */
static int lines_next(struct lines *l)
{
	buf_reset(&l->b);
	char chunk[65536];
	for (;;) {
		if (!gzgets(l->f, chunk, sizeof(chunk)))
			return l->b.len ? 1 : 0;
		size_t n = strlen(chunk);
		if (buf_append(&l->b, chunk, n))
			return ERR_TOOLARGE;
		if (n && chunk[n - 1] == '\n')
			return 1;
	}
}

static int lines_open(struct lines *l, const char *path)
{
	memset(l, 0, sizeof(*l));
	l->b = (struct buf)BUF_INIT(LINE_MAX_SIZE);
	l->f = gzopen(path, "rb");
	if (!l->f)
		return ERR_NOTFOUND;
	gzbuffer(l->f, 1 << 18);
	return 0;
}

static void lines_close(struct lines *l)
{
	if (l->f)
		gzclose(l->f);
	buf_release(&l->b);
}

/* ---- field helpers ---- */

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s && *s ? s : NULL;
}

/* "2020-10-18T14:50:40.817676" in Moscow time (the portal's) → epoch ms; 0 when malformed. */
static int64_t parse_time(const char *s)
{
	if (!s)
		return 0;
	struct tm tm = {0};
	int y, mo, d, h, mi, sec, used = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6)
		return 0;
	tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
	tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
	int64_t ms = (int64_t)timegm(&tm) * 1000;
	if (s[used] == '.') {
		int64_t frac = 0, scale = 100;
		for (const char *p = s + used + 1; *p >= '0' && *p <= '9' && scale;
		     p++, scale /= 10)
			frac += (*p - '0') * scale;
		ms += frac;
	}
	return ms - 3 * 3600 * 1000LL; /* UTC+3 */
}

/* Latin transliteration of a Russian name for codes: "Василеостровский" → "vasileostrovskiy". */
static char *translit(struct arena *a, const char *s)
{
	static const char *const lower[32] = {
	    "a", "b", "v", "g", "d", "e", "zh", "z",  "i",  "y",   "k", "l", "m", "n", "o",  "p",
	    "r", "s", "t", "u", "f", "h", "ts", "ch", "sh", "sch", "",  "y", "",  "e", "yu", "ya"};
	struct buf b = BUF_INIT(256);
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned cp;
		if (*p < 0x80) {
			cp = *p++;
		} else if ((*p & 0xe0) == 0xc0 && p[1]) {
			cp = ((unsigned)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
			p += 2;
		} else {
			p++;
			while ((*p & 0xc0) == 0x80)
				p++;
			cp = '-';
		}
		if (cp >= 0x410 && cp <= 0x42f)
			cp += 0x20;
		if (cp == 0x401 || cp == 0x451) {
			buf_puts(&b, "e");
		} else if (cp >= 0x430 && cp <= 0x44f) {
			buf_puts(&b, lower[cp - 0x430]);
		} else if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			char ch = (char)cp;
			buf_append(&b, &ch, 1);
		} else if (cp >= 'A' && cp <= 'Z') {
			char ch = (char)(cp + 32);
			buf_append(&b, &ch, 1);
		} else if (b.len && b.data[b.len - 1] != '-') {
			buf_puts(&b, "-");
		}
	}
	while (b.len && b.data[b.len - 1] == '-')
		b.len--;
	char *out = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_release(&b);
	return out;
}

/* At most max code points of s (a prefix copy in a when longer). */
static const char *cut_chars(struct arena *a, const char *s, size_t max)
{
	size_t n = 0, i = 0;
	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max)
			return arena_strndup(a, s, i);
	}
	return s;
}

/* A field of the registry CSV handed to the importer. */
static void csv_field(struct buf *b, const char *s, bool last)
{
	csv_put_quoted(b, "", s);
	buf_puts(b, last ? "\r\n" : ",");
}

/* ---- the registry collected from the file ---- */

struct reason {
	const char *name;
	int64_t category;
};

struct rule_cand {
	int64_t rule, org, count;
};

struct reg {
	struct arena a;
	struct smap district_ix; /* district name → index */
	const char **districts;
	size_t ndistricts, cap_d;
	struct smap cats; /* category id (decimal) → index into cat_names */
	const char **cat_names;
	int64_t *cat_ids;
	size_t ncats, cap_c;
	struct smap reasons_ix; /* reason id (decimal) → index */
	struct reason *reasons;
	int64_t *reason_ids;
	size_t nreasons, cap_r;
	struct smap org_ix; /* org name → index */
	const char **orgs;
	size_t norgs, cap_o;
	struct smap rule_ix; /* "reason\tdistrict" → index */
	int64_t *rule_reason, *rule_district, *rule_org, *rule_best;
	size_t nrules, cap_ru;
	struct smap cand_ix; /* "rule\torg" → index into cands */
	struct rule_cand *cands;
	size_t ncands, cap_ca;
	/* ids after the registry is written */
	int64_t region_id;
	int64_t *district_tid, *cat_tid, *reason_tid, *org_tid;
};

static void reg_release(struct reg *r)
{
	smap_release(&r->district_ix);
	smap_release(&r->cats);
	smap_release(&r->reasons_ix);
	smap_release(&r->org_ix);
	smap_release(&r->rule_ix);
	smap_release(&r->cand_ix);
	free(r->districts);
	free(r->cat_names);
	free(r->cat_ids);
	free(r->reasons);
	free(r->reason_ids);
	free(r->orgs);
	free(r->rule_reason);
	free(r->rule_district);
	free(r->rule_org);
	free(r->rule_best);
	free(r->cands);
	free(r->district_tid);
	free(r->cat_tid);
	free(r->reason_tid);
	free(r->org_tid);
	arena_release(&r->a);
}

static int64_t reg_district(struct reg *r, const char *name)
{
	bool added;
	int64_t *v = smap_put(&r->district_ix, name, (int64_t)r->ndistricts, &added);
	if (added) {
		r->districts = xgrow(r->districts, sizeof(char *), r->ndistricts + 1, &r->cap_d);
		r->districts[r->ndistricts++] = arena_strdup(&r->a, name);
	}
	return *v;
}

static int64_t reg_org(struct reg *r, const char *name)
{
	bool added;
	int64_t *v = smap_put(&r->org_ix, name, (int64_t)r->norgs, &added);
	if (added) {
		r->orgs = xgrow(r->orgs, sizeof(char *), r->norgs + 1, &r->cap_o);
		r->orgs[r->norgs++] = arena_strdup(&r->a, name);
	}
	return *v;
}

static int64_t reg_category(struct reg *r, int64_t id, const char *name)
{
	char k[32];
	snprintf(k, sizeof(k), "%lld", (long long)id);
	bool added;
	int64_t *v = smap_put(&r->cats, k, (int64_t)r->ncats, &added);
	if (added) {
		size_t cap = r->cap_c;
		r->cat_names = xgrow(r->cat_names, sizeof(char *), r->ncats + 1, &r->cap_c);
		r->cat_ids = xgrow(r->cat_ids, sizeof(int64_t), r->ncats + 1, &cap);
		r->cat_names[r->ncats] = arena_strdup(&r->a, name ? name : k);
		r->cat_ids[r->ncats++] = id;
	}
	return *v;
}

static int64_t reg_reason(struct reg *r, int64_t id, const char *name, int64_t category)
{
	char k[32];
	snprintf(k, sizeof(k), "%lld", (long long)id);
	bool added;
	int64_t *v = smap_put(&r->reasons_ix, k, (int64_t)r->nreasons, &added);
	if (added) {
		size_t cap = r->cap_r;
		r->reasons = xgrow(r->reasons, sizeof(struct reason), r->nreasons + 1, &r->cap_r);
		r->reason_ids = xgrow(r->reason_ids, sizeof(int64_t), r->nreasons + 1, &cap);
		r->reasons[r->nreasons] =
		    (struct reason){arena_strdup(&r->a, name ? name : k), category};
		r->reason_ids[r->nreasons++] = id;
	}
	return *v;
}

/* The rule (reason × district) index, created when absent. */
static int64_t reg_rule(struct reg *r, int64_t reason, int64_t district)
{
	char k[64];
	snprintf(k, sizeof(k), "%lld\t%lld", (long long)reason, (long long)district);
	bool added;
	int64_t *v = smap_put(&r->rule_ix, k, (int64_t)r->nrules, &added);
	if (added) {
		size_t c1 = r->cap_ru, c2 = r->cap_ru, c3 = r->cap_ru;
		r->rule_reason = xgrow(r->rule_reason, sizeof(int64_t), r->nrules + 1, &r->cap_ru);
		r->rule_district = xgrow(r->rule_district, sizeof(int64_t), r->nrules + 1, &c1);
		r->rule_org = xgrow(r->rule_org, sizeof(int64_t), r->nrules + 1, &c2);
		r->rule_best = xgrow(r->rule_best, sizeof(int64_t), r->nrules + 1, &c3);
		r->rule_reason[r->nrules] = reason;
		r->rule_district[r->nrules] = district;
		r->rule_org[r->nrules] = -1;
		r->rule_best[r->nrules] = 0;
		r->nrules++;
	}
	return *v;
}

static void reg_vote(struct reg *r, int64_t rule, int64_t org)
{
	char k[64];
	snprintf(k, sizeof(k), "%lld\t%lld", (long long)rule, (long long)org);
	bool added;
	int64_t *v = smap_put(&r->cand_ix, k, (int64_t)r->ncands, &added);
	if (added) {
		r->cands = xgrow(r->cands, sizeof(struct rule_cand), r->ncands + 1, &r->cap_ca);
		r->cands[r->ncands++] = (struct rule_cand){rule, org, 0};
	}
	struct rule_cand *c = &r->cands[*v];
	c->count++;
	/* ties: the body seen first keeps the rule */
	if (c->count > r->rule_best[rule]) {
		r->rule_best[rule] = c->count;
		r->rule_org[rule] = org;
	}
}

/* Route messages name bodies: «… от координатора: "A" координатору: "B". В связи …».
 * Returns the names (arena) of the sending and receiving coordinator (or controller). */
static void parse_route(struct arena *a, const char *t, const char **from, const char **to)
{
	*from = *to = NULL;
	const char *keys_from[] = {"от координатора: \"", "от контролера: \""};
	for (size_t k = 0; k < 2 && !*from; k++) {
		const char *p = strstr(t, keys_from[k]);
		if (!p)
			continue;
		p += strlen(keys_from[k]);
		const char *e1 = strstr(p, "\" контролеру");
		const char *e2 = strstr(p, "\" координатору");
		const char *e3 = strstr(p, "\", от координатора");
		const char *e = e1;
		if (!e || (e2 && e2 < e))
			e = e2;
		if (!e || (e3 && e3 < e))
			e = e3;
		if (e && e > p)
			*from = arena_strndup(a, p, (size_t)(e - p));
	}
	const char *key_to = "координатору: \"";
	const char *p = NULL, *q = t;
	while ((q = strstr(q, key_to)))
		p = q, q += strlen(key_to);
	if (!p) {
		key_to = "контролеру: \"";
		q = t;
		while ((q = strstr(q, key_to)))
			p = q, q += strlen(key_to);
	}
	if (p) {
		p += strlen(key_to);
		const char *e = strstr(p, "\". ");
		if (!e)
			e = strstr(p, "\", ");
		if (!e)
			e = strrchr(p, '"');
		if (e && e > p)
			*to = arena_strndup(a, p, (size_t)(e - p));
	}
}

/* ---- pass 1: the registry ---- */

static bool is_route_text(const char *t)
{
	return t && strstr(t, "передано по принадлежности");
}

static void collect(struct reg *r, json_t *o)
{
	const char *district = jstr(o, "district");
	json_int_t cat = json_integer_value(json_object_get(o, "category_id"));
	json_int_t rid = json_integer_value(json_object_get(o, "reason_id"));
	if (!district || !rid)
		return;
	int64_t d = reg_district(r, district);
	reg_category(r, cat, jstr(o, "category"));
	reg_reason(r, rid, jstr(o, "reason"), cat);
	struct arena tmp;
	arena_init(&tmp, 1024);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(o, "answers"), i, v)
	{
		const char *org = jstr(v, "org");
		if (org)
			reg_org(r, cut_chars(&tmp, org, 300));
	}
	json_array_foreach(json_object_get(o, "routes"), i, v)
	{
		const char *from, *to;
		parse_route(&tmp, jstr(v, "text") ? jstr(v, "text") : "", &from, &to);
		if (from)
			reg_org(r, cut_chars(&tmp, from, 300));
		if (to)
			reg_org(r, cut_chars(&tmp, to, 300));
	}
	const char *ex = jstr(o, "executor_org");
	if (ex) {
		int64_t org = reg_org(r, cut_chars(&tmp, ex, 300));
		reg_vote(r, reg_rule(r, rid, d), org);
	}
	arena_release(&tmp);
}

/* "Приморский" → "Приморского района" (the genitive bodies use in their names). */
static const char *district_genitive(struct arena *a, const char *d)
{
	size_t n = strlen(d);
	if (n < 6)
		return NULL;
	return arena_printf(a, "%.*sого района", (int)(n - 4), d);
}

static const char *district_code(struct arena *a, const char *d)
{
	return arena_printf(a, "spb-%s", translit(a, d));
}

static const char *org_code(struct arena *a, const char *name)
{
	return arena_printf(a, "spb-org-%012llx",
	                    (unsigned long long)(hash_bytes(name) & 0xffffffffffffULL));
}

/* The district a body's name places it in, or -1 (then the city as a whole). */
static int64_t org_district(struct reg *r, struct arena *a, const char *name)
{
	for (size_t i = 0; i < r->ndistricts; i++) {
		const char *g = district_genitive(a, r->districts[i]);
		if (g && strstr(name, g))
			return (int64_t)i;
	}
	return -1;
}

static const char *org_kind(const char *name)
{
	if (strstr(name, "Местная администрация") || strstr(name, "униципальн") ||
	    strstr(name, "МО ") || strstr(name, "МА МО"))
		return "municipal";
	return "regional";
}

struct reg_job {
	struct reg *r;
	struct arena *a;
	struct import_spb_stats *st;
	const char *csv[5];
	struct problem p;
};

static int reg_fn(struct store_conn *c, void *arg)
{
	struct reg_job *j = arg;
	static const char *const colls[5] = {"territories", "categories", "topics", "orgs",
	                                     "rules"};
	int64_t *counts[5] = {&j->st->territories, &j->st->categories, &j->st->topics, &j->st->orgs,
	                      &j->st->rules};
	memset(&j->p, 0, sizeof(j->p));
	for (int k = 0; k < 5; k++) {
		int64_t ins = 0, upd = 0;
		int rc = registry_import_csv_conn(c, j->a, &import_actor, registry_find(colls[k]),
		                                  j->csv[k], strlen(j->csv[k]), &ins, &upd, &j->p);
		if (rc) {
			log_error("import_spb", "%s: %s (%s)", colls[k],
			          j->p.message ? j->p.message : "error",
			          j->p.field ? j->p.field : "");
			return rc;
		}
		*counts[k] = ins + upd;
	}
	return 0;
}

static int lookup_ids(struct store *s, struct reg *r)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct arena *a = &r->a;
	r->district_tid = xcalloc(r->ndistricts + 1, sizeof(int64_t));
	r->cat_tid = xcalloc(r->ncats + 1, sizeof(int64_t));
	r->reason_tid = xcalloc(r->nreasons + 1, sizeof(int64_t));
	r->org_tid = xcalloc(r->norgs + 1, sizeof(int64_t));
	for (size_t i = 0; !rc && i < r->ndistricts; i++)
		rc = store_id_by_code(c, "territories", district_code(a, r->districts[i]),
		                      &r->district_tid[i]);
	for (size_t i = 0; !rc && i < r->ncats; i++)
		rc = store_id_by_code(c, "categories",
		                      arena_printf(a, "spb-cat-%lld", (long long)r->cat_ids[i]),
		                      &r->cat_tid[i]);
	for (size_t i = 0; !rc && i < r->nreasons; i++)
		rc = store_id_by_code(c, "topics",
		                      arena_printf(a, "spb-%lld", (long long)r->reason_ids[i]),
		                      &r->reason_tid[i]);
	for (size_t i = 0; !rc && i < r->norgs; i++)
		rc = store_id_by_code(c, "orgs", org_code(a, r->orgs[i]), &r->org_tid[i]);
	store_conn_put(s, c);
	return rc;
}

static int write_registry(struct store *s, struct reg *r, struct import_spb_stats *st)
{
	struct arena a;
	arena_init(&a, 1 << 16);
	struct buf b[5] = {BUF_INIT(64u << 20), BUF_INIT(64u << 20), BUF_INIT(64u << 20),
	                   BUF_INIT(64u << 20), BUF_INIT(64u << 20)};
	buf_puts(&b[0], "code,parent_code,kind,name,okato,oktmo,iso\r\n");
	for (size_t i = 0; i < r->ndistricts; i++) {
		csv_field(&b[0], district_code(&a, r->districts[i]), false);
		csv_field(&b[0], REGION_CODE, false);
		csv_field(&b[0], "municipality", false);
		csv_field(&b[0], arena_printf(&a, "%s район", r->districts[i]), false);
		buf_puts(&b[0], ",,\r\n");
	}
	buf_puts(&b[1], "code,name,sort\r\n");
	for (size_t i = 0; i < r->ncats; i++) {
		csv_field(&b[1], arena_printf(&a, "spb-cat-%lld", (long long)r->cat_ids[i]), false);
		csv_field(&b[1], r->cat_names[i], false);
		buf_printf(&b[1], "%lld\r\n", (long long)r->cat_ids[i]);
	}
	buf_puts(&b[2], "code,category_code,name,deadline,deadline_unit,hint,active\r\n");
	for (size_t i = 0; i < r->nreasons; i++) {
		csv_field(&b[2], arena_printf(&a, "spb-%lld", (long long)r->reason_ids[i]), false);
		csv_field(&b[2],
		          arena_printf(&a, "spb-cat-%lld", (long long)r->reasons[i].category),
		          false);
		csv_field(&b[2], r->reasons[i].name, false);
		buf_puts(&b[2], "8,wdays,,1\r\n");
	}
	buf_puts(&b[3], "code,name,short_name,kind,territory_code,parent_code,email\r\n");
	for (size_t i = 0; i < r->norgs; i++) {
		int64_t d = org_district(r, &a, r->orgs[i]);
		csv_field(&b[3], org_code(&a, r->orgs[i]), false);
		csv_field(&b[3], r->orgs[i], false);
		buf_puts(&b[3], ",");
		csv_field(&b[3], org_kind(r->orgs[i]), false);
		csv_field(&b[3], d >= 0 ? district_code(&a, r->districts[d]) : REGION_CODE, false);
		buf_puts(&b[3], ",\r\n");
	}
	buf_puts(&b[4], "code,topic_code,category_code,territory_code,org_code\r\n");
	for (size_t i = 0; i < r->nrules; i++) {
		if (r->rule_org[i] < 0)
			continue;
		const char *dc = district_code(&a, r->districts[r->rule_district[i]]);
		char *rcode =
		    arena_printf(&a, "spb-r-%lld-%s", (long long)r->rule_reason[i], dc + 4);
		csv_field(&b[4], rcode, false);
		csv_field(&b[4], arena_printf(&a, "spb-%lld", (long long)r->rule_reason[i]), false);
		buf_puts(&b[4], ",");
		csv_field(&b[4], dc, false);
		csv_field(&b[4], org_code(&a, r->orgs[r->rule_org[i]]), true);
	}
	int rc = 0;
	for (int k = 0; k < 5; k++)
		if (b[k].overflow)
			rc = ERR_TOOLARGE;
	struct reg_job j = {.r = r, .a = &a, .st = st};
	for (int k = 0; k < 5; k++)
		j.csv[k] = b[k].data;
	if (!rc)
		rc = store_write(s, reg_fn, &j);
	for (int k = 0; k < 5; k++)
		buf_release(&b[k]);
	arena_release(&a);
	return rc;
}

/* ---- pass 2: the appeals ---- */

struct ev {
	int64_t at;
	const char *kind, *to, *text;
	int order;
};

static int ev_cmp(const void *x, const void *y)
{
	const struct ev *a = x, *b = y;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->order - b->order;
}

struct batch {
	struct reg *r;
	json_t **recs;
	size_t n;
	int64_t now;
	/* outputs (set by each run of the job) */
	int64_t appeals, answers, routes, events;
};

/* The portal's final status → ours (docs/cli.md shows the mapping). */
struct mapped {
	enum appeal_status status;
	bool rated; /* the user confirmed the solution: rating 5, solved */
	const char *close_text;
};

static struct mapped map_status(const char *fs, bool has_org)
{
	struct mapped m = {has_org ? AS_IN_PROGRESS : AS_SUBMITTED, false, NULL};
	if (!fs)
		return m;
	if (strstr(fs, "Пользователь удовлетворен")) {
		m.status = AS_CLOSED, m.rated = true;
		m.close_text = "Пользователь удовлетворён решением проблемы";
	} else if (strstr(fs, "Народный контролер")) {
		m.status = AS_CLOSED;
		m.close_text = "Народный контролёр подтвердил решение проблемы";
	} else if (!strncmp(fs, "Завершено", strlen("Завершено"))) {
		m.status = AS_CLOSED;
		m.close_text = "Закрыто автоматически порталом";
	} else if (!strcmp(fs, "Получен ответ")) {
		m.status = AS_ANSWERED;
	} else if (strstr(fs, "Отклон") || strstr(fs, "тказ")) {
		m.status = AS_REJECTED;
	} else if (!strcmp(fs, "Модерация")) {
		m.status = AS_SUBMITTED;
	} else if (!strcmp(fs, "Рассмотрение")) {
		m.status = has_org ? AS_ROUTED : AS_SUBMITTED;
	}
	if (!has_org && (m.status == AS_IN_PROGRESS || m.status == AS_ROUTED))
		m.status = AS_SUBMITTED;
	return m;
}

static int64_t org_id_of(struct reg *r, struct arena *a, const char *name)
{
	if (!name)
		return 0;
	int64_t *ix = smap_get(&r->org_ix, cut_chars(a, name, 300));
	return ix ? r->org_tid[*ix] : 0;
}

static int import_one(struct store_conn *c, struct batch *b, json_t *o, struct arena *a)
{
	struct reg *r = b->r;
	const char *district = jstr(o, "district");
	json_int_t rid_v = json_integer_value(json_object_get(o, "reason_id"));
	char k[32];
	snprintf(k, sizeof(k), "%lld", (long long)rid_v);
	int64_t *ri = smap_get(&r->reasons_ix, k);
	int64_t *di = district ? smap_get(&r->district_ix, district) : NULL;
	if (!ri || !di)
		return 0; /* counted as bad in pass 1 */
	snprintf(k, sizeof(k), "%lld", (long long)r->reasons[*ri].category);
	int64_t *ci = smap_get(&r->cats, k);
	struct bulk_appeal ap = {.channel = "import", .rating_solved = -1};
	ap.topic_id = r->reason_tid[*ri];
	ap.category_id = ci ? r->cat_tid[*ci] : 0;
	ap.territory_id = r->district_tid[*di];
	ap.created_at = parse_time(jstr(o, "created_at"));
	ap.day = appeal_day(ap.created_at);
	ap.external_id =
	    arena_printf(a, "%lld", (long long)json_integer_value(json_object_get(o, "id")));

	/* the routes: who sent it where */
	json_t *routes = json_object_get(o, "routes");
	size_t nroutes = json_array_size(routes);
	int64_t *rfrom = arena_alloc(a, (nroutes + 1) * sizeof(int64_t));
	int64_t *rto = arena_alloc(a, (nroutes + 1) * sizeof(int64_t));
	for (size_t i = 0; i < nroutes; i++) {
		const char *from, *to;
		const char *t = jstr(json_array_get(routes, i), "text");
		parse_route(a, t ? t : "", &from, &to);
		rfrom[i] = org_id_of(r, a, from);
		rto[i] = org_id_of(r, a, to);
	}
	int64_t org = org_id_of(r, a, jstr(o, "executor_org"));
	if (!org && nroutes)
		org = rto[nroutes - 1];
	if (!org) {
		snprintf(k, sizeof(k), "%lld\t%lld", (long long)rid_v, (long long)*di);
		int64_t *rule = smap_get(&r->rule_ix, k);
		if (rule && r->rule_org[*rule] >= 0)
			org = r->org_tid[r->rule_org[*rule]];
	}
	struct mapped m = map_status(jstr(o, "final_status"), org != 0);
	ap.org_id = m.status == AS_SUBMITTED ? 0 : org;
	ap.status = appeal_status_name(m.status);
	ap.is_open = appeal_status_open(m.status);

	const char *text = jstr(o, "text");
	ap.text = cut_chars(a, text ? text : "[без текста]", APPEAL_TEXT_MAX);
	ap.address = jstr(o, "address");
	json_t *lat = json_object_get(o, "lat"), *lon = json_object_get(o, "lon");
	ap.has_point = json_is_number(lat) && json_is_number(lon);
	ap.lat = json_number_value(lat), ap.lon = json_number_value(lon);
	const char *st = arena_printf(a, "%s %s", ap.text, ap.address ? ap.address : "");
	ap.search = fold_text(a, st, strlen(st));
	char *tok = arena_alloc(a, APPEAL_TOKEN_SIZE);
	appeal_token_new(tok, clock_now_ms());
	ap.token = tok;

	/* times: answers, routes and follow-ups give the last activity */
	json_t *answers = json_object_get(o, "answers"), *fups = json_object_get(o, "followups");
	int64_t last = ap.created_at, last_final = 0;
	size_t i;
	json_t *v;
	json_array_foreach(answers, i, v)
	{
		int64_t t = parse_time(jstr(v, "dt"));
		if (t > last)
			last = t;
		if (jstr(v, "kind") && strstr(jstr(v, "kind"), "Окончательный") && t > last_final)
			last_final = t;
	}
	json_array_foreach(routes, i, v)
	{
		int64_t t = parse_time(jstr(v, "dt"));
		if (t > last)
			last = t;
	}
	json_array_foreach(fups, i, v)
	{
		int64_t t = parse_time(jstr(v, "dt"));
		if (t > last)
			last = t;
	}
	ap.updated_at = last;
	if (m.status == AS_ANSWERED || m.status == AS_CLOSED)
		ap.answered_at = last_final;
	if (m.status == AS_CLOSED || m.status == AS_REJECTED)
		ap.closed_at = last;
	if (m.status == AS_REJECTED)
		ap.reject_reason = "not_an_appeal";
	if (m.rated) {
		ap.rating = 5, ap.rating_solved = 1, ap.rated_at = last;
	}
	/* every appeal with a body gets its deadline (answered ones too: the on-time statistics
	 * compare the answer with it) */
	if (ap.org_id) {
		int64_t due = 0;
		int rc = deadline_due(c, ap.topic_id, ap.org_id, ap.created_at, &due);
		if (rc)
			return rc;
		ap.deadline_at = due;
		ap.overdue = ap.is_open && due && due < b->now;
	}
	int64_t id;
	int rc = bulk_appeal_insert(c, &ap, &id);
	if (rc)
		return rc;
	b->appeals++;

	/* route history */
	int64_t first_org = nroutes && rfrom[0] ? rfrom[0] : org;
	if (first_org) {
		rc = bulk_route_insert(c, id, ap.created_at, "auto", 0, first_org,
		                       "Исполнитель по данным портала «Наш Санкт-Петербург»");
		if (rc)
			return rc;
		b->routes++;
	}
	size_t nev = 0, cap = 2 + nroutes + json_array_size(answers) + json_array_size(fups);
	struct ev *evs = arena_alloc(a, cap * sizeof(struct ev));
	evs[nev++] =
	    (struct ev){ap.created_at, "submitted", first_org ? "routed" : "submitted", NULL, 0};
	for (size_t n = 0; n < nroutes; n++) {
		json_t *rt = json_array_get(routes, n);
		int64_t at = parse_time(jstr(rt, "dt"));
		rc = bulk_route_insert(c, id, at ? at : ap.created_at, "redirect", rfrom[n], rto[n],
		                       jstr(rt, "text"));
		if (rc)
			return rc;
		b->routes++;
		evs[nev++] = (struct ev){at, "redirect", "redirected", jstr(rt, "text"), 0};
	}
	json_array_foreach(answers, i, v)
	{
		const char *kind = jstr(v, "kind");
		bool final = kind && strstr(kind, "Окончательный");
		int64_t at = parse_time(jstr(v, "dt"));
		const char *atext = jstr(v, "text");
		rc = bulk_answer_insert(c, id, final ? "final" : "interim",
		                        atext ? atext : "[без текста]",
		                        org_id_of(r, a, jstr(v, "org")), at ? at : ap.created_at);
		if (rc)
			return rc;
		b->answers++;
		evs[nev++] = (struct ev){at, final ? "answer_final" : "answer_interim",
		                         final ? "answered" : "in_progress", NULL, 0};
	}
	json_array_foreach(fups, i, v)
	{
		const char *t = jstr(v, "text");
		if (!t || is_route_text(t))
			continue; /* already in routes[] */
		evs[nev++] = (struct ev){parse_time(jstr(v, "dt")), "followup", NULL, t, 0};
	}
	for (size_t n = 0; n < nev; n++)
		evs[n].order = (int)n; /* ties keep the file's order */
	qsort(evs, nev, sizeof(struct ev), ev_cmp);
	const char *cur = NULL;
	for (size_t n = 0; n < nev; n++) {
		const char *to = evs[n].to && (!cur || strcmp(cur, evs[n].to)) ? evs[n].to : NULL;
		rc = bulk_event_insert(c, id, evs[n].at ? evs[n].at : ap.created_at, evs[n].kind,
		                       to ? cur : NULL, to, evs[n].text);
		if (rc)
			return rc;
		if (to)
			cur = to;
		b->events++;
	}
	if (m.close_text) {
		rc = bulk_event_insert(c, id, last, m.rated ? "rating" : "closed", cur, "closed",
		                       m.close_text);
		if (rc)
			return rc;
		b->events++;
	}
	return 0;
}

static int batch_fn(struct store_conn *c, void *arg)
{
	struct batch *b = arg;
	b->appeals = b->answers = b->routes = b->events = 0;
	struct arena a;
	arena_init(&a, 1 << 16);
	int rc = 0;
	for (size_t i = 0; !rc && i < b->n; i++) {
		rc = import_one(c, b, b->recs[i], &a);
		if ((i & 63) == 63) {
			arena_release(&a);
			arena_init(&a, 1 << 16);
		}
	}
	arena_release(&a);
	return rc;
}

struct audit_job {
	json_t *after;
};

static int audit_fn(struct store_conn *c, void *arg)
{
	struct audit_job *j = arg;
	return audit_record(c, &import_actor, "import.nash-spb", "appeal", 0, NULL, j->after);
}

static int flush(struct store *s, struct batch *b, struct import_spb_stats *st)
{
	int rc = b->n ? store_write(s, batch_fn, b) : 0;
	if (!rc) {
		st->appeals += b->appeals, st->answers += b->answers;
		st->routes += b->routes, st->events += b->events;
	}
	for (size_t i = 0; i < b->n; i++)
		json_decref(b->recs[i]);
	b->n = 0;
	return rc;
}

static int load_known(struct store *s, struct smap *known)
{
	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc)
		return rc;
	struct arena a;
	arena_init(&a, 1 << 16);
	struct store_rows rows;
	rc = bulk_external_ids(c, &a, "import", &rows);
	for (size_t i = 0; !rc && i < rows.nrows; i++)
		smap_put(known, store_rows_get(&rows, i, 0), 1, NULL);
	arena_release(&a);
	store_conn_put(s, c);
	return rc;
}

int import_spb_run(struct store *s, const char *path, int batch, struct import_spb_stats *st)
{
	memset(st, 0, sizeof(*st));
	int64_t t0 = clock_mono_ns();
	if (batch <= 0)
		batch = 250; /* bigger jobs cost more CPU in SQLite's savepoint journal */
	struct reg r = {0};
	arena_init(&r.a, 1 << 16);
	struct smap known = {0};
	struct lines l;
	int rc = lines_open(&l, path);
	if (rc) {
		log_error("import_spb", "cannot open %s", path);
		goto out;
	}
	/* pass 1: the registry */
	json_error_t jerr;
	while ((rc = lines_next(&l)) == 1) {
		if (l.b.len <= 1)
			continue;
		st->lines++;
		json_t *o = json_loadb(l.b.data, l.b.len, 0, &jerr);
		if (!json_is_object(o) || !json_integer_value(json_object_get(o, "id")) ||
		    !parse_time(jstr(o, "created_at")) || !jstr(o, "district") ||
		    !json_integer_value(json_object_get(o, "reason_id"))) {
			if (st->bad_lines++ < 5)
				log_warn("import_spb", "line %lld: %s", (long long)st->lines,
				         o ? "no id, created_at, district or reason_id"
				           : jerr.text);
			json_decref(o);
			continue;
		}
		collect(&r, o);
		json_decref(o);
	}
	if (rc < 0)
		goto out;
	if (st->lines == 0 || st->bad_lines == st->lines) {
		log_error("import_spb", "%s: no appeal records", path);
		rc = ERR_INVALID;
		goto out;
	}
	{
		struct store_conn *c;
		rc = store_conn_get(s, &c);
		if (rc)
			goto out;
		rc = store_id_by_code(c, "territories", REGION_CODE, &r.region_id);
		store_conn_put(s, c);
		if (rc) {
			log_error("import_spb", "region %s is missing (run otklik migrate)",
			          REGION_CODE);
			goto out;
		}
	}
	rc = write_registry(s, &r, st);
	if (!rc)
		rc = lookup_ids(s, &r);
	if (!rc)
		rc = load_known(s, &known);
	if (rc)
		goto out;

	/* pass 2: the appeals */
	gzrewind(l.f);
	struct batch b = {
	    .r = &r, .recs = xcalloc((size_t)batch, sizeof(json_t *)), .now = clock_now_ms()};
	while ((rc = lines_next(&l)) == 1) {
		if (l.b.len <= 1)
			continue;
		json_t *o = json_loadb(l.b.data, l.b.len, 0, &jerr);
		json_int_t id = json_integer_value(json_object_get(o, "id"));
		if (!json_is_object(o) || !id || !parse_time(jstr(o, "created_at")) ||
		    !jstr(o, "district") || !json_integer_value(json_object_get(o, "reason_id"))) {
			json_decref(o);
			continue;
		}
		char k[32];
		snprintf(k, sizeof(k), "%lld", (long long)id);
		bool added;
		smap_put(&known, k, 1, &added);
		if (!added) {
			st->skipped++;
			json_decref(o);
			continue;
		}
		b.recs[b.n++] = o;
		if (b.n == (size_t)batch && (rc = flush(s, &b, st)))
			break;
	}
	if (rc >= 0)
		rc = flush(s, &b, st);
	else
		flush(s, &(struct batch){.n = b.n, .recs = b.recs}, st);
	free(b.recs);
	if (rc)
		goto out;
	st->seconds = (double)(clock_mono_ns() - t0) / 1e9;
	json_t *after = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "file", path, "appeals",
	                          (json_int_t)st->appeals, "skipped", (json_int_t)st->skipped,
	                          "answers", (json_int_t)st->answers, "routes",
	                          (json_int_t)st->routes, "events", (json_int_t)st->events);
	struct audit_job aj = {after};
	rc = store_write(s, audit_fn, &aj);
	json_decref(after);
out:
	st->seconds = (double)(clock_mono_ns() - t0) / 1e9;
	lines_close(&l);
	smap_release(&known);
	reg_release(&r);
	return rc;
}
