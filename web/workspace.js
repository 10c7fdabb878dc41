// workspace.js: the staff workspace (#/work: queues, filters, paging), notifications (#/notifications, the bell
// in the header with the unread count, e-mail settings). User data reaches the page through textContent only.
import {
	t, plural, h, add, clear, api, qs, listAll, state, announce, addRoute, navHooks, isStaff, hasRole, makeField, makeForm, pageHead, table,
} from './app.js';
import { statusBadge, deadlineNode, fmtDate, pager } from './appeals.js';

const PAGE = 50;
const STATUSES = ['submitted', 'routed', 'redirected', 'in_progress', 'clarification', 'clarified', 'approval', 'answered', 'rereview', 'closed', 'rejected', 'merged'];

// The queues that make sense for the caller's roles, in tab order.
function queuesFor() {
	const q = new Set();
	if (hasRole('executor'))
		['mine', 'org', 'new', 'overdue', 'due_soon', 'waiting'].forEach((x) => q.add(x));
	if (hasRole('supervisor'))
		['org', 'new', 'overdue', 'due_soon', 'approval', 'rereview', 'waiting'].forEach((x) => q.add(x));
	if (hasRole('coordinator'))
		['triage', 'new', 'overdue', 'waiting'].forEach((x) => q.add(x));
	if (hasRole('admin'))
		['triage', 'new', 'overdue', 'due_soon', 'approval', 'rereview', 'waiting'].forEach((x) => q.add(x));
	const order = ['mine', 'org', 'new', 'triage', 'overdue', 'due_soon', 'waiting', 'approval', 'rereview'];
	return [...order.filter((x) => q.has(x)), 'all'];
}

/* ---------- #/work ---------- */

async function pageWork({ query }) {
	if (!isStaff())
		return messagePageText();
	const queues = queuesFor();
	// The default is everything open at my organisation (or the triage queue for coordinators).
	const queue = queues.includes(query.get('queue')) ? query.get('queue') : ['org', 'triage', ...queues].find((x) => queues.includes(x));
	const [cats, topics] = await Promise.all([listAll('categories').catch(() => []), listAll('topics').catch(() => [])]);
	const catName = new Map(cats.map((c) => [c.id, c.name]));
	const topicOpts = topics.slice().sort((a, b) => (catName.get(a.category_id) || '').localeCompare(catName.get(b.category_id) || '', 'ru') || a.name.localeCompare(b.name, 'ru'))
		.map((x) => [String(x.id), `${catName.get(x.category_id) || '?'} / ${x.name}`]);

	const tabs = h('nav', { class: 'queue-tabs', 'aria-label': t('work.queues') }, h('ul', null, queues.map((q) => h('li', null,
		h('a', { href: `#/work?queue=${q}`, class: 'queue-tab', 'aria-current': q === queue ? 'page' : null, text: t(`queue.${q}`) })))));

	const st = { offset: 0, filters: {} };
	const fStatus = makeField({ name: 'status', label: t('work.status'), type: 'select', options: [['', t('common.all')], ...STATUSES.map((s) => [s, t(`status.${s}`)])] });
	const fTopic = makeField({ name: 'topic_id', label: t('work.topic'), type: 'select', options: [['', t('common.all')], ...topicOpts] });
	const fTerr = makeField({ name: 'territory_id', label: t('work.territory'), type: 'ref', ref: { coll: 'territories', search: true, empty: t('common.all'), label: (o) => o.name } });
	const fQ = makeField({ name: 'q', label: t('work.q'), type: 'search' });
	const fFrom = makeField({ name: 'created_from', label: t('work.from'), type: 'date' });
	const fTo = makeField({ name: 'created_to', label: t('work.to'), type: 'date' });
	const filterFields = [fStatus, fTopic, fTerr, fQ, fFrom, fTo];
	const filters = h('form', { class: 'work-filters', role: 'search', 'aria-label': t('work.filters') },
		h('div', { class: 'form-grid' }, filterFields.map((f) => f.wrap)),
		h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: t('work.apply') }),
			h('button', { type: 'reset', class: 'btn', text: t('common.reset') })));
	const out = h('div', { class: 'work-list' });
	const dayMs = (v, end) => {
		if (!v)
			return null;
		const d = new Date(`${v}T00:00:00`);
		return Number.isNaN(d.getTime()) ? null : d.getTime() + (end ? 86400000 - 1 : 0);
	};
	async function load(offset, announceIt) {
		st.offset = offset;
		const params = { queue, limit: PAGE, offset, status: st.filters.status, topic_id: st.filters.topic_id, territory_id: st.filters.territory_id, q: st.filters.q,
			created_from: dayMs(st.filters.created_from, false), created_to: dayMs(st.filters.created_to, true) };
		let r;
		try {
			r = await api('GET', `/api/appeals${qs(params)}`);
		} catch (e) {
			clear(out).append(h('p', { class: 'alert alert-error', role: 'alert', text: t('err.loadFailed', { message: e.message }) }));
			return;
		}
		clear(out);
		if (!r.items.length)
			out.append(h('p', { class: 'empty', text: t('common.empty') }));
		else
			add(out, [table(t('list.caption'), [
				{ label: t('work.col.id') }, { label: t('work.col.status') }, { label: t('work.col.topic') }, { label: t('work.col.place') },
				{ label: t('work.col.text'), cls: 'col-text' }, { label: t('work.col.created') }, { label: t('work.col.deadline') },
			], r.items.map((a) => [
				h('a', { href: `#/appeals/${a.id}`, 'aria-label': t('work.open', { id: a.id }), text: `№ ${a.id}` }),
				statusBadge(a.status),
				a.topic_name || '—',
				[a.territory_name || '—', a.address ? h('span', { class: 'sub', text: a.address }) : null],
				h('span', { class: 'cell-text', text: a.text.length > 160 ? `${a.text.slice(0, 160)}…` : a.text }),
				fmtDate(a.created_at),
				deadlineNode(a),
			]), { captionHidden: true }), pager(r.total, offset, PAGE, (o) => load(o, false))]);
		if (announceIt)
			announce(t('common.found', { total: r.total }));
	}
	filters.addEventListener('submit', (e) => {
		e.preventDefault();
		filterFields.forEach((f) => { st.filters[f.def.name] = f.get(); });
		load(0, true);
	});
	filters.addEventListener('reset', () => {
		setTimeout(() => {
			st.filters = {};
			fTerr.set(null);
			load(0, true);
		}, 0);
	});
	await load(0, false);
	// On a phone the filters fold away behind their title; open on wider screens and whenever one is set.
	const wide = !window.matchMedia || window.matchMedia('(min-width: 761px)').matches;
	const fold = h('details', { class: 'work-filters-box card', open: wide }, h('summary', null, h('span', { class: 'strong', text: t('work.filters') })), filters);
	return h('div', { class: 'page-work' }, pageHead(t('work.title'), t('work.lead')), tabs, fold, out);
}

