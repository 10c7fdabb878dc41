/* workflow.c: the actions on one appeal, each one write job (load, rights, transition table,
 * change through appeal_apply, extra rows: answers, routes, attachments, co-authors). */
#include "appeals/workflow.h"
#include "appeals/deadline.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "notify/notify.h"
#include "store/appeal_flow.h"
#include "store/appeals.h"

#include <string.h>

/* --- validation before the job ------------------------------------------------------------ */

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Trims s into the arena and checks 1..max characters of clean UTF-8 (optional: NULL ok).
 * Returns 0 or ERR_VALIDATION with p set. */
static int check_text(struct arena *a, const char **s, bool required, size_t max, const char *field,
                      struct problem *p)
{
	if (!*s) {
		if (!required)
			return 0;
		p->field = field;
		p->message = "Заполните это поле";
		return ERR_VALIDATION;
	}
	const char *b = *s;
	size_t n = strlen(b);
	while (n && is_space(*b))
		b++, n--;
	while (n && is_space(b[n - 1]))
		n--;
	p->field = field;
	if (!utf8_clean_text(b, n)) {
		p->message = "Текст содержит недопустимые символы";
		return ERR_VALIDATION;
	}
	size_t len = utf8_len(b, n);
	if (!len && required) {
		p->message = "Заполните это поле";
		return ERR_VALIDATION;
	}
	if (len > max) {
		p->message = arena_printf(a, "Не длиннее %zu символов", max);
		return ERR_VALIDATION;
	}
	p->field = NULL;
	*s = len ? arena_strndup(a, b, n) : NULL;
	return 0;
}

static int fail(struct problem *p, int rc, const char *message, const char *field)
{
	p->message = message;
	p->field = field;
	return rc;
}

/* Field checks that need no database; may normalise strings in in. */
static int validate(struct arena *a, struct workflow_input *in, struct problem *p)
{
	const char *act = in->action;
	int rc = 0;
	if (!strcmp(act, "route")) {
		if (in->org_id <= 0)
			return fail(p, ERR_VALIDATION, "Выберите организацию", "org_id");
		rc = check_text(a, &in->comment, false, WORKFLOW_COMMENT_MAX, "comment", p);
	} else if (!strcmp(act, "assign")) {
		if (in->user_id <= 0)
			return fail(p, ERR_VALIDATION, "Выберите исполнителя", "user_id");
	} else if (!strcmp(act, "redirect")) {
		if (in->org_id < 0)
			return fail(p, ERR_VALIDATION, "Неверная организация", "org_id");
		rc = check_text(a, &in->reason, true, WORKFLOW_REASON_MAX, "reason", p);
	} else if (!strcmp(act, "answer_interim") || !strcmp(act, "answer_final")) {
		rc = check_text(a, &in->text, true, WORKFLOW_ANSWER_MAX, "text", p);
	} else if (!strcmp(act, "notes") || !strcmp(act, "clarification") ||
	           !strcmp(act, "clarify")) {
		rc = check_text(a, &in->text, true, WORKFLOW_TEXT_MAX, "text", p);
	} else if (!strcmp(act, "approve")) {
		rc = check_text(a, &in->comment, false, WORKFLOW_COMMENT_MAX, "comment", p);
	} else if (!strcmp(act, "return")) {
		rc = check_text(a, &in->comment, true, WORKFLOW_COMMENT_MAX, "comment", p);
	} else if (!strcmp(act, "extend")) {
		if (in->days < 1 || in->days > 30)
			return fail(p, ERR_VALIDATION, "Продлить можно на 1–30 рабочих дней",
			            "days");
		rc = check_text(a, &in->reason, true, WORKFLOW_REASON_MAX, "reason", p);
	} else if (!strcmp(act, "reject")) {
		bool known = false;
		for (size_t i = 0; in->reason && appeal_reject_reasons[i]; i++)
			known |= !strcmp(in->reason, appeal_reject_reasons[i]);
		if (!known)
			return fail(p, ERR_VALIDATION,
			            "Причина: abusive, not_an_appeal, no_content, repeated или "
			            "not_competent",
			            "reason");
		rc = check_text(a, &in->comment, false, WORKFLOW_COMMENT_MAX, "comment", p);
	} else if (!strcmp(act, "merge")) {
		if (in->into_id <= 0)
			return fail(p, ERR_VALIDATION, "Укажите обращение, с которым объединить",
			            "into_id");
		if (in->into_id == in->appeal_id)
			return fail(p, ERR_VALIDATION, "Нельзя объединить обращение с самим собой",
			            "into_id");
	} else if (!strcmp(act, "rating")) {
		if (in->score < 1 || in->score > 5)
			return fail(p, ERR_VALIDATION, "Оценка от 1 до 5", "score");
		if (in->solved < 0)
			return fail(p, ERR_VALIDATION, "Укажите, решена ли проблема", "solved");
		rc = check_text(a, &in->comment, false, WORKFLOW_COMMENT_MAX, "comment", p);
	} else if (!strcmp(act, "rereview")) {
		if (!in->decision || strcmp(in->decision, "uphold"))
			return fail(p, ERR_VALIDATION,
			            "Решение: uphold (оставить ответ в силе); вернуть в работу — "
			            "действие return",
			            "decision");
		rc = check_text(a, &in->comment, true, WORKFLOW_COMMENT_MAX, "comment", p);
	} else if (strcmp(act, "start")) {
		return fail(p, ERR_NOTFOUND, "Нет такого действия", NULL);
	}
	return rc;
}

