// ratings.js: ratings of bodies, executors and regions (#/ratings): the region rating with score, rank,
// change arrows, improved/worsened/same counts and the top 10; a region's indicators with a drill-down to
// the appeals behind each; bodies and executors ranked by speed, quality and load against the period before;
// the weights (editable by admins). docs/ratings.md. User data reaches the page through textContent only.
import { t, h, clear, api, qs, announce, addRoute, navHooks, parseHash, hasRole, isAdmin, makeField, pageHead, badge, table, orgLabel } from './app.js';

const ROUTE = '/ratings';
const TABS = ['regions', 'bodies', 'executors', 'weights'];

const canBodies = () => hasRole('supervisor') || hasRole('coordinator') || hasRole('admin');
const canExecutors = () => hasRole('supervisor') || hasRole('admin');
const canDrill = () => hasRole('coordinator') || hasRole('admin');

const nf = (v, digits = 0) => (v == null ? '—' : Number(v).toLocaleString('ru-RU', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const pct = (v) => (v == null ? '—' : `${nf(v * 100, 1)} %`);
const hours = (v) => (v == null ? '—' : t('rt.hours', { n: nf(v, 1) }));

// A value as its unit shows it.
function valueText(unit, v) {
	if (v == null)
		return t('rt.noData');
	if (unit === 'share')
		return pct(v);
	if (unit === 'hours')
		return hours(v);
	return nf(v, 2);
}

// ▲ / ▼ / = / «new» for a change (of score points, or of rank positions).
function changeNode(trend, change) {
	if (trend === 'new')
		return badge(t('rt.trend.new'), 'neutral');
	if (trend === 'none' || change == null)
		return h('span', { class: 'muted', text: '—' });
	const kind = change > 0 ? 'up' : change < 0 ? 'down' : 'same';
	const sign = change > 0 ? '+' : '';
	return h('span', { class: `rt-change rt-${kind}` },
		h('span', { 'aria-hidden': 'true', text: kind === 'up' ? '▲ ' : kind === 'down' ? '▼ ' : '= ' }),
		h('span', { class: 'sr-only', text: `${t(`rt.trend.${kind}`)}: ` }), `${sign}${nf(change, Number.isInteger(change) ? 0 : 1)}`);
}

function errorBox(e) {
	return h('p', { class: 'alert alert-error', role: 'alert', text: t('rt.loadFailed', { message: e && e.message ? e.message : t('err.generic') }) });
}

function link(params, text) {
	return h('a', { href: `#${ROUTE}${qs(params)}`, text });
}

/* ---------- the page ---------- */

async function pageRatings({ query }) {
	const p = Object.fromEntries(query.entries());
	const tabs = TABS.filter((x) => x === 'regions' || x === 'weights' || (x === 'bodies' && canBodies()) || (x === 'executors' && canExecutors()));
	const tab = tabs.includes(p.tab) ? p.tab : 'regions';
	const base = { from: p.from, to: p.to };
	const nav = h('nav', { class: 'rt-tabs queue-tabs', 'aria-label': t('rt.tabs') }, h('ul', null, tabs.map((x) => h('li', null,
		h('a', { href: `#${ROUTE}${qs({ tab: x === 'regions' ? null : x, ...base })}`, class: 'queue-tab', 'aria-current': x === tab ? 'page' : null, text: t(`rt.tab.${x}`) })))));
	const root = h('div', { class: 'page-ratings' }, pageHead(t('rt.title'), t('rt.lead')), nav);
	if (tab !== 'weights')
		root.append(periodForm(p, tab));
	const body = h('div', { class: 'rt-body' });
	root.append(body);
	try {
		if (tab === 'regions' && p.region)
			body.append(await regionView(p));
		else if (tab === 'regions')
			body.append(await regionsView(p));
		else if (tab === 'bodies')
			body.append(await bodiesView(p));
		else if (tab === 'executors')
			body.append(await executorsView(p));
		else
			body.append(await weightsView());
	} catch (e) {
		body.append(errorBox(e));
	}
	return root;
}

function periodForm(p, tab) {
	const fFrom = makeField({ name: 'from', label: t('rt.from'), type: 'date', filter: true }, p.from || '');
	const fTo = makeField({ name: 'to', label: t('rt.to'), type: 'date', filter: true }, p.to || '');
	const form = h('form', { class: 'rt-period work-filters', 'aria-label': t('rt.period') },
		h('div', { class: 'form-grid' }, fFrom.wrap, fTo.wrap),
		h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: t('rt.apply') })),
		tab === 'bodies' ? h('p', { class: 'field-hint', text: t('rt.monthsHint') }) : null);
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const next = { ...p, tab: tab === 'regions' ? null : tab, from: fFrom.control.value, to: fTo.control.value };
		location.hash = `#${ROUTE}${qs(next)}`;
	});
	return form;
}

