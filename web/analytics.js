// analytics.js: the analytics dashboard (#/analytics) for supervisors, coordinators and admins (docs/analytics.md):
// filters kept in the address, figures with trends, a chart of the period against the previous one, a breakdown
// table with drill-down (region → municipality → problem → appeal), a map coloured by a figure, problems ranked
// by size and growth, alarms, live updates (server-sent events) and CSV/XLSX exports of every table.
// Charts and the map are inline SVG built from numbers; every chart has a table beside it. User data reaches the
// page through textContent / attributes only.
import { t, h, add, clear, api, qs, listAll, getById, resolveAll, state, addRoute, navHooks, parseHash, makeField, pageHead, badge, table, orgLabel } from './app.js';
import { statusBadge, fmtDate } from './appeals.js';

const ROUTE = '/analytics';
const ROLES = ['supervisor', 'coordinator', 'admin'];
const PRESETS = ['7', '30', '90', '365'];
const BY = ['territory', 'category', 'topic', 'org'];
const MAP_METRICS = ['received', 'answered', 'late', 'median_review_hours', 'satisfaction', 'rereview_share'];
const SERIES = ['both', 'received', 'answered', 'late', 'satisfaction', 'median_review_hours'];
const GRAINS = ['day', 'week', 'month'];
const SVGNS = 'http://www.w3.org/2000/svg';
const DAY = 86400000;

const isAnalyst = () => !!state.me && state.me.roles.some((r) => ROLES.includes(r.role));

/* ---------- formatting ---------- */

const nf0 = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 1 });
const num = (v) => (v == null || Number.isNaN(v) ? '—' : nf0.format(v));
const share = (v) => (v == null ? '—' : t('an.pct', { n: nf1.format(v * 100) }));
const hours = (v) => (v == null ? '—' : v < 48 ? t('an.hours', { n: nf1.format(v) }) : t('an.days', { n: nf1.format(v / 24) }));

// How each figure is shown and which direction is better (1 more is better, -1 less is better, 0 neither).
const FIG = {
	received: { kind: 'count', dir: 0 },
	answered: { kind: 'count', dir: 1 },
	late: { kind: 'count', dir: -1 },
	on_time_share: { kind: 'share', dir: 1 },
	avg_review_hours: { kind: 'hours', dir: -1 },
	median_review_hours: { kind: 'hours', dir: -1 },
	satisfaction: { kind: 'share', dir: 1 },
	rereview_share: { kind: 'share', dir: -1 },
	redirect_share: { kind: 'share', dir: -1 },
	rejected: { kind: 'count', dir: 0 },
};
const fmtFig = (key, v) => {
	const k = (FIG[key] || { kind: 'count' }).kind;
	return k === 'share' ? share(v) : k === 'hours' ? hours(v) : num(v);
};

// ISO day strings (YYYY-MM-DD) in Moscow time, the server's calendar.
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const todayMsk = () => isoDay(Date.now() + 3 * 3600000);
const dayMs = (s) => Date.parse(`${s}T00:00:00Z`);
const validDay = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(dayMs(s));
const fmtDay = (s, short) => (validDay(s) ? new Date(dayMs(s)).toLocaleDateString('ru-RU', short ? { day: 'numeric', month: 'short', timeZone: 'UTC' } : { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }) : '—');
const fmtRange = (a, b) => (a === b ? fmtDay(a) : `${fmtDay(a)} — ${fmtDay(b)}`);

// The trend of a figure against the previous period: arrow, words and a good/bad mark (never colour alone).
function trendNode(key, cur, prev) {
	const f = FIG[key] || { kind: 'count', dir: 0 };
	if (cur == null || prev == null)
		return h('p', { class: 'an-trend an-trend-none', text: t('an.trend.none') });
	let diff = cur - prev, words;
	if (f.kind === 'share') {
		diff *= 100;
		words = Math.abs(diff) < 0.05 ? null : t(diff > 0 ? 'an.trend.upPp' : 'an.trend.downPp', { n: nf1.format(Math.abs(diff)) });
	} else if (prev === 0) {
		words = cur === 0 ? null : t('an.trend.fromZero');
	} else {
		const pct = (diff / prev) * 100;
		words = Math.abs(pct) < 0.5 ? null : t(diff > 0 ? 'an.trend.up' : 'an.trend.down', { n: nf0.format(Math.abs(pct)) });
	}
	if (!words)
		return h('p', { class: 'an-trend an-trend-flat' }, h('span', { class: 'an-arrow', 'aria-hidden': 'true', text: '→ ' }), t('an.trend.flat', { was: fmtFig(key, prev) }));
	const verdict = f.dir === 0 ? 'neutral' : Math.sign(diff) === f.dir ? 'good' : 'bad';
	return h('p', { class: `an-trend an-trend-${verdict}` },
		h('span', { class: 'an-arrow', 'aria-hidden': 'true', text: diff > 0 ? '▲ ' : '▼ ' }), words,
		verdict === 'neutral' ? null : h('span', { class: 'an-verdict', text: ` — ${t(`an.trend.${verdict}`)}` }),
		h('span', { class: 'an-was', text: ` ${t('an.trend.was', { was: fmtFig(key, prev) })}` }));
}

/* ---------- the address: filters in the hash query ---------- */

const PARAMS = ['period', 'from', 'to', 'territory_id', 'category_id', 'topic_id', 'org_id', 'by', 'map', 'series', 'grain', 'psort', 'problem'];

function readParams(query) {
	const p = {};
	for (const k of PARAMS) {
		const v = query.get(k);
		if (v != null && v !== '')
			p[k] = v;
	}
	for (const k of ['territory_id', 'category_id', 'topic_id', 'org_id', 'problem'])
		if (p[k] != null && !/^\d+$/.test(p[k]))
			delete p[k];
	if (p.period !== 'custom' && !PRESETS.includes(p.period))
		p.period = p.from || p.to ? 'custom' : '30';
	if (p.period !== 'custom') {
		delete p.from;
		delete p.to;
	}
	if (!BY.includes(p.by))
		p.by = 'territory';
	if (!MAP_METRICS.includes(p.map))
		p.map = 'received';
	if (!SERIES.includes(p.series))
		p.series = 'both';
	if (!GRAINS.includes(p.grain))
		delete p.grain;
	if (p.psort !== 'growth')
		p.psort = 'size';
	return p;
}

const DEFAULTS = { period: '30', by: 'territory', map: 'received', series: 'both', psort: 'size' };
function hashOf(p) {
	const out = {};
	for (const k of PARAMS)
		if (p[k] != null && p[k] !== '' && DEFAULTS[k] !== p[k])
			out[k] = p[k];
	return `#${ROUTE}${qs(out)}`;
}

// The period actually asked for: presets end today (Moscow time).
function periodOf(p) {
	if (p.period === 'custom')
		return { from: validDay(p.from) ? p.from : null, to: validDay(p.to) ? p.to : null };
	const to = todayMsk();
	return { from: isoDay(dayMs(to) - (Number(p.period) - 1) * DAY), to };
}

// The common query of every analytics endpoint.
function filterOf(p) {
	const per = periodOf(p);
	return { from: per.from, to: per.to, territory_id: p.territory_id, category_id: p.category_id, topic_id: p.topic_id, org_id: p.org_id };
}
const url = (path, p, extra = {}) => `/api/analytics/${path}${qs({ ...filterOf(p), ...extra })}`;

/* ---------- small views ---------- */

function svgEl(tag, attrs, ...kids) {
	const el = document.createElementNS(SVGNS, tag);
	for (const [k, v] of Object.entries(attrs || {}))
		if (v != null)
			el.setAttribute(k, String(v));
	for (const k of kids.flat())
		if (k != null)
			el.append(k instanceof Node ? k : document.createTextNode(String(k)));
	return el;
}
const r1 = (v) => Math.round(v * 10) / 10;