/* --- the write job ------------------------------------------------------------------------ */

struct act_job {
	struct arena *a;
	const struct actor *who;
	const struct workflow_input *in;
	int64_t now;
	struct appeal out;
	unsigned rights;
	struct problem p;
};

/* The deadline moved: an appeal due later is no longer overdue nor warned about. */
static int deadline_moved(struct store_conn *c, const struct appeal *before, struct appeal *after,
                          int64_t now)
{
	if (after->deadline_at == before->deadline_at)
		return 0;
	if (after->deadline_at > now)
		after->overdue = false;
	return store_flow_due_soon_reset(c, after->id);
}

/* The caller's own unused uploads, linked like submission links them (store/appeals.c). */
static int link_attachments(struct act_job *j, struct store_conn *c, int64_t appeal_id,
                            int64_t answer_id, int64_t event_id)
{
	int64_t linked = 0;
	int rc =
	    store_attachments_claim(c, j->in->attachment_ids, j->in->nattachments, j->who->user_id,
	                            j->who->apikey_id, appeal_id, answer_id, event_id, &linked);
	if (rc)
		return rc;
	if (linked != (int64_t)j->in->nattachments)
		return fail(&j->p, ERR_VALIDATION,
		            "Вложение не найдено, чужое или уже использовано", "attachment_ids");
	return 0;
}

/* An active organisation for route/redirect: 0 or ERR_VALIDATION on org_id. */
static int check_org(struct act_job *j, struct store_conn *c, int64_t org_id, bool *approval)
{
	bool active = false, appr = false;
	int rc = store_flow_org(c, org_id, &active, &appr);
	if (rc == ERR_NOTFOUND || (!rc && !active))
		return fail(&j->p, ERR_VALIDATION, "Нет такой действующей организации", "org_id");
	if (approval)
		*approval = appr;
	return rc;
}

