// projects.js: the project map (#/projects): a list and an SVG map of the region drawn from the territories'
// polygons (no tiles, no external services), each project's public page with its stages and the residents' answer,
// and the coordinator's form (#/projects/new?problem=ID, #/projects/{id}/edit). docs/projects.md.
import {
	t, plural, h, api, qs, listAll, announce, go, addRoute, navHooks, parseHash, hasRole, makeForm, pageHead, badge,
	ApiError, orgLabel,
} from './app.js';
import { fmtDate } from './appeals.js';

const STATUSES = ['planned', 'in_progress', 'done', 'attention'];
const STATUS_KIND = { planned: 'neutral', in_progress: 'warn', done: 'ok', attention: 'err' };
const SVGNS = 'http://www.w3.org/2000/svg';
const MAP_W = 640;

const canCoordinate = () => hasRole('coordinator') || hasRole('admin');
const statusBadge = (s) => badge(t(`pr.status.${s}`), STATUS_KIND[s]);
const fmtBudget = (v) => (v == null ? t('pr.noBudget') : `${new Intl.NumberFormat('ru-RU').format(v)} ₽`);
const fmtDay = (d) => (d ? new Date(`${d}T12:00:00Z`).toLocaleDateString('ru-RU', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }) : t('pr.noDeadline'));

function progressBar(p) {
	const id = `pr-prog-${p.id}-${Math.random().toString(36).slice(2, 7)}`;
	return h('div', { class: 'pr-progress' },
		h('label', { for: id, class: 'pr-progress-label', text: t('pr.progress', { n: p.progress }) }),
		h('progress', { id, max: '100', value: String(p.progress) }));
}

/* ---------- the map ---------- */

function svg(tag, attrs, ...kids) {
	const el = document.createElementNS(SVGNS, tag);
	for (const [k, v] of Object.entries(attrs || {}))
		if (v != null)
			el.setAttribute(k, String(v));
	for (const k of kids)
		if (k != null)
			el.append(k);
	return el;
}

const ringsOf = (g) => {
	const geo = g && g.type === 'Feature' ? g.geometry : g;
	const polys = !geo ? [] : geo.type === 'Polygon' ? [geo.coordinates] : geo.type === 'MultiPolygon' ? geo.coordinates : [];
	return polys.flat(1).filter((r) => Array.isArray(r) && r.length > 2);
};

// An equirectangular projection of a box onto MAP_W pixels (longitude shrunk by cos(latitude)).
function projection(box) {
	const [minX, minY, maxX, maxY] = box;
	const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180) || 1;
	const w = Math.max((maxX - minX) * k, 1e-6), hgt = Math.max(maxY - minY, 1e-6);
	const sc = MAP_W / w;
	const r1 = (v) => Math.round(v * 10) / 10;
	return { width: MAP_W, height: Math.round(hgt * sc), xy: ([x, y]) => [r1((x - minX) * k * sc), r1((maxY - y) * sc)] };
}

const pathOf = (rings, pr) => rings.map((r) => `M${r.map((pt) => pr.xy(pt).join(' ')).join('L')}Z`).join('');

function boxOf(rings, projects) {
	let b = [Infinity, Infinity, -Infinity, -Infinity];
	const grow = ([x, y]) => { b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)]; };
	for (const r of rings)
		r.forEach(grow);
	if (!rings.length)
		for (const p of projects) {
			grow([p.place.bbox[0], p.place.bbox[1]]);
			grow([p.place.bbox[2], p.place.bbox[3]]);
		}
	if (!Number.isFinite(b[0]))
		return null;
	const padX = (b[2] - b[0]) * 0.04 || 0.01, padY = (b[3] - b[1]) * 0.04 || 0.01;
	return [b[0] - padX, b[1] - padY, b[2] + padX, b[3] + padY];
}

