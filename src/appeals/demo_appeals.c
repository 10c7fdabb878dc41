/* demo_appeals.c: demo appeals in every status for `--demo` (idempotent): citizens' and an
 * operator's appeals about the Kaluga demo region over the last 60 days, with timelines,
 * answers and ratings, so that every queue and screen has something to show. */
#include "appeals/deadline.h"
#include "appeals/submit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/fold.h"
#include "core/log.h"
#include "store/appeals.h"
#include "store/entity.h"
#include "store/users.h"

#include <math.h>
#include <string.h>

#define DAY_MS 86400000LL

struct demo_appeal {
	const char *who; /* "citizen", "citizen2" or "operator" (entered for a person) */
	const char *topic, *territory;
	const char *status;
	double days_ago;
	const char *text, *address;
	double lat, lon;   /* 0, 0 = no point */
	const char *reply; /* final answer, clarification question or reject reason code */
	int rating, solved;
	bool overdue;
};

static const struct demo_appeal demo[] = {
    {"citizen", "other-general", "klu-kaluga", "submitted", 1.2,
     "Прошу разъяснить, куда обращаться по поводу шума от круглосуточной автомойки во дворе "
     "жилого дома. Работает по ночам, жильцы не могут спать.",
     "ул. Кирова, 21", 54.5131, 36.2598, NULL, 0, 0, false},
    {"citizen2", "eco-animals", "klu-kozelsk", "submitted", 2.5,
     "У школы № 1 третью неделю держится стая бездомных собак, дети боятся ходить на "
     "занятия. Просим принять меры по отлову.",
     "ул. Генерала Соколова, 2", 54.0361, 35.7812, NULL, 0, 0, false},
    {"citizen", "housing-heating", "klu-kaluga", "routed", 0.3,
     "В квартире холодно, батареи еле тёплые, в комнатах 16 градусов. Управляющая компания "
     "на звонки не отвечает.",
     "ул. Ленина, 85, кв. 12", 54.5150, 36.2520, NULL, 0, 0, false},
    {"citizen2", "housing-capital-repair", "klu-obninsk", "routed", 3,
     "Капитальный ремонт крыши дома перенесли уже второй раз. После каждого дождя течёт "
     "в подъезде на пятом этаже.",
     "пр. Маркса, 40", 55.0968, 36.6101, NULL, 0, 0, false},
    {"citizen", "roads-potholes-local", "klu-kaluga", "routed", 1,
     "Огромная яма на выезде из двора на улицу Суворова, машины объезжают по тротуару.",
     "ул. Суворова, 121", 54.5205, 36.2440, NULL, 0, 0, false},
    {"operator", "health-appointment", "klu-obninsk", "routed", 2,
     "Заявитель не может записаться к эндокринологу в поликлинике: на Госуслугах нет "
     "талонов на две недели вперёд, по телефону регистратуры не дозвониться.",
     NULL, 0, 0, NULL, 0, 0, false},
    {"citizen", "housing-heating", "klu-maloyaroslavets", "in_progress", 0.6,
     "Во всём подъезде не греют батареи после ремонта теплотрассы во дворе.", "ул. Гагарина, 9",
     55.0145, 36.4632, NULL, 0, 0, false},
    {"citizen2", "housing-heating", "klu-kaluga", "in_progress", 5,
     "Нет отопления в доме уже пятый день, в квартире 14 градусов, маленький ребёнок.",
     "ул. Московская, 190", 54.5290, 36.2790, NULL, 0, 0, true},
    {"citizen", "health-drugs", "klu-kaluga", "in_progress", 2,
     "В аптеках города нет льготного инсулина по рецепту, выписанному две недели назад.", NULL, 0,
     0, NULL, 0, 0, false},
    {"citizen2", "light-street", "klu-obninsk", "in_progress", 1.5,
     "Не горят фонари вдоль всей улицы Курчатова от дома 20 до перекрёстка, вечером темно.",
     "ул. Курчатова, 20", 55.1010, 36.6050, NULL, 0, 0, false},
    {"citizen", "housing-capital-repair", "klu-kozelsk", "clarification", 6,
     "При капремонте фасада повредили окна в нескольких квартирах, подрядчик не "
     "отвечает.",
     "ул. Чкалова, 4", 54.0353, 35.7766,
     "Уточните, пожалуйста, номера квартир и дату, когда были повреждены окна.", 0, 0, false},
    {"operator", "waste-sites", "klu-kaluga", "clarification", 3,
     "Заявительница сообщает, что контейнерную площадку у дома не убирают, мусор лежит "
     "вокруг баков.",
     "ул. Тульская, 33", 54.5000, 36.2700,
     "Уточните, пожалуйста, точный адрес площадки и с какого числа не вывозят мусор.", 0, 0, false},
    {"citizen", "housing-heating", "klu-kaluga", "answered", 9,
     "После промывки системы отопления в квартире перестали греть две батареи из трёх.",
     "ул. Пухова, 23", 54.5310, 36.2250,
     "Проверка показала завоздушивание стояка. Управляющая компания выполнила "
     "регулировку, отопление восстановлено. Если проблема повторится, сообщите нам.",
     0, 0, false},
    {"citizen2", "health-appointment", "klu-kaluga", "answered", 7,
     "Второй месяц не могу попасть к кардиологу в поликлинике по месту жительства.", NULL, 0, 0,
     "Вы записаны на приём к кардиологу на ближайшую дату, талон направлен в личный "
     "кабинет на Госуслугах. Поликлинике поручено открыть запись на месяц вперёд.",
     0, 0, false},
    {"citizen", "green-trees", "klu-obninsk", "answered", 14,
     "Сухое дерево у детской площадки может упасть, ветки уже обламываются.", "ул. Энгельса, 11",
     55.0990, 36.6120, "Дерево обследовано и признано аварийным. Спил выполнен, территория убрана.",
     0, 0, false},
    {"citizen", "housing-heating", "klu-lyudinovo", "closed", 30,
     "Холодно в квартире, температура в комнатах ниже нормы.", "ул. Маяковского, 5", 53.8685,
     34.4415, "Отремонтирован участок теплотрассы, параметры теплоносителя восстановлены.", 5, 1,
     false},
    {"citizen2", "roads-potholes-local", "klu-obninsk", "closed", 40,
     "Разбит асфальт во дворе дома, после дождя не пройти.", "ул. Гурьянова, 17", 55.1050, 36.5950,
     "Выполнен ямочный ремонт дворового проезда.", 4, 1, false},
    {"citizen", "edu-kindergarten", "klu-kaluga", "closed", 55,
     "Ребёнку не дают место в детском саду рядом с домом, предлагают сад в другом районе.", NULL, 0,
     0, "Ребёнку предоставлено место в детском саду № 12 с 1 сентября.", 5, 1, false},
    {"citizen2", "transport-schedule", "klu-kaluga", "rejected", 20, "Автобус.", NULL, 0, 0,
     "no_content", 0, 0, false},
    {"citizen", "housing-bills", "klu-kaluga", "rejected", 25,
     "Снова прошу пересчитать плату за отопление, как и в прошлом обращении.", NULL, 0, 0,
     "repeated", 0, 0, false},
    {"operator", "waste-collection", "klu-kozelsk", "routed", 0.8,
     "Заявитель сообщает, что мусор из частного сектора не вывозят больше недели.",
     "ул. Ленина, 50", 54.0300, 35.7800, NULL, 0, 0, false},
    {"citizen", "transport-routes", "klu-kaluga", "routed", 2,
     "Просим продлить маршрут автобуса № 5 до нового микрорайона Правгород.", NULL, 0, 0, NULL, 0,
     0, false},
    {"citizen2", "housing-hot-water", "klu-kaluga", "in_progress", 1,
     "Нет горячей воды в доме вторые сутки, объявлений об отключении не было.", "ул. Никитина, 48",
     54.5250, 36.2350, NULL, 0, 0, false},
    {"operator", "housing-heating", "klu-obninsk", "routed", 0.2,
     "Заявитель-пенсионер сообщает, что в квартире не работает отопление.", "ул. Ленина, 120",
     55.0940, 36.6180, NULL, 0, 0, false},
    {"citizen2", "housing-capital-repair", "klu-lyudinovo", "answered", 45,
     "Когда будет капитальный ремонт лифта в нашем доме? Лифт постоянно ломается.", "ул. Фокина, 7",
     53.8700, 34.4450,
     "Капитальный ремонт лифтового оборудования дома включён в краткосрочный план на "
     "следующий год, подрядчик будет определён по итогам торгов.",
     0, 0, false},
};
#define NDEMO (sizeof(demo) / sizeof(demo[0]))