static int act_fn(struct store_conn *c, void *arg)
{
	struct act_job *j = arg;
	const struct workflow_input *in = j->in;
	const char *act = in->action;
	struct arena *a = j->a;
	int64_t now = j->now;
	j->p.message = NULL;
	j->p.field = NULL;
	j->rights = 0;

	struct appeal before;
	int rc = appeal_load(c, a, in->appeal_id, &before);
	if (rc == ERR_NOTFOUND)
		return fail(&j->p, ERR_NOTFOUND, "Обращение не найдено", NULL);
	if (rc)
		return rc;
	unsigned rights = 0;
	rc = appeal_rights(c, j->who, &before, &rights);
	if (rc)
		return rc;
	if (!rights)
		return fail(&j->p, ERR_NOTFOUND, "Обращение не найдено", NULL);
	const char *why = NULL;
	rc = appeal_action_check(act, before.status, rights, a, &why);
	if (rc == ERR_FORBIDDEN)
		return fail(&j->p, rc, "Это действие вам недоступно", NULL);
	if (rc == ERR_CONFLICT)
		return fail(&j->p, rc, why, NULL);
	if (rc)
		return fail(&j->p, rc, "Нет такого действия", NULL);

	struct appeal after = before;
	struct appeal_change ch = {.kind = act, .to = before.status, .public = true};
	json_t *data = json_object();
	int64_t answer_id = 0, into_id = 0;
	const char *route_kind = NULL;
	bool reset_due = false;

	if (!strcmp(act, "route")) {
		if ((rc = check_org(j, c, in->org_id, NULL)))
			goto out;
		if (in->topic_id && in->topic_id != before.topic_id) {
			bool active = false, resets = false;
			int64_t cat = 0;
			rc = store_flow_topic(c, in->topic_id, &cat, &active, &resets);
			if (rc == ERR_NOTFOUND || (!rc && !active))
				rc = fail(&j->p, ERR_VALIDATION, "Нет такой действующей темы",
				          "topic_id");
			if (rc)
				goto out;
			after.topic_id = in->topic_id;
			after.category_id = cat;
		}
		after.org_id = in->org_id;
		after.assignee_id = 0;
		after.status = AS_ROUTED;
		/* the time limit runs from the submission, now for this body */
		if ((rc = deadline_due(c, after.topic_id, after.org_id, before.created_at,
		                       &after.deadline_at)))
			goto out;
		route_kind = "triage";
		json_object_set_new(data, "org_id", json_integer(in->org_id));
		json_object_set_new(data, "topic_id", json_integer(after.topic_id));
	} else if (!strcmp(act, "start")) {
		after.status = AS_IN_PROGRESS;
		if (!after.assignee_id)
			after.assignee_id = j->who->user_id;
	} else if (!strcmp(act, "assign")) {
		bool ok = false;
		if ((rc = store_flow_is_executor(c, in->user_id, before.org_id, &ok)))
			goto out;
		if (!ok) {
			rc = fail(&j->p, ERR_VALIDATION,
			          "Этот пользователь не исполнитель организации обращения",
			          "user_id");
			goto out;
		}
		after.assignee_id = in->user_id;
		if (before.status == AS_ROUTED || before.status == AS_REDIRECTED)
			after.status = AS_IN_PROGRESS;
		ch.public = after.status != before.status;
		json_object_set_new(data, "assignee_id", json_integer(in->user_id));
	} else if (!strcmp(act, "redirect")) {
		if (in->org_id) {
			if (in->org_id == before.org_id) {
				rc = fail(&j->p, ERR_VALIDATION, "Обращение уже в этой организации",
				          "org_id");
				goto out;
			}
			if ((rc = check_org(j, c, in->org_id, NULL)))
				goto out;
		}
		after.org_id = in->org_id;
		after.assignee_id = 0;
		after.status = in->org_id ? AS_REDIRECTED : AS_SUBMITTED;
		bool active = false, resets = false;
		int64_t cat = 0;
		if ((rc = store_flow_topic(c, before.topic_id, &cat, &active, &resets)))
			goto out;
		if (resets &&
		    (rc = deadline_due(c, after.topic_id, after.org_id, now, &after.deadline_at)))
			goto out;
		route_kind = "redirect";
		ch.text = in->reason;
		json_object_set_new(data, "org_id",
		                    in->org_id ? json_integer(in->org_id) : json_null());
	} else if (!strcmp(act, "notes")) {
		ch.public = false;
		ch.text = in->text;
	} else if (!strcmp(act, "answer_interim")) {
		if ((rc = store_flow_answer_add(c, before.id, "interim", "published", in->text,
		                                before.org_id, j->who->user_id, now, now,
		                                &answer_id)))
			goto out;
		ch.text = in->text;
	} else if (!strcmp(act, "answer_final")) {
		bool approval = false;
		if ((rc = check_org(j, c, before.org_id, &approval)) == ERR_VALIDATION)
			approval = false, rc = 0; /* an org closed meanwhile still answers */
		if (rc)
			goto out;
		/* the approver's own answer needs no approval */
		bool pending = approval && !(rights & (AR_SUPERVISOR | AR_ADMIN));
		if ((rc = store_flow_answer_add(
		         c, before.id, "final", pending ? "pending" : "published", in->text,
		         before.org_id, j->who->user_id, now, pending ? 0 : now, &answer_id)))
			goto out;
		if (pending) {
			after.status = AS_APPROVAL;
			ch.public = false;
		} else {
			after.status = AS_ANSWERED;
			after.answered_at = now;
			after.paused_at = 0;
			ch.text = in->text;
		}
	} else if (!strcmp(act, "approve")) {
		const char *text = NULL;
		rc = store_flow_answer_review(c, a, before.id, "published", j->who->user_id,
		                              in->comment, now, &text);
		if (rc == ERR_NOTFOUND)
			rc = fail(&j->p, ERR_CONFLICT, "Нет ответа, ожидающего согласования", NULL);
		if (rc)
			goto out;
		after.status = AS_ANSWERED;
		after.answered_at = now;
		ch.text = text;
		if (in->comment)
			json_object_set_new(data, "comment", json_string(in->comment));
	} else if (!strcmp(act, "return")) {
		if (before.status == AS_APPROVAL) {
			const char *text = NULL;
			rc = store_flow_answer_review(c, a, before.id, "returned", j->who->user_id,
			                              in->comment, now, &text);
			if (rc && rc != ERR_NOTFOUND)
				goto out;
			rc = 0;
		}
		after.status = AS_IN_PROGRESS;
		/* returning a draft is internal; returning after a re-review is news to the author
		 */
		ch.public = before.status == AS_REREVIEW;
		ch.text = in->comment;
	} else if (!strcmp(act, "clarification")) {
		after.status = AS_CLARIFICATION;
		after.paused_at = now;
		ch.text = in->text;
	} else if (!strcmp(act, "clarify")) {
		after.status = AS_CLARIFIED;
		if (before.paused_at && before.deadline_at) {
			int64_t paused = now - before.paused_at;
			after.deadline_at = before.deadline_at + (paused > 0 ? paused : 0);
			json_object_set_new(data, "paused_ms",
			                    json_integer(paused > 0 ? paused : 0));
		}
		after.paused_at = 0;
		ch.text = in->text;
	} else if (!strcmp(act, "extend")) {
		if (before.extended) {
			rc = fail(&j->p, ERR_CONFLICT,
			          "Срок уже продлевался: продлить можно один раз", NULL);
			goto out;
		}
		if (!before.deadline_at) {
			rc = fail(&j->p, ERR_CONFLICT, "У обращения нет срока", NULL);
			goto out;
		}
		if ((rc = deadline_add_wdays(c, before.deadline_at, in->days, &after.deadline_at)))
			goto out;
		after.extended = true;
		after.extension_reason = in->reason;
		ch.text = in->reason;
		json_object_set_new(data, "days", json_integer(in->days));
	} else if (!strcmp(act, "reject")) {
		after.status = AS_REJECTED;
		after.reject_reason = in->reason;
		after.closed_at = now;
		after.paused_at = 0;
		ch.text = in->comment;
		json_object_set_new(data, "reason", json_string(in->reason));
	} else if (!strcmp(act, "merge")) {
		struct appeal target;
		unsigned trights = 0;
		rc = appeal_load(c, a, in->into_id, &target);
		if (!rc)
			rc = appeal_rights(c, j->who, &target, &trights);
		if (rc && rc != ERR_NOTFOUND)
			goto out;
		if (rc || !(trights & AR_STAFF)) {
			rc = fail(&j->p, ERR_VALIDATION, "Нет такого обращения", "into_id");
			goto out;
		}
		if (!appeal_status_open(target.status)) {
			rc = fail(&j->p, ERR_VALIDATION,
			          "Объединить можно только с открытым обращением", "into_id");
			goto out;
		}
		after.status = AS_MERGED;
		after.merged_into = target.id;
		after.paused_at = 0;
		into_id = target.id;
		json_object_set_new(data, "into_id", json_integer(target.id));
	} else if (!strcmp(act, "rating")) {
		bool satisfied = in->score >= 4 && in->solved == 1;
		after.rating = in->score;
		after.rating_solved = in->solved;
		after.rating_comment = in->comment;
		after.rated_at = now;
		if (satisfied) {
			after.status = AS_CLOSED;
			after.closed_at = now;
		} else {
			after.status = AS_REREVIEW;
			after.closed_at = 0;
			/* the re-review gets its own time limit (the answer's one is kept in
			 * answered_at for the statistics) */
			if ((rc = deadline_due(c, before.topic_id, before.org_id, now,
			                       &after.deadline_at)))
				goto out;
			reset_due = true;
		}
		ch.text = in->comment;
		json_object_set_new(data, "score", json_integer(in->score));
		json_object_set_new(data, "solved", json_boolean(in->solved == 1));
	} else if (!strcmp(act, "rereview")) {
		after.status = AS_CLOSED;
		after.closed_at = now;
		ch.text = in->comment;
		json_object_set_new(data, "decision", json_string("uphold"));
	} else {
		rc = fail(&j->p, ERR_NOTFOUND, "Нет такого действия", NULL);
		goto out;
	}

	if (reset_due) {
		after.overdue = false;
		if ((rc = store_flow_due_soon_reset(c, before.id)))
			goto out;
	} else if ((rc = deadline_moved(c, &before, &after, now))) {
		goto out;
	}
	ch.to = after.status;
	ch.data = json_object_size(data) ? data : NULL;
	int64_t event_id = 0;
	rc = appeal_apply(c, a, j->who, &before, &after, &ch, now, &event_id);
	if (rc == ERR_CONFLICT) {
		fail(&j->p, rc, "Обращение изменилось за это время; обновите страницу и повторите",
		     NULL);
		goto out;
	}
	if (rc)
		goto out;

	if (route_kind &&
	    (rc = store_flow_route_add(c, before.id, now, route_kind, before.org_id, after.org_id,
	                               in->reason ? in->reason : in->comment, j->who->user_id)))
		goto out;
	if (in->nattachments &&
	    (!strcmp(act, "answer_interim") || !strcmp(act, "answer_final") ||
	     !strcmp(act, "clarify")) &&
	    (rc = link_attachments(j, c, before.id, answer_id, answer_id ? 0 : event_id)))
		goto out;
	if (into_id) {
		int64_t added = 0, teid = 0;
		if ((rc = store_flow_coauthors_merge(c, before.id, into_id, now, &added)))
			goto out;
		json_t *td = json_pack("{s:I,s:I}", "from_id", (json_int_t)before.id,
		                       "coauthors_added", (json_int_t)added);
		rc = appeal_event_add(c, j->who, into_id, "merge", -1, -1, true, NULL, td, now,
		                      &teid);
		if (!rc)
			rc = audit_record(c, j->who, "appeal.merge_into", "appeal", into_id, NULL,
			                  td);
		json_decref(td);
		if (!rc)
			rc = notify_appeal_event(c, a, teid, now);
		if (rc)
			goto out;
	}

	if ((rc = appeal_load(c, a, before.id, &j->out)))
		goto out;
	rc = appeal_rights(c, j->who, &j->out, &j->rights);
out:
	json_decref(data);
	return rc;
}

int workflow_act(struct store *s, struct arena *a, const struct actor *who,
                 const struct workflow_input *in, struct appeal *out, unsigned *rights,
                 struct problem *p)
{
	p->message = NULL;
	p->field = NULL;
	struct workflow_input v = *in;
	int rc = validate(a, &v, p);
	if (rc)
		return rc;
	struct act_job j = {.a = a, .who = who, .in = &v, .now = clock_now_ms()};
	rc = store_write(s, act_fn, &j);
	if (rc) {
		*p = j.p;
		return rc;
	}
	*out = j.out;
	*rights = j.rights;
	return 0;
}
