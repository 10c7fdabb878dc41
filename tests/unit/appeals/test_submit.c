/* test_submit.c: unit tests for appeals/submit.c over a real (SQLite) database: routing by a
 * rule or to triage, the territory from a point, the citizen/operator/key channels, every
 * validation error storing nothing, and joining. */
#include <criterion/criterion.h>

#include "appeals/submit.h"
#include "core/arena.h"
#include "core/err.h"
#include "registry/registry.h"
#include "store/testdb.h"
#include "store/users.h"

#include <jansson.h>
#include <string.h>

static struct testdb db;
static struct arena a;
static const struct actor admin = {.roles = ROLE_ADMIN, .request_id = "test"};
static int64_t topic_ruled, topic_free, topic_off, terr, org;
static struct actor citizen, citizen2, operator_, key;

static int64_t create(const struct entity_desc *d, const char *text)
{
	json_t *in = json_loads(text, 0, NULL);
	cr_assert_not_null(in, "%s", text);
	json_t *out = NULL;
	struct problem p = {0};
	int rc = registry_create(db.s, &a, &admin, d, in, &out, &p);
	json_decref(in);
	cr_assert_eq(rc, 0, "create %s: %s", text, p.message ? p.message : "");
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return id;
}

static int64_t user(const char *login)
{
	struct store_conn *c;
	cr_assert_eq(store_conn_get(db.s, &c), 0);
	struct user_row u = {.login = login, .name = "Иван Петров"};
	int64_t id = 0;
	cr_assert_eq(store_user_insert(c, &a, &u, login, 1, &id), 0);
	store_conn_put(db.s, c);
	return id;
}

static int64_t count(const char *sql)
{
	struct store_conn *c;
	cr_assert_eq(store_conn_get(db.s, &c), 0);
	int64_t n = -1;
	cr_assert_eq(store_query_i64(c, sql, NULL, 0, &n), 0);
	store_conn_put(db.s, c);
	return n;
}

static void setup(void)
{
	arena_init(&a, 8192);
	testdb_open(&db, true);
	int64_t cat = create(&registry_categories, "{\"code\":\"c\",\"name\":\"Категория\"}");
#define TOPIC                                                                                      \
	"{\"code\":\"%s\",\"name\":\"Тема\",\"category_id\":%lld,\"deadline\":5,"              \
	"\"deadline_unit\":\"wdays\",\"active\":%s}"
	topic_ruled =
	    create(&registry_topics, arena_printf(&a, TOPIC, "t1", (long long)cat, "true"));
	topic_free =
	    create(&registry_topics, arena_printf(&a, TOPIC, "t2", (long long)cat, "true"));
	topic_off =
	    create(&registry_topics, arena_printf(&a, TOPIC, "t3", (long long)cat, "false"));
	terr = create(&registry_territories,
	              "{\"code\":\"tt\",\"name\":\"Город\",\"kind\":\"municipality\"}");
	org = create(&registry_orgs, "{\"code\":\"o1\",\"name\":\"Орган\",\"kind\":\"regional\"}");
	create(&registry_rules,
	       arena_printf(&a, "{\"code\":\"r1\",\"topic_id\":%lld,\"org_id\":%lld}",
	                    (long long)topic_ruled, (long long)org));
	citizen = (struct actor){.user_id = user("c1"), .roles = ROLE_CITIZEN};
	citizen2 = (struct actor){.user_id = user("c2"), .roles = ROLE_CITIZEN};
	operator_ = (struct actor){.user_id = user("op"), .roles = ROLE_CITIZEN | ROLE_OPERATOR};
	key = (struct actor){.apikey_id = 0, .roles = ROLE_OPERATOR};
}

static void teardown(void)
{
	testdb_close(&db);
	arena_release(&a);
}

TestSuite(submit, .init = setup, .fini = teardown);

static struct appeal_input input(int64_t topic, const char *text)
{
	struct appeal_input in;
	memset(&in, 0, sizeof(in));
	in.topic_id = topic;
	in.territory_id = terr;
	in.text = text;
	in.text_len = strlen(text);
	return in;
}

Test(submit, routed_by_a_rule_with_author_route_event_and_deadline)
{
	struct appeal_input in = input(topic_ruled, "  Холодно в квартире  ");
	struct appeal ap;
	struct problem p = {0};
	cr_assert_eq(appeal_submit(db.s, &a, &citizen, &in, &ap, &p), 0, "%s",
	             p.message ? p.message : "");
	cr_assert_eq(ap.status, AS_ROUTED);
	cr_assert_eq(ap.org_id, org);
	cr_assert_str_eq(ap.text, "Холодно в квартире");
	cr_assert_str_eq(ap.channel, "web");
	cr_assert_eq(ap.author_id, citizen.user_id);
	cr_assert_gt(ap.deadline_at, ap.created_at);
	cr_assert_eq(strlen(ap.token), 32);
	cr_assert_eq(count("SELECT COUNT(*) FROM appeal_authors WHERE kind = 'author'"), 1);
	cr_assert_eq(count("SELECT COUNT(*) FROM appeal_routes WHERE kind = 'auto'"), 1);
	cr_assert_eq(count("SELECT COUNT(*) FROM appeal_events WHERE kind = 'submitted' AND "
	                   "status_to = 'routed'"),
	             1);
	cr_assert_eq(count("SELECT COUNT(*) FROM audit_log WHERE action = 'appeal.submit'"), 1);
}

