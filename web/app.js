// app.js: the Otklik web UI (hash routing, session, registry administration). Plain DOM, no framework.
// Appeals (appeals.js) and the staff workspace (workspace.js) are loaded beside it and register their pages here.
// All user data reaches the page through textContent / DOM properties only; never innerHTML.
import { S } from './strings.ru.js';

/* ---------- strings ---------- */

function t(key, vars) {
	let s = S[key];
	if (s === undefined)
		return key;
	if (Array.isArray(s))
		s = s[2];
	return vars ? s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] == null ? '' : String(vars[k]))) : s;
}

// Russian plural: forms [one, few, many].
function plural(key, n, vars) {
	const f = S[key];
	const m10 = n % 10, m100 = n % 100;
	const i = m10 === 1 && m100 !== 11 ? 0 : m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14) ? 1 : 2;
	const s = Array.isArray(f) ? f[i] : String(f);
	return s.replace(/\{(\w+)\}/g, (_, k) => (k === 'n' ? String(n) : String((vars || {})[k] ?? '')));
}

function fmtDeadline(n, unit) {
	if (n == null)
		return t('common.none');
	return `${n} ${plural(unit === 'hours' ? 'unit.hours' : 'unit.wdays', n)}`;
}

/* ---------- DOM ---------- */

const PROPS = new Set(['value', 'checked', 'disabled', 'required', 'selected', 'hidden', 'multiple', 'open']);

// h('tag', {class, text, onclick, attr…}, …children): builds an element; strings become text nodes.
function h(tag, props, ...kids) {
	const el = document.createElement(tag);
	if (props) {
		for (const [k, v] of Object.entries(props)) {
			if (v == null || v === false)
				continue;
			if (k === 'style')
				throw new Error('inline styles are forbidden by the CSP');
			if (k === 'class')
				el.className = v;
			else if (k === 'text')
				el.textContent = v;
			else if (k.startsWith('on') && typeof v === 'function')
				el.addEventListener(k.slice(2), v);
			else if (PROPS.has(k))
				el[k] = v;
			else
				el.setAttribute(k, v === true ? '' : String(v));
		}
	}
	add(el, kids);
	return el;
}

function add(el, kids) {
	for (const k of kids.flat(Infinity)) {
		if (k == null || k === false)
			continue;
		el.append(k instanceof Node ? k : String(k));
	}
	return el;
}

function clear(el) {
	while (el.firstChild)
		el.firstChild.remove();
	return el;
}

// Re-renders a container and puts the focus back on the equivalent control (same aria-label, id or text).
async function keepFocus(container, redraw, fallback) {
	const a = document.activeElement;
	const had = a && container.contains(a);
	const key = had ? (a.getAttribute('aria-label') ? `[aria-label="${CSS.escape(a.getAttribute('aria-label'))}"]` : a.id ? `#${CSS.escape(a.id)}` : null) : null;
	const text = had ? a.textContent : null;
	await redraw();
	if (!had || container.contains(document.activeElement))
		return;
	let target = key ? container.querySelector(key) : null;
	if (!target && text)
		target = [...container.querySelectorAll('button,a')].find((x) => x.textContent === text) || null;
	target = target || (typeof fallback === 'function' ? fallback() : fallback);
	if (target)
		target.focus();
}

let uidSeq = 0;
const uid = (p) => `${p || 'id'}-${++uidSeq}`;

/* ---------- API ---------- */

class ApiError extends Error {
	constructor(status, code, message, field) {
		super(message);
		this.status = status;
		this.code = code;
		this.field = field || null;
	}
}

const state = { me: null, csrf: null, providers: null, nameCache: new Map() };

async function api(method, path, body, opts = {}) {
	const headers = { Accept: 'application/json' };
	let payload;
	if (body !== undefined) {
		if (opts.csv) {
			headers['Content-Type'] = 'text/csv';
			payload = body;
		} else if (opts.raw) {
			headers['Content-Type'] = opts.raw;
			payload = body;
		} else {
			headers['Content-Type'] = 'application/json';
			payload = JSON.stringify(body);
		}
	}
	if (method !== 'GET' && method !== 'HEAD' && state.csrf)
		headers['X-CSRF-Token'] = state.csrf;
	let res;
	try {
		res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
	} catch {
		throw new ApiError(0, 'network', t('err.network'));
	}
	let data = null;
	if (res.status !== 204) {
		const text = await res.text();
		if (text) {
			try {
				data = JSON.parse(text);
			} catch {
				data = null;
			}
		}
	}
	if (!res.ok) {
		const e = (data && data.error) || {};
		const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message || t('err.generic'), e.field);
		if (res.status === 403 && err.code === 'csrf_failed' && !opts.retried && state.me) {
			// The token changed (a login in another tab): take the current one and try once more.
			await loadSession();
			if (state.me)
				return api(method, path, body, { ...opts, retried: true });
		}
		if (res.status === 401 && state.me && !opts.noSessionReset && path !== '/api/auth/login') {
			// The session expired while the page was open.
			setSession(null);
			announce(t('err.session'));
			go(`/login?next=${encodeURIComponent(currentPath())}`);
		}
		throw err;
	}
	return data;
}

const qs = (params) => {
	const u = new URLSearchParams();
	for (const [k, v] of Object.entries(params))
		if (v !== '' && v != null)
			u.set(k, String(v));
	const s = u.toString();
	return s ? `?${s}` : '';
};

// Every item of a list (follows paging; for small collections like the rubricator).
async function listAll(coll, params = {}) {
	const items = [];
	for (let offset = 0; ; offset += 500) {
		const r = await api('GET', `/api/${coll}${qs({ ...params, limit: 500, offset })}`);
		items.push(...r.items);
		if (r.items.length < 500 || items.length >= r.total)
			return items;
	}
}

// Object by id with a cache (names of referenced territories, orgs, topics, categories).
async function getById(coll, id) {
	if (id == null)
		return null;
	const key = `${coll}/${id}`;
	if (!state.nameCache.has(key))
		state.nameCache.set(key, api('GET', `/api/${coll}/${id}`).catch(() => null));
	return state.nameCache.get(key);
}
function forget(coll, id) {
	state.nameCache.delete(`${coll}/${id}`);
}
async function resolveAll(coll, ids) {
	const uniq = [...new Set(ids.filter((x) => x != null))];
	const objs = await Promise.all(uniq.map((id) => getById(coll, id)));
	const m = new Map();
	uniq.forEach((id, i) => m.set(id, objs[i]));
	return m;
}
const nameOf = (obj, id) => (obj ? obj.name : t('common.notFoundId', { id }));

/* ---------- session ---------- */

const hasRole = (role) => !!state.me && state.me.roles.some((r) => r.role === role);
const isAdmin = () => hasRole('admin');

function setSession(me) {
	state.me = me && me.user ? me : null;
	state.csrf = me ? me.csrf_token || null : null;
	renderNav();
}

async function loadSession() {
	try {
		setSession(await api('GET', '/api/me', undefined, { noSessionReset: true }));
	} catch {
		setSession(null);
	}
}

async function logout() {
	try {
		await api('POST', '/api/auth/logout');
	} catch {
		/* the session is gone either way */
	}
	setSession(null);
	announce(t('logout.done'));
	go('/');
}

/* ---------- status messages ---------- */

let flashTimer = 0;
let flashAt = 0;
function announce(msg, kind = 'ok') {
	flashAt = Date.now();
	// The live region stays in the page (a region that appears together with its text is often not read out).
	const el = document.getElementById('status');
	el.className = `flash flash-${kind}`;
	el.textContent = msg;
	clearTimeout(flashTimer);
	flashTimer = setTimeout(() => { el.textContent = ''; }, 8000);
}

/* ---------- routing ---------- */

function parseHash() {
	let raw = location.hash.replace(/^#/, '');
	try {
		raw = decodeURI(raw);
	} catch {
		/* a malformed escape: use the address as it is */
	}
	raw = raw || '/';
	const i = raw.indexOf('?');
	const path = (i < 0 ? raw : raw.slice(0, i)) || '/';
	return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(i < 0 ? '' : raw.slice(i + 1)) };
}
const currentPath = () => parseHash().path;
function go(path) {
	if (location.hash === `#${path}`)
		render();
	else
		location.hash = `#${path}`;
}

const ADMIN_PAGES = [
	['/admin/territories', 'admin.territories', pageTerritories],
	['/admin/orgs', 'admin.orgs', pageOrgs],
	['/admin/rubricator', 'admin.rubricator', pageRubricator],
	['/admin/rules', 'admin.rules', pageRules],
	['/admin/users', 'admin.users', pageUsers],
	['/admin/import', 'admin.import', pageImport],
];

const ROUTES = new Map([
	['/', { page: pageHome }],
	['/login', { page: pageLogin, anonOnly: true }],
	['/register', { page: pageRegister, anonOnly: true }],
	['/profile', { page: pageProfile, auth: true }],
	['/admin', { redirect: '/admin/territories' }],
	...ADMIN_PAGES.map(([p, , page]) => [p, { page, auth: true, admin: true }]),
]);

let renderSeq = 0;
let lastPath = null;
let lastHash = null;

// Pages with a parameter: [regexp, route]; the match groups reach the page as `params`.
const PATTERN_ROUTES = [];

// Lets another module add pages: path '/x' or a RegExp; def = {page, auth, admin, anonOnly}.
function addRoute(path, def) {
	if (path instanceof RegExp)
		PATTERN_ROUTES.push([path, def]);
	else
		ROUTES.set(path, def);
}

function findRoute(path) {
	if (ROUTES.has(path))
		return { route: ROUTES.get(path), params: [] };
	for (const [re, def] of PATTERN_ROUTES) {
		const m = re.exec(path);
		if (m)
			return { route: def, params: m.slice(1) };
	}
	return { route: null, params: [] };
}

