/* assistant.c: the executor's assistant for one appeal (assistant.h). */
#include "appeals/assistant.h"
#include "appeals/assist.h"
#include "appeals/calendar.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/utf8.h"
#include "store/problems.h"
#include "text/facts.h"
#include "text/index.h"
#include "text/plain.h"

#include <stdio.h>
#include <string.h>

#define SEARCH_MAX   40  /* similar appeals looked at for answers */
#define SOURCES_MAX  3   /* answers offered: the draft's and two others */
#define SENTENCE_CUT 400 /* characters of an essence sentence shown */
#define SOURCE_CUT   600 /* characters of another answer shown */
#define FACTS_MAX    40

static const char *cut(struct arena *a, const char *s, size_t len, size_t max_chars)
{
	size_t k = utf8_prefix(s, len, max_chars);
	return k < len ? arena_printf(a, "%.*s…", (int)k, s) : arena_strndup(a, s, len);
}

/* "05.02.2021" in the platform's time zone. */
static const char *local_date(struct arena *a, int64_t ms)
{
	int y, m, d;
	calendar_ymd(appeal_day(ms), &y, &m, &d);
	return arena_printf(a, "%02d.%02d.%04d", d, m, y);
}

static bool starts_with_word(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strncmp(s, *words, strlen(*words)))
			return true;
	return false;
}

const char *assistant_answer_body(struct arena *a, const char *answer, const char *old_address,
                                  const char *new_address)
{
	static const char *const greetings[] = {"Здравствуйте", "Добрый день", "Доброго дня",
	                                        "Добрый вечер", "Уважаемый",   "Уважаемая",
	                                        "Уважаемые",    "Доброе утро", NULL};
	const char *s = answer ? answer : "";
	/* leading greeting lines and sentences ("Здравствуйте! Сообщаем…") */
	for (;;) {
		while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
			s++;
		if (!starts_with_word(s, greetings))
			break;
		const char *e = s + strcspn(s, "!\n");
		if (!*e || e - s > 120) {
			const char *comma = strchr(s, ',');
			if (!comma || comma - s > 120)
				break;
			e = comma;
		}
		s = e + 1;
	}
	size_t len = strlen(s);
	/* the signature and all after it */
	for (const char *p = s; (p = strstr(p, "С уважением")); p++)
		if (p == s || p[-1] == '\n' || p[-1] == ' ') {
			len = (size_t)(p - s);
			break;
		}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\r' ||
	               s[len - 1] == '\t'))
		len--;
	const char *body = arena_strndup(a, s, len);
	if (old_address && *old_address && new_address && *new_address &&
	    strcmp(old_address, new_address)) {
		struct buf b = BUF_INIT(4 * len + 4096);
		const char *p = body, *q;
		size_t ol = strlen(old_address);
		while ((q = strstr(p, old_address))) {
			buf_append(&b, p, (size_t)(q - p));
			buf_puts(&b, new_address);
			p = q + ol;
		}
		buf_puts(&b, p);
		body = arena_strdup(a, b.data ? b.data : "");
		buf_release(&b);
	}
	return body;
}

json_t *assistant_plain_json(struct arena *a, const char *text, size_t len)
{
	const char *out;
	struct text_change *ch;
	size_t n;
	text_plain(a, text, len, &out, &ch, &n);
	json_t *changes = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(changes,
		                      json_pack("{s:s%,s:s,s:I}", "from", text + ch[i].off,
		                                (size_t)ch[i].len, "to", ch[i].to, "offset",
		                                (json_int_t)utf8_len(text, ch[i].off)));
	return json_pack("{s:s,s:o}", "text", out, "changes", changes);
}

/* An answer to a similar appeal, as a draft's source. */
struct source {
	int64_t appeal_id;
	int rating; /* 0 = not rated */
	bool solved, same_topic;
	const char *address, *text;
	double score;
};

/* The answers to appeals like ap that who may see, best first: similar, same topic, rated well
 * by their citizens. Answers rated 1 or 2 are not offered, nor answers on another topic unless
 * their appeal is nearly as close as the closest hit — ap itself once it is indexed (BM25 scores
 * have no fixed scale). */
