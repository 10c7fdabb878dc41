/* test_registry.c: unit tests for registry/registry.c on a migrated SQLite store with the demo
 * data: validation, CRUD with audit, referential conflicts, CSV import (all or nothing). */
#include <criterion/criterion.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "registry/demo.h"
#include "registry/registry.h"
#include "store/entity.h"
#include "store/testdb.h"
#include "store/users.h"

#include <jansson.h>
#include <string.h>

static struct testdb db;
static struct arena a;
static const struct actor admin = {.roles = ROLE_ADMIN, .request_id = "test"};

static void setup(void)
{
	log_set_level(LOG_ERROR);
	testdb_open(&db, true);
	arena_init(&a, 1 << 14);
	cr_assert_eq(demo_load(db.s), 0, "demo_load");
}

static void teardown(void)
{
	arena_release(&a);
	testdb_close(&db);
}

TestSuite(registry, .init = setup, .fini = teardown);

static json_t *obj(const char *text)
{
	json_error_t err;
	json_t *o = json_loads(text, JSON_ALLOW_NUL, &err);
	cr_assert_not_null(o, "bad test JSON %s: %s", text, err.text);
	return o;
}

/* registry_create with text JSON; returns the error, *out (may be NULL) the object. */
static int create(const struct entity_desc *d, const char *text, json_t **out, struct problem *p)
{
	json_t *in = obj(text);
	json_t *o = NULL;
	memset(p, 0, sizeof(*p));
	int rc = registry_create(db.s, &a, &admin, d, in, &o, p);
	json_decref(in);
	if (out)
		*out = o;
	else
		json_decref(o);
	return rc;
}

static int64_t create_ok(const struct entity_desc *d, const char *text)
{
	json_t *o;
	struct problem p;
	int rc = create(d, text, &o, &p);
	cr_assert_eq(rc, 0, "create %s %s: %d %s (%s)", d->coll, text, rc,
	             p.message ? p.message : "", p.field ? p.field : "");
	cr_assert_not_null(o);
	int64_t id = json_integer_value(json_object_get(o, "id"));
	cr_assert_gt(id, 0);
	json_decref(o);
	return id;
}

static void expect_fail(const struct entity_desc *d, const char *text, int want, const char *field)
{
	struct problem p;
	json_t *o = (json_t *)&p;
	int rc = create(d, text, &o, &p);
	cr_expect_eq(rc, want, "create %s %s: got %d, want %d", d->coll, text, rc, want);
	cr_expect_null(o, "no object on failure");
	cr_expect_not_null(p.message, "a message for the user (%s)", text);
	if (field)
		cr_expect(p.field && !strcmp(p.field, field), "%s: field %s, want %s", text,
		          p.field ? p.field : "(null)", field);
}

static int64_t id_of(const char *table, const char *code)
{
	struct store_conn *c;
	cr_assert_eq(store_conn_get(db.s, &c), 0);
	int64_t id = 0;
	int rc = store_id_by_code(c, table, code, &id);
	store_conn_put(db.s, c);
	cr_assert_eq(rc, 0, "%s %s exists", table, code);
	return id;
}

static bool code_exists(const char *table, const char *code)
{
	struct store_conn *c;
	cr_assert_eq(store_conn_get(db.s, &c), 0);
	int64_t id = 0;
	int rc = store_id_by_code(c, table, code, &id);
	store_conn_put(db.s, c);
	cr_assert(rc == 0 || rc == ERR_NOTFOUND);
	return rc == 0;
}

static int64_t count(const char *sql)
{
	struct store_conn *c;
	cr_assert_eq(store_conn_get(db.s, &c), 0);
	struct store_rows r;
	int rc = store_query(c, &a, sql, NULL, 0, &r);
	store_conn_put(db.s, c);
	cr_assert_eq(rc, 0, "%s", sql);
	return store_rows_i64(&r, 0, 0);
}