async function render() {
	const seq = ++renderSeq;
	const { path, query } = parseHash();
	const { route, params } = findRoute(path);
	const main = document.getElementById('main');
	const pathChanged = path !== lastPath;
	const hashChanged = location.hash !== lastHash;
	lastPath = path;
	lastHash = location.hash;
	if (pathChanged && Date.now() - flashAt > 1500) {
		document.getElementById('status').textContent = '';
	}
	closeMenu();
	renderNav();
	let view;
	if (!route) {
		view = messagePage('err.notFoundTitle', 'err.notFound');
	} else if (route.redirect) {
		go(route.redirect);
		return;
	} else if (route.auth && !state.me) {
		const q = query.toString();
		go(`/login?next=${encodeURIComponent(q ? `${path}?${q}` : path)}`);
		return;
	} else if (route.anonOnly && state.me) {
		go('/');
		return;
	} else if (route.admin && !isAdmin()) {
		view = messagePage('err.forbiddenTitle', 'err.forbidden');
	} else {
		main.setAttribute('aria-busy', 'true');
		// A slow page says so instead of leaving the previous one on screen.
		const slow = setTimeout(() => {
			if (seq === renderSeq)
				clear(main).append(h('p', { class: 'loading', text: t('common.loading') }));
		}, 400);
		try {
			view = await route.page({ query, path, params });
		} catch (e) {
			view = h('div', null, h('h1', { tabindex: '-1', text: t('err.pageFailedTitle') }),
				h('p', { class: 'alert alert-error', text: t('err.loadFailed', { message: e.message }) }));
		}
		clearTimeout(slow);
		main.removeAttribute('aria-busy');
	}
	if (seq !== renderSeq)
		return;
	clear(main).append(view);
	const h1 = main.querySelector('h1');
	if (h1) {
		h1.setAttribute('tabindex', '-1');
		document.title = path === '/' ? h1.textContent : t('app.title', { page: h1.textContent });
		if (hashChanged && firstRenderDone)
			h1.focus({ preventScroll: false });
	}
	firstRenderDone = true;
}
let firstRenderDone = false;

function messagePage(titleKey, textKey) {
	const box = h('div', { class: 'page-narrow' }, h('h1', { text: t(titleKey) }),
		h('p', { class: 'alert alert-warn', role: 'alert', text: t(textKey) }),
		h('p', null, h('a', { href: '#/', text: t('common.toHome') })));
	return box;
}

/* ---------- header navigation ---------- */

function navLink(path, key, current) {
	const active = current === path || (path.startsWith('/admin/') && current.startsWith('/admin/'));
	return h('li', null, h('a', { href: `#${path}`, 'aria-current': active ? 'page' : null, text: t(key) }));
}

function renderNav() {
	const ul = document.getElementById('nav-list');
	if (!ul)
		return;
	const cur = currentPath();
	clear(ul);
	ul.append(navLink('/', 'nav.home', cur));
	if (!state.me) {
		ul.append(navLink('/login', 'nav.login', cur), navLink('/register', 'nav.register', cur));
	} else {
		ul.append(navLink('/write', 'nav.write', cur), navLink('/appeals', 'nav.appeals', cur));
		if (isStaff())
			ul.append(navLink('/work', 'nav.work', cur));
		if (isAdmin())
			ul.append(navLink('/admin/territories', 'nav.registry', cur));
		ul.append(navLink('/profile', 'nav.profile', cur));
		ul.append(h('li', null, h('button', { type: 'button', class: 'linkish', onclick: logout, text: t('nav.logout') })));
	}
	const who = document.getElementById('whoami');
	clear(who);
	if (state.me) {
		const name = state.me.user.name || state.me.user.login;
		who.append(h('span', { class: 'sr-only', text: t('nav.user', { name: '' }) }), name);
		who.title = name;
	}
	who.hidden = !state.me;
	for (const fn of navHooks)
		fn();
}
const navHooks = [];
const STAFF_ROLES = ['executor', 'supervisor', 'coordinator', 'admin'];
const isStaff = () => !!state.me && state.me.roles.some((r) => STAFF_ROLES.includes(r.role));

function closeMenu() {
	const btn = document.getElementById('nav-toggle');
	if (btn) {
		btn.setAttribute('aria-expanded', 'false');
		document.getElementById('site-nav').classList.remove('open');
	}
}

function setupShell() {
	document.getElementById('brand-name').textContent = t('app.name');
	document.getElementById('brand-tagline').textContent = t('app.tagline');
	document.getElementById('skip').textContent = t('skip');
	const nav = document.getElementById('site-nav');
	nav.setAttribute('aria-label', t('nav.label'));
	const btn = document.getElementById('nav-toggle');
	document.getElementById('nav-toggle-label').textContent = t('nav.toggle');
	btn.addEventListener('click', () => {
		const open = btn.getAttribute('aria-expanded') !== 'true';
		btn.setAttribute('aria-expanded', String(open));
		nav.classList.toggle('open', open);
		if (open) {
			const first = nav.querySelector('a,button');
			if (first)
				first.focus();
		}
	});
	nav.addEventListener('keydown', (e) => {
		if (e.key === 'Escape' && nav.classList.contains('open')) {
			closeMenu();
			btn.focus();
		}
	});
	const foot = document.getElementById('footer-text');
	add(foot, [h('p', { text: t('footer.about') }), h('p', { text: t('footer.law') }),
		h('p', null, h('a', { href: '/api/openapi.json', text: t('footer.api') }))]);
	document.getElementById('skip').addEventListener('click', (e) => {
		e.preventDefault();
		const main = document.getElementById('main');
		main.focus();
	});
}

/* ---------- forms ---------- */

// A form field from a definition:
// {name, label, type: text|email|tel|number|password|textarea|select|checkbox|radio|ref, hint, required,
//  options: [[value,label]], autocomplete, min, max, maxlength, ref: {coll, params, search, empty, label(obj)}}
function makeField(def, value) {
	const id = uid(`f-${def.name}`);
	const hintId = def.hint ? `${id}-hint` : null;
	const errId = `${id}-err`;
	const err = h('p', { class: 'field-error', id: errId, hidden: true });
	const hint = def.hint ? h('p', { class: 'field-hint', id: hintId, text: def.hint }) : null;
	const labelText = [def.label, def.required || def.filter ? null : h('span', { class: 'opt', text: ` (${t('common.optional')})` })];
	const describe = (el, withErr) => {
		const ids = [hintId, withErr ? errId : null].filter(Boolean).join(' ');
		if (ids)
			el.setAttribute('aria-describedby', ids);
		else
			el.removeAttribute('aria-describedby');
	};
	let control, get, set, wrap, focusEl;
	if (def.type === 'checkbox') {
		control = h('input', { type: 'checkbox', id, name: def.name, checked: !!value });
		wrap = h('div', { class: 'field field-check' }, control, h('label', { for: id, text: def.label }), hint, err);
		get = () => control.checked;
		set = (v) => { control.checked = !!v; };
	} else if (def.type === 'radio') {
		const legendId = `${id}-legend`;
		const inputs = def.options.map(([v, l], i) => {
			const rid = `${id}-${i}`;
			const inp = h('input', { type: 'radio', id: rid, name: `${def.name}-${id}`, value: v, checked: (value ?? '') === v });
			return [inp, h('span', { class: 'radio' }, inp, h('label', { for: rid, text: l }))];
		});
		control = h('fieldset', { class: 'field field-radio', 'aria-describedby': hintId }, h('legend', { id: legendId }, labelText), hint,
			h('div', { class: 'radios' }, inputs.map((x) => x[1])), err);
		wrap = control;
		focusEl = inputs[0][0];
		get = () => {
			const c = inputs.find((x) => x[0].checked);
			return c && c[0].value !== '' ? c[0].value : null;
		};
		set = (v) => inputs.forEach((x) => { x[0].checked = x[0].value === (v ?? ''); });
		describe(control, false);
		return {
			def, wrap, get, set,
			focus: () => focusEl.focus(),
			setError(msg) {
				err.textContent = msg || '';
				err.hidden = !msg;
				inputs.forEach((x) => (msg ? x[0].setAttribute('aria-invalid', 'true') : x[0].removeAttribute('aria-invalid')));
				describe(control, !!msg);
			},
		};
	} else if (def.type === 'ref') {
		return makeRefField(def, value, { id, hint, err, errId, hintId, labelText });
	} else {
		if (def.type === 'textarea')
			control = h('textarea', { id, name: def.name, rows: def.rows || 4, maxlength: def.maxlength });
		else if (def.type === 'select') {
			control = h('select', { id, name: def.name },
				def.options.map(([v, l]) => h('option', { value: v, text: l })));
		} else {
			control = h('input', {
				id, name: def.name, type: def.type === 'number' ? 'text' : def.type || 'text',
				inputmode: def.type === 'number' ? (def.decimal ? 'decimal' : 'numeric') : null,
				autocomplete: def.autocomplete || (def.type === 'password' ? 'current-password' : 'off'),
				maxlength: def.maxlength, spellcheck: def.type === 'password' || def.code ? 'false' : null,
				autocapitalize: def.code ? 'off' : null, class: def.narrow ? 'narrow' : null,
			});
		}
		if (def.required)
			control.setAttribute('aria-required', 'true');
		if (def.type !== 'file')
			control.value = value == null ? '' : String(value);
		wrap = h('div', { class: 'field' }, h('label', { for: id }, labelText), hint, control, err);
		if (def.type === 'file') {
			// The browser's own file button speaks the browser's language: show ours, keep the input focusable.
			control.classList.add('file-native');
			const fileName = h('span', { class: 'file-name', text: t('file.none') });
			control.after(h('label', { for: id, class: 'btn file-button', 'aria-hidden': 'true', text: t('file.choose') }), fileName);
			control.addEventListener('change', () => {
				const file = control.files && control.files[0];
				fileName.textContent = file ? file.name : t('file.none');
			});
		}
		get = () => {
			const v = control.value.trim();
			if (def.type === 'number' || def.type === 'select-int')
				return v === '' ? null : Number(v.replace(',', '.'));
			if (def.type === 'password')
				return control.value;
			return v === '' ? null : v;
		};
		set = (v) => { control.value = v == null ? '' : String(v); };
	}
	describe(control, false);
	const f = {
		def, wrap, control, get, set,
		focus: () => (focusEl || control).focus(),
		setError(msg) {
			err.textContent = msg || '';
			err.hidden = !msg;
			if (msg)
				control.setAttribute('aria-invalid', 'true');
			else
				control.removeAttribute('aria-invalid');
			describe(control, !!msg);
		},
		validate() {
			const v = get();
			if (def.required && (v == null || v === ''))
				return t('err.required');
			if (def.type === 'number' && v != null && (!Number.isFinite(v) || (!def.decimal && !Number.isInteger(v))))
				return t('err.number');
			if (def.type === 'email' && v != null && !/^[^\s@]+@[^\s@]+$/.test(v))
				return t('err.email');
			return null;
		},
	};
	return f;
}