function periodLine(r) {
	return h('p', { class: 'rt-periods muted', text: t('rt.periods', { from: r.period.from, to: r.period.to, pfrom: r.previous.from, pto: r.previous.to }) });
}

/* ---------- regions ---------- */

async function regionsView(p) {
	const r = await api('GET', `/api/ratings/regions${qs({ from: p.from, to: p.to })}`);
	const base = { from: p.from, to: p.to };
	const c = r.counts;
	const avgChange = r.average != null && r.previous_average != null ? Math.round((r.average - r.previous_average) * 10) / 10 : null;
	const summary = h('section', { class: 'card rt-summary', 'aria-labelledby': 'rt-sum-h' },
		h('h2', { id: 'rt-sum-h', text: t('rt.summary') }), periodLine(r),
		h('dl', { class: 'rt-figures' },
			h('div', null, h('dt', { text: t('rt.average') }), h('dd', null, h('strong', { text: nf(r.average, 1) }), ' ',
				r.previous_average != null ? h('span', { class: 'muted', text: t('rt.averageWas', { v: nf(r.previous_average, 1) }) }) : null, ' ',
				avgChange != null ? changeNode('x', avgChange) : null)),
			h('div', null, h('dt', { text: t('rt.rated') }), h('dd', { text: nf(c.rated) })),
			h('div', { class: 'rt-up' }, h('dt', { text: t('rt.improved') }), h('dd', { text: nf(c.improved) })),
			h('div', { class: 'rt-down' }, h('dt', { text: t('rt.worsened') }), h('dd', { text: nf(c.worsened) })),
			h('div', null, h('dt', { text: t('rt.same') }), h('dd', { text: nf(c.same) })),
			h('div', null, h('dt', { text: t('rt.new') }), h('dd', { text: nf(c.new) }))),
		h('p', { class: 'field-hint', text: t('rt.scaleHint', { scale: nf(r.scale), min: nf(r.min_appeals) }) }));
	const top = h('section', { class: 'card rt-top', 'aria-labelledby': 'rt-top-h' }, h('h2', { id: 'rt-top-h', text: t('rt.top') }),
		r.top.length ? h('ol', { class: 'rt-top-list' }, r.top.map((x) => h('li', { value: x.rank },
			link({ region: x.id, ...base }, x.name), ' — ', h('strong', { text: nf(x.score) }), ' ', changeNode(x.trend, x.change))))
			: h('p', { class: 'muted', text: t('rt.empty') }));
	const cols = [t('rt.col.rank'), t('rt.col.region'), t('rt.col.score'), t('rt.col.change'), t('rt.col.rankChange'),
		t('rt.group.connection'), t('rt.group.appeals'), t('rt.group.participation'), t('rt.col.received')].map((label) => ({ label }));
	const rows = r.items.map((x) => [
		x.rank == null ? h('span', { class: 'muted', text: t('rt.unrated') }) : String(x.rank),
		link({ region: x.id, ...base }, x.name),
		x.score == null ? '—' : h('strong', { text: nf(x.score) }),
		changeNode(x.trend, x.change),
		x.rank_change == null ? '—' : changeNode('x', x.rank_change),
		nf(x.groups.connection, 1), nf(x.groups.appeals, 1), x.groups.participation == null ? t('rt.noData') : nf(x.groups.participation, 1),
		nf(x.received)]);
	const list = h('section', { class: 'card', 'aria-labelledby': 'rt-list-h' }, h('h2', { id: 'rt-list-h', text: t('rt.regions') }),
		rows.length ? table(t('rt.regions'), cols, rows, { captionHidden: true }) : h('p', { class: 'muted', text: t('rt.empty') }));
	return h('div', { class: 'rt-regions' }, summary, top, list);
}