function section(id, title, ...content) {
	return h('section', { class: 'an-section card', 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h`, tabindex: '-1', text: title }), content);
}

function errorBox(e) {
	return h('p', { class: 'alert alert-error', text: t('an.loadFailed', { message: e && e.message ? e.message : t('err.generic') }) });
}

// CSV and XLSX links of a table (the same query with format=csv|xlsx; the server answers an attachment).
function exports(name, href, visible = t('an.export')) {
	const sep = href.includes('?') ? '&' : '?';
	return h('p', { class: 'an-exports' }, h('span', { class: 'muted', text: `${visible} ` }),
		['csv', 'xlsx'].map((f, i) => [i ? ' · ' : null, h('a', { href: `${href}${sep}format=${f}`, download: '', class: 'an-export', 'aria-label': t('an.exportOf', { what: name, format: f.toUpperCase() }), text: f.toUpperCase() })]));
}

// A little horizontal bar for a table cell (the number is in the same cell as text).
function miniBar(v, max) {
	const w = max > 0 && v > 0 ? Math.max(1, r1((v / max) * 100)) : 0;
	return svgEl('svg', { class: 'an-minibar', viewBox: '0 0 100 8', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
		svgEl('rect', { x: 0, y: 0, width: 100, height: 8, class: 'an-minibar-bg' }), w ? svgEl('rect', { x: 0, y: 0, width: w, height: 8, class: 'an-minibar-fg' }) : null);
}

// A "table instead of the chart" block, folded.
function dataTable(caption, columns, rows) {
	return h('details', { class: 'an-data' }, h('summary', null, t('an.showTable')), table(caption, columns.map((label) => ({ label })), rows));
}

/* ---------- line chart ---------- */

const niceMax = (v) => {
	if (!(v > 0))
		return 1;
	const p = 10 ** Math.floor(Math.log10(v));
	for (const m of [1, 2, 2.5, 5, 10])
		if (m * p >= v)
			return m * p;
	return 10 * p;
};

// The smallest of 1, 2, 5, 10, 20, 50… at least v.
const wholeStep = (v) => {
	for (let p = 1; ; p *= 10)
		for (const m of [1, 2, 5])
			if (m * p >= v)
				return m * p;
};

// series: [{label, points:[{from,to,value}], cls, dashed}]; fmt formats a value. Returns an SVG (role img).
// The width of a chart in SVG units: about the width it gets on screen, so that its labels stay readable.
const chartWidth = () => {
	const main = document.getElementById('main');
	return Math.round(Math.max(320, Math.min(760, (main ? main.clientWidth : 760) - 90)));
};

function lineChart(series, fmt, label) {
	const W = chartWidth(), H = W < 500 ? 220 : 260, L = 56, R = 12, T = 12, B = 30;
	const n = Math.max(1, ...series.map((s) => s.points.length));
	const top = Math.max(0, ...series.flatMap((s) => s.points.map((x) => x.value || 0)));
	const max = fmt === num ? 4 * wholeStep(top / 4) : niceMax(top); // counts get whole ticks
	const X = (i) => r1(L + (n === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (n - 1)));
	const Y = (v) => r1(T + (H - T - B) * (1 - (v || 0) / max));
	const svg = svgEl('svg', { class: 'an-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, focusable: 'false' });
	for (let k = 0; k <= 4; k++) {
		const v = (max * k) / 4;
		svg.append(svgEl('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: k ? 'an-grid' : 'an-axis' }),
			svgEl('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'an-tick' }, fmt(v)));
	}
	const main = series.find((s) => !s.dashed) || series[0];
	const pts = main ? main.points : [];
	const ticks = pts.length <= 1 ? [0] : [...new Set([0, Math.floor((pts.length - 1) / 2), pts.length - 1])];
	for (const i of ticks)
		if (pts[i])
			svg.append(svgEl('text', { x: X(i), y: H - 8, 'text-anchor': pts.length === 1 ? 'middle' : i === 0 ? 'start' : i === pts.length - 1 ? 'end' : 'middle', class: 'an-tick' }, fmtDay(pts[i].from, true)));
	for (const s of series.slice().sort((a, b) => Number(b.dashed) - Number(a.dashed))) {
		if (!s.points.length)
			continue;
		const d = s.points.map((x, i) => `${i ? 'L' : 'M'}${X(i)} ${Y(x.value)}`).join('');
		svg.append(svgEl('path', { d, class: `an-line ${s.cls}${s.dashed ? ' an-dashed' : ''}` }));
		if (!s.dashed && s.points.length <= 62)
			s.points.forEach((x, i) => svg.append(svgEl('circle', { cx: X(i), cy: Y(x.value), r: 3, class: `an-dot ${s.cls}` },
				svgEl('title', null, `${s.label}, ${fmtRange(x.from, x.to)}: ${fmt(x.value)}`))));
	}
	return svg;
}

function legend(series) {
	return h('ul', { class: 'plain an-legend' }, series.map((s) => h('li', null,
		svgEl('svg', { class: 'an-legend-line', viewBox: '0 0 28 10', 'aria-hidden': 'true', focusable: 'false' },
			svgEl('line', { x1: 1, x2: 27, y1: 5, y2: 5, class: `an-line ${s.cls}${s.dashed ? ' an-dashed' : ''}` })),
		` ${s.label}`)));
}

// Bars, one per day (the problem's timeline).
function barChart(points, label) {
	const W = chartWidth(), H = 180, L = 40, R = 8, T = 10, B = 26;
	const n = Math.max(1, points.length);
	const max = 2 * wholeStep(Math.max(0, ...points.map((x) => x.value || 0)) / 2);
	const bw = Math.min(40, (W - L - R) / n);
	const Y = (v) => r1(T + (H - T - B) * (1 - (v || 0) / max));
	const svg = svgEl('svg', { class: 'an-chart an-chart-bars', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, focusable: 'false' });
	for (let k = 0; k <= 2; k++) {
		const v = (max * k) / 2;
		svg.append(svgEl('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: k ? 'an-grid' : 'an-axis' }),
			svgEl('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'an-tick' }, num(v)));
	}
	points.forEach((x, i) => {
		if (x.value > 0)
			svg.append(svgEl('rect', { x: r1(L + i * bw + bw * 0.1), y: Y(x.value), width: r1(Math.max(1, bw * 0.8)), height: r1(Y(0) - Y(x.value)), class: 'an-bar' },
				svgEl('title', null, `${fmtDay(x.from)}: ${num(x.value)}`)));
	});
	if (points.length) {
		svg.append(svgEl('text', { x: L, y: H - 8, class: 'an-tick' }, fmtDay(points[0].from, true)));
		if (points.length > 1)
			svg.append(svgEl('text', { x: W - R, y: H - 8, 'text-anchor': 'end', class: 'an-tick' }, fmtDay(points.at(-1).from, true)));
	}
	return svg;
}

/* ---------- the map ---------- */

const polyCache = new Map();
function polygonOf(id) {
	if (!polyCache.has(id))
		polyCache.set(id, api('GET', `/api/territories/${id}/polygon`).catch(() => null));
	return polyCache.get(id);
}
// Fetches a few at a time (a country has 85 regions).
async function polygonsOf(ids) {
	const out = new Map();
	let next = 0;
	const worker = async () => {
		while (next < ids.length) {
			const id = ids[next++];
			out.set(id, await polygonOf(id));
		}
	};
	await Promise.all(Array.from({ length: Math.min(6, ids.length) }, worker));
	return out;
}

function ringsOf(geo) {
	const g = geo && geo.type === 'Feature' ? geo.geometry : geo;
	const polys = !g ? [] : g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
	return polys.flat(1).filter((r) => Array.isArray(r) && r.length > 2);
}

const SCALE = 5; // classes of the colour scale (an-c1 … an-c5)

// shapes: [{id, name, geo, value, text, current}], points: [{lat, lon, title}].
// context: the outline drawn under the shapes (the region around its municipalities), or null.
function mapSvg(shapes, points, { label, onPick, context, fitContext = true }) {
	const ctxRings = ringsOf(context);
	const rings = shapes.map((s) => ringsOf(s.geo));
	// Chukotka crosses the 180th meridian: move the western hemisphere east when the shapes span it.
	let west = false, east = false;
	[...rings.flat(2), ...ctxRings.flat()].forEach(([x]) => { if (x < -90) west = true; if (x > 90) east = true; });
	const lonOf = (x) => (west && east && x < 0 ? x + 360 : x);
	let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
	const grow = (x, y) => {
		minX = Math.min(minX, x); maxX = Math.max(maxX, x);
		minY = Math.min(minY, y); maxY = Math.max(maxY, y);
	};
	[...rings.flat(2), ...(fitContext ? ctxRings.flat() : [])].forEach(([x, y]) => grow(lonOf(x), y));
	points.forEach((p) => grow(lonOf(p.lon), p.lat));
	if (!Number.isFinite(minX))
		return null;
	// Equirectangular, longitudes shortened by the cosine of the middle latitude; fitted to 800 × 560 at most.
	const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180) || 1;
	const w = Math.max((maxX - minX) * k, 1e-6), hgt = Math.max(maxY - minY, 1e-6);
	const sc = Math.min(800 / w, 560 / hgt);
	const pad = 8;
	const px = (x) => (lonOf(x) - minX) * k * sc + pad, py = (y) => (maxY - y) * sc + pad;
	const svg = svgEl('svg', { class: `an-map-svg${ctxRings.length ? ' an-map-ctx' : ''}`, viewBox: `0 0 ${r1(w * sc + 2 * pad)} ${r1(hgt * sc + 2 * pad)}`, role: 'img', 'aria-label': label, focusable: 'false' });
	// Simplify: drop points closer than 0.8 px to the last one kept; skip rings smaller than a pixel.
	const pathOf = (list) => {
		let d = '';
		for (const ring of list) {
			let lx = null, ly = null, part = '', m = 0, x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
			for (const [x, y] of ring) {
				const X = px(x), Y = py(y);
				x0 = Math.min(x0, X); x1 = Math.max(x1, X); y0 = Math.min(y0, Y); y1 = Math.max(y1, Y);
				if (lx !== null && Math.abs(X - lx) < 0.8 && Math.abs(Y - ly) < 0.8)
					continue;
				part += `${m++ ? 'L' : 'M'}${r1(X)} ${r1(Y)}`;
				lx = X;
				ly = Y;
			}
			if (m > 2 && (x1 - x0 >= 1 || y1 - y0 >= 1))
				d += `${part}Z`;
		}
		return d;
	};
	if (ctxRings.length)
		svg.append(svgEl('path', { d: pathOf(ctxRings), 'fill-rule': 'evenodd', class: 'an-context' }));
	shapes.forEach((s, i) => {
		const d = pathOf(rings[i]);
		if (!d)
			return;
		const path = svgEl('path', { d, 'fill-rule': 'evenodd', class: `an-shape ${s.cls}${s.current ? ' an-shape-current' : ''}`, 'data-id': s.id },
			svgEl('title', null, `${s.name}: ${s.text}`));
		if (onPick && s.pick)
			path.addEventListener('click', () => onPick(s));
		svg.append(path);
	});
	for (const p of points)
		svg.append(svgEl('circle', { cx: r1(px(p.lon)), cy: r1(py(p.lat)), r: 4.5, class: 'an-point' }, svgEl('title', null, p.title)));
	return svg;
}

// Quantile classes of the values (equal counts per class, at most SCALE classes).
function classesOf(values) {
	const v = values.filter((x) => x != null).sort((a, b) => a - b);
	if (!v.length)
		return [];
	const uniq = [...new Set(v)];
	if (uniq.length <= SCALE)
		return uniq.map((x) => [x, x]);
	// the upper bound of each class at the quantiles; a class starts above the previous bound
	const his = [...new Set(Array.from({ length: SCALE }, (_, c) => v[Math.max(0, Math.ceil(((c + 1) * v.length) / SCALE) - 1)]))];
	const out = [];
	let prevHi = -Infinity;
	for (const hi of his) {
		out.push([v.find((x) => x > prevHi), hi]);
		prevHi = hi;
	}
	return out;
}
const classOf = (classes, v) => {
	if (v == null)
		return 'an-c0';
	const i = classes.findIndex(([, hi]) => v <= hi);
	const idx = i < 0 ? classes.length - 1 : i;
	// spread the used classes over the whole scale so that two classes are light and dark, not 1 and 2
	const step = classes.length > 1 ? Math.round((idx * (SCALE - 1)) / (classes.length - 1)) + 1 : 3;
	return `an-c${step}`;
};

/* ---------- the page ---------- */

let active = null; // the dashboard on screen: its live stream is closed when the page goes away

function stop() {
	if (active) {
		active.close();
		active = null;
	}
}

async function pageAnalytics({ query }) {
	stop();
	if (!isAnalyst())
		return h('div', { class: 'page-narrow' }, h('h1', { text: t('err.forbiddenTitle') }), h('p', { class: 'alert alert-warn', role: 'alert', text: t('an.forbidden') }));
	const dash = new Dashboard();
	active = dash;
	await dash.init(readParams(query));
	return dash.root;
}

class Dashboard {
	constructor() {
		this.seq = 0;
		this.closed = false;
		this.live = null;
		this.liveCount = 0;
		this.root = h('div', { class: 'page-analytics' });
	}

	close() {
		this.closed = true;
		if (this.live)
			this.live.close();
		this.live = null;
	}

	// Reference lists for the filters (once per page).
	async loadRefs() {
		const [regions, countries, cats, topics] = await Promise.all([
			api('GET', '/api/territories?kind=region&limit=500').then((r) => r.items).catch(() => []),
			api('GET', '/api/territories?kind=country&limit=10').then((r) => r.items).catch(() => []),
			listAll('categories').catch(() => []), listAll('topics').catch(() => []),
		]);
		const byName = (a, b) => a.name.localeCompare(b.name, 'ru');
		this.regions = regions.sort(byName);
		this.country = countries[0] || null;
		this.cats = cats.sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0) || byName(a, b));
		this.topics = topics.sort(byName);
		this.children = new Map(); // territory id → its children (for the municipality select and the map)
	}

	async childrenOf(id) {
		const key = id || 0;
		if (!this.children.has(key)) {
			const p = id ? api('GET', `/api/territories?parent_id=${id}&limit=500`).then((r) => r.items).catch(() => [])
				: Promise.resolve(this.regions);
			this.children.set(key, p);
		}
		return this.children.get(key);
	}

	// The chain of territories from the top down to id.
	async chainOf(id) {
		const chain = [];
		for (let cur = id ? Number(id) : null, guard = 0; cur != null && guard < 10; guard++) {
			const o = await getById('territories', cur);
			if (!o)
				break;
			chain.unshift(o);
			cur = o.parent_id;
		}
		if (!chain.length && this.country)
			chain.push(this.country);
		return chain;
	}

	async init(p) {
		await this.loadRefs();
		this.buildFilters();
		this.secFigures = h('div', { class: 'an-figures-box' });
		this.secChart = h('div');
		this.secTable = h('div');
		this.secMap = h('div');
		this.secProblems = h('div');
		this.secProblem = h('div');
		this.secAlarms = h('div');
		this.crumbs = h('nav', { class: 'breadcrumbs an-crumbs', 'aria-label': t('an.crumbs') });
		this.liveLine = h('p', { class: 'an-live-line', role: 'status', 'aria-live': 'polite' });
		this.liveState = h('p', { class: 'an-live-state muted small' });
		add(this.root, [
			pageHead(t('an.title'), t('an.lead')),
			this.filterBox,
			this.crumbs,
			h('div', { class: 'an-live' }, this.liveState, this.liveLine),
			this.secFigures,
			h('div', { class: 'an-two' }, this.secChart, this.secAlarms),
			this.secTable,
			this.secMap,
			this.secProblems,
			this.secProblem,
		]);
		await this.update(p, { first: true });
	}

	/* ----- navigation inside the page: pushState + an update in place (back/forward re-render the page) ----- */

	go(next, { replace = false, focus = null } = {}) {
		const p = { ...next };
		const hash = hashOf(p);
		if (replace)
			history.replaceState(null, '', hash);
		else
			history.pushState(null, '', hash);
		const i = hash.indexOf('?');
		return this.update(readParams(new URLSearchParams(i < 0 ? '' : hash.slice(i + 1))), { focus });
	}

	link(next, text, attrs = {}, opts = {}) {
		const a = h('a', { href: hashOf(next), text, ...attrs });
		a.addEventListener('click', (e) => {
			if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey)
				return;
			e.preventDefault();
			this.go(next, opts);
		});
		return a;
	}

	/* ----- filters ----- */

	buildFilters() {
		const opt = (v, l) => h('option', { value: String(v), text: l });
		this.fPeriod = makeField({ name: 'period', label: t('an.f.period'), type: 'select', filter: true,
			options: [...PRESETS.map((d) => [d, t(`an.period.${d}`)]), ['custom', t('an.period.custom')]] });
		this.fFrom = makeField({ name: 'from', label: t('an.f.from'), type: 'date', filter: true });
		this.fTo = makeField({ name: 'to', label: t('an.f.to'), type: 'date', filter: true });
		this.fRegion = makeField({ name: 'region', label: t('an.f.region'), type: 'select', filter: true,
			options: [['', t('an.f.allRegions')], ...this.regions.map((r) => [String(r.id), r.name])] });
		this.fMuni = makeField({ name: 'muni', label: t('an.f.muni'), type: 'select', filter: true, options: [['', t('an.f.allMunis')]] });
		this.fCat = makeField({ name: 'category_id', label: t('an.f.category'), type: 'select', filter: true,
			options: [['', t('an.f.allCats')], ...this.cats.map((c) => [String(c.id), c.name])] });
		this.fTopic = makeField({ name: 'topic_id', label: t('an.f.topic'), type: 'select', filter: true, options: [['', t('an.f.allTopics')]] });
		this.fOrg = makeField({ name: 'org_id', label: t('an.f.org'), type: 'ref', filter: true, ref: { coll: 'orgs', search: true, empty: t('an.f.allOrgs'), label: orgLabel } });
		const syncPeriod = () => {
			const custom = this.fPeriod.control.value === 'custom';
			this.fFrom.wrap.hidden = !custom;
			this.fTo.wrap.hidden = !custom;
		};
		this.fPeriod.control.addEventListener('change', () => {
			if (this.fPeriod.control.value === 'custom' && !this.fFrom.get()) {
				const per = periodOf(this.p || DEFAULTS);
				this.fFrom.set(per.from);
				this.fTo.set(per.to);
			}
			syncPeriod();
		});
		this.syncPeriod = syncPeriod;
		// Cascades: the municipalities of the chosen region, the topics of the chosen category.
		this.fillMunis = async (regionId, value) => {
			const sel = this.fMuni.control;
			const kids = regionId ? await this.childrenOf(regionId) : [];
			clear(sel).append(opt('', t('an.f.allMunis')), ...kids.slice().sort((a, b) => a.name.localeCompare(b.name, 'ru')).map((x) => opt(x.id, x.name)));
			sel.value = value ? String(value) : '';
			if (sel.value !== (value ? String(value) : ''))
				sel.value = '';
			sel.disabled = !regionId;
			this.muniHint.hidden = !!regionId;
		};
		this.fillTopics = (catId, value) => {
			const sel = this.fTopic.control;
			const list = catId ? this.topics.filter((x) => String(x.category_id) === String(catId)) : [];
			clear(sel).append(opt('', t('an.f.allTopics')), ...list.map((x) => opt(x.id, x.name)));
			sel.value = value ? String(value) : '';
			if (sel.value !== (value ? String(value) : ''))
				sel.value = '';
			sel.disabled = !catId;
		};
		this.fRegion.control.addEventListener('change', () => this.fillMunis(this.fRegion.control.value, null));
		this.fCat.control.addEventListener('change', () => this.fillTopics(this.fCat.control.value, null));
		this.fMuni.control.disabled = true;
		this.fTopic.control.disabled = true;
		this.muniHint = h('p', { class: 'field-hint', id: 'an-muni-hint', text: t('an.f.muniHint') });
		this.fMuni.wrap.append(this.muniHint);
		this.fMuni.control.setAttribute('aria-describedby', 'an-muni-hint');
		this.fTopic.wrap.append(h('p', { class: 'field-hint', id: 'an-topic-hint', text: t('an.f.monthHint') }));
		this.fTopic.control.setAttribute('aria-describedby', 'an-topic-hint');

		const form = h('form', { class: 'an-filters', role: 'search', 'aria-label': t('an.filters'), novalidate: true },
			h('div', { class: 'form-grid' }, [this.fPeriod, this.fFrom, this.fTo, this.fRegion, this.fMuni, this.fCat, this.fTopic, this.fOrg].map((f) => f.wrap)),
			h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', text: t('an.apply') }),
				h('button', { type: 'button', class: 'btn', text: t('common.reset'), onclick: () => this.go({ ...DEFAULTS }) })));
		form.addEventListener('submit', (e) => {
			e.preventDefault();
			const period = this.fPeriod.control.value;
			const next = { ...this.p, period, territory_id: this.fMuni.control.value || this.fRegion.control.value || null,
				category_id: this.fCat.control.value || null, topic_id: this.fTopic.control.value || null, org_id: this.fOrg.get(), problem: null };
			if (period === 'custom') {
				const from = this.fFrom.control.value, to = this.fTo.control.value;
				if (!validDay(from) || !validDay(to) || from > to) {
					this.fFrom.setError(t('an.f.badPeriod'));
					this.fFrom.control.focus();
					return;
				}
				next.from = from;
				next.to = to;
			}
			this.fFrom.setError(null);
			this.go(next, { focus: this.secFigures });
		});
		// On a phone the filters fold away behind their title.
		const wide = !window.matchMedia || window.matchMedia('(min-width: 761px)').matches;
		this.filterBox = h('details', { class: 'an-filters-box card', open: wide }, h('summary', null, h('span', { class: 'strong', text: t('an.filters') })), form);
	}

	async syncFilters(p, chain) {
		this.fPeriod.control.value = p.period;
		if (p.period === 'custom') {
			const per = periodOf(p);
			this.fFrom.set(per.from);
			this.fTo.set(per.to);
		}
		this.syncPeriod();
		const region = chain.find((x) => x.kind === 'region');
		const below = region ? chain[chain.indexOf(region) + 1] : null;
		this.fRegion.control.value = region ? String(region.id) : '';
		await this.fillMunis(region ? region.id : null, below ? below.id : null);
		this.fCat.control.value = p.category_id || '';
		this.fillTopics(p.category_id, p.topic_id);
		this.fOrg.set(p.org_id ? Number(p.org_id) : null);
		if (p.org_id && !this.fOrg.control.querySelector(`option[value="${CSS.escape(String(p.org_id))}"]`)) {
			const o = await getById('orgs', p.org_id);
			if (o)
				this.fOrg.control.append(h('option', { value: String(o.id), text: orgLabel(o) }));
			this.fOrg.set(Number(p.org_id));
		}
	}

	/* ----- everything on screen for the parameters p ----- */

	async update(p, { first = false, focus = null } = {}) {
		const seq = ++this.seq;
		const prev = this.p;
		this.p = p;
		const stale = () => seq !== this.seq || this.closed;
		const sameFilter = !first && prev && JSON.stringify(filterOf(prev)) === JSON.stringify(filterOf(p));
		if (!sameFilter) {
			// One request per table per filter: the breakdown by territory feeds both the table and the map.
			this.cache = new Map();
			// The summary first: it says which territory and body the server used (a supervisor's default body,
			// a coordinator's territory) and whether the period was widened to months.
			let sum = null, sumErr = null;
			try {
				sum = await api('GET', url('summary', p));
			} catch (e) {
				sumErr = e;
			}
			if (stale())
				return;
			const effTerr = p.territory_id || (sum && sum.filter && sum.filter.territory_id) || null;
			const chain = await this.chainOf(effTerr);
			if (stale())
				return;
			this.chain = chain;
			this.sum = sum;
			await this.syncFilters({ ...p, org_id: p.org_id || (sum && sum.filter && sum.filter.org_id) || null }, chain);
			this.drawFigures(p, sum, sumErr);
			if (sumErr && sumErr.status === 403) {
				// Outside the caller's scope: one message instead of the same refusal in every section.
				[this.secChart, this.secTable, this.secMap, this.secProblems, this.secProblem, this.secAlarms].forEach(clear);
				this.drawCrumbs(p, this.chain || [], null);
				if (this.live)
					this.live.close();
				this.live = null;
				this.liveState.textContent = '';
				return;
			}
		}
		this.drawCrumbs(p, this.chain || [], null);
		const changed = (k) => !sameFilter || prev[k] !== p[k];
		const jobs = [];
		if (changed('series') || changed('grain'))
			jobs.push(this.drawChart(p, this.sum, stale));
		if (changed('by'))
			jobs.push(this.drawTable(p, stale));
		if (changed('map') || changed('problem'))
			jobs.push(this.drawMap(p, stale));
		if (changed('psort'))
			jobs.push(this.drawProblems(p, stale));
		if (!sameFilter)
			jobs.push(this.drawAlarms(p, stale));
		jobs.push(this.drawProblem(p, stale));
		if (!sameFilter || !this.live)
			this.startLive(p);
		await Promise.all(jobs);
		if (stale())
			return;
		const target = typeof focus === 'function' ? focus() : focus;
		if (target) {
			const hd = target.matches && target.matches('h2') ? target : target.querySelector('h2');
			if (hd)
				hd.focus();
		}
	}

	// GET through the per-filter cache.
	get(path) {
		if (!this.cache.has(path))
			this.cache.set(path, api('GET', path));
		return this.cache.get(path);
	}

	drawCrumbs(p, chain, problem) {
		const items = chain.map((x, i) => {
			const last = i === chain.length - 1 && !p.problem;
			const next = { ...p, territory_id: x.kind === 'country' ? null : String(x.id), problem: null };
			return h('li', null, last ? h('span', { 'aria-current': 'page', text: x.name }) : this.link(next, x.name, {}, { focus: () => this.secTable }));
		});
		if (p.problem)
			items.push(h('li', null, h('span', { 'aria-current': 'page', text: problem ? t('an.crumbProblem', { label: problem.label || `№ ${p.problem}` }) : t('an.crumbProblem', { label: `№ ${p.problem}` }) })));
		clear(this.crumbs).append(h('ol', null, items));
	}

	drawFigures(p, sum, err) {
		const box = clear(this.secFigures);
		if (err) {
			box.append(section('an-fig', t('an.figures'), errorBox(err)));
			return;
		}
		const per = sum.period || {}, prv = sum.previous || {};
		const f = sum.figures || {}, pf = sum.previous_figures || {}, now = sum.now || {};
		const card = (key, value, trend, extra) => h('li', { class: `an-fig an-fig-${key}` },
			h('p', { class: 'an-fig-label', text: t(`an.fig.${key}`) }),
			h('p', { class: 'an-fig-value', 'data-key': key, text: value }), trend, extra);
		this.figReceived = null;
		const cards = [
			card('received', num(f.received), trendNode('received', f.received, pf.received)),
			card('answered', num(f.answered), trendNode('answered', f.answered, pf.answered)),
			card('late', num(f.late), trendNode('late', f.late, pf.late)),
			card('in_work', num(now.in_work), h('p', { class: 'an-trend an-trend-none', text: t('an.fig.nowNote') }),
				now.overdue != null ? h('p', { class: 'an-fig-sub', text: t('an.fig.overdueNow', { n: num(now.overdue) }) }) : null),
			card('avg_review_hours', hours(f.avg_review_hours), trendNode('avg_review_hours', f.avg_review_hours, pf.avg_review_hours)),
			card('median_review_hours', hours(f.median_review_hours), trendNode('median_review_hours', f.median_review_hours, pf.median_review_hours)),
			card('satisfaction', share(f.satisfaction), trendNode('satisfaction', f.satisfaction, pf.satisfaction),
				f.rated != null ? h('p', { class: 'an-fig-sub', text: t('an.fig.rated', { n: num(f.rated) }) }) : null),
			card('rereview_share', share(f.rereview_share), trendNode('rereview_share', f.rereview_share, pf.rereview_share)),
			card('redirect_share', share(f.redirect_share), trendNode('redirect_share', f.redirect_share, pf.redirect_share)),
		];
		this.figReceived = cards[0].querySelector('.an-fig-value');
		this.receivedValue = f.received || 0;
		this.periodTo = per.to || periodOf(p).to;
		this.liveCount = 0;
		const notes = [h('p', { class: 'an-period' }, t('an.periodLine', { period: fmtRange(per.from, per.to), prev: fmtRange(prv.from, prv.to) }))];
		if (per.granularity === 'month')
			notes.push(h('p', { class: 'alert alert-info an-month', text: t('an.monthNote', { period: fmtRange(per.from, per.to) }) }));
		this.liveCounter = h('p', { class: 'an-live-count muted small', hidden: true });
		box.append(section('an-fig', t('an.figures'), notes, h('ul', { class: 'plain an-figures' }, cards), this.liveCounter,
			exports(t('an.figures'), url('summary', p))));
	}

	async drawChart(p, sum, stale) {
		const per = (sum && sum.period) || periodOf(p);
		const days = per.from && per.to ? (dayMs(per.to) - dayMs(per.from)) / DAY + 1 : 30;
		const monthOnly = sum && sum.period && sum.period.granularity === 'month';
		const grain = monthOnly ? 'month' : p.grain || (days <= 45 ? 'day' : days <= 200 ? 'week' : 'month');
		const metrics = p.series === 'both' ? ['received', 'answered'] : [p.series];
		const fmt = p.series === 'satisfaction' ? share : p.series === 'median_review_hours' ? hours : num;
		const metricSel = h('select', { id: 'an-series-metric' }, SERIES.map((m) => h('option', { value: m, text: t(`an.series.${m}`), selected: m === p.series })));
		const grainSel = h('select', { id: 'an-series-grain' }, GRAINS.map((g) => h('option', { value: g, text: t(`an.grain.${g}`), selected: g === grain, disabled: monthOnly && g !== 'month' })));
		metricSel.addEventListener('change', () => this.go({ ...this.p, series: metricSel.value }, { replace: true }));
		grainSel.addEventListener('change', () => this.go({ ...this.p, grain: grainSel.value }, { replace: true }));
		const controls = h('div', { class: 'an-controls' },
			h('div', { class: 'field' }, h('label', { for: 'an-series-metric', text: t('an.series.label') }), metricSel),
			h('div', { class: 'field' }, h('label', { for: 'an-series-grain', text: t('an.grain.label') }), grainSel));
		let results;
		try {
			results = await Promise.all(metrics.map((m) => api('GET', url('series', p, { metric: m, grain }))));
		} catch (e) {
			if (!stale())
				clear(this.secChart).append(section('an-chart', t('an.chart'), controls, errorBox(e)));
			return;
		}
		if (stale())
			return;
		const series = [];
		metrics.forEach((m, i) => {
			const r = results[i];
			series.push({ label: t('an.series.now', { what: t(`an.series.${m}`) }), points: r.points || [], cls: `an-s-${m}`, dashed: false });
			series.push({ label: t('an.series.before', { what: t(`an.series.${m}`) }), points: r.previous_points || [], cls: `an-s-${m}`, dashed: true });
		});
		const total = (s) => s.points.reduce((a, x) => a + (x.value || 0), 0);
		const summary = metrics.length && p.series !== 'satisfaction' && p.series !== 'median_review_hours'
			? series.filter((s) => !s.dashed).map((s) => t('an.chartTotal', { what: s.label, n: num(total(s)) })).join('; ')
			: '';
		const main = series[0] ? series[0].points : [];
		const label = t('an.chartLabel', { what: metrics.map((m) => t(`an.series.${m}`)).join(', '), grain: t(`an.grain.${grain}`), summary });
		const rows = main.map((x, i) => [fmtRange(x.from, x.to), ...series.map((s) => (s.points[i] ? fmt(s.points[i].value) : '—'))]);
		clear(this.secChart).append(section('an-chart', t('an.chart'), controls,
			main.length ? [h('figure', { class: 'an-figure' }, lineChart(series, fmt, label), h('figcaption', null, legend(series))),
				dataTable(t('an.chart'), [t('an.col.interval'), ...series.map((s) => s.label)], rows)]
				: h('p', { class: 'empty', text: t('an.noData') }),
			metrics.map((m) => exports(t('an.seriesOf', { what: t(`an.series.${m}`) }), url('series', p, { metric: m, grain }), t('an.exportSeries', { what: t(`an.series.${m}`) })))));
	}

	async drawTable(p, stale) {
		const by = p.by;
		const tabs = h('div', { class: 'an-controls' }, h('div', { class: 'field' }, h('label', { for: 'an-by', text: t('an.by.label') }),
			(() => {
				const sel = h('select', { id: 'an-by' }, BY.map((b) => h('option', { value: b, text: t(`an.by.${b}`), selected: b === by })));
				sel.addEventListener('change', () => this.go({ ...this.p, by: sel.value }, { replace: true, focus: () => this.secTable }));
				return sel;
			})()));
		let r;
		try {
			r = await this.get(url('breakdown', p, { by }));
		} catch (e) {
			if (!stale())
				clear(this.secTable).append(section('an-table', t('an.table'), tabs, errorBox(e)));
			return;
		}
		if (stale())
			return;
		const rows = r.rows || r.items || [];
		const max = Math.max(0, ...rows.map((x) => x.received || 0));
		const drillKey = { territory: 'territory_id', category: 'category_id', topic: 'topic_id', org: 'org_id' }[by];
		const here = this.chain && this.chain.at(-1);
		const caption = by === 'territory' ? t('an.tableTerr', { name: here ? here.name : '' }) : t(`an.tableBy.${by}`);
		const body = rows.length ? table(caption, [
			{ label: t(`an.col.${by}`) }, { label: t('an.fig.received') }, { label: t('an.fig.answered') }, { label: t('an.fig.late') },
			{ label: t('an.fig.median_review_hours') }, { label: t('an.fig.satisfaction') }, { label: t('an.col.change') },
		], rows.map((x) => {
			const next = { ...this.p, [drillKey]: String(x.id), problem: null };
			if (by === 'topic' && x.category_id != null)
				next.category_id = String(x.category_id);
			const prevRec = x.previous ? x.previous.received : null;
			return [
				this.link(next, x.name || `№ ${x.id}`, { class: 'an-drill', 'aria-label': t('an.drill', { name: x.name || `№ ${x.id}` }) }, { focus: () => this.secTable }),
				h('span', { class: 'an-num-bar' }, h('span', { class: 'an-num', text: num(x.received) }), miniBar(x.received || 0, max)),
				num(x.answered), num(x.late), hours(x.median_review_hours), share(x.satisfaction),
				trendNode('received', x.received, prevRec),
			];
		})) : h('p', { class: 'empty' }, by === 'territory' ? t('an.leaf') : t('an.noData'), ' ',
			by === 'territory' ? h('a', { href: '#an-prob-h', text: t('an.toProblems'), onclick: (e) => { e.preventDefault(); const hd = document.getElementById('an-prob-h'); if (hd) hd.focus(); } }) : null);
		clear(this.secTable).append(section('an-table', t('an.table'), h('p', { class: 'muted small', text: t('an.tableLead') }), tabs, body,
			exports(caption, url('breakdown', p, { by }))));
	}

	async drawMap(p, stale) {
		const metricSel = h('select', { id: 'an-map-metric' }, MAP_METRICS.map((m) => h('option', { value: m, text: t(`an.fig.${m}`), selected: m === p.map })));
		metricSel.addEventListener('change', () => this.go({ ...this.p, map: metricSel.value }, { replace: true }));
		const controls = h('div', { class: 'an-controls' }, h('div', { class: 'field' }, h('label', { for: 'an-map-metric', text: t('an.map.metric') }), metricSel));
		const attribution = h('p', { class: 'an-attrib small muted', text: t('an.map.attribution') });
		const put = (...content) => clear(this.secMap).append(section('an-map', t('an.map'), controls, content, attribution));
		let rows;
		try {
			const r = await this.get(url('breakdown', p, { by: 'territory' }));
			rows = r.rows || r.items || [];
		} catch (e) {
			if (!stale())
				put(errorBox(e));
			return;
		}
		const here = this.chain && this.chain.at(-1);
		let kids = await this.childrenOf(here && here.kind !== 'country' ? here.id : null);
		if (stale())
			return;
		const withPoly = new Set(kids.filter((x) => x.has_polygon !== false).map((x) => x.id));
		let shapes = rows.filter((x) => withPoly.has(x.id) || !kids.length).map((x) => ({ id: x.id, name: x.name, row: x, pick: true }));
		if (!shapes.length && here && here.kind !== 'country')
			shapes = [{ id: here.id, name: here.name, row: this.sum ? { ...(this.sum.figures || {}), id: here.id } : null, current: true }];
		// The points of the selected problem.
		let points = [];
		if (p.problem) {
			const pr = await api('GET', `/api/problems/${p.problem}`).catch(() => null);
			if (pr)
				points = (pr.appeals || []).filter((a) => a.lat != null && a.lon != null).map((a) => ({ lat: a.lat, lon: a.lon, title: t('an.map.point', { id: a.id, text: a.address || a.topic_name || '' }) }));
		}
		// The outline around: the territory itself around its children, or its parent around a single territory.
		const around = shapes.length === 1 && shapes[0].current ? this.chain.at(-2) : here;
		const [geos, context] = await Promise.all([polygonsOf(shapes.map((s) => s.id)),
			around && around.kind !== 'country' && around.has_polygon !== false ? polygonOf(around.id) : null]);
		if (stale())
			return;
		const key = p.map;
		const valueOf = (row) => (row ? row[key] ?? null : null);
		const classes = classesOf(shapes.map((s) => valueOf(s.row)));
		shapes = shapes.map((s) => ({ ...s, geo: geos.get(s.id), value: valueOf(s.row), text: fmtFig(key, valueOf(s.row)), cls: classOf(classes, valueOf(s.row)) }))
			.filter((s) => s.geo);
		if (!shapes.length) {
			put(h('p', { class: 'empty', text: t('an.map.none') }));
			return;
		}
		const mapLabel = t('an.map.label', { what: t(`an.fig.${key}`), where: here ? here.name : '' });
		const single = shapes.length === 1 && shapes[0].current;
		const svg = mapSvg(shapes, points, { label: mapLabel, context, fitContext: !single, onPick: (s) => this.go({ ...this.p, territory_id: String(s.id), problem: null }, { focus: () => this.secTable }) });
		const legendItems = classes.map(([lo, hi]) => h('li', null, h('span', { class: `an-swatch ${classOf(classes, hi)}`, 'aria-hidden': 'true' }),
			lo === hi ? fmtFig(key, lo) : t('an.map.range', { lo: fmtFig(key, lo), hi: fmtFig(key, hi) })));
		if (shapes.some((s) => s.value == null))
			legendItems.push(h('li', null, h('span', { class: 'an-swatch an-c0', 'aria-hidden': 'true' }), t('an.map.noValue')));
		if (points.length)
			legendItems.push(h('li', null, h('span', { class: 'an-swatch an-swatch-point', 'aria-hidden': 'true' }), t('an.map.points', { n: points.length })));
		put(h('p', { class: 'muted small', text: t('an.map.lead') }),
			h('figure', { class: 'an-map-figure' }, svg || h('p', { class: 'empty', text: t('an.map.none') }),
				h('figcaption', null, h('p', { class: 'strong', text: t(`an.fig.${key}`) }), h('ul', { class: 'plain an-map-legend' }, legendItems))));
	}

	async drawProblems(p, stale) {
		const tabs = h('div', { class: 'an-tabs', role: 'tablist', 'aria-label': t('an.prob.sortLabel') });
		const panelId = 'an-prob-panel';
		const tabBtn = (sort) => {
			const b = h('button', { type: 'button', role: 'tab', id: `an-prob-tab-${sort}`, class: 'an-tab', 'aria-selected': String(p.psort === sort), 'aria-controls': panelId,
				tabindex: p.psort === sort ? '0' : '-1', text: t(`an.prob.${sort}`) });
			b.addEventListener('click', () => {
				if (this.p.psort !== sort)
					this.go({ ...this.p, psort: sort }, { replace: true, focus: null }).then(() => { const nb = document.getElementById(`an-prob-tab-${sort}`); if (nb) nb.focus(); });
			});
			b.addEventListener('keydown', (e) => {
				if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
					e.preventDefault();
					const other = sort === 'size' ? 'growth' : 'size';
					document.getElementById(`an-prob-tab-${other}`).click();
				}
			});
			return b;
		};
		tabs.append(tabBtn('size'), tabBtn('growth'));
		const panel = h('div', { id: panelId, role: 'tabpanel', 'aria-labelledby': `an-prob-tab-${p.psort}` });
		const put = () => clear(this.secProblems).append(section('an-prob', t('an.problems'), h('p', { class: 'muted small', text: t('an.prob.lead') }), tabs, panel));
		let r;
		try {
			r = await api('GET', url('problems', p, { sort: p.psort, limit: 20 }));
		} catch (e) {
			if (!stale()) {
				panel.append(errorBox(e));
				put();
			}
			return;
		}
		if (stale())
			return;
		const items = r.items || r.problems || r.rows || [];
		const terrIds = items.map((x) => (x.place && x.place.territory_id) ?? x.territory_id).filter((x) => x != null);
		const terr = await resolveAll('territories', terrIds);
		if (stale())
			return;
		if (!items.length)
			panel.append(h('p', { class: 'empty', text: t('an.prob.none') }));
		else
			panel.append(table(t(`an.prob.caption.${p.psort}`), [
				{ label: t('an.prob.col.label') }, { label: t('an.prob.col.place') }, { label: t('an.prob.col.bodies') }, { label: t('an.prob.col.size') },
				{ label: t('an.prob.col.status') }, { label: t('an.prob.col.alarm') },
			], items.map((x) => {
				const tid = (x.place && x.place.territory_id) ?? x.territory_id;
				const place = (x.place && x.place.territory_name) || x.territory_name || (tid != null && terr.get(tid) ? terr.get(tid).name : '—');
				return [
					[this.link({ ...this.p, problem: String(x.id) }, x.label || t('an.prob.noLabel', { id: x.id }), { 'aria-label': t('an.prob.open', { label: x.label || x.id }) }, { focus: () => this.secProblem }),
						x.topic_name ? h('span', { class: 'sub', text: x.topic_name }) : null],
					place,
					bodiesText(x.bodies),
					[h('span', { class: 'strong', text: num(x.size) }),
						h('span', { class: 'sub', text: t('an.prob.inPeriod', { n: num(x.in_period), prev: num(x.previous) }) }),
						x.growth != null && p.psort === 'growth' ? h('span', { class: 'sub', text: t('an.prob.growthN', { n: growthText(x.growth) }) }) : null],
					problemStatus(x),
					alarmNode(alarmOf(x)),
				];
			})));
		put();
		add(this.secProblems.firstChild, [exports(t(`an.prob.caption.${p.psort}`), url('problems', p, { sort: p.psort, limit: 50 }))]);
	}

	async drawProblem(p, stale) {
		if (!p.problem) {
			clear(this.secProblem);
			return;
		}
		const id = p.problem;
		const close = this.link({ ...p, problem: null }, t('an.prob.close'), { class: 'btn btn-small' }, { focus: () => this.secProblems });
		let pr, tl, tlErr = null;
		try {
			[pr, tl] = await Promise.all([api('GET', `/api/problems/${id}`),
				api('GET', `/api/analytics/problems/${id}/timeline${qs(filterOf(p))}`).catch((e) => { tlErr = e; return null; })]);
		} catch (e) {
			if (!stale())
				clear(this.secProblem).append(section('an-pd', t('an.prob.detail', { label: `№ ${id}` }), errorBox(e), close));
			return;
		}
		if (stale())
			return;
		this.drawCrumbs(p, this.chain || [], pr);
		const pts = timelinePoints(tl);
		const terr = pr.territory_id != null ? await getById('territories', pr.territory_id) : null;
		if (stale())
			return;
		const facts = h('dl', { class: 'facts' },
			h('dt', { text: t('an.prob.col.status') }), h('dd', null, problemStatus(pr)),
			h('dt', { text: t('an.prob.col.place') }), h('dd', { text: terr ? terr.name : '—' }),
			pr.topic_name ? [h('dt', { text: t('an.prob.topic') }), h('dd', { text: pr.topic_name })] : null,
			h('dt', { text: t('an.prob.col.size') }), h('dd', { text: num(pr.size) }),
			h('dt', { text: t('an.prob.col.bodies') }), h('dd', { text: bodiesText(pr.bodies) }),
			pr.first_at != null ? [h('dt', { text: t('an.prob.first') }), h('dd', { text: fmtDate(pr.first_at) })] : null,
			pr.last_at != null ? [h('dt', { text: t('an.prob.last') }), h('dd', { text: fmtDate(pr.last_at) })] : null);
		const appeals = pr.appeals || [];
		const label = pr.label || t('an.prob.noLabel', { id });
		clear(this.secProblem).append(section('an-pd', t('an.prob.detail', { label }),
			h('div', { class: 'an-pd-head' }, close),
			pr.rep_text ? h('p', { class: 'an-rep', text: pr.rep_text }) : null,
			facts,
			h('h3', { text: t('an.prob.timeline') }),
			tlErr ? errorBox(tlErr) : pts.length ? [barChart(pts, t('an.prob.timelineLabel', { label, n: num(pts.reduce((a, x) => a + (x.value || 0), 0)) })),
				dataTable(t('an.prob.timeline'), [t('an.col.day'), t('an.prob.col.count')], pts.map((x) => [fmtDay(x.from), num(x.value)])),
				exports(t('an.prob.timeline'), `/api/analytics/problems/${id}/timeline${qs(filterOf(p))}`)] : h('p', { class: 'empty', text: t('an.noData') }),
			h('h3', { text: t('an.prob.appeals', { n: appeals.length }) }),
			appeals.length ? table(t('an.prob.appeals', { n: appeals.length }), [
				{ label: t('work.col.id') }, { label: t('work.col.status') }, { label: t('an.prob.col.where') }, { label: t('work.col.text'), cls: 'col-text' }, { label: t('work.col.created') },
			], appeals.map((a) => [
				h('a', { href: `#/appeals/${a.id}`, 'aria-label': t('work.open', { id: a.id }), text: `№ ${a.id}` }),
				statusBadge(a.status),
				[a.org_name || '—', a.address ? h('span', { class: 'sub', text: a.address }) : null],
				h('span', { class: 'cell-text', text: a.text || '' }),
				fmtDate(a.created_at),
			]), { captionHidden: true }) : h('p', { class: 'empty', text: t('common.empty') })));
	}

	async drawAlarms(p, stale) {
		this.alarmList = h('ul', { class: 'plain an-alarms', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': t('an.alarms') });
		let r;
		try {
			r = await api('GET', url('alarms', p, { limit: 20 }));
		} catch (e) {
			if (!stale())
				clear(this.secAlarms).append(section('an-al', t('an.alarms'), errorBox(e)));
			return;
		}
		if (stale())
			return;
		const items = r.items || r.alarms || [];
		this.alarmEmpty = h('p', { class: 'empty', text: t('an.al.none'), hidden: items.length > 0 });
		for (const a of items)
			this.alarmList.append(this.alarmItem(a, false));
		clear(this.secAlarms).append(section('an-al', t('an.alarms'), h('p', { class: 'muted small', text: t('an.al.lead') }), this.alarmEmpty, this.alarmList));
	}

	alarmItem(a, fresh) {
		return h('li', { class: `an-alarm an-alarm-${a.kind}${fresh ? ' an-alarm-fresh' : ''}` },
			h('p', { class: 'an-alarm-head' }, alarmBadge(a), fresh ? [' ', badge(t('an.al.fresh'), 'ok')] : null, ' ',
				h('span', { class: 'muted small', text: a.at != null ? fmtDate(a.at) : '' })),
			h('p', { class: 'an-alarm-reason', text: a.reason || '' }),
			a.observed != null && !a.reason ? h('p', { class: 'small', text: t('an.al.numbers', { observed: num(a.observed), expected: expectedText(a.expected), window: windowText(a.window_min) }) }) : null,
			a.problem_id != null ? h('p', { class: 'small' }, this.link({ ...this.p, problem: String(a.problem_id) },
				a.problem_label ? t('an.prob.detail', { label: a.problem_label }) : t('an.al.open', { id: a.problem_id }), {}, { focus: () => this.secProblem }),
			a.topic_name ? h('span', { class: 'sub', text: a.topic_name }) : null) : null);
	}

	/* ----- live updates ----- */

	startLive(p) {
		if (this.live)
			this.live.close();
		const src = `/api/analytics/stream${qs(filterOf(p))}`;
		let es = null, timer = 0, delay = 2000, closed = false;
		const setState = (s) => { this.liveState.textContent = t(`an.live.${s}`); };
		const connect = () => {
			if (closed)
				return;
			es = new EventSource(src);
			es.addEventListener('open', () => { delay = 2000; setState('on'); });
			es.addEventListener('appeal', (e) => this.onAppeal(parse(e.data)));
			es.addEventListener('alarm', (e) => this.onAlarm(parse(e.data)));
			es.addEventListener('error', () => {
				if (closed)
					return;
				setState('retry');
				if (es.readyState === EventSource.CLOSED) {
					// The server refused (e.g. 503 when full) or the stream ended for good: retry later, slower each time.
					clearTimeout(timer);
					timer = setTimeout(connect, delay);
					delay = Math.min(delay * 2, 60000);
				}
			});
		};
		setState('connecting');
		connect();
		this.live = { close: () => { closed = true; clearTimeout(timer); if (es) es.close(); } };
	}

	async onAppeal(a) {
		if (!a || this.closed)
			return;
		const day = a.created_at != null ? isoDay(a.created_at + 3 * 3600000) : todayMsk();
		const per = periodOf(this.p);
		if ((!per.to || day <= per.to) && (!per.from || day >= per.from) && this.figReceived) {
			this.receivedValue += 1;
			this.figReceived.textContent = num(this.receivedValue);
		}
		this.liveCount += 1;
		if (this.liveCounter) {
			this.liveCounter.hidden = false;
			this.liveCounter.textContent = t('an.live.count', { n: this.liveCount });
		}
		const terr = a.territory_id != null ? await getById('territories', a.territory_id) : null;
		if (this.closed)
			return;
		this.liveLine.textContent = t('an.live.appeal', { id: a.id, where: terr ? `, ${terr.name}` : '', time: new Date(a.created_at || Date.now()).toLocaleTimeString('ru-RU', { hour: '2-digit', minute: '2-digit' }) });
	}

	onAlarm(a) {
		if (!a || this.closed || !this.alarmList)
			return;
		if (a.id != null && this.alarmList.querySelector(`[data-id="${CSS.escape(String(a.id))}"]`))
			return;
		const li = this.alarmItem(a, true);
		if (a.id != null)
			li.setAttribute('data-id', String(a.id));
		this.alarmList.prepend(li);
		if (this.alarmEmpty)
			this.alarmEmpty.hidden = true;
		this.liveLine.textContent = t('an.live.alarm', { reason: a.reason || t(`an.al.kind.${a.kind}`) });
	}
}

function parse(s) {
	try {
		return JSON.parse(s);
	} catch {
		return null;
	}
}

/* ---------- problems and alarms: small views ---------- */

function bodiesText(bodies) {
	if (!Array.isArray(bodies) || !bodies.length)
		return '—';
	return bodies.map((b) => (typeof b === 'string' ? b : b.org_name || b.name || (b.org_id != null ? `№ ${b.org_id}` : ''))).filter(Boolean).join(', ') || '—';
}

function growthText(g) {
	if (g == null)
		return '—';
	// growth is either a ratio (1.5 = +50 %) or a difference in appeals; the number alone is honest either way
	return `${g > 0 ? '+' : ''}${nf1.format(g)}`;
}

function problemStatus(x) {
	const solved = x.status === 'solved' || x.solved_at != null;
	return h('span', { class: 'an-status' }, badge(t(solved ? 'an.prob.stSolved' : 'an.prob.stOpen'), solved ? 'ok' : 'neutral'),
		x.returned || x.returned_at != null || x.returned_count > 0 ? [' ', badge(t('an.prob.returned'), 'warn')] : null);
}

const alarmOf = (x) => (Array.isArray(x.alarms) ? x.alarms[0] || null : x.alarms || x.alarm || null);

function alarmBadge(a) {
	return badge(t(`an.al.kind.${a.kind}`) === `an.al.kind.${a.kind}` ? a.kind : t(`an.al.kind.${a.kind}`), a.kind === 'spike' ? 'err' : 'warn');
}

function alarmNode(a) {
	if (!a)
		return '—';
	return [alarmBadge(a), a.reason ? h('span', { class: 'sub', text: a.reason }) : null,
		a.observed != null && !a.reason ? h('span', { class: 'sub', text: t('an.al.numbers', { observed: num(a.observed), expected: expectedText(a.expected), window: windowText(a.window_min) }) }) : null];
}

const nf2 = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 2 });
const expectedText = (v) => (v == null ? '—' : v > 0 && v < 0.01 ? t('an.al.lessThan') : nf2.format(v));

