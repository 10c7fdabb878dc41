/* demo_regions.c: five more demo regions so that the ratings have something to compare: each
 * with municipalities, regional, municipal and social bodies (some connected with an executor
 * account, some not) and a few hundred answered appeals over the last 120 days whose speed,
 * satisfaction, redirects and rejections differ by region and drift over time (one region
 * improves, one worsens). Written by the bulk path with timeline events. Idempotent. */
#include "appeals/demo_regions.h"
#include "appeals/appeal.h"
#include "audit/audit.h"
#include "auth/session.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/fold.h"
#include "core/log.h"
#include "registry/registry.h"
#include "store/appeals.h"
#include "store/bulk.h"
#include "store/entity.h"
#include "store/ratings.h"
#include "store/users.h"

#include <math.h>
#include <string.h>

#define HOUR_MS   3600000LL
#define DAY_MS    86400000LL
#define SPAN_DAYS 120
#define NORGS     9

/* Org slots of every region: 0 government, 1 health, 2 housing, 3 roads (regional), 4-6 the
 * municipalities' administrations, 7 a hospital, 8 a water utility (social). */
enum { O_GOV, O_HEALTH, O_HOUSING, O_ROADS, O_ADM1, O_ADM2, O_ADM3, O_HOSPITAL, O_WATER };

struct muni {
	const char *code, *name, *admin;
};

struct demo_region {
	const char *code, *prefix, *gen; /* gen: the region's name in the genitive */
	struct muni m[3];
	unsigned connected; /* bit per org slot */
	int appeals;
	/* behaviour now (the last days) and 120 days ago, interpolated by age */
	double median_h_new, median_h_old, satisfied_new, satisfied_old;
	double rated, redirect, reject;
};

static const struct demo_region regions[] = {
    {"RU-TYU",
     "tyu",
     "Тюменской области",
     {{"tyu-tyumen", "Городской округ «Город Тюмень»", "Администрация города Тюмени"},
      {"tyu-tobolsk", "Городской округ «Город Тобольск»", "Администрация города Тобольска"},
      {"tyu-ishim", "Городской округ «Город Ишим»", "Администрация города Ишима"}},
     0x1ff,
     260,
     16,
     22,
     0.86,
     0.80,
     0.62,
     0.03,
     0.03},
    {"RU-TUL",
     "tul",
     "Тульской области",
     {{"tul-tula", "Городской округ «Город Тула»", "Администрация города Тулы"},
      {"tul-novomoskovsk", "Городской округ «Город Новомосковск»",
       "Администрация города Новомосковска"},
      {"tul-aleksin", "Городской округ «Город Алексин»", "Администрация города Алексина"}},
     0x0ff,
     240,
     55,
     65,
     0.68,
     0.64,
     0.5,
     0.06,
     0.05},
    {"RU-ROS",
     "ros",
     "Ростовской области",
     {{"ros-rostov", "Городской округ «Город Ростов-на-Дону»",
       "Администрация города Ростова-на-Дону"},
      {"ros-taganrog", "Городской округ «Город Таганрог»", "Администрация города Таганрога"},
      {"ros-shakhty", "Городской округ «Город Шахты»", "Администрация города Шахты"}},
     0x1bf & ~(1u << O_HOSPITAL),
     280,
     60,
     220,
     0.66,
     0.38,
     0.46,
     0.08,
     0.05},
    {"RU-VLG",
     "vlg",
     "Вологодской области",
     {{"vlg-vologda", "Городской округ «Город Вологда»", "Администрация города Вологды"},
      {"vlg-cherepovets", "Городской округ «Город Череповец»", "Мэрия города Череповца"},
      {"vlg-sokol", "Городское поселение «Город Сокол»", "Администрация города Сокола"}},
     (1u << O_GOV) | (1u << O_HEALTH) | (1u << O_HOUSING) | (1u << O_ADM1) | (1u << O_ADM2) |
         (1u << O_WATER),
     220,
     230,
     80,
     0.40,
     0.63,
     0.40,
     0.10,
     0.06},
    {"RU-ORE",
     "ore",
     "Оренбургской области",
     {{"ore-orenburg", "Городской округ «Город Оренбург»", "Администрация города Оренбурга"},
      {"ore-orsk", "Городской округ «Город Орск»", "Администрация города Орска"},
      {"ore-buzuluk", "Городской округ «Город Бузулук»", "Администрация города Бузулука"}},
     (1u << O_GOV) | (1u << O_HOUSING) | (1u << O_ADM1) | (1u << O_HOSPITAL),
     200,
     320,
     300,
     0.30,
     0.33,
     0.30,
     0.20,
     0.10},
};
#define NREGIONS (sizeof(regions) / sizeof(regions[0]))