// The region (and its municipalities) with the projects on it; each project is a link to its page.
function drawMap(label, regionGeo, munis, projects) {
	const regionRings = ringsOf(regionGeo);
	const box = boxOf(regionRings.length ? regionRings : munis.flatMap(ringsOf), projects);
	if (!box)
		return h('p', { class: 'empty', text: t('pr.mapEmpty') });
	const pr = projection(box);
	const root = svg('svg', { viewBox: `0 0 ${pr.width} ${pr.height}`, class: 'pm-map', role: 'group', 'aria-label': label });
	if (regionRings.length)
		root.append(svg('path', { d: pathOf(regionRings, pr), class: 'pm-region', 'fill-rule': 'evenodd' }));
	for (const m of munis) {
		const rings = ringsOf(m);
		if (rings.length)
			root.append(svg('path', { d: pathOf(rings, pr), class: 'pm-muni', 'fill-rule': 'evenodd' }));
	}
	const inBox = (p) => p.place.lon >= box[0] && p.place.lon <= box[2] && p.place.lat >= box[1] && p.place.lat <= box[3];
	// areas under points
	const sorted = projects.filter(inBox).sort((a, b) => (a.place.type === 'area' ? 0 : 1) - (b.place.type === 'area' ? 0 : 1));
	for (const p of sorted) {
		const name = t('pr.mapItem', { title: p.title, status: t(`pr.status.${p.status}`), n: p.progress });
		const link = svg('a', { href: `#/projects/${p.id}`, class: `pm-item pm-${p.status}`, 'aria-label': name }, svg('title', null, name));
		if (p.place.type === 'area' && p.place.geojson)
			link.append(svg('path', { d: pathOf(ringsOf(p.place.geojson), pr), class: 'pm-area', 'fill-rule': 'evenodd' }));
		const [x, y] = pr.xy([p.place.lon, p.place.lat]);
		link.append(svg('circle', { cx: x, cy: y, r: 7, class: 'pm-dot' }));
		root.append(link);
	}
	return h('figure', { class: 'pm-figure' }, root,
		h('figcaption', { class: 'pm-legend' }, STATUSES.map((s) => h('span', { class: `pm-key pm-${s}` }, h('span', { class: 'pm-swatch', 'aria-hidden': 'true' }), t(`pr.status.${s}`)))));
}

const polygonCache = new Map();
async function polygon(id) {
	if (!polygonCache.has(id))
		polygonCache.set(id, api('GET', `/api/territories/${id}/polygon`).catch(() => null));
	return polygonCache.get(id);
}

async function regionMap(regionId, projects, label) {
	const [region, kids] = await Promise.all([polygon(regionId), listAll('territories', { parent_id: regionId }).catch(() => [])]);
	const munis = (await Promise.all(kids.filter((k) => k.has_polygon).slice(0, 80).map((k) => polygon(k.id)))).filter(Boolean);
	return drawMap(label, region, munis, projects);
}

/* ---------- the list ---------- */

function projectCard(p) {
	return h('li', { class: 'card pr-card' },
		h('h2', { class: 'pr-card-title' }, h('a', { href: `#/projects/${p.id}`, text: p.title }), ' ', statusBadge(p.status)),
		h('p', { class: 'muted', text: [p.org_name, p.territory_name].filter(Boolean).join(' · ') }),
		progressBar(p),
		h('p', { class: 'small muted', text: [t('pr.deadlineShort', { d: fmtDay(p.deadline) }), fmtBudget(p.budget), plural('pr.appeals', p.appeals)].join(' · ') }));
}