static size_t audit(const char *entity, int64_t id, struct audit_entry **rows)
{
	struct store_conn *c;
	cr_assert_eq(store_conn_get(db.s, &c), 0);
	size_t n = 0;
	int64_t total = 0;
	int rc = store_audit_list(c, &a, entity, id, 100, 0, rows, &n, &total);
	store_conn_put(db.s, c);
	cr_assert_eq(rc, 0);
	cr_expect_eq((int64_t)n, total);
	return n;
}

Test(registry, demo_loaded_and_idempotent)
{
	int64_t terr = count("SELECT count(*) FROM territories");
	int64_t rules = count("SELECT count(*) FROM rules");
	int64_t log = count("SELECT count(*) FROM audit_log");
	cr_expect_gt(terr, 80, "regions of Russia and the demo municipalities");
	cr_expect_gt(rules, 10);
	cr_expect(code_exists("orgs", "klu-minzdrav"));
	cr_assert_eq(demo_load(db.s), 0);
	cr_expect_eq(count("SELECT count(*) FROM territories"), terr, "a second run adds nothing");
	cr_expect_eq(count("SELECT count(*) FROM rules"), rules);
	cr_expect_eq(count("SELECT count(*) FROM audit_log"), log, "and audits nothing");
}

Test(registry, create_and_get)
{
	json_t *o;
	struct problem p;
	cr_assert_eq(create(&registry_categories,
	                    "{\"code\":\"t-parks\",\"name\":\"  Парки и скверы \",\"sort\":5}", &o,
	                    &p),
	             0);
	int64_t id = json_integer_value(json_object_get(o, "id"));
	cr_expect_str_eq(json_string_value(json_object_get(o, "name")), "Парки и скверы",
	                 "surrounding spaces trimmed");
	cr_expect_eq(json_integer_value(json_object_get(o, "sort")), 5);
	cr_expect(json_is_true(json_object_get(o, "active")), "active by default");
	json_decref(o);

	json_t *g = NULL;
	cr_assert_eq(registry_get(db.s, &a, &registry_categories, id, &g, &p), 0);
	cr_expect_str_eq(json_string_value(json_object_get(g, "code")), "t-parks");
	json_decref(g);

	/* Found by a case- and ё-insensitive search. */
	struct list_query lq = {.q = "ПАРКИ", .limit = 10};
	json_t *l = NULL;
	cr_assert_eq(registry_list(db.s, &a, &registry_categories, &lq, &l, &p), 0);
	cr_expect_eq(json_integer_value(json_object_get(l, "total")), 1);
	json_decref(l);

	struct audit_entry *rows;
	size_t n = audit("category", id, &rows);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(rows[0].action, "create");
	cr_expect_str_eq(rows[0].request_id, "test");
	cr_expect_null(rows[0].before_json);
	cr_expect_not_null(strstr(rows[0].after_json, "t-parks"));

	cr_expect_eq(registry_get(db.s, &a, &registry_categories, 999999, &g, &p), ERR_NOTFOUND);
}