static int find_sources(struct store_conn *c, struct arena *a, const struct actor *who,
                        const struct appeal *ap, struct source *out, size_t *nout)
{
	*nout = 0;
	struct text_hit hits[SEARCH_MAX];
	int h = assist_search(ap->text, ap->text ? strlen(ap->text) : 0, hits, SEARCH_MAX);
	int64_t ids[SEARCH_MAX];
	float sim[SEARCH_MAX];
	size_t m = 0;
	double top = h > 0 ? hits[0].score : 0;
	for (int i = 0; i < h; i++)
		if (hits[i].ext_id != ap->id) {
			ids[m] = hits[i].ext_id;
			sim[m++] = hits[i].score;
		}
	if (!m)
		return 0;
	struct store_rows r = {0};
	int rc = store_assist_answer_sources(c, a, ids, m, &r);
	if (rc)
		return rc;
	struct source cand[SEARCH_MAX];
	size_t nc = 0;
	for (size_t k = 0; k < r.nrows && nc < SEARCH_MAX; k++) {
		int64_t id = store_rows_i64(&r, k, 0);
		int rating = store_rows_isnull(&r, k, 2) ? 0 : (int)store_rows_i64(&r, k, 2);
		if (rating == 1 || rating == 2)
			continue;
		struct appeal other;
		unsigned rights = 0;
		rc = appeal_load(c, a, id, &other);
		if (rc == ERR_NOTFOUND)
			continue;
		if (!rc)
			rc = appeal_rights(c, who, &other, &rights);
		if (rc)
			return rc;
		if (!(rights & AR_STAFF))
			continue;
		double s = 0;
		for (size_t i = 0; i < m; i++)
			if (ids[i] == id)
				s = sim[i];
		struct source *src = &cand[nc++];
		*src = (struct source){
		    .appeal_id = id,
		    .rating = rating,
		    .solved = !store_rows_isnull(&r, k, 3) && store_rows_i64(&r, k, 3) == 1,
		    .same_topic = store_rows_i64(&r, k, 1) == ap->topic_id,
		    .address = store_rows_get(&r, k, 4),
		    .text = store_rows_get(&r, k, 5),
		};
		if (!src->same_topic && s < 0.6 * top) { /* another topic only when very close */
			nc--;
			continue;
		}
		src->score = s * (src->same_topic ? 1.5 : 1.0) *
		             (rating >= 4   ? 1.3
		              : rating == 3 ? 0.8
		                            : 1.0) *
		             (src->solved ? 1.1 : 1.0);
	}
	for (size_t k = 0; k < SOURCES_MAX && k < nc; k++) { /* the best few, in order */
		size_t best = k;
		for (size_t i = k + 1; i < nc; i++)
			if (cand[i].score > cand[best].score)
				best = i;
		struct source t = cand[k];
		cand[k] = cand[best];
		cand[best] = t;
		out[(*nout)++] = cand[k];
	}
	return 0;
}

static json_t *facts_json(struct arena *a, const char *text, const char **first_address)
{
	struct text_fact f[FACTS_MAX];
	size_t n = text ? text_facts(text, strlen(text), f, FACTS_MAX) : 0;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(
		    arr, json_pack("{s:s,s:s%,s:o}", "kind", text_fact_kind_name(f[i].kind), "text",
		                   text + f[i].off, (size_t)f[i].len, "value",
		                   f[i].value[0] ? json_string(f[i].value) : json_null()));
		if (f[i].kind == FACT_ADDRESS && !*first_address)
			*first_address = arena_strndup(a, text + f[i].off, f[i].len);
	}
	return arr;
}