// A reference picker: a select of objects from a collection, with an optional search box for long lists.
function makeRefField(def, value, ctx) {
	const { id, hint, err, hintId, errId, labelText } = ctx;
	const ref = def.ref;
	const select = h('select', { id, name: def.name });
	if (def.required)
		select.setAttribute('aria-required', 'true');
	const searchId = `${id}-q`;
	const search = ref.search ? h('input', { type: 'search', id: searchId, class: 'ref-search', autocomplete: 'off' }) : null;
	const label = ref.label || ((o) => o.name);
	let current = value == null ? '' : String(value);
	let loadSeq = 0;
	const load = async (q) => {
		const seq = ++loadSeq;
		let items = [];
		try {
			const r = await api('GET', `/api/${ref.coll}${qs({ ...(ref.params || {}), q, limit: ref.limit || 200 })}`);
			items = r.items;
		} catch {
			items = [];
		}
		if (current && !items.some((o) => String(o.id) === current)) {
			const o = await getById(ref.coll, current);
			if (o)
				items.unshift(o);
		}
		if (seq !== loadSeq)
			return;
		if (ref.sort !== false)
			items.sort((a, b) => label(a).localeCompare(label(b), 'ru'));
		clear(select);
		if (!def.required || !current)
			select.append(h('option', { value: '', text: ref.empty || (def.required ? t('common.choose') : t('common.none')) }));
		for (const o of items)
			select.append(h('option', { value: String(o.id), text: label(o) }));
		select.value = current;
		if (select.value !== current)
			select.value = '';
	};
	select.addEventListener('change', () => { current = select.value; });
	let timer = 0;
	if (search) {
		search.addEventListener('input', () => {
			clearTimeout(timer);
			timer = setTimeout(() => load(search.value.trim()), 250);
		});
		search.addEventListener('keydown', (e) => {
			if (e.key === 'Enter')
				e.preventDefault();
		});
	}
	const ready = load('');
	const wrap = h('div', { class: 'field field-ref' }, h('label', { for: id }, labelText), hint,
		search ? h('div', { class: 'ref-row' },
			h('label', { for: searchId, class: 'sr-only', text: t('common.searchIn', { label: def.label }) }),
			search, select) : select, err);
	if (search)
		search.setAttribute('placeholder', t('common.search'));
	const describe = (withErr) => {
		const ids = [hintId, withErr ? errId : null].filter(Boolean).join(' ');
		if (ids)
			select.setAttribute('aria-describedby', ids);
		else
			select.removeAttribute('aria-describedby');
	};
	describe(false);
	return {
		def, wrap, control: select, ready,
		get: () => (select.value === '' ? null : Number(select.value)),
		set: (v) => { current = v == null ? '' : String(v); select.value = current; },
		focus: () => select.focus(),
		setError(msg) {
			err.textContent = msg || '';
			err.hidden = !msg;
			if (msg)
				select.setAttribute('aria-invalid', 'true');
			else
				select.removeAttribute('aria-invalid');
			describe(!!msg);
		},
		validate() {
			return def.required && select.value === '' ? t('err.required') : null;
		},
	};
}

// A form: fields + submit; client checks, then onSubmit(values); ApiError shown at the field or on top.
function makeForm({ fields, values = {}, submitLabel, busyLabel, onSubmit, extraButtons, className, labelledBy }) {
	const errTop = h('div', { class: 'alert alert-error', role: 'alert', tabindex: '-1', hidden: true });
	const fs = fields.map((d) => makeField(d, values[d.name]));
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: submitLabel || t('common.save') });
	const form = h('form', { class: `form ${className || ''}`, novalidate: true, 'aria-labelledby': labelledBy },
		errTop, fs.map((f) => f.wrap), h('div', { class: 'form-actions' }, submit, extraButtons || []));
	const byName = new Map(fs.map((f) => [f.def.name, f]));
	const clearErrors = () => {
		errTop.hidden = true;
		clear(errTop);
		fs.forEach((f) => f.setError(null));
	};
	const showError = (e) => {
		const f = e.field && byName.get(e.field);
		if (f) {
			f.setError(e.message);
			f.focus();
		} else {
			clear(errTop).append(e.message);
			errTop.hidden = false;
			errTop.focus();
		}
	};
	let busy = false;
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		if (busy)
			return;
		document.getElementById('status').textContent = '';
		clearErrors();
		let first = null;
		for (const f of fs) {
			const msg = f.validate ? f.validate() : null;
			if (msg) {
				f.setError(msg);
				first = first || f;
			}
		}
		if (first) {
			first.focus();
			return;
		}
		const vals = {};
		fs.forEach((f) => { vals[f.def.name] = f.get(); });
		busy = true;
		submit.disabled = true;
		submit.setAttribute('aria-busy', 'true');
		const label = submit.textContent;
		submit.textContent = busyLabel || t('common.saving');
		try {
			await onSubmit(vals);
		} catch (e) {
			if (e instanceof ApiError)
				showError(e);
			else
				showError({ message: t('err.generic') });
		} finally {
			busy = false;
			submit.disabled = false;
			submit.removeAttribute('aria-busy');
			submit.textContent = label;
		}
	});
	return { form, fields: byName, showError, clearErrors, ready: Promise.all(fs.map((f) => f.ready)) };
}

/* ---------- dialogs ---------- */

// A modal <dialog>: the rest of the page is inert while it is open, Esc closes it, focus returns to the opener.
function openDialog(title, build, { wide } = {}) {
	const opener = document.activeElement;
	const titleId = uid('dlg-title');
	const closeBtn = h('button', { type: 'button', class: 'btn-icon', 'aria-label': t('common.close'), text: '×' });
	const body = h('div', { class: 'dialog-body' });
	const dlg = h('dialog', { class: `dialog${wide ? ' dialog-wide' : ''}`, 'aria-labelledby': titleId },
		h('div', { class: 'dialog-head' }, h('h2', { id: titleId, text: title }), closeBtn), body);
	let closed = false;
	const close = () => {
		if (!closed) {
			closed = true;
			if (dlg.open)
				dlg.close();
		}
	};
	dlg.addEventListener('close', () => {
		closed = true;
		dlg.remove();
		if (opener && opener.isConnected && typeof opener.focus === 'function')
			opener.focus();
	});
	closeBtn.addEventListener('click', close);
	// Keep Tab inside the dialog (showModal makes the page inert, this also skips the browser chrome).
	dlg.addEventListener('keydown', (e) => {
		if (e.key !== 'Tab')
			return;
		const items = [...dlg.querySelectorAll('a[href],button:not([disabled]),input:not([disabled]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])')]
			.filter((x) => !x.closest('[hidden]'));
		if (!items.length)
			return;
		const first = items[0], last = items[items.length - 1];
		if (e.shiftKey && document.activeElement === first) {
			e.preventDefault();
			last.focus();
		} else if (!e.shiftKey && document.activeElement === last) {
			e.preventDefault();
			first.focus();
		}
	});
	add(body, [build(close)]);
	document.body.append(dlg);
	dlg.showModal();
	const firstInput = body.querySelector('input:not([type=hidden]),select,textarea,button');
	(firstInput || closeBtn).focus();
	return { dlg, close };
}

function confirmDialog(message, okLabel) {
	return new Promise((resolve) => {
		let answer = false;
		const { dlg } = openDialog(t('common.confirm'), (close) => h('div', null,
			h('p', { text: message }),
			h('div', { class: 'form-actions' },
				h('button', { type: 'button', class: 'btn btn-danger', text: okLabel || t('common.delete'), onclick: () => { answer = true; close(); } }),
				h('button', { type: 'button', class: 'btn', text: t('common.cancel'), onclick: close }))));
		dlg.addEventListener('close', () => resolve(answer));
	});
}

/* ---------- small views ---------- */

function pageHead(title, lead) {
	return [h('h1', { text: title }), lead ? h('p', { class: 'lead', text: lead }) : null];
}

function badge(text, kind) {
	return h('span', { class: `badge badge-${kind || 'neutral'}`, text });
}
const activeBadge = (on) => badge(on ? t('common.active') : t('common.inactive'), on ? 'ok' : 'muted');

// A table that turns into stacked cards on narrow screens (data-label feeds the CSS).
function table(caption, columns, rows, { captionHidden } = {}) {
	return h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
		h('caption', { class: captionHidden ? 'sr-only' : null, text: caption }),
		h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.cls, text: c.label })))),
		h('tbody', null, rows.map((row) => h('tr', null, columns.map((c, i) => {
			const v = row[i];
			return h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: c.cls, 'data-label': c.label }, v);
		}))))));
}

function adminNav(current) {
	return h('nav', { class: 'subnav', 'aria-label': t('admin.nav') }, h('ul', null,
		ADMIN_PAGES.map(([p, key]) => h('li', null, h('a', { href: `#${p}`, 'aria-current': p === current ? 'page' : null, text: t(key) })))));
}

function adminFrame(path, titleKey, leadKey, ...content) {
	return h('div', { class: 'admin' }, adminNav(path), h('div', { class: 'admin-main' }, pageHead(t(titleKey), leadKey ? t(leadKey) : null), content));
}

/* ---------- a list with search, paging, create/edit/delete ---------- */