/* Topics of the demo rubricator, the org slot competent for them (-1: the municipality's
 * administration) and the deadline in days. */
struct demo_topic {
	const char *code;
	int slot, deadline_days;
	const char *text;
};

static const struct demo_topic topics[] = {
    {"health-appointment", O_HOSPITAL, 8,
     "Не могу записаться к терапевту: в регистратуре не отвечают, на портале нет талонов."},
    {"housing-heating", O_HOUSING, 3,
     "В квартире холодно, батареи чуть тёплые, управляющая компания не реагирует."},
    {"roads-potholes-regional", O_ROADS, 10,
     "На региональной трассе глубокие ямы, машины повреждают колёса."},
    {"roads-potholes-local", -1, 10, "Во дворе и на выезде на улицу разбит асфальт, большие ямы."},
    {"light-street", -1, 5, "Не горят фонари вдоль улицы, вечером идти по тротуару опасно."},
    {"waste-collection", -1, 3, "Мусор из контейнеров не вывозят уже несколько дней."},
    {"green-trees", -1, 10, "Сухое дерево у детской площадки может упасть на людей."},
    {"housing-cold-water", O_WATER, 3,
     "В доме очень слабый напор холодной воды, на верхних "
     "этажах воды нет."},
    {"transport-schedule", O_ROADS, 10,
     "Автобусы пригородного маршрута ходят реже, чем указано в расписании."},
};
#define NTOPICS (sizeof(topics) / sizeof(topics[0]))

static const char *const answers[] = {
    "Проблема устранена, работы выполнены. Благодарим за обращение.",
    "Проведена проверка, подрядчику выдано предписание, работы выполнены.",
    "Вопрос решён: приняты меры, результат проверен на месте.",
};

/* Loaders act as the platform itself. */
static const struct actor system_actor = {.roles = ROLE_ADMIN, .request_id = "system"};

/* xorshift64*: deterministic demo data. */
static double rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* A standard normal value (sum of 12 uniforms). */
static double rnd_normal(uint64_t *s)
{
	double z = -6;
	for (int i = 0; i < 12; i++)
		z += rnd(s);
	return z;
}

static const char *org_code(struct arena *a, const struct demo_region *r, int slot)
{
	static const char *const suffix[NORGS] = {"gov",    "minzdrav", "minstroy",
	                                          "mindor", "adm1",     "adm2",
	                                          "adm3",   "hospital", "vodokanal"};
	if (slot >= O_ADM1 && slot <= O_ADM3)
		return arena_printf(a, "%s-adm", r->m[slot - O_ADM1].code);
	return arena_printf(a, "%s-%s", r->prefix, suffix[slot]);
}

static void csv_cell(struct buf *b, const char *s, bool last)
{
	buf_append(b, "\"", 1);
	for (; s && *s; s++) {
		if (*s == '"')
			buf_append(b, "\"", 1); /* a quote inside is doubled */
		buf_append(b, s, 1);
	}
	buf_append(b, last ? "\"\n" : "\",", 2);
}

static int import(struct store_conn *c, struct arena *a, const char *coll, struct buf *b)
{
	int64_t ins, upd;
	struct problem p = {0};
	int rc = registry_import_csv_conn(c, a, &system_actor, registry_find(coll), b->data, b->len,
	                                  &ins, &upd, &p);
	if (rc)
		log_error("demo_regions", "%s: %s", coll, p.message ? p.message : "error");
	return rc;
}