function windowText(min) {
	if (min == null)
		return '—';
	return min % 1440 === 0 ? t('an.al.days', { n: min / 1440 }) : min % 60 === 0 ? t('an.al.hours', { n: min / 60 }) : t('an.al.minutes', { n: min });
}

// The problem's timeline as points {from, value}: accepts {points:[{from|day|date, value|count}]} or {days:[…]}.
function timelinePoints(tl) {
	if (!tl)
		return [];
	const list = tl.points || tl.days || tl.items || [];
	return list.map((x) => {
		let from = x.from || x.date || x.day;
		if (typeof from === 'number')
			from = isoDay(from > 1e11 ? from : from * DAY);
		return { from, to: x.to || from, value: x.value ?? x.count ?? x.appeals ?? 0 };
	}).filter((x) => validDay(x.from));
}

/* ---------- route and the menu entry ---------- */

navHooks.push(() => {
	const path = parseHash().path;
	if (path !== ROUTE)
		stop();
	const ul = document.getElementById('nav-list');
	if (!ul || !isAnalyst() || ul.querySelector(`a[href="#${ROUTE}"]`))
		return;
	const li = h('li', null, h('a', { href: `#${ROUTE}`, 'aria-current': path === ROUTE ? 'page' : null, text: t('nav.analytics') }));
	const profile = ul.querySelector('a[href="#/profile"]');
	if (profile)
		profile.parentElement.before(li);
	else
		ul.append(li);
});

addRoute(ROUTE, { page: pageAnalytics, auth: true });
