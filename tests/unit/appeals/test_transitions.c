/* test_transitions.c: the transition table of appeals/appeal.c against docs/appeals.md
 * ("Transitions"): every action × status × combination of rights gives 0, 403 (these rights
 * never allow the action) or 409 (not from this status, with an explanation), and the
 * buttons (appeal_allowed_actions) agree. */
#include <criterion/criterion.h>

#include "appeals/appeal.h"
#include "core/arena.h"
#include "core/err.h"

#include <jansson.h>
#include <string.h>

#define S(x) (1u << (x))
#define ANY_OPEN                                                                                   \
	(S(AS_SUBMITTED) | S(AS_ROUTED) | S(AS_REDIRECTED) | S(AS_IN_PROGRESS) |                   \
	 S(AS_CLARIFICATION) | S(AS_CLARIFIED) | S(AS_APPROVAL) | S(AS_REREVIEW))
#define ANY     ((1u << AS__COUNT) - 1)
#define WORK    (AR_EXECUTOR | AR_SUPERVISOR | AR_ADMIN)
#define SUPER   (AR_SUPERVISOR | AR_ADMIN)
#define NRIGHTS 7 /* AR_AUTHOR .. AR_ADMIN */

/* docs/appeals.md, transcribed row by row (independently of appeal.c). */
static const struct {
	const char *action;
	unsigned from, who;
} docs[] = {
    {"route", S(AS_SUBMITTED), AR_COORDINATOR | AR_ADMIN},
    {"start", S(AS_ROUTED) | S(AS_REDIRECTED), WORK},
    {"assign", ANY_OPEN, WORK},
    {"redirect", S(AS_ROUTED) | S(AS_REDIRECTED) | S(AS_IN_PROGRESS) | S(AS_CLARIFIED),
     WORK | AR_COORDINATOR},
    {"notes", ANY, AR_STAFF},
    {"answer_interim", S(AS_IN_PROGRESS) | S(AS_CLARIFIED), WORK},
    {"answer_final", S(AS_IN_PROGRESS) | S(AS_CLARIFIED), WORK},
    {"answer_final", S(AS_REREVIEW), SUPER},
    {"approve", S(AS_APPROVAL), SUPER},
    {"return", S(AS_APPROVAL) | S(AS_REREVIEW), SUPER},
    {"clarification", S(AS_IN_PROGRESS) | S(AS_CLARIFIED), WORK},
    {"clarify", S(AS_CLARIFICATION), AR_AUTHOR | AR_OPERATOR},
    {"extend", ANY_OPEN & ~S(AS_CLARIFICATION), WORK},
    {"reject",
     S(AS_SUBMITTED) | S(AS_ROUTED) | S(AS_REDIRECTED) | S(AS_IN_PROGRESS) | S(AS_CLARIFIED),
     WORK | AR_COORDINATOR},
    {"merge", ANY_OPEN & ~S(AS_APPROVAL), WORK | AR_COORDINATOR},
    {"rating", S(AS_ANSWERED), AR_AUTHOR},
    {"rereview", S(AS_REREVIEW), SUPER},
};
#define NDOCS (sizeof(docs) / sizeof(docs[0]))

static const char *const actions[] = {
    "route",        "start",   "assign", "redirect",      "notes",   "answer_interim",
    "answer_final", "approve", "return", "clarification", "clarify", "extend",
    "reject",       "merge",   "rating", "rereview",
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

/* The documented answer: 0, ERR_FORBIDDEN or ERR_CONFLICT. */
static int expected(const char *action, enum appeal_status st, unsigned rights)
{
	bool may = false;
	for (size_t i = 0; i < NDOCS; i++) {
		if (strcmp(docs[i].action, action) || !(docs[i].who & rights))
			continue;
		may = true;
		if (docs[i].from & S(st))
			return 0;
	}
	return may ? ERR_CONFLICT : ERR_FORBIDDEN;
}

static bool has(json_t *arr, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) if (!strcmp(json_string_value(v), name)) return true;
	return false;
}

Test(transitions, every_action_status_and_rights_as_documented)
{
	struct arena a;
	arena_init(&a, 4096);
	int checked = 0;
	for (size_t k = 0; k < NACTIONS; k++)
		for (int st = 0; st < AS__COUNT; st++)
			for (unsigned rights = 0; rights < (1u << NRIGHTS); rights++) {
				const char *why = NULL;
				int got = appeal_action_check(actions[k], (enum appeal_status)st,
				                              rights, &a, &why);
				int want = expected(actions[k], (enum appeal_status)st, rights);
				cr_assert_eq(got, want,
				             "%s from %s with rights 0x%x: got %d, docs say %d",
				             actions[k], appeal_status_name((enum appeal_status)st),
				             rights, got, want);
				if (got == ERR_CONFLICT) {
					cr_assert_not_null(why);
					cr_assert(strstr(why, actions[k]), "%s", why);
					cr_assert(strstr(why, "статусе"), "%s", why);
				}
				checked++;
			}
	cr_assert_eq(checked, (int)(NACTIONS * AS__COUNT * (1u << NRIGHTS)));
	arena_release(&a);
}