/* Territories and orgs of every region (registry CSV import: an upsert by code). */
static int load_registry(struct store_conn *c, struct arena *a)
{
	struct buf t = BUF_INIT(1 << 20), o = BUF_INIT(1 << 20);
	buf_puts(&t, "code,parent_code,kind,name,okato,oktmo,iso\n");
	buf_puts(&o, "code,name,short_name,kind,territory_code,parent_code,email\n");
	for (size_t i = 0; i < NREGIONS; i++) {
		const struct demo_region *r = &regions[i];
		for (int k = 0; k < 3; k++) {
			csv_cell(&t, r->m[k].code, false);
			csv_cell(&t, r->code, false);
			csv_cell(&t, "municipality", false);
			csv_cell(&t, r->m[k].name, false);
			buf_puts(&t, ",,\n");
		}
		const char *names[NORGS] = {
		    arena_printf(a, "Правительство %s", r->gen),
		    arena_printf(a, "Министерство здравоохранения %s", r->gen),
		    arena_printf(a, "Министерство строительства и ЖКХ %s", r->gen),
		    arena_printf(a, "Министерство транспорта и дорожного хозяйства %s", r->gen),
		    r->m[0].admin,
		    r->m[1].admin,
		    r->m[2].admin,
		    arena_printf(a, "Областная клиническая больница %s", r->gen),
		    arena_printf(a, "Водоканал (%s)", r->m[0].name),
		};
		for (int s = 0; s < NORGS; s++) {
			const char *kind = s <= O_ROADS  ? "regional"
			                   : s <= O_ADM3 ? "municipal"
			                                 : "social";
			const char *terr = s <= O_ROADS  ? r->code
			                   : s <= O_ADM3 ? r->m[s - O_ADM1].code
			                                 : r->m[0].code;
			const char *parent = s == O_GOV || (s >= O_ADM1 && s <= O_ADM3) ? ""
			                     : s == O_HOSPITAL ? org_code(a, r, O_HEALTH)
			                     : s == O_WATER    ? org_code(a, r, O_ADM1)
			                                       : org_code(a, r, O_GOV);
			const char *code = org_code(a, r, s);
			csv_cell(&o, code, false);
			csv_cell(&o, names[s], false);
			csv_cell(&o, "", false);
			csv_cell(&o, kind, false);
			csv_cell(&o, terr, false);
			csv_cell(&o, parent, false);
			csv_cell(&o, arena_printf(a, "%s@example.org", code), true);
		}
	}
	int rc = import(c, a, "territories", &t);
	if (!rc)
		rc = import(c, a, "orgs", &o);
	buf_release(&t);
	buf_release(&o);
	return rc;
}

/* The executor account of a connected org (the capital's administration has two). */
static int staff(struct store_conn *c, struct arena *a, const struct demo_region *r, int slot,
                 int which, int64_t org_id, int64_t *uid)
{
	const char *code = org_code(a, r, slot);
	char *login = arena_printf(a, "%s_exec%s", code, which ? "2" : "");
	for (char *p = login; *p; p++)
		if (*p == '-')
			*p = '_';
	struct user_row u;
	int rc = store_user_by_login(c, a, login, &u);
	if (!rc) {
		*uid = u.id;
		return 0;
	}
	if (rc != ERR_NOTFOUND)
		return rc;
	static const char *const first[] = {"Анна",  "Сергей",  "Ольга",   "Дмитрий", "Елена",
	                                    "Игорь", "Наталья", "Алексей", "Татьяна", "Павел"};
	static const char *const last[] = {"Иванова", "Петров", "Смирнова", "Кузнецов",
	                                   "Попова",  "Волков", "Соколова", "Лебедев",
	                                   "Козлова", "Новиков"};
	size_t k = (size_t)(slot * 3 + which + (int)(r - regions) * 7) % 10;
	rc = auth_user_create_conn(c, a, &system_actor, login, NULL,
	                           arena_printf(a, "%s %s", first[k], last[k]), true, uid);
	int64_t gid;
	const char *msg = NULL, *field = NULL;
	if (!rc)
		rc = auth_grant_conn(c, a, &system_actor, *uid, ROLE_EXECUTOR, org_id, 0, &gid,
		                     &msg, &field);
	/* connected long before the appeals; the capital of the last region only a month ago (its
	 * connection grows between periods) */
	bool recent = r == &regions[NREGIONS - 1] && slot == O_ADM1;
	if (!rc)
		rc = store_ratings_demo_backdate(c, *uid,
		                                 clock_now_ms() - (recent ? 30 : 200) * DAY_MS);
	return rc;
}