// cfg: {coll, caption, what, pageSize, filters: [fieldDef], extraParams(), columns: [{label, cls, cell(item, refs)}],
//       fields(item): [fieldDef], resolve(items) → refs, toBody(values, item), nameOf(item), canEdit}
function crudList(cfg) {
	const st = { q: '', offset: 0, limit: cfg.pageSize || 25, filters: {} };
	const out = h('div', { class: 'list-body', 'aria-live': 'off' });
	const info = h('p', { class: 'pager-info', 'aria-live': 'polite' });
	const prev = h('button', { type: 'button', class: 'btn', text: `← ${t('common.prev')}` });
	const next = h('button', { type: 'button', class: 'btn', text: `${t('common.next')} →` });
	const pager = h('nav', { class: 'pager', 'aria-label': t('common.pager') }, prev, info, next);
	const qId = uid('q');
	const qInput = h('input', { type: 'search', id: qId, name: 'q', autocomplete: 'off' });
	const filterFields = (cfg.filters || []).map((d) => makeField({ ...d, filter: true }, null));
	const searchForm = h('form', { class: 'toolbar', role: 'search' },
		h('div', { class: 'field' }, h('label', { for: qId, text: t('common.search') }), qInput),
		filterFields.map((f) => f.wrap),
		h('div', { class: 'toolbar-buttons' }, h('button', { type: 'submit', class: 'btn', text: t('common.find') })));
	searchForm.addEventListener('submit', (e) => {
		e.preventDefault();
		st.q = qInput.value.trim();
		st.offset = 0;
		filterFields.forEach((f) => { st.filters[f.def.name] = f.get(); });
		load(true);
	});
	const addBtn = cfg.canCreate === false ? null :
		h('button', { type: 'button', class: 'btn btn-primary', text: `+ ${t('common.create')} ${cfg.what}`, onclick: () => edit(null) });

	let seq = 0;
	async function load(announceCount) {
		const my = ++seq;
		const params = { ...st.filters, ...(cfg.extraParams ? cfg.extraParams(st) : {}), q: st.q, limit: st.limit, offset: st.offset };
		let r;
		try {
			r = await api('GET', `/api/${cfg.coll}${qs(params)}`);
		} catch (e) {
			if (my === seq)
				clear(out).append(h('p', { class: 'alert alert-error', role: 'alert', text: t('err.loadFailed', { message: e.message }) }));
			return;
		}
		const refs = cfg.resolve ? await cfg.resolve(r.items) : {};
		if (my !== seq)
			return;
		await keepFocus(out, () => draw(r, refs), () => out.querySelector('button') || info);
		if (announceCount)
			announce(t('common.found', { total: r.total }));
	}
	function draw(r, refs) {
		clear(out);
		if (!r.items.length) {
			out.append(h('p', { class: 'empty', text: t('common.empty') }));
		} else {
			const cols = [...cfg.columns, { label: t('common.actions'), cls: 'col-actions' }];
			out.append(table(cfg.caption, cols, r.items.map((it) => [
				...cfg.columns.map((c) => c.cell(it, refs)),
				h('div', { class: 'row-actions' },
					cfg.rowExtra ? cfg.rowExtra(it, refs) : null,
					cfg.canEdit === false ? null : h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `${t('common.edit')}: ${cfg.nameOf(it)}`, text: t('common.edit'), onclick: () => edit(it) }),
					cfg.canDelete === false ? null : h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', 'aria-label': `${t('common.delete')}: ${cfg.nameOf(it)}`, text: t('common.delete'), onclick: () => del(it) })),
			]), { captionHidden: true }));
		}
		const from = r.total ? st.offset + 1 : 0;
		const to = st.offset + r.items.length;
		info.textContent = r.total ? t('common.shown', { from, to, total: r.total }) : '';
		prev.disabled = st.offset === 0;
		next.disabled = to >= r.total;
		pager.hidden = r.total <= st.limit && st.offset === 0;
	}
	prev.addEventListener('click', () => {
		st.offset = Math.max(0, st.offset - st.limit);
		load(false).then(() => { if (prev.disabled) next.focus(); });
	});
	next.addEventListener('click', () => {
		st.offset += st.limit;
		load(false).then(() => { if (next.disabled) prev.focus(); });
	});

	function edit(item) {
		const title = item ? t('admin.editTitle', { name: cfg.nameOf(item) }) : t('admin.createTitle', { what: cfg.what });
		openDialog(title, (close) => {
			const f = makeForm({
				fields: cfg.fields(item),
				values: item || (cfg.defaults ? cfg.defaults() : {}),
				submitLabel: item ? t('common.save') : t('common.create'),
				extraButtons: [h('button', { type: 'button', class: 'btn', text: t('common.cancel'), onclick: close })],
				onSubmit: async (vals) => {
					const body = cfg.toBody ? cfg.toBody(vals, item) : vals;
					if (item) {
						await api('PATCH', `/api/${cfg.coll}/${item.id}`, body);
						forget(cfg.coll, item.id);
					} else {
						for (const k of Object.keys(body))
							if (body[k] === null)
								delete body[k];
						await api('POST', `/api/${cfg.coll}`, body);
					}
					close();
					announce(item ? t('common.saved') : t('common.created'));
					await load(false);
				},
			});
			return f.form;
		}, { wide: true });
	}

	async function del(item) {
		if (!(await confirmDialog(t('admin.confirmDelete', { name: cfg.nameOf(item) }))))
			return;
		try {
			await api('DELETE', `/api/${cfg.coll}/${item.id}`);
			forget(cfg.coll, item.id);
			announce(t('common.deleted'));
			await load(false);
		} catch (e) {
			announce(e.message, 'error');
		}
	}

	const node = h('div', { class: 'crud' }, h('div', { class: 'list-head' }, searchForm, addBtn), out, pager);
	const ready = load(false);
	return { node, ready, reload: () => load(false) };
}

/* ---------- pages: home ---------- */

async function pageHome() {
	const [cats, topics] = await Promise.all([listAll('categories').catch(() => []), listAll('topics').catch(() => [])]);
	const activeCats = cats.filter((c) => c.active !== false).sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0) || a.name.localeCompare(b.name, 'ru'));
	const byCat = new Map();
	for (const tp of topics) {
		if (tp.active === false)
			continue;
		if (!byCat.has(tp.category_id))
			byCat.set(tp.category_id, []);
		byCat.get(tp.category_id).push(tp);
	}
	const hero = h('section', { class: 'hero', 'aria-labelledby': 'home-h1' },
		h('h1', { id: 'home-h1', text: t('home.h1') }),
		h('p', { class: 'lead', text: t('home.lead') }),
		state.me ? h('p', { class: 'hello', text: t('home.hello', { name: state.me.user.name || state.me.user.login }) })
			: h('p', { class: 'cta' }, h('a', { class: 'btn btn-primary', href: '#/login', text: t('home.ctaLogin') }), ' ',
				h('a', { class: 'btn', href: '#/register', text: t('home.ctaRegister') })));
	const steps = h('section', { class: 'steps', 'aria-labelledby': 'steps-h' },
		h('h2', { id: 'steps-h', text: t('home.stepsTitle') }),
		h('ol', { class: 'steps-list' }, [1, 2, 3].map((i) => h('li', null, h('h3', { text: t(`home.step${i}t`) }), h('p', { text: t(`home.step${i}`) })))));
	const rub = h('section', { class: 'rubric', 'aria-labelledby': 'rub-h' },
		h('h2', { id: 'rub-h', text: t('home.rubricTitle') }),
		h('p', { class: 'muted', text: t('home.rubricLead') }),
		activeCats.length ? h('ul', { class: 'cat-list' }, activeCats.map((c) => {
			const list = (byCat.get(c.id) || []).sort((a, b) => a.name.localeCompare(b.name, 'ru'));
			return h('li', { class: 'cat' }, h('details', null,
				h('summary', null, h('span', { class: 'cat-title' }, h('span', { class: 'cat-name', text: c.name }), ' ', h('span', { class: 'cat-count', text: plural('home.topicsCount', list.length) }))),
				list.length ? h('ul', { class: 'topic-list' }, list.map((tp) => h('li', { class: 'topic' },
					h('h3', { class: 'topic-name', text: tp.name }),
					tp.hint ? h('p', { class: 'topic-hint', text: tp.hint }) : null,
					h('p', { class: 'topic-deadline', text: t('home.deadline', { deadline: fmtDeadline(tp.deadline, tp.deadline_unit) }) }))))
					: h('p', { class: 'muted', text: t('home.noTopics') })));
		})) : h('p', { class: 'empty', text: t('home.rubricEmpty') }));
	return h('div', { class: 'home' }, hero, steps, rub);
}

/* ---------- pages: login, register ---------- */

async function providers() {
	if (!state.providers) {
		try {
			state.providers = await api('GET', '/api/auth/providers');
		} catch {
			state.providers = { oidc: { enabled: false, name: '' } };
		}
	}
	return state.providers;
}

function safeNext(query) {
	const n = query.get('next');
	return n && /^\/[a-z0-9/_-]*(\?[a-z0-9=&_.%-]*)?$/i.test(n) && !n.startsWith('//') ? n : '/';
}