Test(transitions, conflict_message_names_status_and_allowed_actions)
{
	struct arena a;
	arena_init(&a, 1024);
	const char *why = NULL;
	cr_assert_eq(appeal_action_check("start", AS_IN_PROGRESS, AR_EXECUTOR, &a, &why),
	             ERR_CONFLICT);
	cr_assert(strstr(why, "«в работе»"), "%s", why);
	cr_assert(strstr(why, "answer_final"), "%s", why);
	cr_assert(strstr(why, "clarification"), "%s", why);
	cr_assert_null(strstr(why, "approve"), "%s", why);
	/* nothing allowed at all: the message says so */
	cr_assert_eq(appeal_action_check("rating", AS_CLOSED, AR_AUTHOR, &a, &why), ERR_CONFLICT);
	cr_assert(strstr(why, "«закрыто»") && strstr(why, "нет"), "%s", why);
	arena_release(&a);
}

Test(transitions, wrong_people_are_forbidden_not_conflicted)
{
	/* a citizen may never start, approve or answer; an executor never approves, rates or
	 * clarifies; a coordinator never answers; the author's co-author may not rate */
	cr_assert_eq(appeal_action_check("start", AS_ROUTED, AR_AUTHOR, NULL, NULL), ERR_FORBIDDEN);
	cr_assert_eq(appeal_action_check("approve", AS_APPROVAL, AR_EXECUTOR, NULL, NULL),
	             ERR_FORBIDDEN);
	cr_assert_eq(appeal_action_check("rating", AS_ANSWERED, AR_EXECUTOR, NULL, NULL),
	             ERR_FORBIDDEN);
	cr_assert_eq(appeal_action_check("rating", AS_ANSWERED, AR_COAUTHOR, NULL, NULL),
	             ERR_FORBIDDEN);
	cr_assert_eq(appeal_action_check("clarify", AS_CLARIFICATION, AR_EXECUTOR, NULL, NULL),
	             ERR_FORBIDDEN);
	cr_assert_eq(
	    appeal_action_check("answer_final", AS_IN_PROGRESS, AR_COORDINATOR, NULL, NULL),
	    ERR_FORBIDDEN);
	/* the executor answers in work but not in re-review (that is the supervisor's) */
	cr_assert_eq(appeal_action_check("answer_final", AS_REREVIEW, AR_EXECUTOR, NULL, NULL),
	             ERR_CONFLICT);
	cr_assert_eq(appeal_action_check("answer_final", AS_REREVIEW, AR_SUPERVISOR, NULL, NULL),
	             0);
	cr_assert_eq(appeal_action_check("join", AS_ROUTED, AR_AUTHOR, NULL, NULL), ERR_NOTFOUND);
	cr_assert_eq(appeal_action_check("fly", AS_ROUTED, AR_ADMIN, NULL, NULL), ERR_NOTFOUND);
}

Test(transitions, buttons_match_the_checks)
{
	struct appeal ap;
	struct actor who = {.user_id = 7};
	for (int st = 0; st < AS__COUNT; st++)
		for (unsigned rights = 0; rights < (1u << NRIGHTS); rights++)
			for (int ext = 0; ext < 2; ext++) {
				memset(&ap, 0, sizeof(ap));
				ap.status = (enum appeal_status)st;
				ap.extended = ext;
				json_t *btn = appeal_allowed_actions(&ap, rights, &who);
				for (size_t k = 0; k < NACTIONS; k++) {
					bool want = expected(actions[k], ap.status, rights) == 0 &&
					            !(ext && !strcmp(actions[k], "extend"));
					cr_assert_eq(
					    has(btn, actions[k]), want,
					    "%s button from %s with rights 0x%x (extended %d)",
					    actions[k], appeal_status_name(ap.status), rights, ext);
				}
				/* "me too" for citizens who neither wrote nor work it */
				bool join = appeal_status_open(ap.status) &&
				            !(rights & (AR_AUTHOR | AR_COAUTHOR | AR_STAFF));
				cr_assert_eq(has(btn, "join"), join);
				json_decref(btn);
			}
}

Test(transitions, open_statuses)
{
	for (int st = 0; st < AS__COUNT; st++) {
		bool open =
		    st != AS_ANSWERED && st != AS_CLOSED && st != AS_REJECTED && st != AS_MERGED;
		cr_assert_eq(appeal_status_open((enum appeal_status)st), open, "%s",
		             appeal_status_name((enum appeal_status)st));
		enum appeal_status back;
		cr_assert_eq(appeal_status_parse(appeal_status_name((enum appeal_status)st), &back),
		             0);
		cr_assert_eq((int)back, st);
	}
	enum appeal_status x;
	cr_assert_eq(appeal_status_parse("nonsense", &x), ERR_INVALID);
}