struct region_ids {
	int64_t region, muni[3], org[NORGS], exec[NORGS], exec2;
};

static int region_ids(struct store_conn *c, struct arena *a, const struct demo_region *r,
                      struct region_ids *ids)
{
	memset(ids, 0, sizeof(*ids));
	int rc = store_id_by_code(c, "territories", r->code, &ids->region);
	for (int k = 0; !rc && k < 3; k++)
		rc = store_id_by_code(c, "territories", r->m[k].code, &ids->muni[k]);
	for (int s = 0; !rc && s < NORGS; s++) {
		rc = store_id_by_code(c, "orgs", org_code(a, r, s), &ids->org[s]);
		if (!rc && (r->connected & (1u << s)))
			rc = staff(c, a, r, s, 0, ids->org[s], &ids->exec[s]);
	}
	if (!rc && (r->connected & (1u << O_ADM1)))
		rc = staff(c, a, r, O_ADM1, 1, ids->org[O_ADM1], &ids->exec2);
	return rc;
}

static int load_appeals(struct store_conn *c, struct arena *a, const struct demo_region *r,
                        const struct region_ids *ids, int64_t now, uint64_t seed)
{
	int64_t topic_ids[NTOPICS], cat_ids[NTOPICS];
	int rc = 0;
	for (size_t t = 0; !rc && t < NTOPICS; t++) {
		rc = store_id_by_code(c, "topics", topics[t].code, &topic_ids[t]);
		if (!rc)
			rc = store_topic_category(c, topic_ids[t], &cat_ids[t]);
	}
	uint64_t s = seed;
	for (int n = 0; !rc && n < r->appeals; n++) {
		size_t t = (size_t)(rnd(&s) * NTOPICS) % NTOPICS;
		int mk = (int)(rnd(&s) * 3) % 3;
		int slot = topics[t].slot < 0 ? O_ADM1 + mk : topics[t].slot;
		if (slot == O_HOSPITAL && !(r->connected & (1u << O_HOSPITAL)))
			slot = O_HEALTH;
		if (!(r->connected & (1u << slot)))
			slot = O_GOV; /* a body not on the platform: the government answers */
		/* age in [0, 1): 0 = today; behaviour drifts linearly with it */
		double age = rnd(&s);
		double med = r->median_h_new + (r->median_h_old - r->median_h_new) * age;
		double sat = r->satisfied_new + (r->satisfied_old - r->satisfied_new) * age;
		bool second = slot == O_ADM1 && ids->exec2 && rnd(&s) < 0.4;
		double review_h = med * exp(0.7 * rnd_normal(&s)) * (second ? 1.8 : 1.0);
		if (review_h < 0.5)
			review_h = 0.5;
		if (review_h > 60 * 24)
			review_h = 60 * 24;
		int64_t review = (int64_t)(review_h * HOUR_MS);
		int64_t created = now - (int64_t)(age * SPAN_DAYS * DAY_MS) - review - 2 * HOUR_MS;
		int64_t answered = created + review;
		bool rejected = rnd(&s) < r->reject;
		bool redirected = rnd(&s) < r->redirect;
		bool rated = !rejected && rnd(&s) < r->rated;
		int64_t rated_at = answered + HOUR_MS + (int64_t)(rnd(&s) * 3 * DAY_MS);
		if (rated_at >= now)
			rated = false;
		bool satisfied = rnd(&s) < sat;
		int rating = satisfied ? (rnd(&s) < 0.7 ? 5 : 4) : 1 + (int)(rnd(&s) * 3);
		int solved = satisfied ? 1 : rnd(&s) < 0.3;

		const char *text = topics[t].text;
		char token[APPEAL_TOKEN_SIZE];
		appeal_token_new(token, clock_now_ms());
		struct bulk_appeal b = {
		    .token = token,
		    .channel = n % 4 == 3 ? "widget" : "web",
		    .status = rejected ? "rejected" : "closed",
		    .text = text,
		    .search = fold_text(a, text, strlen(text)),
		    .external_id = arena_printf(a, "demo-region-%s-%d", r->prefix, n + 1),
		    .reject_reason = rejected ? "no_content" : NULL,
		    .topic_id = topic_ids[t],
		    .category_id = cat_ids[t],
		    .territory_id = ids->muni[mk],
		    .org_id = ids->org[slot],
		    .created_at = created,
		    .updated_at = rated ? rated_at : answered,
		    .day = appeal_day(created),
		    .deadline_at = created + topics[t].deadline_days * DAY_MS,
		    .answered_at = rejected ? 0 : answered,
		    .closed_at = rated ? rated_at : answered,
		    .rated_at = rated ? rated_at : 0,
		    .rating = rated ? rating : 0,
		    .rating_solved = rated ? solved : -1,
		};
		int64_t id = 0;
		int64_t assignee = second ? ids->exec2 : ids->exec[slot];
		rc = bulk_appeal_insert(c, &b, &id);
		if (!rc && assignee)
			rc = store_ratings_demo_assign(c, id, assignee);
		if (!rc)
			rc = bulk_route_insert(c, id, created, "auto", 0,
			                       redirected ? ids->org[O_GOV] : ids->org[slot], NULL);
		if (!rc && redirected)
			rc = bulk_route_insert(c, id, created + review / 4, "redirect",
			                       ids->org[O_GOV], ids->org[slot],
			                       "Вопрос в компетенции другого органа");
		if (!rc)
			rc = bulk_event_insert(c, id, created, "submitted", NULL, "routed", NULL);
		if (!rc && rejected)
			rc = bulk_event_insert(c, id, answered, "reject", "in_progress", "rejected",
			                       "В обращении нет сути вопроса.");
		if (!rc && !rejected) {
			const char *ans = answers[n % 3];
			rc = bulk_answer_insert(c, id, "final", ans, ids->org[slot], answered);
			if (!rc)
				rc = bulk_event_insert(c, id, answered, "answer_final",
				                       "in_progress", "answered", ans);
			if (!rc)
				rc = bulk_event_insert(
				    c, id, rated ? rated_at : answered + 7 * DAY_MS,
				    rated ? "rating" : "closed", "answered", "closed", NULL);
		}
	}
	return rc;
}