async function pageList({ query }) {
	const status = STATUSES.includes(query.get('status')) ? query.get('status') : '';
	const regionQ = Number(query.get('region')) || null;
	const all = await api('GET', `/api/projects${qs({ status, limit: 500 })}`);
	const regionIds = [...new Set(all.items.map((p) => p.region_id).filter(Boolean))];
	const regions = (await Promise.all(regionIds.map((id) => api('GET', `/api/territories/${id}`).catch(() => null)))).filter(Boolean);
	// the map shows one region: the chosen one, else the one with most projects
	const counts = new Map();
	all.items.forEach((p) => p.region_id && counts.set(p.region_id, (counts.get(p.region_id) || 0) + 1));
	const region = regionQ || [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] || null;
	const items = region ? all.items.filter((p) => p.region_id === region) : all.items;

	const statusSel = h('select', { id: 'pr-f-status' }, h('option', { value: '', text: t('pr.allStatuses') }),
		STATUSES.map((s) => h('option', { value: s, selected: s === status, text: t(`pr.status.${s}`) })));
	const regionSel = h('select', { id: 'pr-f-region' }, regions.map((r) => h('option', { value: String(r.id), selected: r.id === region, text: r.name })));
	const apply = (e) => {
		e.preventDefault();
		go(`/projects${qs({ status: statusSel.value, region: regionSel.value })}`);
	};
	const filters = h('form', { class: 'pr-filters card', 'aria-label': t('pr.filters'), onsubmit: apply },
		h('div', { class: 'field' }, h('label', { for: 'pr-f-status', text: t('pr.filterStatus') }), statusSel),
		regions.length > 1 ? h('div', { class: 'field' }, h('label', { for: 'pr-f-region', text: t('pr.filterRegion') }), regionSel) : null,
		h('button', { type: 'submit', class: 'btn', text: t('pr.apply') }));

	const regionName = regions.find((r) => r.id === region)?.name || '';
	const map = region ? await regionMap(region, items, t('pr.mapLabel', { region: regionName })) : null;
	const list = items.length
		? h('ul', { class: 'plain pr-list' }, items.map(projectCard))
		: h('p', { class: 'empty', text: t('pr.empty') });
	return h('div', { class: 'page-projects' }, pageHead(t('pr.title'), t('pr.lead')),
		canCoordinate() ? h('p', null, h('a', { class: 'btn btn-primary', href: '#/projects/new', text: t('pr.new') })) : null,
		filters,
		h('div', { class: 'pr-layout' },
			h('section', { class: 'pr-map-box card', 'aria-labelledby': 'pr-map-h' }, h('h2', { id: 'pr-map-h', text: regionName ? t('pr.mapOf', { region: regionName }) : t('pr.map') }), map),
			h('section', { class: 'pr-list-box', 'aria-labelledby': 'pr-list-h' }, h('h2', { id: 'pr-list-h', text: plural('pr.count', items.length) }), list)));
}

/* ---------- the page ---------- */

async function act(fn, okMsg, focusSel) {
	try {
		await fn();
		announce(okMsg);
		document.dispatchEvent(new Event('otklik:changed'));
		window.dispatchEvent(new HashChangeEvent('hashchange'));
		if (focusSel)
			setTimeout(() => document.querySelector(focusSel)?.focus(), 300);
	} catch (e) {
		announce(e.message || t('err.generic'), 'error');
	}
}

function stagesView(p) {
	const canMark = p.viewer.can_advance && p.status === 'in_progress';
	if (!p.stages.length)
		return h('p', { class: 'muted', text: t('pr.noStages') });
	return h('ol', { class: 'pr-stages' }, p.stages.map((s) => h('li', { class: `pr-stage${s.done ? ' pr-stage-done' : ''}` },
		h('span', { class: 'pr-stage-mark', 'aria-hidden': 'true', text: s.done ? '✓' : '○' }),
		h('span', { class: 'pr-stage-title', text: s.title }),
		h('span', { class: 'small muted', text: s.done ? t('pr.stageDone', { d: fmtDate(s.done_at, false) }) : s.deadline ? t('pr.stageDue', { d: fmtDay(s.deadline) }) : t('pr.stageOpen') }),
		canMark ? h('button', {
			type: 'button', class: 'btn btn-small',
			text: s.done ? t('pr.unmark') : t('pr.mark'),
			'aria-label': s.done ? t('pr.unmarkStage', { title: s.title }) : t('pr.markStage', { title: s.title }),
			onclick: () => act(() => api('PATCH', `/api/projects/${p.id}/stages/${s.id}`, { done: !s.done }), s.done ? t('pr.unmarked') : t('pr.marked')),
		}) : null)));
}