int assistant_for(struct store *s, struct arena *a, const struct actor *who,
                  const struct appeal *ap, json_t **out)
{
	const char *text = ap->text ? ap->text : "";
	size_t len = strlen(text);
	struct text_span sp[3];
	size_t ns = text_essence(text, len, sp, 3);
	json_t *essence = json_array();
	for (size_t i = 0; i < ns; i++)
		json_array_append_new(
		    essence, json_string(cut(a, text + sp[i].off, sp[i].len, SENTENCE_CUT)));
	const char *text_address = NULL;
	json_t *facts = facts_json(a, text, &text_address);
	const char *address = ap->address && *ap->address ? ap->address : text_address;

	struct store_conn *c;
	int rc = store_conn_get(s, &c);
	if (rc) {
		json_decref(essence);
		json_decref(facts);
		return rc;
	}
	const char *topic = NULL, *hint = NULL;
	struct source src[SOURCES_MAX];
	size_t nsrc = 0;
	rc = store_assist_topic(c, a, ap->topic_id, &topic, &hint);
	if (rc == ERR_NOTFOUND)
		rc = 0;
	if (!rc)
		rc = find_sources(c, a, who, ap, src, &nsrc);
	store_conn_put(s, c);
	if (rc) {
		json_decref(essence);
		json_decref(facts);
		return rc;
	}

	/* the draft: a header from the appeal, the body of the best answer to a similar appeal
	 * (or a frame to fill), a closing line; then all of it in plain language */
	struct buf b = BUF_INIT(256 * 1024);
	buf_printf(&b, "Здравствуйте!\n\nВаше обращение № %lld от %s", (long long)ap->id,
	           local_date(a, ap->created_at));
	if (topic && address)
		buf_printf(&b, " («%s», %s)", topic, address);
	else if (topic)
		buf_printf(&b, " («%s»)", topic);
	else if (address)
		buf_printf(&b, " (%s)", address);
	buf_puts(&b, " рассмотрено.\n\n");
	if (nsrc) {
		buf_puts(&b, assistant_answer_body(a, src[0].text, src[0].address, address));
	} else {
		if (ns) {
			size_t l = sp[0].len; /* without its closing stop: «…тёплые» */
			while (l > 1 && strchr(".!?;", text[sp[0].off + l - 1]))
				l--;
			buf_printf(&b, "По существу обращения («%s») сообщаем: ",
			           cut(a, text + sp[0].off, l, 200));
		}
		buf_puts(&b, "[опишите, что сделано или будет сделано, кем и в какой срок].");
	}
	buf_puts(&b, "\n\nЕсли проблема не решена, оцените, пожалуйста, ответ и опишите, что "
	             "осталось сделать.");
	json_t *plain = assistant_plain_json(a, b.data ? b.data : "", b.len);
	buf_release(&b);

	json_t *based_on = json_null(), *others = json_array();
	for (size_t i = 0; i < nsrc; i++) {
		json_t *o =
		    json_pack("{s:I,s:o,s:b,s:b,s:s}", "appeal_id", (json_int_t)src[i].appeal_id,
		              "rating", src[i].rating ? json_integer(src[i].rating) : json_null(),
		              "solved", src[i].solved, "same_topic", src[i].same_topic, "text",
		              cut(a, src[i].text, strlen(src[i].text), SOURCE_CUT));
		if (i == 0)
			based_on = o;
		else
			json_array_append_new(others, o);
	}
	json_t *draft =
	    json_pack("{s:O,s:s,s:o,s:O,s:o}", "text", json_object_get(plain, "text"), "source",
	              nsrc ? "answer" : "template", "based_on", based_on, "plain_changes",
	              json_object_get(plain, "changes"), "other_answers", others);
	json_decref(plain);

	json_t *links = json_array();
	json_array_append_new(
	    links, json_pack("{s:s,s:s}", "rel", "similar", "href",
	                     arena_printf(a, "/api/appeals/%lld/similar", (long long)ap->id)));
	if (ap->problem_id)
		json_array_append_new(links, json_pack("{s:s,s:s}", "rel", "problem", "href",
		                                       arena_printf(a, "/api/problems/%lld",
		                                                    (long long)ap->problem_id)));
	if (ap->has_point)
		json_array_append_new(
		    links, json_pack("{s:s,s:s}", "rel", "map", "href",
		                     arena_printf(a, "geo:%.6f,%.6f", ap->lat, ap->lon)));
	*out = json_pack("{s:o,s:o,s:o,s:o,s:o}", "essence", essence, "facts", facts, "draft",
	                 draft, "guidance", hint ? json_string(hint) : json_null(), "links", links);
	return *out ? 0 : ERR_INTERNAL; /* stored texts are valid UTF-8, so never */
}