struct job {
	int64_t now;
	int loaded;
};

static int load_fn(struct store_conn *c, void *arg)
{
	struct job *j = arg;
	j->loaded = 0;
	int64_t existing = 0;
	int rc = store_appeal_by_external(c, "demo-region-tyu-1", &existing);
	if (rc || existing)
		return rc;
	struct arena a;
	arena_init(&a, 1 << 16);
	rc = load_registry(c, &a);
	for (size_t i = 0; !rc && i < NREGIONS; i++) {
		struct region_ids ids;
		rc = region_ids(c, &a, &regions[i], &ids);
		if (!rc)
			rc = load_appeals(c, &a, &regions[i], &ids, j->now,
			                  0x9e3779b97f4a7c15ULL * (i + 1));
		if (!rc)
			j->loaded += regions[i].appeals;
	}
	if (!rc) {
		json_t *after =
		    json_pack("{s:i,s:i}", "regions", (int)NREGIONS, "appeals", j->loaded);
		rc = audit_record(c, NULL, "appeals.demo_regions_load", "appeal", 0, NULL, after);
		json_decref(after);
	}
	arena_release(&a);
	return rc;
}

int demo_regions_load(struct store *s)
{
	struct job j = {.now = clock_now_ms()};
	int rc = store_write(s, load_fn, &j);
	if (rc)
		log_error("demo_regions", "cannot load the demo regions (%d)", rc);
	else if (j.loaded)
		log_info("demo_regions", "%d appeals in %d demo regions loaded", j.loaded,
		         (int)NREGIONS);
	return rc;
}