async function pageLogin({ query }) {
	const next = safeNext(query);
	const p = await providers();
	const f = makeForm({
		fields: [
			{ name: 'login', label: t('login.login'), required: true, autocomplete: 'username', code: true },
			{ name: 'password', label: t('login.password'), type: 'password', required: true, autocomplete: 'current-password' },
		],
		submitLabel: t('login.submit'), busyLabel: t('login.busy'), labelledBy: 'login-h1',
		onSubmit: async (v) => {
			const r = await api('POST', '/api/auth/login', { login: v.login, password: v.password });
			setSession(r);
			announce(t('login.done'));
			go(next);
		},
	});
	const oidc = p.oidc && p.oidc.enabled ? h('div', { class: 'oidc' },
		h('p', { class: 'or', text: t('login.or') }),
		h('a', { class: 'btn btn-oidc', href: `/auth/oidc/start?next=${encodeURIComponent(`/#${next}`)}`, text: t('login.oidc', { name: p.oidc.name }) })) : null;
	return h('div', { class: 'page-narrow card' }, h('h1', { id: 'login-h1', text: t('login.title') }), h('p', { class: 'lead', text: t('login.lead') }),
		f.form, oidc,
		h('p', { class: 'aside' }, `${t('login.noAccount')} `, h('a', { href: '#/register', text: t('login.registerLink') })));
}

async function pageRegister() {
	const f = makeForm({
		fields: [
			{ name: 'login', label: t('register.login'), hint: t('register.loginHint'), required: true, autocomplete: 'username', code: true, maxlength: 64 },
			{ name: 'password', label: t('register.password'), hint: t('register.passwordHint'), type: 'password', required: true, autocomplete: 'new-password' },
			{ name: 'name', label: t('register.name'), hint: t('register.nameHint'), required: true, autocomplete: 'name', maxlength: 200 },
			{ name: 'email', label: t('register.email'), hint: t('register.emailHint'), type: 'email', autocomplete: 'email' },
		],
		submitLabel: t('register.submit'), labelledBy: 'reg-h1',
		onSubmit: async (v) => {
			const body = { login: v.login, password: v.password, name: v.name };
			if (v.email)
				body.email = v.email;
			setSession(await api('POST', '/api/auth/register', body));
			announce(t('register.done'));
			go('/profile');
		},
	});
	return h('div', { class: 'page-narrow card' }, h('h1', { id: 'reg-h1', text: t('register.title') }), h('p', { class: 'lead', text: t('register.lead') }),
		f.form, h('p', { class: 'aside' }, `${t('register.haveAccount')} `, h('a', { href: '#/login', text: t('nav.login') })));
}

/* ---------- pages: profile ---------- */

async function roleText(r) {
	const role = t(`role.${r.role}`);
	if (r.org_id != null)
		return t('role.scopeOrg', { role, org: nameOf(await getById('orgs', r.org_id), r.org_id) });
	if (r.territory_id != null)
		return t('role.scopeTerritory', { role, territory: nameOf(await getById('territories', r.territory_id), r.territory_id) });
	return role;
}

async function pageProfile() {
	const me = await api('GET', '/api/me');
	setSession(me);
	const u = me.user;
	const regions = await api('GET', '/api/territories?kind=region&limit=500').then((r) => r.items).catch(() => []);
	regions.sort((a, b) => a.name.localeCompare(b.name, 'ru'));
	if (u.home_territory_id != null && !regions.some((r) => r.id === u.home_territory_id)) {
		const cur = await getById('territories', u.home_territory_id);
		if (cur)
			regions.unshift(cur);
	}
	const f = makeForm({
		fields: [
			{ name: 'name', label: t('profile.name'), hint: t('profile.nameHint'), required: true, autocomplete: 'name', maxlength: 200 },
			{ name: 'email', label: t('profile.email'), hint: t('profile.emailHint'), type: 'email', autocomplete: 'email' },
			{ name: 'phone', label: t('profile.phone'), hint: t('profile.phoneHint'), type: 'tel', autocomplete: 'tel' },
			{ name: 'birth_year', label: t('profile.birthYear'), hint: t('profile.birthYearHint'), type: 'number', narrow: true, autocomplete: 'bday-year', maxlength: 4 },
			{ name: 'sex', label: t('profile.sex'), hint: t('profile.sexHint'), type: 'radio', options: [['', t('profile.sex.none')], ['f', t('profile.sex.f')], ['m', t('profile.sex.m')]] },
			{ name: 'home_territory_id', label: t('profile.territory'), hint: t('profile.territoryHint'), type: 'select',
				options: [['', t('profile.territoryNone')], ...regions.map((r) => [String(r.id), r.name])] },
		],
		values: { ...u, home_territory_id: u.home_territory_id == null ? '' : String(u.home_territory_id) },
		labelledBy: 'profile-form-h',
		onSubmit: async (v) => {
			const body = {
				name: v.name, email: v.email, phone: v.phone, birth_year: v.birth_year, sex: v.sex,
				home_territory_id: v.home_territory_id == null ? null : Number(v.home_territory_id),
			};
			const r = await api('PATCH', '/api/me', body);
			state.me = { ...state.me, user: r.user || state.me.user };
			renderNav();
			announce(t('profile.saved'));
		},
	});
	const roleList = await Promise.all(me.roles.map(roleText));
	const since = u.created_at ? new Date(u.created_at).toLocaleDateString('ru-RU', { year: 'numeric', month: 'long', day: 'numeric' }) : null;
	const summary = h('div', { class: 'profile-summary' },
		u.verified ? h('p', { class: 'verified' }, h('span', { class: 'verified-mark', 'aria-hidden': 'true', text: '✓' }), ' ', t('profile.verified'))
			: h('p', { class: 'unverified' }, h('strong', { text: t('profile.unverified') }), ' ', t('profile.unverifiedHint')),
		h('dl', { class: 'facts' },
			h('dt', { text: t('profile.login') }), h('dd', { text: u.login }),
			h('dt', { text: t('profile.roles') }), h('dd', null, roleList.length ? h('ul', { class: 'plain' }, roleList.map((x) => h('li', { text: x }))) : t('role.citizen'))),
		since ? h('p', { class: 'muted', text: t('profile.since', { date: since }) }) : null);
	// Deleting the account (docs/privacy.md): the password confirms, then a dialog asks once more.
	const del = makeForm({
		fields: [{ name: 'password', label: t('profile.delete.password'), hint: t('profile.delete.passwordHint'), type: 'password', autocomplete: 'current-password' }],
		submitLabel: t('profile.delete.button'), busyLabel: t('profile.delete.busy'), labelledBy: 'profile-delete-h',
		onSubmit: async (v) => {
			if (!await confirmDialog(t('profile.delete.confirm'), t('profile.delete.button')))
				return;
			const body = v.password ? { password: v.password } : {};
			await api('DELETE', '/api/me', body);
			setSession(null);
			announce(t('profile.delete.done'));
			go('/');
		},
	});
	del.form.querySelector('button[type=submit]').className = 'btn btn-danger';
	return h('div', { class: 'page-narrow' }, pageHead(t('profile.title'), t('profile.lead')), summary,
		h('section', { class: 'card' }, h('h2', { id: 'profile-form-h', class: 'sr-only', text: t('profile.title') }), f.form),
		h('section', { class: 'card' }, h('h2', { id: 'profile-delete-h', text: t('profile.delete.title') }),
			h('p', { text: t('profile.delete.lead') }), del.form));
}

/* ---------- pages: admin: territories ---------- */

const TERR_KINDS = ['country', 'region', 'municipality', 'settlement'];
const ORG_KINDS = ['federal', 'regional', 'municipal', 'social'];
const kindOpts = (prefix, kinds, allLabel) => [[' ', allLabel], ...kinds.map((k) => [k, t(`${prefix}.${k}`)])].map(([v, l]) => [v.trim(), l]);
const terrLabel = (o) => `${o.name} — ${t(`terr.kind.${o.kind}`)}`;

async function pageTerritories({ query, path }) {
	const parentId = query.get('parent') ? Number(query.get('parent')) : null;
	const chain = [];
	for (let id = parentId, guard = 0; id != null && guard < 10; guard++) {
		const o = await getById('territories', id);
		if (!o)
			break;
		chain.unshift(o);
		id = o.parent_id;
	}
	const crumbs = h('nav', { class: 'breadcrumbs', 'aria-label': t('terr.breadcrumb') }, h('ol', null,
		h('li', null, parentId == null ? h('span', { 'aria-current': 'page', text: t('terr.root') }) : h('a', { href: '#/admin/territories', text: t('terr.root') })),
		chain.map((o, i) => h('li', null, i === chain.length - 1 ? h('span', { 'aria-current': 'page', text: o.name }) : h('a', { href: `#/admin/territories?parent=${o.id}`, text: o.name })))));
	const list = crudList({
		coll: 'territories', caption: parentId != null ? t('terr.childrenOf', { name: chain.at(-1)?.name || parentId }) : t('terr.caption'),
		what: t('terr.one'), pageSize: 25,
		// The root of the tree shows the countries; a search or a type filter looks everywhere.
		extraParams: (st) => (parentId != null ? { parent_id: parentId } : !st.q && !st.filters.kind ? { kind: 'country' } : {}),
		filters: [{ name: 'kind', label: t('terr.kindFilter'), type: 'select', options: kindOpts('terr.kind', TERR_KINDS, t('common.all')) }],
		resolve: async (items) => ({ parents: await resolveAll('territories', items.map((x) => x.parent_id)) }),
		nameOf: (o) => o.name,
		rowExtra: (o) => h('button', { type: 'button', class: 'btn btn-small', 'aria-label': t('poly.button', { name: o.name }), text: t('terr.polygon'), onclick: () => polygonDialog(o, () => list.reload()) }),
		columns: [
			{ label: t('common.name'), cell: (o) => [h('a', { href: `#/admin/territories?parent=${o.id}`, title: t('terr.childrenOf', { name: o.name }), text: o.name }), o.active === false ? [' ', badge(t('common.inactive'), 'muted')] : null] },
			{ label: t('common.code'), cls: 'mono', cell: (o) => o.code },
			{ label: t('terr.kind'), cell: (o) => t(`terr.kind.${o.kind}`) },
			{ label: t('terr.parent'), cell: (o, r) => (o.parent_id == null ? '—' : nameOf(r.parents.get(o.parent_id), o.parent_id)) },
			{ label: t('terr.oktmo'), cls: 'mono', cell: (o) => o.oktmo || '—' },
			{ label: t('terr.polygon'), cell: (o) => (o.has_polygon ? badge(t('terr.polygonSet'), 'ok') : badge(t('terr.polygonUnset'), 'muted')) },
		],
		defaults: () => ({ parent_id: parentId, kind: chain.length ? TERR_KINDS[Math.min(TERR_KINDS.indexOf(chain.at(-1).kind) + 1, 3)] : 'region', active: true }),
		fields: () => [
			{ name: 'name', label: t('common.name'), required: true, maxlength: 300 },
			{ name: 'code', label: t('common.code'), hint: t('admin.codeHint'), required: true, code: true, maxlength: 100 },
			{ name: 'kind', label: t('terr.kind'), type: 'select', required: true, options: TERR_KINDS.map((k) => [k, t(`terr.kind.${k}`)]) },
			{ name: 'parent_id', label: t('terr.parent'), type: 'ref', ref: { coll: 'territories', search: true, empty: t('terr.parentNone'), label: terrLabel } },
			{ name: 'okato', label: t('terr.okato'), code: true, narrow: true, maxlength: 20 },
			{ name: 'oktmo', label: t('terr.oktmo'), code: true, narrow: true, maxlength: 20 },
			{ name: 'iso', label: t('terr.iso'), hint: t('terr.isoHint'), code: true, narrow: true, maxlength: 10 },
			{ name: 'active', label: t('admin.activeField'), hint: t('admin.activeHint'), type: 'checkbox' },
		],
	});
	await list.ready;
	return adminFrame(path, 'admin.territories', 'terr.lead', crumbs, parentId == null ? h('p', { class: 'muted', text: t('terr.rootHint') }) : null, list.node);
}

// An outline of a GeoJSON Polygon/MultiPolygon (or a Feature) as an SVG; numbers only reach the markup.
function polygonSvg(geo, label) {
	const g = geo && geo.type === 'Feature' ? geo.geometry : geo;
	const polys = !g ? [] : g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
	const rings = polys.flat(1).filter((r) => Array.isArray(r) && r.length > 2);
	if (!rings.length)
		return null;
	let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
	for (const r of rings)
		for (const [x, y] of r) {
			minX = Math.min(minX, x); maxX = Math.max(maxX, x);
			minY = Math.min(minY, y); maxY = Math.max(maxY, y);
		}
	const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180) || 1; // longitude degrees are shorter away from the equator
	const w = Math.max((maxX - minX) * k, 1e-9), hgt = Math.max(maxY - minY, 1e-9);
	const size = 300, sc = size / Math.max(w, hgt);
	const fmt = (v) => (Math.round(v * 10) / 10).toString();
	const d = rings.map((r) => `M${r.map(([x, y]) => `${fmt((x - minX) * k * sc)} ${fmt((maxY - y) * sc)}`).join('L')}Z`).join('');
	const NS = 'http://www.w3.org/2000/svg';
	const svg = document.createElementNS(NS, 'svg');
	svg.setAttribute('viewBox', `-4 -4 ${fmt(w * sc + 8)} ${fmt(hgt * sc + 8)}`);
	svg.setAttribute('class', 'poly-svg');
	svg.setAttribute('role', 'img');
	svg.setAttribute('aria-label', label);
	const path = document.createElementNS(NS, 'path');
	path.setAttribute('d', d);
	path.setAttribute('fill-rule', 'evenodd');
	svg.append(path);
	return svg;
}

function polygonDialog(terr, onDone) {
	openDialog(t('poly.title', { name: terr.name }), (close) => {
		const preview = h('div', { class: 'poly-preview' });
		if (terr.has_polygon) {
			preview.append(h('p', { class: 'muted', text: t('common.loading') }));
			api('GET', `/api/territories/${terr.id}/polygon`).then((geo) => {
				clear(preview).append(polygonSvg(geo, t('poly.outline', { name: terr.name })) || h('p', { class: 'muted', text: t('poly.unreadable') }));
			}).catch((e) => clear(preview).append(h('p', { class: 'alert alert-error', text: e.message })));
		} else {
			preview.append(h('p', { class: 'muted', text: t('poly.none') }));
		}
		const f = makeForm({
			fields: [
				{ name: 'file', label: t('poly.file'), type: 'file', hint: t('poly.fileHint') },
				{ name: 'geojson', label: t('poly.text'), type: 'textarea', rows: 5 },
			],
			submitLabel: t('poly.submit'),
			extraButtons: [h('button', { type: 'button', class: 'btn', text: t('common.cancel'), onclick: close })],
			onSubmit: async () => {
				const fileInput = f.fields.get('file').control;
				const file = fileInput.files && fileInput.files[0];
				const text = file ? await file.text() : f.fields.get('geojson').control.value;
				const field = file ? 'file' : 'geojson';
				if (!text.trim())
					throw new ApiError(422, 'validation_failed', t('poly.empty'), field);
				let geo;
				try {
					geo = JSON.parse(text);
				} catch {
					throw new ApiError(422, 'validation_failed', t('poly.notJson'), field);
				}
				try {
					await api('PUT', `/api/territories/${terr.id}/polygon`, geo);
				} catch (e) {
					if (e instanceof ApiError && e.status !== 401 && e.status !== 403)
						throw new ApiError(e.status, e.code, e.message, field);
					throw e;
				}
				forget('territories', terr.id);
				close();
				announce(t('poly.saved'));
				onDone();
			},
		});
		f.fields.get('file').control.setAttribute('accept', '.json,.geojson,application/json,application/geo+json');
		f.fields.get('geojson').control.classList.add('mono');
		return h('div', null, preview, f.form);
	}, { wide: true });
}

/* ---------- pages: admin: organisations ---------- */

async function pageOrgs({ path }) {
	const list = crudList({
		coll: 'orgs', caption: t('org.caption'), what: t('org.one'), pageSize: 25,
		filters: [{ name: 'kind', label: t('org.kindFilter'), type: 'select', options: kindOpts('org.kind', ORG_KINDS, t('common.all')) }],
		resolve: async (items) => {
			const [terr, parents] = await Promise.all([resolveAll('territories', items.map((x) => x.territory_id)), resolveAll('orgs', items.map((x) => x.parent_id))]);
			return { terr, parents };
		},
		nameOf: (o) => o.short_name || o.name,
		columns: [
			{ label: t('common.name'), cell: (o) => h('span', null, h('span', { class: 'strong', text: o.name }), o.active === false ? [' ', badge(t('common.inactive'), 'muted')] : null, o.short_name && o.short_name !== o.name ? h('span', { class: 'sub', text: o.short_name }) : null) },
			{ label: t('common.code'), cls: 'mono', cell: (o) => o.code },
			{ label: t('org.kind'), cell: (o) => t(`org.kind.${o.kind}`) },
			{ label: t('org.territory'), cell: (o, r) => (o.territory_id == null ? '—' : nameOf(r.terr.get(o.territory_id), o.territory_id)) },
			{ label: t('org.parent'), cell: (o, r) => (o.parent_id == null ? '—' : nameOf(r.parents.get(o.parent_id), o.parent_id)) },
		],
		defaults: () => ({ kind: 'regional', active: true }),
		fields: () => [
			{ name: 'name', label: t('common.name'), required: true, maxlength: 500 },
			{ name: 'short_name', label: t('org.shortName'), maxlength: 200 },
			{ name: 'code', label: t('common.code'), hint: t('admin.codeHint'), required: true, code: true, maxlength: 100 },
			{ name: 'kind', label: t('org.kind'), type: 'select', required: true, options: ORG_KINDS.map((k) => [k, t(`org.kind.${k}`)]) },
			{ name: 'territory_id', label: t('org.territory'), type: 'ref', required: true, ref: { coll: 'territories', search: true, label: terrLabel } },
			{ name: 'parent_id', label: t('org.parent'), type: 'ref', ref: { coll: 'orgs', search: true, empty: t('org.parentNone'), label: (o) => o.short_name || o.name } },
			{ name: 'email', label: t('org.email'), hint: t('org.emailHint'), type: 'email', maxlength: 200 },
			{ name: 'active', label: t('admin.activeField'), hint: t('admin.activeHint'), type: 'checkbox' },
		],
	});
	await list.ready;
	return adminFrame(path, 'admin.orgs', 'org.lead', list.node);
}

/* ---------- pages: admin: rubricator ---------- */

const categoryFields = () => [
	{ name: 'name', label: t('common.name'), required: true, maxlength: 200 },
	{ name: 'code', label: t('common.code'), hint: t('admin.codeHint'), required: true, code: true, maxlength: 100 },
	{ name: 'sort', label: t('rub.sort'), hint: t('rub.sortHint'), type: 'number', narrow: true },
	{ name: 'active', label: t('admin.activeField'), hint: t('admin.activeHint'), type: 'checkbox' },
];
const topicFields = (cats) => [
	{ name: 'name', label: t('common.name'), required: true, maxlength: 300 },
	{ name: 'code', label: t('common.code'), hint: t('admin.codeHint'), required: true, code: true, maxlength: 100 },
	{ name: 'category_id', label: t('rub.category'), type: 'select', required: true, options: cats.map((c) => [String(c.id), c.name]) },
	{ name: 'deadline', label: t('rub.deadline'), hint: t('rub.deadlineHint'), type: 'number', required: true, narrow: true },
	{ name: 'deadline_unit', label: t('rub.unit'), type: 'select', required: true, options: [['wdays', t('unit.wdays.label')], ['hours', t('unit.hours.label')]] },
	{ name: 'hint', label: t('rub.hint'), hint: t('rub.hintHint'), type: 'textarea', maxlength: 2000 },
	{ name: 'active', label: t('admin.activeField'), hint: t('admin.activeHint'), type: 'checkbox' },
];

const openCats = new Set(); // categories unfolded on the rubricator page (kept while the tab is open)

async function pageRubricator({ path }) {
	const box = h('div', { class: 'rubricator' });
	const filterId = uid('rf');
	const filter = h('input', { type: 'search', id: filterId, autocomplete: 'off' });
	let cats = [], topics = [];

	const saveDialog = (coll, item, fields, defaults, what) => {
		openDialog(item ? t('admin.editTitle', { name: item.name }) : t('admin.createTitle', { what }), (close) => makeForm({
			fields, values: item ? { ...item, category_id: item.category_id != null ? String(item.category_id) : undefined } : defaults,
			submitLabel: item ? t('common.save') : t('common.create'),
			extraButtons: [h('button', { type: 'button', class: 'btn', text: t('common.cancel'), onclick: close })],
			onSubmit: async (v) => {
				if (v.category_id != null)
					v.category_id = Number(v.category_id);
				if (coll === 'categories' && v.sort == null)
					v.sort = 0; // an empty order means "first"; the server does not take null here
				if (item) {
					await api('PATCH', `/api/${coll}/${item.id}`, v);
					forget(coll, item.id);
				} else {
					for (const k of Object.keys(v))
						if (v[k] === null)
							delete v[k];
					const created = await api('POST', `/api/${coll}`, v);
					openCats.add(coll === 'categories' ? created.id : created.category_id);
				}
				close();
				announce(item ? t('common.saved') : t('common.created'));
				await load();
			},
		}).form, { wide: true });
	};
	const del = async (coll, item) => {
		if (!(await confirmDialog(t('admin.confirmDelete', { name: item.name }))))
			return;
		try {
			await api('DELETE', `/api/${coll}/${item.id}`);
			forget(coll, item.id);
			announce(t('common.deleted'));
			await load();
		} catch (e) {
			announce(e.message, 'error');
		}
	};
	const actions = (coll, item, fields, what) => [
		h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `${t('common.edit')}: ${item.name}`, text: t('common.edit'), onclick: () => saveDialog(coll, item, fields(), null, what) }),
		h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', 'aria-label': `${t('common.delete')}: ${item.name}`, text: t('common.delete'), onclick: () => del(coll, item) }),
	];

	function draw() {
		const q = filter.value.trim().toLowerCase();
		clear(box);
		if (!cats.length) {
			box.append(h('p', { class: 'empty', text: t('rub.empty') }));
			return;
		}
		for (const c of cats) {
			const own = topics.filter((x) => x.category_id === c.id).sort((a, b) => a.name.localeCompare(b.name, 'ru'));
			const shown = q && !c.name.toLowerCase().includes(q) ? own.filter((x) => `${x.name} ${x.code} ${x.hint || ''}`.toLowerCase().includes(q)) : own;
			if (q && !shown.length && !c.name.toLowerCase().includes(q))
				continue;
			const hid = uid('cat');
			const det = h('details', { class: 'cat-details', open: !!q || openCats.has(c.id) },
				h('summary', null, h('h2', { id: hid }, c.name, ' ', h('span', { class: 'code', text: c.code }), ' ',
					h('span', { class: 'cat-count', text: plural('home.topicsCount', own.length) }), ' ', c.active === false ? badge(t('common.inactive'), 'muted') : null)),
				h('div', { class: 'cat-body' },
					h('div', { class: 'row-actions cat-actions' },
						h('button', { type: 'button', class: 'btn btn-small btn-primary', 'aria-label': t('rub.addTopicTo', { name: c.name }), text: `+ ${t('rub.addTopic')}`,
							onclick: () => saveDialog('topics', null, topicFields(cats), { category_id: String(c.id), deadline_unit: 'wdays', active: true }, t('rub.topicOne')) }),
						actions('categories', c, categoryFields, t('rub.categoryOne'))),
				shown.length ? table(t('rub.topicsOf', { name: c.name }), [
					{ label: t('rub.topic') }, { label: t('common.code'), cls: 'mono' }, { label: t('rub.deadline') },
					{ label: t('rub.hint'), cls: 'col-hint' }, { label: t('common.active') }, { label: t('common.actions'), cls: 'col-actions' },
				], shown.map((x) => [x.name, x.code, fmtDeadline(x.deadline, x.deadline_unit), x.hint || '—', x.active === false ? t('common.no') : t('common.yes'),
					h('div', { class: 'row-actions' }, actions('topics', x, () => topicFields(cats), t('rub.topicOne')))]), { captionHidden: true })
					: h('p', { class: 'muted', text: t('rub.noTopics') })));
			det.addEventListener('toggle', () => {
				if (!q) {
					if (det.open)
						openCats.add(c.id);
					else
						openCats.delete(c.id);
				}
			});
			box.append(h('section', { class: 'cat-admin card', 'aria-labelledby': hid }, det));
		}
	}
	async function load() {
		[cats, topics] = await Promise.all([listAll('categories'), listAll('topics')]);
		cats.sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0) || a.name.localeCompare(b.name, 'ru'));
		await keepFocus(box, draw, () => box.querySelector('h2') ? addBtn : filter);
	}
	filter.addEventListener('input', draw);
	const addBtn = h('button', { type: 'button', class: 'btn btn-primary', text: `+ ${t('rub.addCategory')}`, onclick: () => saveDialog('categories', null, categoryFields(), { active: true, sort: (cats.at(-1)?.sort ?? 0) + 10 }, t('rub.categoryOne')) });
	await load();
	const head = h('div', { class: 'list-head' },
		h('div', { class: 'toolbar', role: 'search' }, h('div', { class: 'field' }, h('label', { for: filterId, text: t('rub.filter') }), filter)), addBtn);
	return adminFrame(path, 'admin.rubricator', 'rub.lead', head, box);
}