Test(registry, create_validation)
{
	int64_t before = count("SELECT count(*) FROM categories");
	int64_t log = count("SELECT count(*) FROM audit_log");

	/* Missing required fields. */
	expect_fail(&registry_categories, "{\"code\":\"t-x\"}", ERR_VALIDATION, "name");
	expect_fail(&registry_categories, "{\"name\":\"X\"}", ERR_VALIDATION, "code");
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":null}", ERR_VALIDATION,
	            "name");
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":\"   \"}", ERR_VALIDATION,
	            "name");
	expect_fail(&registry_topics,
	            "{\"code\":\"t-x\",\"name\":\"X\",\"deadline\":5,"
	            "\"deadline_unit\":\"wdays\"}",
	            ERR_VALIDATION, "category_id");
	/* Unknown, read-only and server fields. */
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":\"X\",\"colour\":\"red\"}",
	            ERR_INVALID, "colour");
	expect_fail(&registry_categories, "{\"id\":5,\"code\":\"t-x\",\"name\":\"X\"}", ERR_INVALID,
	            "id");
	expect_fail(&registry_territories,
	            "{\"code\":\"t-x\",\"name\":\"X\",\"kind\":\"region\",\"has_polygon\":true}",
	            ERR_INVALID, "has_polygon");
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":\"X\",\"search\":\"x\"}",
	            ERR_INVALID, "search");
	/* Wrong types. */
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":\"X\",\"sort\":\"5\"}",
	            ERR_INVALID, "sort");
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":7}", ERR_INVALID, "name");
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":\"X\",\"active\":1}",
	            ERR_INVALID, "active");
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":\"X\",\"active\":null}",
	            ERR_INVALID, "active");
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":\"X\",\"sort\":1.5}",
	            ERR_INVALID, "sort");
	/* Ranges and lengths. */
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":\"X\",\"sort\":1000001}",
	            ERR_VALIDATION, "sort");
	/* Bad enum value. */
	expect_fail(&registry_territories, "{\"code\":\"t-x\",\"name\":\"X\",\"kind\":\"planet\"}",
	            ERR_VALIDATION, "kind");
	expect_fail(&registry_orgs, "{\"code\":\"t-x\",\"name\":\"X\",\"kind\":\"Federal\"}",
	            ERR_VALIDATION, "kind");
	/* Unknown reference. */
	expect_fail(&registry_topics,
	            "{\"code\":\"t-x\",\"name\":\"X\",\"category_id\":999999,\"deadline\":5,"
	            "\"deadline_unit\":\"wdays\"}",
	            ERR_VALIDATION, "category_id");
	expect_fail(&registry_territories,
	            "{\"code\":\"t-x\",\"name\":\"X\",\"kind\":\"region\",\"parent_id\":-1}",
	            ERR_VALIDATION, "parent_id");
	/* Code alphabet, control characters, e-mail. */
	expect_fail(&registry_categories, "{\"code\":\"код\",\"name\":\"X\"}", ERR_VALIDATION,
	            "code");
	expect_fail(&registry_categories, "{\"code\":\"a b\",\"name\":\"X\"}", ERR_VALIDATION,
	            "code");
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":\"a\\u0007b\"}",
	            ERR_VALIDATION, "name");
	expect_fail(&registry_categories, "{\"code\":\"t-x\",\"name\":\"a\\u0000b\"}",
	            ERR_VALIDATION, "name");
	expect_fail(&registry_orgs,
	            "{\"code\":\"t-x\",\"name\":\"X\",\"kind\":\"federal\",\"email\":\"nobody\"}",
	            ERR_VALIDATION, "email");
	/* Duplicate code. */
	expect_fail(&registry_categories, "{\"code\":\"health\",\"name\":\"Другое\"}", ERR_CONFLICT,
	            "code");
	expect_fail(&registry_categories, "{\"code\":\" health \",\"name\":\"Другое\"}",
	            ERR_CONFLICT, "code");

	cr_expect_eq(count("SELECT count(*) FROM categories"), before, "nothing was created");
	cr_expect_eq(count("SELECT count(*) FROM audit_log"), log, "nothing was audited");
	cr_expect_not(code_exists("categories", "t-x"));
}

Test(registry, text_length_counts_characters_not_bytes)
{
	/* 300 Cyrillic letters are 600 bytes but within the 300-character limit. */
	char name[2 * 301 + 1];
	size_t o = 0;
	for (int i = 0; i < 300; i++) {
		name[o++] = '\xD0';
		name[o++] = '\xAF'; /* Я */
	}
	name[o] = '\0';
	create_ok(&registry_categories,
	          arena_printf(&a, "{\"code\":\"t-long\",\"name\":\"%s\"}", name));
	name[o++] = 'x';
	name[o] = '\0';
	expect_fail(&registry_categories,
	            arena_printf(&a, "{\"code\":\"t-long2\",\"name\":\"%s\"}", name),
	            ERR_VALIDATION, "name");
}