async function regionView(p) {
	const r = await api('GET', `/api/ratings/regions/${encodeURIComponent(p.region)}${qs({ from: p.from, to: p.to })}`);
	const base = { from: p.from, to: p.to };
	const g = r.region;
	const drillOut = h('div', { class: 'rt-drill', 'aria-live': 'polite' });
	const head = h('section', { class: 'card rt-region-head', 'aria-labelledby': 'rt-reg-h' },
		h('p', null, link(base, t('rt.back'))),
		h('h2', { id: 'rt-reg-h', text: g.name }), periodLine(r),
		h('dl', { class: 'rt-figures' },
			h('div', null, h('dt', { text: t('rt.col.score') }), h('dd', null, h('strong', { text: g.score == null ? t('rt.unrated') : nf(g.score) }), ' ', changeNode(g.trend, g.change))),
			h('div', null, h('dt', { text: t('rt.col.rank') }), h('dd', { text: g.rank == null ? '—' : String(g.rank) })),
			h('div', null, h('dt', { text: t('rt.prevScore') }), h('dd', { text: g.previous.score == null ? '—' : nf(g.previous.score) })),
			h('div', null, h('dt', { text: t('rt.col.received') }), h('dd', { text: nf(g.received) }))));
	const sections = ['connection', 'appeals', 'participation'].map((grp) => {
		const inds = r.indicators.filter((i) => i.group === grp);
		const cols = [t('rt.col.indicator'), t('rt.col.value'), t('rt.col.average'), t('rt.col.points'), t('rt.col.prevValue'), t('rt.col.appeals')].map((label) => ({ label }));
		const rows = inds.map((i) => [
			h('span', null, t(`rt.ind.${i.key}`), h('span', { class: 'muted rt-better', text: ` (${t(`rt.better.${i.better}`)})` })),
			i.available ? valueText(i.unit, i.value) : t('rt.noData'),
			i.available ? valueText(i.unit, i.average) : '—',
			i.available ? `${nf(i.points, 1)} / ${nf(i.max_points, 1)}` : t('rt.noData'),
			i.available ? valueText(i.unit, i.previous.value) : '—',
			i.drill && canDrill() ? h('button', { type: 'button', class: 'btn btn-small rt-drill-btn', 'data-key': i.key, text: t('rt.showAppeals'),
				onclick: () => drill(drillOut, i, 0) }) : '—']);
		return h('section', { class: 'card', 'aria-labelledby': `rt-g-${grp}` }, h('h2', { id: `rt-g-${grp}`, text: t(`rt.group.${grp}`) }),
			grp === 'participation' ? h('p', { class: 'field-hint', text: t('rt.participationHint') }) : null,
			table(t(`rt.group.${grp}`), cols, rows, { captionHidden: true }));
	});
	const bodies = h('section', { class: 'card', 'aria-labelledby': 'rt-bodies-h' }, h('h2', { id: 'rt-bodies-h', text: t('rt.bodies') }),
		r.bodies.length ? table(t('rt.bodies'), [t('rt.col.body'), t('rt.col.kind'), t('rt.col.connected'), t('rt.col.active')].map((label) => ({ label })),
			r.bodies.map((b) => [b.name, t(`org.kind.${b.kind}`), b.connected ? badge(t('common.yes'), 'ok') : badge(t('common.no'), 'muted'),
				b.active ? badge(t('common.yes'), 'ok') : badge(t('common.no'), 'muted')]), { captionHidden: true }) : h('p', { class: 'muted', text: t('rt.noBodies') }));
	return h('div', { class: 'rt-region' }, head, sections[0], sections[1], drillOut, sections[2], bodies);
}