function feedbackBox(p) {
	const v = p.viewer;
	const summary = h('p', { text: t('pr.fbSummary', { gone: p.feedback.gone, not_gone: p.feedback.not_gone }) });
	if (!v.can_feedback)
		return p.status === 'done' || p.status === 'attention' ? summary : null;
	const f = makeForm({
		fields: [
			{ name: 'gone', label: t('pr.fbQuestion'), type: 'radio', required: true, options: [['yes', t('pr.fbYes')], ['no', t('pr.fbNo')]] },
			{ name: 'comment', label: t('pr.fbComment'), type: 'textarea', rows: 3, maxlength: 2000 },
		],
		values: v.feedback ? { gone: v.feedback.gone ? 'yes' : 'no', comment: v.feedback.comment } : {},
		submitLabel: v.feedback ? t('pr.fbChange') : t('pr.fbSend'), labelledBy: 'pr-fb-h',
		onSubmit: async (x) => {
			await api('POST', `/api/projects/${p.id}/feedback`, { gone: x.gone === 'yes', comment: x.comment });
			announce(t('pr.fbThanks'));
			window.dispatchEvent(new HashChangeEvent('hashchange'));
		},
	});
	return h('div', null, summary,
		v.feedback ? h('p', { class: 'alert alert-ok', text: v.feedback.gone ? t('pr.fbMineYes') : t('pr.fbMineNo') }) : h('p', { class: 'lead', text: t('pr.fbInvite') }),
		f.form);
}

async function pageProject({ params }) {
	const id = Number(params[0]);
	let p;
	try {
		p = await api('GET', `/api/projects/${id}`);
	} catch (e) {
		if (e instanceof ApiError && e.status === 404)
			return h('div', null, h('h1', { text: t('pr.notFound') }), h('p', null, h('a', { href: '#/projects', text: t('pr.back') })));
		throw e;
	}
	const v = p.viewer;
	const manage = [];
	if (v.can_manage) {
		manage.push(h('a', { class: 'btn', href: `#/projects/${p.id}/edit`, text: t('pr.edit') }));
		if (p.status === 'planned')
			manage.push(h('button', { type: 'button', class: 'btn btn-primary', text: t('pr.start'), onclick: () => act(() => api('POST', `/api/projects/${p.id}/start`), t('pr.started')) }));
		if (p.status === 'in_progress')
			manage.push(h('button', { type: 'button', class: 'btn btn-primary', text: t('pr.complete'), onclick: () => act(() => api('POST', `/api/projects/${p.id}/complete`), t('pr.completed')) }));
	}
	let stageForm = null;
	if (v.can_manage && p.status !== 'done' && p.status !== 'attention') {
		const f = makeForm({
			fields: [{ name: 'title', label: t('pr.stageTitle'), required: true, maxlength: 200 }, { name: 'deadline', label: t('pr.stageDeadline'), type: 'date' }],
			submitLabel: t('pr.addStage'), labelledBy: 'pr-add-h',
			onSubmit: async (x) => {
				await api('POST', `/api/projects/${p.id}/stages`, { title: x.title, deadline: x.deadline });
				announce(t('pr.stageAdded'));
				window.dispatchEvent(new HashChangeEvent('hashchange'));
			},
		});
		stageForm = h('section', { class: 'card', 'aria-labelledby': 'pr-add-h' }, h('h2', { id: 'pr-add-h', text: t('pr.addStageH') }), f.form);
	}
	const facts = [
		[t('pr.goal'), p.goal], [t('pr.body'), p.org_name], [t('pr.territory'), p.territory_name || '—'],
		[t('pr.budget'), fmtBudget(p.budget)], [t('pr.deadline'), fmtDay(p.deadline)],
		[t('pr.linked'), plural('pr.appeals', p.appeals)],
		[t('pr.problems'), p.problems.map((x) => x.label || t('pr.problemN', { id: x.id })).join('; ')],
	];
	if (p.started_at)
		facts.push([t('pr.startedAt'), fmtDate(p.started_at, false)]);
	if (p.done_at)
		facts.push([t('pr.doneAt'), fmtDate(p.done_at, false)]);
	// the project's own territory when it has borders (a city), else its region
	const mapTerr = p.territory_id && (await polygon(p.territory_id)) ? p.territory_id : p.region_id;
	const map = mapTerr ? await regionMap(mapTerr, [p], t('pr.placeLabel', { title: p.title })) : null;
	const comments = p.feedback_comments && p.feedback_comments.length
		? h('section', { class: 'card', 'aria-labelledby': 'pr-cm-h' }, h('h2', { id: 'pr-cm-h', text: t('pr.comments') }),
			h('ul', { class: 'plain' }, p.feedback_comments.map((c) => h('li', null, badge(c.gone ? t('pr.fbYes') : t('pr.fbNo'), c.gone ? 'ok' : 'err'), ' ', c.comment || '', ' ', h('span', { class: 'small muted', text: fmtDate(c.at) })))))
		: null;
	return h('div', { class: 'page-project' },
		h('p', { class: 'small' }, h('a', { href: '#/projects', text: t('pr.back') })),
		h('h1', { text: p.title }),
		h('p', null, statusBadge(p.status)),
		p.attention ? h('p', { class: 'alert alert-warn', role: 'note', text: p.attention_reasons.map((r) => t(`pr.attention.${r}`)).join(' ') }) : null,
		progressBar(p),
		manage.length ? h('p', { class: 'pr-actions' }, manage) : null,
		h('div', { class: 'pr-layout' },
			h('section', { class: 'card', 'aria-labelledby': 'pr-facts-h' }, h('h2', { id: 'pr-facts-h', text: t('pr.about') }),
				h('dl', { class: 'facts' }, facts.map(([k, val]) => [h('dt', { text: k }), h('dd', { text: val })]))),
			map ? h('section', { class: 'card pr-map-box', 'aria-labelledby': 'pr-place-h' }, h('h2', { id: 'pr-place-h', text: t('pr.place') }), map) : null),
		h('section', { class: 'card', 'aria-labelledby': 'pr-stages-h' }, h('h2', { id: 'pr-stages-h', text: t('pr.stages', { done: p.stages_done, total: p.stages_total }) }), stagesView(p)),
		stageForm,
		feedbackBox(p) ? h('section', { class: 'card', 'aria-labelledby': 'pr-fb-h' }, h('h2', { id: 'pr-fb-h', text: t('pr.fbTitle') }), feedbackBox(p)) : null,
		comments);
}