Test(registry, rule_cannot_name_topic_and_category)
{
	int64_t topic = id_of("topics", "health-drugs");
	int64_t cat = id_of("categories", "health");
	int64_t org = id_of("orgs", "klu-minzdrav");
	expect_fail(&registry_rules,
	            arena_printf(&a,
	                         "{\"code\":\"t-r\",\"topic_id\":%lld,\"category_id\":%lld,"
	                         "\"org_id\":%lld}",
	                         (long long)topic, (long long)cat, (long long)org),
	            ERR_VALIDATION, "category_id");
	expect_fail(&registry_rules, "{\"code\":\"t-r\"}", ERR_VALIDATION, "org_id");
}

Test(registry, update_with_audit)
{
	int64_t id = create_ok(&registry_categories, "{\"code\":\"t-upd\",\"name\":\"Старое\"}");
	json_t *in = obj("{\"name\":\"Новое имя\",\"sort\":-3}");
	json_t *out = NULL;
	struct problem p = {0};
	cr_assert_eq(registry_update(db.s, &a, &admin, &registry_categories, id, in, &out, &p), 0,
	             "%s", p.message ? p.message : "");
	json_decref(in);
	cr_expect_str_eq(json_string_value(json_object_get(out, "name")), "Новое имя");
	cr_expect_str_eq(json_string_value(json_object_get(out, "code")), "t-upd",
	                 "fields not given are kept");
	cr_expect_eq(json_integer_value(json_object_get(out, "sort")), -3);
	json_decref(out);

	struct audit_entry *rows;
	size_t n = audit("category", id, &rows);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(rows[0].action, "update", "newest first");
	cr_expect_str_eq(rows[1].action, "create");
	cr_assert_not_null(rows[0].before_json);
	cr_assert_not_null(rows[0].after_json);
	cr_expect_not_null(strstr(rows[0].before_json, "Старое"));
	cr_expect_not_null(strstr(rows[0].after_json, "Новое имя"));
	cr_expect_eq(rows[0].entity_id, id);

	/* Invalid update changes nothing. */
	in = obj("{\"name\":\"\"}");
	out = NULL;
	cr_expect_eq(registry_update(db.s, &a, &admin, &registry_categories, id, in, &out, &p),
	             ERR_VALIDATION);
	cr_expect_null(out);
	json_decref(in);
	cr_expect_eq(audit("category", id, &rows), 2);

	/* Renaming to a taken code. */
	in = obj("{\"code\":\"health\"}");
	cr_expect_eq(registry_update(db.s, &a, &admin, &registry_categories, id, in, &out, &p),
	             ERR_CONFLICT);
	json_decref(in);

	in = obj("{\"name\":\"X\"}");
	cr_expect_eq(registry_update(db.s, &a, &admin, &registry_categories, 999999, in, &out, &p),
	             ERR_NOTFOUND);
	json_decref(in);
}

Test(registry, territory_parent_cycle_refused)
{
	int64_t region = id_of("territories", "RU-KLU");
	int64_t city = id_of("territories", "klu-kaluga");
	json_t *in = obj(arena_printf(&a, "{\"parent_id\":%lld}", (long long)city));
	json_t *out = NULL;
	struct problem p = {0};
	cr_expect_eq(registry_update(db.s, &a, &admin, &registry_territories, region, in, &out, &p),
	             ERR_VALIDATION, "a region cannot be put under its own municipality");
	cr_expect(p.field && !strcmp(p.field, "parent_id"));
	json_decref(in);
	in = obj(arena_printf(&a, "{\"parent_id\":%lld}", (long long)city));
	cr_expect_eq(registry_update(db.s, &a, &admin, &registry_territories, city, in, &out, &p),
	             ERR_VALIDATION, "nor under itself");
	json_decref(in);
}