// The appeals behind an indicator, a page at a time; only=bad first (those that lowered it).
async function drill(out, ind, offset, all = false) {
	clear(out).append(h('p', { class: 'loading', text: t('common.loading') }));
	let r;
	try {
		r = await api('GET', `${ind.drill}&limit=20&offset=${offset}${all ? '' : '&only=bad'}`);
	} catch (e) {
		clear(out).append(errorBox(e));
		return;
	}
	const cols = [t('rt.col.appeal'), t('rt.col.topic'), t('rt.col.territory'), t('rt.col.body'), t('rt.col.reviewHours'), t('rt.col.rating'), t('rt.col.flags')].map((label) => ({ label }));
	const flags = (a) => [a.late ? t('rt.flag.late') : null, a.redirected ? t('rt.flag.redirected') : null, a.rereview ? t('rt.flag.rereview') : null,
		a.rejected ? t('rt.flag.rejected') : null].filter(Boolean).join(', ') || '—';
	const rows = r.items.map((a) => [h('a', { href: `#/appeals/${a.id}`, text: `№ ${a.id}` }), a.topic_name || '—', a.territory_name || '—', a.org_name || '—',
		a.review_hours == null ? '—' : nf(a.review_hours), a.rating == null ? '—' : String(a.rating), flags(a)]);
	const title = t(all ? 'rt.drillAll' : 'rt.drillBad', { what: t(`rt.ind.${ind.key}`), n: nf(r.total) });
	const pager = h('p', { class: 'rt-pager' },
		offset > 0 ? h('button', { type: 'button', class: 'btn btn-small', text: t('rt.prev'), onclick: () => drill(out, ind, Math.max(0, offset - 20), all) }) : null, ' ',
		offset + r.items.length < r.total ? h('button', { type: 'button', class: 'btn btn-small', text: t('rt.next'), onclick: () => drill(out, ind, offset + 20, all) }) : null, ' ',
		h('button', { type: 'button', class: 'btn btn-small', text: t(all ? 'rt.onlyBad' : 'rt.showAll'), onclick: () => drill(out, ind, 0, !all) }));
	clear(out).append(h('section', { class: 'card', 'aria-labelledby': 'rt-drill-h' }, h('h2', { id: 'rt-drill-h', tabindex: '-1', text: title }),
		rows.length ? table(title, cols, rows, { captionHidden: true }) : h('p', { class: 'muted', text: t('rt.noAppeals') }), pager));
	out.querySelector('h2').focus();
}

/* ---------- bodies and executors ---------- */

function rankTable(caption, r, base, nameCell) {
	const cols = [t('rt.col.rank'), nameCell.label, t('rt.col.score'), t('rt.col.speed'), t('rt.col.quality'), t('rt.col.answered'), t('rt.col.onTime'),
		t('rt.col.median'), t('rt.col.satisfaction'), t('rt.col.rereview'), t('rt.col.redirect'), t('rt.col.load'), t('rt.col.change')].map((label) => ({ label }));
	const rows = r.items.map((x) => [
		x.rank == null ? h('span', { class: 'muted', text: t('rt.fewAnswers') }) : String(x.rank),
		nameCell.cell(x),
		x.score == null ? '—' : h('strong', { text: nf(x.score, 1) }),
		nf(x.speed, 1), nf(x.quality, 1), nf(x.answered), pct(x.on_time_share), hours(x.median_review_hours), pct(x.satisfaction), pct(x.rereview_share),
		x.redirect_share === undefined ? '—' : pct(x.redirect_share),
		`${nf(x.received)}${x.previous ? ` (${nf(x.previous.received)})` : ''}`,
		x.change == null ? (x.rank != null && x.previous.rank == null ? badge(t('rt.trend.new'), 'neutral') : '—') : changeNode('x', x.change)]);
	return h('div', null, periodLine(r), h('p', { class: 'field-hint', text: t('rt.bodiesHint', { min: nf(r.min_sample), m: nf(r.shrink) }) }),
		rows.length ? table(caption, cols, rows) : h('p', { class: 'muted', text: t('rt.empty') }));
}

async function bodiesView(p) {
	const r = await api('GET', `/api/ratings/bodies${qs({ from: p.from, to: p.to, territory_id: p.territory_id, org_id: p.org_id })}`);
	const base = { from: p.from, to: p.to };
	return h('section', { class: 'card', 'aria-labelledby': 'rt-b-h' }, h('h2', { id: 'rt-b-h', text: t('rt.tab.bodies') }),
		rankTable(t('rt.tab.bodies'), r, base, { label: t('rt.col.body'), cell: (x) => h('span', null,
			canExecutors() ? link({ tab: 'executors', org_id: x.id, ...base }, x.short_name || x.name) : (x.short_name || x.name),
			x.territory_name ? h('span', { class: 'muted', text: ` — ${x.territory_name}` }) : null) }));
}