/* ---------- pages: admin: competence rules ---------- */

async function ruleText(r, refs) {
	const topic = r.topic_id != null ? nameOf(refs.topics.get(r.topic_id), r.topic_id)
		: r.category_id != null ? t('rule.categoryPrefix', { name: nameOf(refs.cats.get(r.category_id), r.category_id) }) : t('rule.anyTopic');
	const terr = r.territory_id != null ? nameOf(refs.terr.get(r.territory_id), r.territory_id) : t('rule.anyTerritory');
	const org = r.org_id != null ? nameOf(refs.orgs.get(r.org_id), r.org_id) : t('rule.noOrg');
	return { topic, terr, org };
}
async function ruleRefs(items) {
	const [topics, cats, terr, orgs] = await Promise.all([
		resolveAll('topics', items.map((x) => x.topic_id)), resolveAll('categories', items.map((x) => x.category_id)),
		resolveAll('territories', items.map((x) => x.territory_id)), resolveAll('orgs', items.map((x) => x.org_id))]);
	const refs = { topics, cats, terr, orgs, text: new Map() };
	for (const it of items)
		refs.text.set(it.id, await ruleText(it, refs));
	return refs;
}
const ruleNode = (p) => h('span', { class: 'rule' }, h('span', { class: 'rule-topic', text: p.topic }), ' — ', h('span', { class: 'rule-terr', text: p.terr }),
	h('span', { class: 'rule-arrow', text: ' → ' }), h('span', { class: 'rule-org', text: p.org }));