Test(registry, delete_with_audit_and_conflict)
{
	int64_t id = create_ok(&registry_categories, "{\"code\":\"t-del\",\"name\":\"Удаляемая\"}");
	struct problem p = {0};
	cr_assert_eq(registry_delete(db.s, &a, &admin, &registry_categories, id, &p), 0);
	json_t *g = NULL;
	cr_expect_eq(registry_get(db.s, &a, &registry_categories, id, &g, &p), ERR_NOTFOUND);
	struct audit_entry *rows;
	size_t n = audit("category", id, &rows);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(rows[0].action, "delete");
	cr_expect_not_null(rows[0].before_json);
	cr_expect_not_null(strstr(rows[0].before_json, "t-del"));
	cr_expect_null(rows[0].after_json);
	cr_expect_eq(registry_delete(db.s, &a, &admin, &registry_categories, id, &p), ERR_NOTFOUND);

	/* A category with topics, an org with rules, a region with municipalities. */
	int64_t log = count("SELECT count(*) FROM audit_log");
	int64_t health = id_of("categories", "health");
	memset(&p, 0, sizeof(p));
	cr_expect_eq(registry_delete(db.s, &a, &admin, &registry_categories, health, &p),
	             ERR_CONFLICT);
	cr_expect_not_null(p.message);
	cr_expect_eq(
	    registry_delete(db.s, &a, &admin, &registry_orgs, id_of("orgs", "klu-minzdrav"), &p),
	    ERR_CONFLICT);
	cr_expect_eq(registry_delete(db.s, &a, &admin, &registry_territories,
	                             id_of("territories", "RU-KLU"), &p),
	             ERR_CONFLICT);
	cr_expect(code_exists("categories", "health"), "still there");
	cr_expect(code_exists("orgs", "klu-minzdrav"));
	cr_expect_eq(count("SELECT count(*) FROM audit_log"), log,
	             "failed deletes are not audited");
}

static int import(const struct entity_desc *d, const char *csv, int64_t *ins, int64_t *upd,
                  struct problem *p)
{
	memset(p, 0, sizeof(*p));
	return registry_import_csv(db.s, &a, &admin, d, csv, strlen(csv), ins, upd, p);
}

Test(registry, import_csv_inserts_then_updates)
{
	const char *csv = "code,name,sort\n"
	                  "t-imp1,\"Первая, с запятой\",1\n"
	                  "t-imp2,Вторая,2\n";
	int64_t ins = -1, upd = -1;
	struct problem p;
	cr_assert_eq(import(&registry_categories, csv, &ins, &upd, &p), 0, "%s",
	             p.message ? p.message : "");
	cr_expect_eq(ins, 2);
	cr_expect_eq(upd, 0);
	int64_t id = id_of("categories", "t-imp1");
	json_t *g = NULL;
	cr_assert_eq(registry_get(db.s, &a, &registry_categories, id, &g, &p), 0);
	cr_expect_str_eq(json_string_value(json_object_get(g, "name")), "Первая, с запятой");
	json_decref(g);

	int64_t log = count("SELECT count(*) FROM audit_log");
	cr_assert_eq(import(&registry_categories, csv, &ins, &upd, &p), 0);
	cr_expect_eq(ins, 0);
	cr_expect_eq(upd, 2);
	cr_expect_eq(count("SELECT count(*) FROM audit_log"), log,
	             "an unchanged re-import writes no audit entries");

	cr_assert_eq(
	    import(&registry_categories, "code,name,sort\r\nt-imp2,Изменена,2\r\n", &ins, &upd, &p),
	    0);
	cr_expect_eq(upd, 1);
	cr_expect_eq(count("SELECT count(*) FROM audit_log"), log + 1);

	/* References by code. */
	cr_assert_eq(import(&registry_topics,
	                    "code,category_code,name,deadline,deadline_unit,hint,active\n"
	                    "t-topic,t-imp1,Тема,5,hours,,0\n",
	                    &ins, &upd, &p),
	             0, "%s", p.message ? p.message : "");
	cr_assert_eq(registry_get(db.s, &a, &registry_topics, id_of("topics", "t-topic"), &g, &p),
	             0);
	cr_expect_eq(json_integer_value(json_object_get(g, "category_id")), id);
	cr_expect(json_is_false(json_object_get(g, "active")));
	cr_expect(json_is_null(json_object_get(g, "hint")), "empty = null");
	json_decref(g);
}