async function executorsView(p) {
	const fOrg = makeField({ name: 'org_id', label: t('rt.org'), type: 'ref', filter: true, ref: { coll: 'orgs', search: true, empty: t('rt.orgMine'), label: orgLabel } }, p.org_id || '');
	const pick = h('form', { class: 'work-filters', 'aria-label': t('rt.org') }, h('div', { class: 'form-grid' }, fOrg.wrap),
		h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn', text: t('rt.show') })));
	pick.addEventListener('submit', (e) => {
		e.preventDefault();
		location.hash = `#${ROUTE}${qs({ tab: 'executors', org_id: fOrg.control.value, from: p.from, to: p.to })}`;
	});
	const box = h('section', { class: 'card', 'aria-labelledby': 'rt-e-h' }, h('h2', { id: 'rt-e-h', text: t('rt.tab.executors') }), pick);
	try {
		const r = await api('GET', `/api/ratings/executors${qs({ from: p.from, to: p.to, org_id: p.org_id })}`);
		box.append(rankTable(t('rt.tab.executors'), r, {}, { label: t('rt.col.executor'), cell: (x) => x.name }));
	} catch (e) {
		box.append(e.field === 'org_id' && e.status === 400 ? h('p', { class: 'muted', text: t('rt.pickOrg') }) : errorBox(e));
	}
	return box;
}

/* ---------- weights ---------- */

async function weightsView() {
	const w = await api('GET', '/api/ratings/weights');
	const admin = isAdmin();
	const inputs = new Map();
	const cols = [t('rt.col.indicator'), t('rt.col.group'), t('rt.col.bounds'), t('rt.col.weight'), t('rt.col.default')].map((label) => ({ label }));
	const rows = w.items.map((i) => {
		const label = t(`rt.ind.${i.key}`);
		let cell = String(i.weight);
		if (admin) {
			const inp = h('input', { type: 'number', min: 0, max: 1000, step: 1, value: String(i.weight), name: i.key, class: 'rt-weight', 'aria-label': t('rt.weightOf', { what: label }) });
			inputs.set(i.key, inp);
			cell = inp;
		}
		return [h('span', null, label, i.available ? null : h('span', { class: 'muted', text: ` (${t('rt.noData')})` })), t(`rt.group.${i.group}`),
			`${valueText(i.unit, i.bad)} → ${valueText(i.unit, i.good)}`, cell, String(i.default_weight)];
	});
	const err = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
	const box = h('section', { class: 'card', 'aria-labelledby': 'rt-w-h' }, h('h2', { id: 'rt-w-h', text: t('rt.tab.weights') }),
		h('p', { class: 'field-hint', text: t('rt.weightsHint', { scale: nf(w.scale), total: nf(w.total) }) }), table(t('rt.tab.weights'), cols, rows, { captionHidden: true }), err);
	if (admin) {
		const save = h('button', { type: 'submit', class: 'btn btn-primary', text: t('rt.save') });
		const reset = h('button', { type: 'button', class: 'btn', text: t('rt.defaults'), onclick: () => { for (const i of w.items) inputs.get(i.key).value = String(i.default_weight); } });
		const form = h('form', { class: 'rt-weights-form', novalidate: true }, box, h('div', { class: 'form-actions' }, save, reset));
		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			err.hidden = true;
			const weights = {};
			for (const [k, inp] of inputs)
				weights[k] = Number(inp.value);
			save.disabled = true;
			try {
				await api('PUT', '/api/ratings/weights', { weights });
				announce(t('rt.saved'));
			} catch (ex) {
				err.textContent = ex.message;
				err.hidden = false;
				const bad = ex.field && inputs.get(ex.field.replace(/^weights\./, ''));
				if (bad) {
					bad.setAttribute('aria-invalid', 'true');
					bad.focus();
				}
			} finally {
				save.disabled = false;
			}
		});
		return form;
	}
	return box;
}

/* ---------- route and the menu entry (everyone: the region rating is public) ---------- */

navHooks.push(() => {
	const ul = document.getElementById('nav-list');
	if (!ul || ul.querySelector(`a[href="#${ROUTE}"]`))
		return;
	const path = parseHash().path;
	const li = h('li', null, h('a', { href: `#${ROUTE}`, 'aria-current': path === ROUTE ? 'page' : null, text: t('nav.ratings') }));
	const anchor = ul.querySelector('a[href="#/profile"]') || ul.querySelector('a[href="#/login"]');
	if (anchor)
		anchor.parentElement.before(li);
	else
		ul.append(li);
});

addRoute(ROUTE, { page: pageRatings });