Test(submit, no_rule_goes_to_triage)
{
	struct appeal_input in = input(topic_free, "Вопрос без правила");
	struct appeal ap;
	struct problem p = {0};
	cr_assert_eq(appeal_submit(db.s, &a, &citizen, &in, &ap, &p), 0);
	cr_assert_eq(ap.status, AS_SUBMITTED);
	cr_assert_eq(ap.org_id, 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM appeal_routes WHERE kind = 'triage'"), 1);
}

Test(submit, operator_entry_has_no_author)
{
	struct appeal_input in = input(topic_ruled, "За заявителя");
	in.channel = "operator";
	in.person_name = "Мария";
	struct appeal ap;
	struct problem p = {0};
	cr_assert_eq(appeal_submit(db.s, &a, &operator_, &in, &ap, &p), 0, "%s",
	             p.message ? p.message : "");
	cr_assert_eq(ap.author_id, 0);
	cr_assert_eq(ap.operator_id, operator_.user_id);
	cr_assert_str_eq(ap.person_name, "Мария");
	cr_assert_eq(count("SELECT COUNT(*) FROM appeal_authors"), 0);
}

static void refused(const struct actor *who, struct appeal_input in, int want, const char *field)
{
	struct appeal ap;
	struct problem p = {0};
	int rc = appeal_submit(db.s, &a, who, &in, &ap, &p);
	cr_assert_eq(rc, want, "rc %d, want %d (%s)", rc, want, p.message ? p.message : "");
	cr_assert_not_null(p.message);
	if (field)
		cr_assert_str_eq(p.field ? p.field : "(null)", field);
}

Test(submit, validation_stores_nothing)
{
	char big[4002 * 2 + 1];
	for (int i = 0; i < 4001; i++)
		memcpy(big + 2 * i, "я", 2);
	big[4001 * 2] = '\0';
	refused(&citizen, input(topic_ruled, "   "), ERR_VALIDATION, "text");
	refused(&citizen, input(topic_ruled, big), ERR_VALIDATION, "text");
	refused(&citizen, input(topic_ruled, "a\x01z"), ERR_VALIDATION, "text");
	refused(&citizen, input(topic_ruled, "\xd0\x28"), ERR_VALIDATION, "text");
	refused(&citizen, input(0, "текст"), ERR_VALIDATION, "topic_id");
	refused(&citizen, input(987654, "текст"), ERR_VALIDATION, "topic_id");
	refused(&citizen, input(topic_off, "текст"), ERR_VALIDATION, "topic_id");
	struct appeal_input in = input(topic_ruled, "текст");
	in.territory_id = 987654;
	refused(&citizen, in, ERR_VALIDATION, "territory_id");
	in.territory_id = 0;
	refused(&citizen, in, ERR_VALIDATION, "territory_id");
	in = input(topic_ruled, "текст");
	in.has_point = true;
	in.lat = 91;
	refused(&citizen, in, ERR_VALIDATION, "lat");
	in.lat = 50;
	in.lon = 181;
	refused(&citizen, in, ERR_VALIDATION, "lon");
	in = input(topic_ruled, "текст");
	in.person_name = "Другой";
	refused(&citizen, in, ERR_FORBIDDEN, "person");
	in = input(topic_ruled, "текст");
	in.channel = "operator";
	refused(&citizen, in, ERR_FORBIDDEN, "channel");
	refused(&operator_, in, ERR_VALIDATION, "person.name");
	in.channel = "telegraph";
	refused(&citizen, in, ERR_VALIDATION, "channel");
	in = input(topic_ruled, "текст");
	in.nattachments = 1;
	in.attachment_ids[0] = 42;
	refused(&citizen, in, ERR_VALIDATION, "attachment_ids");
	refused(NULL, input(topic_ruled, "текст"), ERR_FORBIDDEN, NULL);
	cr_assert_eq(count("SELECT COUNT(*) FROM appeals"), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM appeal_events"), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM audit_log WHERE entity = 'appeal'"), 0);
}

Test(submit, join_once_open_only)
{
	struct appeal_input in = input(topic_ruled, "Общая проблема");
	struct appeal ap;
	struct problem p = {0};
	cr_assert_eq(appeal_submit(db.s, &a, &citizen, &in, &ap, &p), 0);
	cr_assert_eq(appeal_join(db.s, &a, &citizen, ap.id, &p), ERR_CONFLICT, "the author");
	cr_assert_eq(appeal_join(db.s, &a, &citizen2, ap.id, &p), 0);
	cr_assert_eq(appeal_join(db.s, &a, &citizen2, ap.id, &p), ERR_CONFLICT, "twice");
	cr_assert_eq(appeal_join(db.s, &a, &citizen2, 987654, &p), ERR_NOTFOUND);
	cr_assert_eq(appeal_join(db.s, &a, &key, ap.id, &p), ERR_FORBIDDEN, "no user account");
	cr_assert_eq(count("SELECT COUNT(*) FROM appeal_authors WHERE kind = 'coauthor'"), 1);
	cr_assert_eq(count("SELECT COUNT(*) FROM appeal_events WHERE kind = 'joined' AND "
	                   "public = 0"),
	             1);
}