function messagePageText() {
	return h('div', { class: 'page-narrow' }, h('h1', { text: t('err.forbiddenTitle') }), h('p', { class: 'alert alert-warn', role: 'alert', text: t('work.forbidden') }));
}

/* ---------- the bell ---------- */

let bellTimer = 0;
let bellSeq = 0;
async function refreshBell() {
	const bell = document.getElementById('bell');
	if (!bell)
		return;
	if (!state.me) {
		bell.hidden = true;
		return;
	}
	bell.hidden = false;
	const my = ++bellSeq;
	let unread = 0;
	try {
		const r = await fetch('/api/notifications?limit=1', { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
		if (!r.ok)
			throw new Error(String(r.status));
		unread = (await r.json()).unread || 0;
	} catch {
		unread = 0;
	}
	if (my !== bellSeq)
		return;
	const count = document.getElementById('bell-count');
	count.textContent = unread > 99 ? '99+' : String(unread);
	count.hidden = !unread;
	bell.setAttribute('aria-label', unread ? plural('bell.unread', unread) : t('bell.label'));
	bell.title = bell.getAttribute('aria-label');
	bell.setAttribute('aria-current', location.hash.startsWith('#/notifications') ? 'page' : 'false');
}

function startBell() {
	clearInterval(bellTimer);
	refreshBell();
	bellTimer = setInterval(refreshBell, 30000);
}

let lastUser = undefined;
navHooks.push(() => {
	const uidNow = state.me ? state.me.user.id : null;
	if (uidNow !== lastUser) {
		lastUser = uidNow;
		startBell();
	} else {
		const bell = document.getElementById('bell');
		if (bell)
			bell.setAttribute('aria-current', location.hash.startsWith('#/notifications') ? 'page' : 'false');
	}
});
document.addEventListener('otklik:changed', refreshBell);

/* ---------- #/notifications ---------- */

async function pageNotifications() {
	const list = h('div', { class: 'notif-list' });
	const readAll = h('button', { type: 'button', class: 'btn', text: t('notif.readAll') });
	const load = async (offset) => {
		const r = await api('GET', `/api/notifications${qs({ limit: PAGE, offset })}`);
		clear(list);
		readAll.disabled = !r.unread;
		if (!r.items.length) {
			list.append(h('p', { class: 'empty', text: t('notif.empty') }));
			return;
		}
		add(list, [h('ul', { class: 'plain notifs' }, r.items.map((n) => h('li', { class: `notif card${n.read ? '' : ' notif-unread'}` },
			h('p', { class: 'notif-head' }, n.read ? null : [badge2(t('notif.unread')), ' '], h('span', { class: 'strong', text: n.title || '' })),
			n.body ? h('p', { class: 'notif-body', text: n.body }) : null,
			h('p', { class: 'muted small' }, fmtDate(n.at), n.appeal_id != null ? [' · ', h('a', { href: `#/appeals/${n.appeal_id}`, text: t('notif.open', { id: n.appeal_id }) })] : null)))),
		pager(r.total, offset, PAGE, load)]);
	};
	readAll.addEventListener('click', async () => {
		try {
			await api('POST', '/api/notifications/read', { all: true });
			announce(t('notif.marked'));
			await load(0);
			refreshBell();
			readAll.focus();
		} catch (e) {
			announce(e.message, 'error');
		}
	});
	await load(0);
	let settings = { email: 'instant' };
	try {
		settings = await api('GET', '/api/notifications/settings');
	} catch {
		/* the defaults stay */
	}
	const f = makeForm({
		fields: [{ name: 'email', label: t('notif.email'), type: 'radio', required: true, options: ['instant', 'digest', 'off'].map((x) => [x, t(`notif.email.${x}`)]) }],
		values: settings, labelledBy: 'notif-set-h',
		onSubmit: async (v) => {
			await api('PUT', '/api/notifications/settings', { email: v.email });
			announce(t('notif.saved'));
		},
	});
	refreshBell();
	return h('div', { class: 'page-notifs page-narrow' }, pageHead(t('notif.title'), t('notif.lead')),
		h('p', null, readAll), list,
		h('section', { class: 'card notif-settings', 'aria-labelledby': 'notif-set-h' }, h('h2', { id: 'notif-set-h', text: t('notif.settings') }), f.form));
}

const badge2 = (text) => h('span', { class: 'badge badge-neutral', text });

addRoute('/work', { page: pageWork, auth: true });
addRoute('/notifications', { page: pageNotifications, auth: true });

export { refreshBell };