const orgLabel = (o) => o.short_name || o.name;

async function pageRules({ path }) {
	const [cats, topics] = await Promise.all([listAll('categories'), listAll('topics')]);
	const catName = new Map(cats.map((c) => [c.id, c.name]));
	const topicOpts = topics.slice().sort((a, b) => (catName.get(a.category_id) || '').localeCompare(catName.get(b.category_id) || '', 'ru') || a.name.localeCompare(b.name, 'ru'))
		.map((x) => [String(x.id), `${catName.get(x.category_id) || '?'} / ${x.name}`]);
	const list = crudList({
		coll: 'rules', caption: t('rule.caption'), what: t('rule.one'), pageSize: 25,
		filters: [
			{ name: 'topic_id', label: t('rule.filterTopic'), type: 'select', options: [['', t('common.all')], ...topicOpts] },
			{ name: 'territory_id', label: t('rule.filterTerritory'), type: 'ref', ref: { coll: 'territories', params: { kind: 'region' }, empty: t('common.all'), label: (o) => o.name, limit: 500 } },
		],
		resolve: ruleRefs,
		nameOf: (r) => r.code,
		columns: [
			{ label: t('rule.text'), cell: (r, refs) => ruleNode(refs.text.get(r.id)) },
			{ label: t('common.code'), cls: 'mono', cell: (r) => r.code },
		],
		fields: () => [
			{ name: 'code', label: t('common.code'), hint: t('admin.codeHint'), required: true, code: true, maxlength: 100 },
			{ name: 'topic_id', label: t('rule.topic'), hint: t('rule.topicHint'), type: 'select', options: [['', t('rule.anyTopic')], ...topicOpts] },
			{ name: 'category_id', label: t('rule.category'), hint: t('rule.categoryHint'), type: 'select', options: [['', '—'], ...cats.map((c) => [String(c.id), c.name])] },
			{ name: 'territory_id', label: t('rule.territory'), hint: t('rule.territoryHint'), type: 'ref', ref: { coll: 'territories', search: true, empty: t('rule.anyTerritory'), label: terrLabel } },
			{ name: 'org_id', label: t('rule.org'), type: 'ref', required: true, ref: { coll: 'orgs', search: true, label: orgLabel } },
		],
		toBody: (v) => ({ ...v, topic_id: v.topic_id == null ? null : Number(v.topic_id), category_id: v.category_id == null ? null : Number(v.category_id) }),
	});
	const routeBox = routeTool(topicOpts);
	await list.ready;
	return adminFrame(path, 'admin.rules', 'rule.lead', routeBox, h('h2', { class: 'list-title', text: t('rule.listTitle') }), list.node);
}