static const char *const person_names[] = {"Мария Сергеевна Кузнецова", "Пётр Иванович Смирнов",
                                           "Анна Викторовна Волкова", "Николай Петрович Орлов"};

struct demo_job {
	int64_t now;
	int loaded;
};

static int user_id(struct store_conn *c, struct arena *a, const char *login, int64_t *id)
{
	struct user_row u;
	int rc = store_user_by_login(c, a, login, &u);
	if (!rc)
		*id = u.id;
	return rc;
}

static int event(struct store_conn *c, int64_t uid, int64_t appeal_id, const char *kind, int from,
                 int to, bool public, const char *text, int64_t at)
{
	struct actor who = {.user_id = uid};
	return appeal_event_add(c, uid ? &who : NULL, appeal_id, kind, from, to, public, text, NULL,
	                        at, NULL);
}

/* One demo appeal with its timeline. */
static int load_one(struct store_conn *c, struct arena *a, const struct demo_appeal *d, size_t n,
                    int64_t now)
{
	struct appeal ap;
	memset(&ap, 0, sizeof(ap));
	ap.rating_solved = -1;
	enum appeal_status st;
	if (appeal_status_parse(d->status, &st))
		return ERR_INVALID;
	int64_t uid = 0, topic = 0, terr = 0;
	int rc = user_id(c, a, d->who, &uid);
	if (!rc)
		rc = store_id_by_code(c, "topics", d->topic, &topic);
	if (!rc)
		rc = store_id_by_code(c, "territories", d->territory, &terr);
	if (rc)
		return rc;
	struct route_result rr;
	struct problem p = {0};
	rc = registry_resolve_conn(c, a, topic, terr, false, 0, 0, &rr, &p);
	if (rc)
		return rc;
	int64_t created = now - (int64_t)(d->days_ago * DAY_MS) - (int64_t)n * 60000;
	char token[APPEAL_TOKEN_SIZE];
	appeal_token_new(token, clock_now_ms());
	bool by_operator = !strcmp(d->who, "operator");
	ap.token = token;
	ap.channel = by_operator ? "operator" : n % 3 == 2 ? "widget" : "web";
	if (by_operator) {
		ap.operator_id = uid;
		ap.person_name = person_names[n % 4];
		ap.person_contact = "+7 900 000-00-00";
	} else
		ap.author_id = uid;
	ap.topic_id = topic;
	rc = store_topic_category(c, topic, &ap.category_id);
	if (rc)
		return rc;
	ap.territory_id = terr;
	bool triage = st == AS_SUBMITTED || !rr.org_id;
	ap.org_id = triage ? 0 : rr.org_id;
	if (triage)
		st = AS_SUBMITTED;
	ap.status = st;
	ap.text = d->text;
	ap.address = d->address;
	ap.has_point = d->lat != 0;
	ap.lat = ap.has_point ? d->lat : NAN;
	ap.lon = ap.has_point ? d->lon : NAN;
	ap.created_at = created;
	ap.external_id = arena_printf(a, "demo-%zu", n + 1);
	/* the assignee: the demo executors of their orgs */
	int64_t minstroy = 0, minzdrav = 0, exec1 = 0, exec2 = 0;
	if ((rc = store_id_by_code(c, "orgs", "klu-minstroy", &minstroy)) ||
	    (rc = store_id_by_code(c, "orgs", "klu-minzdrav", &minzdrav)) ||
	    (rc = user_id(c, a, "executor", &exec1)) || (rc = user_id(c, a, "executor2", &exec2)))
		return rc;
	int64_t staff = ap.org_id == minstroy ? exec1 : ap.org_id == minzdrav ? exec2 : 0;
	bool worked = st != AS_SUBMITTED && st != AS_ROUTED && st != AS_REJECTED;
	if (worked)
		ap.assignee_id = staff;
	int64_t t_start = created + DAY_MS / 6;
	int64_t span = now - created;
	int64_t t_act = created + span / 2; /* clarification, answer or rejection */
	int64_t t_rate = created + span * 3 / 4;
	if (appeal_status_open(st)) {
		rc = deadline_due(c, topic, ap.org_id, created, &ap.deadline_at);
		if (rc)
			return rc;
		if (d->overdue) {
			ap.overdue = true;
			if (ap.deadline_at >= now)
				ap.deadline_at = now - DAY_MS;
		}
	}
	if (st == AS_CLARIFICATION)
		ap.paused_at = t_act;
	if (st == AS_ANSWERED || st == AS_CLOSED)
		ap.answered_at = t_act;
	if (st == AS_CLOSED) {
		ap.closed_at = t_rate;
		ap.rating = d->rating;
		ap.rating_solved = d->solved;
		ap.rated_at = t_rate;
		ap.rating_comment = d->rating >= 5 ? "Спасибо, всё сделали быстро." : NULL;
	}
	if (st == AS_REJECTED) {
		ap.reject_reason = d->reply;
		ap.closed_at = t_act;
	}
	ap.updated_at = st == AS_ROUTED || st == AS_SUBMITTED ? created : t_act;
	const char *blob = ap.address ? arena_printf(a, "%s %s", ap.text, ap.address) : ap.text;
	int64_t id = 0;
	rc =
	    store_appeal_insert(c, &ap, fold_text(a, blob, strlen(blob)), appeal_day(created), &id);
	if (rc)
		return rc;
	if (ap.author_id && (rc = store_appeal_author_add(c, id, ap.author_id, "author", created)))
		return rc;
	struct appeal_route_row route = {
	    .appeal_id = id,
	    .at = created,
	    .to_org_id = ap.org_id,
	    .rule_id = ap.org_id ? rr.rule_id : 0,
	    .kind = ap.org_id ? "auto" : "triage",
	    .reason = rr.reason,
	};
	if ((rc = store_appeal_route_insert(c, &route)))
		return rc;
	int first = ap.org_id ? AS_ROUTED : AS_SUBMITTED;
	if ((rc = event(c, uid, id, "submitted", -1, first, true, NULL, created)))
		return rc;
	if (worked &&
	    (rc = event(c, staff, id, "start", AS_ROUTED, AS_IN_PROGRESS, true, NULL, t_start)))
		return rc;
	if (st == AS_CLARIFICATION && (rc = event(c, staff, id, "clarification", AS_IN_PROGRESS,
	                                          AS_CLARIFICATION, true, d->reply, t_act)))
		return rc;
	if (st == AS_ANSWERED || st == AS_CLOSED) {
		if ((rc = store_appeal_answer_insert(c, id, "final", "published", d->reply,
		                                     ap.org_id, staff, t_act, t_act, NULL)) ||
		    (rc = event(c, staff, id, "answer_final", AS_IN_PROGRESS, AS_ANSWERED, true,
		                d->reply, t_act)))
			return rc;
	}
	if (st == AS_CLOSED && (rc = event(c, uid, id, "rating", AS_ANSWERED, AS_CLOSED, true,
	                                   ap.rating_comment, t_rate)))
		return rc;
	if (st == AS_REJECTED &&
	    (rc = event(c, staff, id, "reject", first, AS_REJECTED, true,
	                !strcmp(d->reply, "repeated")
	                    ? "Повторное обращение без новых доводов: ответ был дан ранее."
	                    : "В обращении нет сути вопроса, рассмотреть его по существу нельзя.",
	                t_act)))
		return rc;
	return 0;
}

static int demo_fn(struct store_conn *c, void *arg)
{
	struct demo_job *j = arg;
	j->loaded = 0;
	int64_t existing = 0;
	int rc = store_appeal_by_external(c, "demo-1", &existing);
	if (rc || existing)
		return rc;
	struct arena a;
	arena_init(&a, 16384);
	for (size_t i = 0; i < NDEMO && !rc; i++)
		rc = load_one(c, &a, &demo[i], i, j->now);
	if (!rc) {
		json_t *after = json_pack("{s:i}", "appeals", (int)NDEMO);
		rc = audit_record(c, NULL, "appeals.demo_load", "appeal", 0, NULL, after);
		json_decref(after);
	}
	arena_release(&a);
	if (!rc)
		j->loaded = (int)NDEMO;
	return rc;
}

int appeals_demo_load(struct store *s)
{
	struct demo_job j = {.now = clock_now_ms()};
	int rc = store_write(s, demo_fn, &j);
	if (rc)
		log_error("demo_appeals", "cannot load the demo appeals (%d)", rc);
	else if (j.loaded)
		log_info("demo_appeals", "%d demo appeals loaded", j.loaded);
	return rc;
}