static void expect_import_fail(const struct entity_desc *d, const char *csv, const char *field)
{
	int64_t ins = -1, upd = -1;
	struct problem p;
	int rc = import(d, csv, &ins, &upd, &p);
	cr_expect_eq(rc, ERR_VALIDATION, "import should fail: %s", csv);
	cr_expect_eq(ins, 0);
	cr_expect_eq(upd, 0);
	cr_expect_not_null(p.message);
	cr_expect(p.field && !strcmp(p.field, field), "field %s, want %s (%s)",
	          p.field ? p.field : "(null)", field, p.message ? p.message : "");
}

Test(registry, import_csv_all_or_nothing)
{
	int64_t cats = count("SELECT count(*) FROM categories");
	int64_t log = count("SELECT count(*) FROM audit_log");
	int64_t health = id_of("categories", "health");
	/* Two good lines (one updating a demo category), then a bad one: nothing is kept. */
	expect_import_fail(&registry_categories,
	                   "code,name,sort\n"
	                   "t-a1,Первая,1\n"
	                   "health,Здоровье (изменено),10\n"
	                   "t-a3,Третья,не число\n",
	                   "line:4");
	cr_expect_not(code_exists("categories", "t-a1"));
	cr_expect_eq(count("SELECT count(*) FROM categories"), cats);
	cr_expect_eq(count("SELECT count(*) FROM audit_log"), log);
	json_t *g = NULL;
	struct problem p;
	cr_assert_eq(registry_get(db.s, &a, &registry_categories, health, &g, &p), 0);
	cr_expect_str_eq(json_string_value(json_object_get(g, "name")), "Здравоохранение",
	                 "the update of line 3 was undone");
	json_decref(g);

	/* Other kinds of bad lines, each reported with its line number. */
	expect_import_fail(&registry_categories, "code,name\nt-b,B\n", "line:1");
	expect_import_fail(&registry_categories, "", "line:1");
	expect_import_fail(&registry_categories, "code,name,sort\nt-b,B\nt-c,C,1\n", "line:2");
	expect_import_fail(&registry_categories, "code,name,sort\nt-b,B,1\nt-c,,1\n", "line:3");
	expect_import_fail(&registry_categories,
	                   "code,name,sort\nt-b,\"Много\nстрок\",1\nt-b,dup\"x,1\nt-c,\"bad\"x,1\n",
	                   "line:5");
	expect_import_fail(&registry_categories, "code,name,sort\nt-b,\"unterminated,1\n",
	                   "line:2");
	expect_import_fail(&registry_topics,
	                   "code,category_code,name,deadline,deadline_unit,hint,active\n"
	                   "t-t,no-such-category,Тема,5,hours,,1\n",
	                   "line:2");
	expect_import_fail(&registry_territories,
	                   "code,parent_code,kind,name,okato,oktmo,iso\n"
	                   "t-t,RU,planet,Планета,,,\n",
	                   "line:2");
	cr_expect_eq(count("SELECT count(*) FROM categories"), cats);
	cr_expect_not(code_exists("categories", "t-b"));

	/* Invalid UTF-8 anywhere refuses the file. */
	int64_t ins, upd;
	cr_expect_eq(
	    import(&registry_categories, "code,name,sort\nt-u,\xC0\xAF,1\n", &ins, &upd, &p),
	    ERR_VALIDATION);
	cr_expect_not(code_exists("categories", "t-u"));
}
