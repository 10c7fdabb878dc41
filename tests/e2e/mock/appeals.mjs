// mock/appeals.mjs: the appeals part of the mock server (docs/appeals.md) — submission, queues, the full appeal,
// the workflow actions, attachments, suggestions, notifications — in memory and simplified.
import crypto from 'node:crypto';

const OPEN = new Set(['submitted', 'routed', 'redirected', 'in_progress', 'clarification', 'clarified', 'approval', 'rereview']);
const REASONS = ['abusive', 'not_an_appeal', 'no_content', 'repeated', 'not_competent'];
const DAY = 86400000;

export function appealsModule({ db, HttpErr, bad, send, rolesOf, byCode, route, ancestors }) {
	const appeals = [];
	const files = [];
	const notes = [];
	const settings = new Map();
	let seq = 1, fseq = 1, nseq = 1, eseq = 1;

	const userName = (id) => (db.users.find((u) => u.id === id) || {}).name || null;
	const orgName = (id) => (db.orgs.find((o) => o.id === id) || {}).name || null;
	const topicOf = (id) => db.topics.find((x) => x.id === id);
	const terrOf = (id) => db.territories.find((x) => x.id === id);
	const orgChain = (oid) => {
		const out = [];
		for (let o = db.orgs.find((x) => x.id === oid); o; o = db.orgs.find((x) => x.id === o.parent_id))
			out.push(o.id);
		return out;
	};
	function rights(u, a) {
		const r = new Set();
		if (!u)
			return r;
		if (a.author_id === u.id)
			r.add('author');
		if (a.coauthors.includes(u.id))
			r.add('coauthor');
		for (const role of rolesOf(u)) {
			if (role.role === 'admin')
				['exec', 'super', 'coord', 'admin'].forEach((x) => r.add(x));
			if (role.role === 'executor' && a.org_id != null && role.org_id === a.org_id)
				r.add('exec');
			if (role.role === 'supervisor' && a.org_id != null && orgChain(a.org_id).includes(role.org_id))
				r.add('super');
			if (role.role === 'coordinator' && ancestors(a.territory_id).includes(role.territory_id))
				r.add('coord');
		}
		return r;
	}
	const staff = (r) => r.has('exec') || r.has('super') || r.has('coord');
	function allowed(u, a, r) {
		const st = a.status, out = [];
		const work = r.has('exec') || r.has('super');
		if (r.has('coord') && st === 'submitted')
			out.push('route');
		if (work && ['routed', 'redirected'].includes(st))
			out.push('start');
		if (work && OPEN.has(st))
			out.push('assign');
		if ((work || r.has('coord')) && ['routed', 'redirected', 'in_progress', 'clarified'].includes(st))
			out.push('redirect');
		if (staff(r))
			out.push('notes');
		if (work && ['in_progress', 'clarified'].includes(st))
			out.push('answer_interim');
		if ((work && ['in_progress', 'clarified'].includes(st)) || (r.has('super') && st === 'rereview'))
			out.push('answer_final');
		if (r.has('super') && st === 'approval')
			out.push('approve');
		if (r.has('super') && ['approval', 'rereview'].includes(st))
			out.push('return');
		if (work && ['in_progress', 'clarified'].includes(st))
			out.push('clarification');
		if (r.has('author') && st === 'clarification')
			out.push('clarify');
		if (work && OPEN.has(st) && st !== 'clarification' && !a.extended)
			out.push('extend');
		if ((work || r.has('coord')) && ['submitted', 'routed', 'redirected', 'in_progress', 'clarified'].includes(st))
			out.push('reject');
		if ((work || r.has('coord')) && OPEN.has(st) && st !== 'approval')
			out.push('merge');
		if (r.has('author') && st === 'answered')
			out.push('rating');
		if (r.has('super') && st === 'rereview')
			out.push('rereview');
		if (u && !r.has('author') && !r.has('coauthor') && OPEN.has(st) && !staff(r))
			out.push('join');
		return out;
	}
	const overdue = (a) => OPEN.has(a.status) && a.status !== 'clarification' && a.deadline_at != null && a.deadline_at < Date.now();
	function brief(a) {
		const tp = topicOf(a.topic_id);
		return {
			id: a.id, status: a.status, channel: a.channel, topic_id: a.topic_id, topic_name: tp ? tp.name : null, category_id: tp ? tp.category_id : null,
			territory_id: a.territory_id, territory_name: (terrOf(a.territory_id) || {}).name || null, org_id: a.org_id, org_name: orgName(a.org_id),
			assignee_id: a.assignee_id, text: a.text.slice(0, 300), address: a.address, lat: a.lat, lon: a.lon, created_at: a.created_at,
			deadline_at: a.deadline_at, overdue: overdue(a), extended: a.extended, paused: a.status === 'clarification', problem_id: null,
		};
	}
	const fileBrief = (f) => ({ id: f.id, name: f.name, mime: f.mime, size: f.size, sha256: f.sha256 });
	function detail(u, a) {
		const r = rights(u, a);
		const isStaff = staff(r);
		const tp = topicOf(a.topic_id);
		const d = {
			...brief(a), token: a.token, category_name: tp ? (db.categories.find((c) => c.id === tp.category_id) || {}).name : null,
			text: a.text, author: isStaff ? { id: a.author_id, name: userName(a.author_id) } : { name: userName(a.author_id) },
			coauthors: a.coauthors.length, is_author: r.has('author'), is_coauthor: r.has('coauthor'),
			updated_at: a.updated_at, extension_reason: a.extension_reason, answered_at: a.answered_at, closed_at: a.closed_at,
			reject_reason: a.reject_reason, merged_into: a.merged_into, rating: a.rating,
			attachments: a.attachments.map((id) => fileBrief(files.find((f) => f.id === id))),
			answers: a.answers.filter((x) => isStaff || x.state === 'published').map((x) => ({ ...x, attachments: x.attachments.map((id) => fileBrief(files.find((f) => f.id === id))) })),
			timeline: a.events.filter((e) => isStaff || e.public),
			routes: a.routes, allowed_actions: allowed(u, a, r), version: a.version,
		};
		if (isStaff) {
			d.assignee_name = userName(a.assignee_id);
			d.suggested_topic_id = null;
			d.person = a.person;
		} else
			delete d.assignee_id;
		return d;
	}
	function notify(userIds, kind, title, a) {
		for (const uid of new Set(userIds))
			notes.push({ id: nseq++, user_id: uid, at: Date.now(), kind, title, body: a.text.slice(0, 120), appeal_id: a.id, read: false });
	}
	function event(a, u, kind, from, text, isPublic = true) {
		a.events.push({ id: eseq++, at: Date.now(), kind, status_from: from, status_to: a.status, actor_name: u ? u.name : null, text: text || null, public: isPublic });
		a.version++;
		a.updated_at = Date.now();
		if (isPublic)
			notify([a.author_id, ...a.coauthors].filter((x) => !u || x !== u.id), kind, `Обращение № ${a.id}: ${kind}`, a);
	}
	const usableFiles = (u, ids) => {
		for (const id of ids || []) {
			const f = files.find((x) => x.id === id);
			if (!f || f.owner !== u.id || f.used)
				throw bad('attachment_ids', 'Вложение не найдено или уже использовано.');
		}
		(ids || []).forEach((id) => { files.find((x) => x.id === id).used = true; });
		return ids || [];
	};
	const text1 = (v, field, max = 4000) => {
		if (typeof v !== 'string' || !v.trim())
			throw bad(field, 'Напишите текст.');
		if (v.trim().length > max)
			throw bad(field, `Текст длиннее ${max} символов.`);
		return v.trim();
	};
	const visible = (u, a) => {
		const r = rights(u, a);
		return r.size > 0;
	};
	const STATUS_RU = { submitted: 'на распределении', routed: 'направлено исполнителю', redirected: 'перенаправлено', in_progress: 'в работе', clarification: 'запрошено уточнение', clarified: 'уточнено', approval: 'ответ на согласовании', answered: 'дан ответ', rereview: 'повторное рассмотрение', closed: 'закрыто', rejected: 'отклонено', merged: 'объединено' };

	function act(u, a, action, b) {
		const r = rights(u, a);
		const can = allowed(u, a, r);
		const name = action === 'answers' ? `answer_${b && b.kind === 'interim' ? 'interim' : 'final'}` : action;
		if (!can.includes(name)) {
			if (['approve', 'return', 'rereview'].includes(action) && !r.has('super'))
				throw new HttpErr(403, 'forbidden', 'Недостаточно прав.');
			throw new HttpErr(409, 'conflict', `Действие недоступно в статусе «${STATUS_RU[a.status]}». Доступно: ${can.join(', ') || 'ничего'}.`);
		}
		const from = a.status;
		b = b || {};
		switch (action) {
		case 'route': {
			const org = db.orgs.find((o) => o.id === b.org_id);
			if (!org) throw bad('org_id', 'Выберите организацию.');
			a.routes.push({ at: Date.now(), kind: 'triage', from_org_id: null, from_org_name: null, to_org_id: org.id, to_org_name: org.name, reason: b.comment || null });
			a.org_id = org.id;
			a.status = 'routed';
			event(a, u, 'routed', from, b.comment);
			break;
		}
		case 'start':
			a.status = 'in_progress';
			if (a.assignee_id == null) a.assignee_id = u.id;
			event(a, u, 'start', from);
			break;
		case 'assign': {
			if (!Number.isInteger(b.user_id) || !db.roles.some((x) => x.user_id === b.user_id && x.role === 'executor' && x.org_id === a.org_id))
				throw bad('user_id', 'Этот пользователь не исполнитель этой организации.');
			a.assignee_id = b.user_id;
			if (['routed', 'redirected'].includes(a.status)) a.status = 'in_progress';
			event(a, u, 'assign', from, null, false);
			break;
		}
		case 'redirect': {
			const reason = text1(b.reason, 'reason', 2000);
			const org = b.org_id == null ? null : db.orgs.find((o) => o.id === b.org_id);
			if (b.org_id != null && !org) throw bad('org_id', 'Нет такой организации.');
			a.routes.push({ at: Date.now(), kind: 'redirect', from_org_id: a.org_id, from_org_name: orgName(a.org_id), to_org_id: org ? org.id : null, to_org_name: org ? org.name : null, reason });
			a.org_id = org ? org.id : null;
			a.assignee_id = null;
			a.status = org ? 'redirected' : 'submitted';
			event(a, u, 'redirect', from, reason);
			break;
		}
		case 'notes':
			event(a, u, 'note', from, text1(b.text, 'text'), false);
			break;
		case 'answers': {
			if (!['interim', 'final'].includes(b.kind)) throw bad('kind', 'Выберите вид ответа.');
			const text = text1(b.text, 'text');
			const att = usableFiles(u, b.attachment_ids);
			const needApproval = b.kind === 'final' && !!(db.orgs.find((o) => o.id === a.org_id) || {}).approval_required && !r.has('super');
			const ans = { id: a.answers.length + 1, kind: b.kind, state: needApproval ? 'pending' : 'published', text, org_id: a.org_id, org_name: orgName(a.org_id), author_name: u.name, created_at: Date.now(), published_at: needApproval ? null : Date.now(), attachments: att };
			a.answers.push(ans);
			if (b.kind === 'final') {
				a.status = needApproval ? 'approval' : 'answered';
				if (!needApproval) a.answered_at = Date.now();
			}
			event(a, u, b.kind === 'final' ? 'answer' : 'interim_answer', from, text, !needApproval);
			return 201;
		}
		case 'approve':
			a.answers.filter((x) => x.state === 'pending').forEach((x) => { x.state = 'published'; x.published_at = Date.now(); });
			a.status = 'answered';
			a.answered_at = Date.now();
			event(a, u, 'approve', from, b.comment);
			break;
		case 'return':
			if (from === 'approval' && !(b.comment || '').trim()) throw bad('comment', 'Напишите, что исправить.');
			a.answers.filter((x) => x.state === 'pending').forEach((x) => { x.state = 'returned'; });
			a.status = 'in_progress';
			event(a, u, 'return', from, b.comment, false);
			break;
		case 'clarification':
			a.status = 'clarification';
			a.paused_at = Date.now();
			event(a, u, 'clarification', from, text1(b.text, 'text'));
			break;
		case 'clarify': {
			const text = text1(b.text, 'text');
			usableFiles(u, b.attachment_ids);
			a.deadline_at += Date.now() - (a.paused_at || Date.now());
			a.status = 'clarified';
			event(a, u, 'clarify', from, text);
			break;
		}
		case 'extend':
			if (!Number.isInteger(b.days) || b.days < 1 || b.days > 30) throw bad('days', 'Продление: от 1 до 30 рабочих дней.');
			a.extension_reason = text1(b.reason, 'reason', 2000);
			a.extended = true;
			a.deadline_at += b.days * DAY;
			event(a, u, 'extend', from, a.extension_reason);
			break;
		case 'reject':
			if (!REASONS.includes(b.reason)) throw bad('reason', 'Выберите причину.');
			a.reject_reason = b.reason;
			a.status = 'rejected';
			a.closed_at = Date.now();
			event(a, u, 'reject', from, b.comment);
			break;
		case 'merge': {
			const into = appeals.find((x) => x.id === b.into_id);
			if (!into || into === a || !OPEN.has(into.status) || !visible(u, into)) throw bad('into_id', 'Нет такого открытого обращения.');
			a.merged_into = into.id;
			a.status = 'merged';
			for (const x of [a.author_id, ...a.coauthors])
				if (x !== into.author_id && !into.coauthors.includes(x)) into.coauthors.push(x);
			event(a, u, 'merge', from, `№ ${into.id}`);
			break;
		}
		case 'rating':
			if (!Number.isInteger(b.score) || b.score < 1 || b.score > 5) throw bad('score', 'Оценка от 1 до 5.');
			if (typeof b.solved !== 'boolean') throw bad('solved', 'Укажите, решена ли проблема.');
			a.rating = { score: b.score, solved: b.solved, comment: b.comment || null, at: Date.now() };
			a.status = b.score <= 3 || !b.solved ? 'rereview' : 'closed';
			if (a.status === 'closed') a.closed_at = Date.now();
			event(a, u, 'rating', from, b.comment);
			break;
		case 'rereview':
			if (b.decision !== 'uphold') throw bad('decision', 'Недопустимое решение.');
			a.status = 'closed';
			a.closed_at = Date.now();
			event(a, u, 'rereview', from, text1(b.comment, 'comment', 2000));
			break;
		case 'join':
			a.coauthors.push(u.id);
			event(a, u, 'join', from, null, false);
			break;
		default:
			throw new HttpErr(404, 'not_found', 'Нет такого действия.');
		}
		return 200;
	}

	function words(s) {
		return (s || '').toLowerCase().split(/[^a-zа-яё0-9]+/).filter((w) => w.length > 3).map((w) => w.slice(0, 5));
	}

	// Returns true when the request was handled.
	return async function handle(req, res, url, s, rawBuf, needCsrf) {
		const p = url.pathname, m = req.method;
		const json = () => {
			if (!rawBuf.length) return {};
			try { return JSON.parse(rawBuf.toString('utf8')); } catch { throw new HttpErr(400, 'invalid_input', 'Неверный JSON.'); }
		};
		const u = s ? s.user : null;
		if (p === '/api/appeals/suggest' && m === 'POST') {
			const b = json();
			const w = words(b.text);
			const scored = db.topics.map((tp) => ({ tp, n: words(`${tp.name} ${tp.hint || ''}`).filter((x) => w.includes(x)).length })).filter((x) => x.n > 0)
				.sort((x, y) => y.n - x.n).slice(0, 3);
			const topicId = b.topic_id || (scored[0] && scored[0].tp.id) || null;
			let org = null;
			if (topicId && b.territory_id) {
				const rt = route(topicId, b.territory_id);
				if (rt.org_id) org = { org_id: rt.org_id, org_name: orgName(rt.org_id), reason: rt.reason };
			}
			const nearby = topicId ? appeals.filter((a) => a.topic_id === topicId && OPEN.has(a.status) && (!b.territory_id || a.territory_id === b.territory_id))
				.slice(-5).map((a) => ({ id: a.id, topic_name: topicOf(a.topic_id).name, text: a.text.slice(0, 300), address: a.address, created_at: a.created_at, status: a.status, coauthors: a.coauthors.length, distance_m: null })) : [];
			const answers = appeals.filter((a) => a.topic_id === topicId).flatMap((a) => a.answers.filter((x) => x.kind === 'final' && x.state === 'published').map((x) => ({ appeal_id: a.id, topic_name: topicOf(a.topic_id).name, text: x.text }))).slice(0, 3);
			send(res, 200, { topics: scored.map((x) => ({ topic_id: x.tp.id, topic_name: x.tp.name, category_id: x.tp.category_id, prob: x.n / (w.length || 1) })), org, hint: topicId ? topicOf(topicId).hint || '' : '', nearby, answers });
			return true;
		}
		if (p === '/api/attachments' && m === 'POST') {
			needCsrf();
			const b = rawBuf;
			if (b.length > 10 * 1024 * 1024) throw new HttpErr(413, 'too_large', 'Файл больше 10 МБ.');
			const mime = b[0] === 0xff && b[1] === 0xd8 ? 'image/jpeg' : b.slice(0, 4).toString('latin1') === '\x89PNG' ? 'image/png' : b.slice(0, 4).toString('latin1') === '%PDF' ? 'application/pdf' : b.slice(0, 3).toString('latin1') === 'GIF' ? 'image/gif' : null;
			if (!mime) throw new HttpErr(415, 'unsupported_media_type', 'Можно приложить только JPEG, PNG, WebP, GIF или PDF.');
			const f = { id: fseq++, owner: u.id, name: url.searchParams.get('name') || 'file', mime, size: b.length, sha256: crypto.createHash('sha256').update(b).digest('hex'), data: b, used: false };
			files.push(f);
			send(res, 201, fileBrief(f));
			return true;
		}
		let mm = /^\/api\/attachments\/(\d+)$/.exec(p);
		if (mm && m === 'GET') {
			if (!u) throw new HttpErr(401, 'unauthorized', 'Войдите в систему.');
			const f = files.find((x) => x.id === Number(mm[1]));
			if (!f) throw new HttpErr(404, 'not_found', 'Нет такого файла.');
			res.writeHead(200, { 'Content-Type': f.mime, 'Content-Disposition': `attachment; filename="file"`, 'X-Content-Type-Options': 'nosniff' });
			res.end(f.data);
			return true;
		}
		if (p === '/api/notifications' && m === 'GET') {
			if (!u) throw new HttpErr(401, 'unauthorized', 'Войдите в систему.');
			let items = notes.filter((x) => x.user_id === u.id).sort((x, y) => y.id - x.id);
			const unread = items.filter((x) => !x.read).length;
			if (url.searchParams.get('unread') === '1') items = items.filter((x) => !x.read);
			const limit = Number(url.searchParams.get('limit') || 50), offset = Number(url.searchParams.get('offset') || 0);
			send(res, 200, { items: items.slice(offset, offset + limit).map(({ user_id, ...x }) => x), total: items.length, unread });
			return true;
		}
		if (p === '/api/notifications/read' && m === 'POST') {
			needCsrf();
			const b = json();
			notes.filter((x) => x.user_id === u.id && (b.all || (b.ids || []).includes(x.id))).forEach((x) => { x.read = true; });
			send(res, 200, { unread: notes.filter((x) => x.user_id === u.id && !x.read).length });
			return true;
		}
		if (p === '/api/notifications/settings') {
			if (!u) throw new HttpErr(401, 'unauthorized', 'Войдите в систему.');
			if (m === 'PUT') {
				needCsrf();
				const b = json();
				if (!['instant', 'digest', 'off'].includes(b.email)) throw bad('email', 'Недопустимое значение.');
				settings.set(u.id, b.email);
			}
			send(res, 200, { email: settings.get(u.id) || 'instant' });
			return true;
		}
		if (!p.startsWith('/api/appeals'))
			return false;
		if (!u) throw new HttpErr(401, 'unauthorized', 'Войдите в систему.');
		if (p === '/api/appeals' && m === 'POST') {
			needCsrf();
			const b = json();
			const text = text1(b.text, 'text');
			if (!topicOf(b.topic_id)) throw bad('topic_id', 'Выберите тему обращения.');
			if (b.lat != null && (typeof b.lat !== 'number' || b.lat < -90 || b.lat > 90)) throw bad('lat', 'Широта от −90 до 90.');
			let terr = b.territory_id;
			if (terr == null && b.lat != null) terr = byCode('territories', 'klu-kaluga').id;
			if (!terrOf(terr)) throw bad('territory_id', 'Укажите территорию или точку на карте.');
			const channel = b.channel || 'web';
			if (!['web', 'widget', 'api', 'operator'].includes(channel)) throw bad('channel', 'Недопустимый канал.');
			const att = usableFiles(u, b.attachment_ids);
			const rt = route(b.topic_id, terr);
			const now = Date.now();
			const a = {
				id: seq++, token: crypto.randomBytes(8).toString('hex'), status: rt.org_id ? 'routed' : 'submitted', channel, topic_id: b.topic_id, territory_id: terr,
				org_id: rt.org_id, assignee_id: null, text, address: b.address || null, lat: b.lat ?? null, lon: b.lon ?? null, author_id: u.id, coauthors: [],
				created_at: now, updated_at: now, deadline_at: now + 5 * DAY, extended: false, extension_reason: null, answered_at: null, closed_at: null,
				reject_reason: null, merged_into: null, rating: null, attachments: att, answers: [], events: [], routes: [], version: 1, person: null,
			};
			if (rt.org_id) a.routes.push({ at: now, kind: 'auto', from_org_id: null, from_org_name: null, to_org_id: rt.org_id, to_org_name: orgName(rt.org_id), reason: rt.reason });
			appeals.push(a);
			a.events.push({ id: eseq++, at: now, kind: 'submitted', status_from: null, status_to: a.status, actor_name: u.name, text: null, public: true });
			if (rt.org_id) notify(db.roles.filter((x) => x.role === 'executor' && x.org_id === rt.org_id).map((x) => x.user_id), 'routed', `Новое обращение № ${a.id}`, a);
			send(res, 201, detail(u, a));
			return true;
		}
		if (p === '/api/appeals' && m === 'GET') {
			const sp = url.searchParams;
			const roles = rolesOf(u);
			const isStaffUser = roles.some((x) => ['executor', 'supervisor', 'coordinator', 'admin'].includes(x.role));
			const queue = sp.get('queue') || (isStaffUser ? 'org' : 'authored');
			let items = appeals.filter((a) => {
				const r = rights(u, a);
				if (queue === 'authored') return r.has('author') || r.has('coauthor');
				if (!staff(r)) return false;
				const open = OPEN.has(a.status);
				switch (queue) {
				case 'mine': return open && a.assignee_id === u.id;
				case 'org': return open && (r.has('exec') || r.has('super'));
				case 'new': return ['routed', 'redirected'].includes(a.status);
				case 'overdue': return overdue(a);
				case 'due_soon': return open && !overdue(a) && a.deadline_at - Date.now() < DAY;
				case 'triage': return a.status === 'submitted' && r.has('coord');
				case 'approval': return a.status === 'approval';
				case 'rereview': return a.status === 'rereview';
				case 'waiting': return a.status === 'clarification';
				default: return true;
				}
			});
			for (const f of ['status', 'topic_id', 'territory_id', 'org_id', 'assignee_id']) {
				const v = sp.get(f);
				if (v) items = items.filter((a) => String(a[f]) === v);
			}
			if (sp.get('created_from')) items = items.filter((a) => a.created_at >= Number(sp.get('created_from')));
			if (sp.get('created_to')) items = items.filter((a) => a.created_at <= Number(sp.get('created_to')));
			const q = words(sp.get('q'));
			if (q.length) items = items.filter((a) => { const w = words(a.text); return q.every((x) => w.includes(x)); });
			items = items.slice().sort((x, y) => y.created_at - x.created_at || y.id - x.id);
			const limit = Math.min(Number(sp.get('limit') || 50), 100), offset = Number(sp.get('offset') || 0);
			send(res, 200, { items: items.slice(offset, offset + limit).map(brief), total: items.length });
			return true;
		}
		mm = /^\/api\/appeals\/(\d+)(?:\/(\w+))?$/.exec(p);
		if (!mm) return false;
		const a = appeals.find((x) => x.id === Number(mm[1]));
		if (!a || (!visible(u, a) && mm[2] !== 'join')) throw new HttpErr(404, 'not_found', 'Обращение не найдено.');
		if (!mm[2] && m === 'GET') {
			send(res, 200, detail(u, a));
			return true;
		}
		if (mm[2] && m === 'POST') {
			needCsrf();
			const status = act(u, a, mm[2], json());
			send(res, status, detail(u, a));
			return true;
		}
		return false;
	};
}