/* ---------- the coordinator's form ---------- */

async function pageForm({ params, query }) {
	const id = params && params[0] ? Number(params[0]) : null;
	if (!canCoordinate())
		return h('div', null, h('h1', { text: t('err.forbiddenTitle') }), h('p', { class: 'alert alert-warn', text: t('pr.onlyCoord') }));
	const cur = id ? await api('GET', `/api/projects/${id}`) : null;
	const orgs = await listAll('orgs');
	const problem = query.get('problem');
	const values = cur
		? { title: cur.title, goal: cur.goal, org_id: String(cur.org_id), budget: cur.budget, deadline: cur.deadline, problem_ids: cur.problems.map((x) => x.id).join(', '),
			lat: cur.place.type === 'point' ? cur.place.lat : null, lon: cur.place.type === 'point' ? cur.place.lon : null }
		: { problem_ids: problem || '' };
	const fields = [
		{ name: 'title', label: t('pr.fTitle'), required: true, maxlength: 200 },
		{ name: 'goal', label: t('pr.fGoal'), type: 'textarea', required: true, rows: 4, maxlength: 4000 },
		{ name: 'org_id', label: t('pr.fBody'), type: 'select', required: true, options: [['', t('pr.fChoose')], ...orgs.map((o) => [String(o.id), orgLabel(o)])] },
		{ name: 'problem_ids', label: t('pr.fProblems'), required: true, hint: t('pr.fProblemsHint') },
		{ name: 'budget', label: t('pr.fBudget'), type: 'number', hint: t('pr.fBudgetHint') },
		{ name: 'deadline', label: t('pr.fDeadline'), type: 'date' },
		{ name: 'lat', label: t('pr.fLat'), type: 'number', decimal: true, hint: cur && cur.place.type === 'area' ? t('pr.fAreaKept') : t('pr.fPlaceHint') },
		{ name: 'lon', label: t('pr.fLon'), type: 'number', decimal: true },
	];
	if (!cur)
		fields.push({ name: 'stages', label: t('pr.fStages'), type: 'textarea', rows: 4, hint: t('pr.fStagesHint') });
	const f = makeForm({
		fields, values, labelledBy: 'pr-form-h', submitLabel: cur ? t('common.save') : t('pr.create'),
		onSubmit: async (x) => {
			const ids = String(x.problem_ids || '').split(/[\s,;]+/).filter(Boolean).map(Number);
			if (!ids.length || ids.some((n) => !Number.isInteger(n) || n < 1))
				throw new ApiError(422, 'validation_failed', t('pr.fProblemsBad'), 'problem_ids');
			if ((x.lat == null) !== (x.lon == null))
				throw new ApiError(422, 'validation_failed', t('pr.fBoth'), x.lat == null ? 'lat' : 'lon');
			const body = { title: x.title, goal: x.goal, org_id: Number(x.org_id), budget: x.budget, deadline: x.deadline, problem_ids: ids };
			if (x.lat != null)
				body.place = { type: 'point', lat: x.lat, lon: x.lon };
			if (!cur)
				body.stages = String(x.stages || '').split('\n').map((s) => s.trim()).filter(Boolean).map((title) => ({ title }));
			try {
				const r = cur ? await api('PATCH', `/api/projects/${cur.id}`, body) : await api('POST', '/api/projects', body);
				announce(cur ? t('pr.saved') : t('pr.createdMsg'));
				go(`/projects/${r.id}`);
			} catch (e) {
				if (e instanceof ApiError && e.field === 'place')
					throw new ApiError(e.status, e.code, e.message, 'lat');
				if (e instanceof ApiError && e.field === 'stages' && cur)
					throw new ApiError(e.status, e.code, e.message, null);
				throw e;
			}
		},
	});
	// the problems of the caller's territories, to pick from (GET /api/problems is in the caller's scope)
	const idsField = f.fields.get('problem_ids');
	const probs = await api('GET', `/api/problems${qs({ limit: 50, sort: 'size' })}`).catch(() => ({ items: [] }));
	const addId = (pid) => {
		const cur2 = String(idsField.get() || '').split(/[\s,;]+/).filter(Boolean);
		if (!cur2.includes(String(pid)))
			idsField.set([...cur2, String(pid)].join(', '));
		announce(t('pr.fAdded', { id: pid }));
	};
	if (probs.items.length)
		idsField.wrap.append(h('details', { class: 'pr-pick' }, h('summary', { text: t('pr.fPick') }),
			h('ul', { class: 'plain' }, probs.items.map((x) => h('li', null,
				h('button', { type: 'button', class: 'btn btn-small', text: t('pr.fAdd', { id: x.id }), 'aria-label': t('pr.fAddLabel', { id: x.id, label: x.label }), onclick: () => addId(x.id) }),
				' ', h('span', { text: `${x.label || ''} · ${plural('pr.appeals', x.size)}` }))))));
	return h('div', { class: 'page-project-form page-narrow' },
		h('p', { class: 'small' }, h('a', { href: cur ? `#/projects/${cur.id}` : '#/projects', text: t('pr.back') })),
		pageHead(cur ? t('pr.editTitle') : t('pr.newTitle'), t('pr.formLead')),
		h('section', { class: 'card', 'aria-labelledby': 'pr-form-h' }, h('h2', { id: 'pr-form-h', class: 'sr-only', text: cur ? t('pr.editTitle') : t('pr.newTitle') }), f.form));
}

addRoute('/projects', { page: pageList });
addRoute('/projects/new', { page: pageForm, auth: true });
addRoute(/^\/projects\/(\d+)$/, { page: pageProject });
addRoute(/^\/projects\/(\d+)\/edit$/, { page: pageForm, auth: true });

navHooks.push(() => {
	const ul = document.getElementById('nav-list');
	if (!ul || ul.querySelector('a[href="#/projects"]'))
		return;
	const path = parseHash().path;
	const li = h('li', null, h('a', { href: '#/projects', 'aria-current': path.startsWith('/projects') ? 'page' : null, text: t('nav.projects') }));
	const home = ul.querySelector('a[href="#/"]');
	if (home)
		home.parentElement.after(li);
	else
		ul.append(li);
});

export { statusBadge as projectStatusBadge };
