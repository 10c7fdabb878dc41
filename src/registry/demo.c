/* demo.c: loaders for the embedded reference data and the demo data set. */
#include "registry/demo.h"
#include "auth/session.h"
#include "core/embed.h"
#include "core/err.h"
#include "core/log.h"
#include "registry/registry.h"
#include "store/entity.h"
#include "store/users.h"

#include <string.h>

#define DEMO_PASSWORD "otklik-demo"

/* Loaders act as the platform itself (audit entries without a user). */
static const struct actor system_actor = {.roles = ROLE_ADMIN, .request_id = "system"};

struct load_job {
	struct arena *a;
	const char *const *files; /* pairs: collection, file; NULL-terminated */
	const char *polygons[2];
	bool demo_users;
	struct problem p;
};

static int import_file(struct store_conn *c, struct arena *a, const char *coll, const char *name,
                       struct problem *p)
{
	const struct embedded_file *f = embed_find(name);
	if (!f) {
		log_error("load_data", "missing embedded file %s", name);
		return ERR_INTERNAL;
	}
	int64_t ins, upd;
	int rc = registry_import_csv_conn(c, a, &system_actor, registry_find(coll), f->data, f->len,
	                                  &ins, &upd, p);
	if (rc)
		log_error("load_data", "%s: %s", name, p->message ? p->message : "error");
	else if (ins)
		log_info("load_data", "%s: %lld new", name, (long long)ins);
	return rc;
}

struct demo_user {
	const char *login, *name;
	const char *role; /* NULL = citizen only */
	const char *org_code, *territory_code;
	bool verified;
};

static const struct demo_user demo_users[] = {
    {"admin", "Администратор платформы", "admin", NULL, NULL, true},
    {"citizen", "Иван Петров", NULL, NULL, NULL, true},
    {"citizen2", "Мария Соколова", NULL, NULL, NULL, false},
    {"operator", "Оператор приёма (Калуга)", "operator", "klu-kaluga-adm", NULL, true},
    {"executor", "Исполнитель Минстроя", "executor", "klu-minstroy", NULL, true},
    {"executor2", "Исполнитель Минздрава", "executor", "klu-minzdrav", NULL, true},
    {"supervisor", "Куратор Правительства области", "supervisor", "klu-gov", NULL, true},
    {"coordinator", "Координатор ЦУР Калужской области", "coordinator", NULL, "RU-KLU", true},
    {"coordinator2", "Координатор Обнинска", "coordinator", NULL, "klu-obninsk", true},
    {"organiser", "Организатор (Калуга)", "organiser", "klu-kaluga-adm", NULL, true},
    {"moderator", "Модератор (Калуга)", "moderator", "klu-kaluga-adm", NULL, true},
    {"volunteer", "Волонтёр (Калуга)", "volunteer", NULL, "klu-kaluga", true},
};

static int load_users(struct store_conn *c, struct arena *a, struct problem *p)
{
	for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++) {
		const struct demo_user *d = &demo_users[i];
		struct user_row u;
		int rc = store_user_by_login(c, a, d->login, &u);
		if (rc == 0)
			continue; /* already there: the demo never overwrites accounts */
		if (rc != ERR_NOTFOUND)
			return rc;
		int64_t id, gid, org = 0, terr = 0;
		rc = auth_user_create_conn(c, a, &system_actor, d->login, DEMO_PASSWORD, d->name,
		                           d->verified, &id);
		if (!rc && d->org_code)
			rc = store_id_by_code(c, "orgs", d->org_code, &org);
		if (!rc && d->territory_code)
			rc = store_id_by_code(c, "territories", d->territory_code, &terr);
		const char *msg = NULL, *field = NULL;
		if (!rc && d->role)
			rc = auth_grant_conn(c, a, &system_actor, id, role_from_name(d->role), org,
			                     terr, &gid, &msg, &field);
		if (rc) {
			p->message = msg ? msg : "demo user";
			return rc;
		}
	}
	return 0;
}

static int load_fn(struct store_conn *c, void *arg)
{
	struct load_job *j = arg;
	memset(&j->p, 0, sizeof(j->p));
	int rc = 0;
	for (const char *const *f = j->files; !rc && *f; f += 2)
		rc = import_file(c, j->a, f[0], f[1], &j->p);
	for (int k = 0; !rc && k < 2; k++) {
		if (!j->polygons[k])
			continue;
		const struct embedded_file *g = embed_find(j->polygons[k]);
		if (g)
			rc = registry_import_polygons_conn(c, j->a, &system_actor, g->data, g->len,
			                                   &j->p);
	}
	if (!rc && j->demo_users)
		rc = load_users(c, j->a, &j->p);
	return rc;
}

int registry_load_reference(struct store *s)
{
	static const char *const files[] = {"territories", "data/reference/regions.csv", NULL};
	struct arena a;
	arena_init(&a, 1 << 16);
	struct load_job j = {
	    .a = &a, .files = files, .polygons = {"data/reference/regions.geojson", NULL}};
	int rc = store_write(s, load_fn, &j);
	arena_release(&a);
	return rc;
}

int demo_load(struct store *s)
{
	int rc = registry_load_reference(s);
	if (rc)
		return rc;
	static const char *const files[] = {
	    "territories", "data/demo/territories.csv", "orgs",   "data/demo/orgs.csv",
	    "categories",  "data/demo/categories.csv",  "topics", "data/demo/topics.csv",
	    "rules",       "data/demo/rules.csv",       NULL};
	struct arena a;
	arena_init(&a, 1 << 16);
	struct load_job j = {.a = &a,
	                     .files = files,
	                     .polygons = {"data/demo/municipalities.geojson", NULL},
	                     .demo_users = true};
	rc = store_write(s, load_fn, &j);
	if (rc)
		log_error("demo", "%s", j.p.message ? j.p.message : "failed");
	arena_release(&a);
	return rc;
}