function routeTool(topicOpts) {
	const out = h('div', { class: 'route-result', 'aria-live': 'polite' });
	const f = makeForm({
		fields: [
			{ name: 'topic_id', label: t('route.topic'), type: 'select', required: true, options: [['', '—'], ...topicOpts] },
			{ name: 'territory_id', label: t('route.territory'), type: 'ref', required: true, ref: { coll: 'territories', search: true, label: terrLabel } },
			{ name: 'lat', label: t('route.lat'), type: 'number', decimal: true, narrow: true, hint: t('route.pointHint') },
			{ name: 'lon', label: t('route.lon'), type: 'number', decimal: true, narrow: true },
		],
		submitLabel: t('route.submit'), busyLabel: t('common.loading'), labelledBy: 'route-h',
		onSubmit: async (v) => {
			clear(out);
			const r = await api('GET', `/api/route${qs({ topic_id: v.topic_id, territory_id: v.territory_id, lat: v.lat, lon: v.lon })}`);
			const [org, terr, rule] = await Promise.all([getById('orgs', r.org_id), getById('territories', r.territory_id), r.rule_id != null ? getById('rules', r.rule_id) : null]);
			let ruleLine = null;
			if (rule) {
				const refs = await ruleRefs([rule]);
				ruleLine = h('p', null, `${t('route.byRule', { rule: '' })}`, ruleNode(refs.text.get(rule.id)), ' ', h('span', { class: 'code', text: rule.code }));
			}
			out.append(h('div', { class: `alert ${r.org_id != null ? 'alert-ok' : 'alert-warn'}` },
				h('p', { class: 'strong', text: r.org_id != null ? t('route.to', { org: nameOf(org, r.org_id) }) : t('route.triage') }),
				ruleLine,
				r.territory_id != null ? h('p', { text: t('route.territoryUsed', { territory: nameOf(terr, r.territory_id) }) }) : null,
				r.reason ? h('p', { text: t('route.reason', { reason: r.reason }) }) : null));
		},
	});
	const lat = f.fields.get('lat').wrap, lon = f.fields.get('lon').wrap;
	const hint = lat.querySelector('.field-hint');
	const row = h('div', { class: 'point-row' });
	lat.before(row);
	row.append(lat, lon);
	if (hint) {
		row.before(hint);
		hint.classList.add('point-hint');
	}
	return h('section', { class: 'card route-tool', 'aria-labelledby': 'route-h' },
		h('h2', { id: 'route-h', text: t('route.title') }), h('p', { class: 'muted', text: t('route.lead') }), f.form, out);
}

/* ---------- pages: admin: users and roles ---------- */

const ROLES = ['admin', 'operator', 'executor', 'supervisor', 'coordinator', 'organiser', 'moderator', 'volunteer'];
const ORG_ROLES = new Set(['operator', 'executor', 'supervisor', 'organiser', 'moderator']);
const TERR_ROLES = new Set(['coordinator', 'volunteer']);

async function pageUsers({ path }) {
	const list = crudList({
		coll: 'users', caption: t('users.caption'), what: '', pageSize: 20, canCreate: false, canEdit: false, canDelete: false,
		resolve: async (items) => {
			const details = await Promise.all(items.map((u) => api('GET', `/api/users/${u.id}`).catch(() => ({ roles: [] }))));
			const roles = new Map();
			for (let i = 0; i < items.length; i++)
				roles.set(items[i].id, await Promise.all((details[i].roles || []).map(roleText)));
			return { roles };
		},
		nameOf: (u) => u.login,
		columns: [
			{ label: t('users.login'), cls: 'mono', cell: (u) => u.login },
			{ label: t('users.name'), cell: (u) => u.name || '—' },
			{ label: t('users.email'), cell: (u) => u.email || '—' },
			{ label: t('users.verified'), cell: (u) => (u.verified ? badge(t('common.yes'), 'ok') : t('common.no')) },
			{ label: t('users.roles'), cell: (u, r) => { const l = r.roles.get(u.id) || []; return l.length ? h('ul', { class: 'plain' }, l.map((x) => h('li', { text: x }))) : t('role.citizen'); } },
		],
		rowExtra: (u) => h('button', { type: 'button', class: 'btn btn-small', 'aria-label': t('users.manageOf', { name: u.login }), text: t('users.manage'), onclick: () => manageRoles(u, () => list.reload()) }),
	});
	await list.ready;
	return adminFrame(path, 'admin.users', 'users.lead', list.node);
}

function manageRoles(user, onChange) {
	openDialog(t('users.manageTitle', { name: user.name ? `${user.name} (${user.login})` : user.login }), () => {
		const listBox = h('div', { class: 'roles-list', 'aria-live': 'polite' });
		const refresh = async () => {
			const d = await api('GET', `/api/users/${user.id}`);
			const rows = await Promise.all(d.roles.map(async (r) => ({ r, text: await roleText(r) })));
			const hadFocus = listBox.contains(document.activeElement);
			clear(listBox);
			listBox.append(rows.length ? h('ul', { class: 'plain roles' }, rows.map(({ r, text }) => h('li', null, h('span', { text }), ' ',
				h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', 'aria-label': t('users.revokeLabel', { role: text }), text: t('users.revoke'),
					onclick: async () => {
						if (!(await confirmDialog(t('users.confirmRevoke', { role: text, name: user.login }), t('users.revoke'))))
							return;
						try {
							await api('DELETE', `/api/users/${user.id}/roles/${r.id}`);
							announce(t('users.revoked'));
							await refresh();
							onChange();
						} catch (e) {
							announce(e.message, 'error');
						}
					} }))))
				: h('p', { class: 'muted', text: t('users.noRoles') }));
			if (hadFocus)
				(listBox.querySelector('button') || grant.form.querySelector('select')).focus();
		};
		const grant = makeForm({
			fields: [
				{ name: 'role', label: t('users.role'), type: 'select', required: true, options: ROLES.map((r) => [r, t(`role.${r}`)]) },
				{ name: 'org_id', label: t('users.org'), hint: t('users.orgHint'), type: 'ref', ref: { coll: 'orgs', search: true, empty: '—', label: orgLabel } },
				{ name: 'territory_id', label: t('users.territory'), hint: t('users.territoryHint'), type: 'ref', ref: { coll: 'territories', search: true, empty: '—', label: terrLabel } },
			],
			values: { role: 'executor' },
			submitLabel: t('users.grant'), labelledBy: 'grant-h',
			onSubmit: async (v) => {
				const body = { role: v.role };
				if (ORG_ROLES.has(v.role))
					body.org_id = v.org_id;
				if (TERR_ROLES.has(v.role))
					body.territory_id = v.territory_id;
				for (const k of Object.keys(body))
					if (body[k] == null)
						delete body[k];
				await api('POST', `/api/users/${user.id}/roles`, body);
				announce(t('users.granted'));
				await refresh();
				onChange();
			},
		});
		const roleSel = grant.fields.get('role').control;
		const sync = () => {
			grant.fields.get('org_id').wrap.hidden = !ORG_ROLES.has(roleSel.value);
			grant.fields.get('territory_id').wrap.hidden = !TERR_ROLES.has(roleSel.value);
		};
		roleSel.addEventListener('change', sync);
		sync();
		refresh().catch((e) => listBox.append(h('p', { class: 'alert alert-error', text: e.message })));
		return h('div', null, listBox, h('h3', { id: 'grant-h', text: t('users.grantTitle') }), grant.form);
	}, { wide: true });
}

/* ---------- pages: admin: CSV import ---------- */

const IMPORT_COLUMNS = {
	territories: 'code,parent_code,kind,name,okato,oktmo,iso',
	orgs: 'code,name,short_name,kind,territory_code,parent_code,email',
	categories: 'code,name,sort',
	topics: 'code,category_code,name,deadline,deadline_unit,hint,active',
	rules: 'code,topic_code,category_code,territory_code,org_code',
};

async function pageImport({ path }) {
	const out = h('div', { class: 'import-result', 'aria-live': 'polite' });
	const cols = h('p', { class: 'columns' });
	const f = makeForm({
		fields: [
			{ name: 'coll', label: t('import.coll'), type: 'select', required: true, options: Object.keys(IMPORT_COLUMNS).map((k) => [k, t(`import.coll.${k}`)]) },
			{ name: 'file', label: t('import.file'), type: 'file', hint: t('import.fileHint') },
			{ name: 'csv', label: t('import.text'), type: 'textarea', rows: 8 },
		],
		submitLabel: t('import.submit'), busyLabel: t('import.busy'), labelledBy: 'import-h',
		onSubmit: async (v) => {
			clear(out);
			const file = fileInput.files && fileInput.files[0];
			const text = file ? await file.text() : (csvArea.value || '');
			if (!text.trim())
				throw new ApiError(422, 'validation_failed', t('import.emptyInput'), 'csv');
			try {
				const r = await api('POST', `/api/import/${v.coll}`, text, { csv: true });
				out.append(h('p', { class: 'alert alert-ok', text: t('import.result', { inserted: r.inserted, updated: r.updated }) }));
				state.nameCache.clear();
				fileInput.value = '';
				fileInput.dispatchEvent(new Event('change'));
			} catch (e) {
				if (e instanceof ApiError && e.field && e.field.startsWith('line:'))
					throw new ApiError(e.status, e.code, e.message, file ? 'file' : 'csv');
				throw e;
			}
		},
	});
	const collSel = f.fields.get('coll').control;
	const fileInput = f.fields.get('file').control;
	fileInput.setAttribute('accept', '.csv,text/csv');

	const csvArea = f.fields.get('csv').control;
	csvArea.classList.add('mono');
	csvArea.setAttribute('spellcheck', 'false');
	const sync = () => {
		cols.textContent = t('import.columns', { columns: IMPORT_COLUMNS[collSel.value] });
		csvArea.setAttribute('placeholder', `${IMPORT_COLUMNS[collSel.value]}\n…`);
	};
	collSel.addEventListener('change', sync);
	collSel.closest('.field').append(cols);
	sync();
	return adminFrame(path, 'admin.import', 'import.lead', h('section', { class: 'card', 'aria-labelledby': 'import-h' },
		h('h2', { id: 'import-h', class: 'sr-only', text: t('admin.import') }), f.form, out));
}

/* ---------- start ---------- */

async function start() {
	setupShell();
	await loadSession();
	window.addEventListener('hashchange', render);
	await render();
}

export {
	t, plural, fmtDeadline, h, add, clear, keepFocus, uid, ApiError, api, qs, listAll, getById, resolveAll, nameOf, state,
	hasRole, isAdmin, isStaff, setSession, loadSession, announce, go, parseHash, addRoute, navHooks, renderNav, makeField,
	makeForm, openDialog, confirmDialog, pageHead, badge, table, messagePage, orgLabel, terrLabel,
};

// The page modules import this one; they are loaded before the first render so their routes exist.
Promise.all([import('./appeals.js'), import('./workspace.js'), import('./analytics.js'), import('./ratings.js'), import('./projects.js')]).catch((e) => console.error(e)).finally(start);
