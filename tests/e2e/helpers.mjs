// helpers.mjs: shared set-up for the browser tests (Debian chromium driven by playwright-core).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

export const BASE = (process.env.OTKLIK_E2E_BASE || '').replace(/\/$/, '');
if (!BASE)
	throw new Error('OTKLIK_E2E_BASE is not set: run the browser tests through tests/run-e2e.sh');
export const PASSWORD = 'otklik-demo';
export const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });

const CHROMIUM = process.env.OTKLIK_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
	'--no-first-run', '--disable-sync', '--disable-quic'];

let browser = null;

// One browser per test file; a fresh context (cookies, storage) for every test.
export async function getBrowser() {
	if (!browser) {
		// playwright gives the browser a fresh temporary profile (--user-data-dir) and removes it on close.
		browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
	}
	return browser;
}

export async function closeBrowser() {
	if (browser)
		await browser.close();
	browser = null;
}

// A page in a fresh context that records console errors, uncaught exceptions and CSP violations.
// Expected API refusals (4xx on /api/, which chromium logs as "Failed to load resource") are not errors of the UI.
export async function newPage({ viewport = { width: 1280, height: 860 }, as = null } = {}) {
	const b = await getBrowser();
	const context = await b.newContext({ viewport, locale: 'ru-RU', baseURL: BASE });
	if (as) {
		// One API login per user per test file: the login endpoint allows 10 attempts a minute per IP.
		const sess = await sessionOf(as);
		const i = sess.cookie.indexOf('=');
		await context.addCookies([{ name: sess.cookie.slice(0, i), value: sess.cookie.slice(i + 1), url: BASE }]);
	}
	const page = await context.newPage();
	const problems = [];
	page.on('console', (msg) => {
		if (msg.type() !== 'error')
			return;
		const text = msg.text();
		const url = (msg.location() && msg.location().url) || '';
		if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text) && url.startsWith(`${BASE}/api/`))
			return;
		problems.push(`console: ${text} (${url})`);
	});
	page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
	await page.addInitScript(() => {
		window.__csp = [];
		document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
	});
	page.problems = problems;
	page.assertClean = async () => {
		const csp = await page.evaluate(() => window.__csp || []);
		assert.deepEqual([...problems, ...csp.map((x) => `csp: ${x}`)], [], 'no console errors and no CSP violations');
	};
	page.finish = async () => {
		await context.close();
	};
	return page;
}

export async function open(page, hash = '#/') {
	await page.goto(`${BASE}/${hash}`);
	await page.locator('main h1').first().waitFor();
}

export async function login(page, user, password = PASSWORD) {
	await open(page, '#/login');
	await page.getByLabel('Логин').fill(user);
	await page.getByLabel('Пароль', { exact: true }).fill(password);
	await page.getByRole('button', { name: 'Войти' }).click();
	await page.getByRole('button', { name: 'Выйти' }).waitFor();
}

export async function shot(page, name, { fullPage = true } = {}) {
	await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
}

// Log in through the API from Node (for set-up that is not under test); returns {cookie, csrf}.
export async function apiLogin(user) {
	const r = await fetch(`${BASE}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: user, password: PASSWORD }) });
	assert.equal(r.status, 200, `API login as ${user}`);
	const body = await r.json();
	const cookie = (r.headers.get('set-cookie') || '').split(';')[0];
	return { cookie, csrf: body.csrf_token };
}

// Sessions are shared by the test files of one run (run-e2e.sh sets OTKLIK_E2E_TMP) to stay under the login rate limit.
const sessions = new Map();
const sessionFile = process.env.OTKLIK_E2E_TMP ? path.join(process.env.OTKLIK_E2E_TMP, 'sessions.json') : null;
export async function sessionOf(user) {
	if (!sessions.has(user) && sessionFile && fs.existsSync(sessionFile)) {
		const saved = JSON.parse(fs.readFileSync(sessionFile, 'utf8'));
		if (saved.base === BASE && saved.users[user])
			sessions.set(user, saved.users[user]);
	}
	if (!sessions.has(user)) {
		sessions.set(user, await apiLogin(user));
		if (sessionFile) {
			const saved = fs.existsSync(sessionFile) ? JSON.parse(fs.readFileSync(sessionFile, 'utf8')) : { base: BASE, users: {} };
			saved.users[user] = sessions.get(user);
			fs.writeFileSync(sessionFile, JSON.stringify(saved));
		}
	}
	return sessions.get(user);
}

export async function apiCall(sess, method, p, body) {
	const headers = { Cookie: sess.cookie, 'X-CSRF-Token': sess.csrf };
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	const r = await fetch(`${BASE}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await r.text();
	return { status: r.status, body: text ? JSON.parse(text) : null };
}

export const unique = (p) => `${p}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

// A small accessibility audit of what is on screen: controls without a label, buttons and links without a name,
// images without alt, duplicate ids, text below the WCAG AA contrast ratio (4.5:1, 3:1 for large text).
export async function a11yAudit(page) {
	return page.evaluate(() => {
		const problems = [];
		const visible = (el) => {
			const r = el.getBoundingClientRect();
			const cs = getComputedStyle(el);
			return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
		};
		const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} «${(el.textContent || '').trim().slice(0, 40)}»`;
		for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
			const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
			if (!named)
				problems.push(`no label: ${describe(el)}`);
		}
		for (const el of document.querySelectorAll('button, a[href]')) {
			if (!visible(el))
				continue;
			if (!(el.textContent || '').trim() && !el.getAttribute('aria-label') && !el.querySelector('img[alt]:not([alt=""])'))
				problems.push(`no accessible name: ${describe(el)}`);
		}
		for (const el of document.querySelectorAll('img:not([alt])'))
			problems.push(`img without alt: ${el.src}`);
		const ids = new Map();
		for (const el of document.querySelectorAll('[id]'))
			ids.set(el.id, (ids.get(el.id) || 0) + 1);
		for (const [id, n] of ids)
			if (n > 1)
				problems.push(`duplicate id: ${id}`);
		for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby], label[for]')) {
			const refs = [...(el.getAttribute('aria-describedby') || '').split(' '), ...(el.getAttribute('aria-labelledby') || '').split(' '), el.getAttribute('for') || ''].filter(Boolean);
			for (const r of refs)
				if (!document.getElementById(r))
					problems.push(`dangling reference #${r} from ${describe(el)}`);
		}

		const parse = (c) => {
			const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
			return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
		};
		const lum = ([r, g, b]) => {
			const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
			return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
		};
		// The colour behind an element: the blended backgrounds of its ancestors, or the stops of a gradient.
		const background = (el) => {
			const layers = [];
			for (let e = el; e; e = e.parentElement) {
				const cs = getComputedStyle(e);
				if (cs.backgroundImage && cs.backgroundImage.startsWith('linear-gradient')) {
					const stops = [...cs.backgroundImage.matchAll(/rgba?\([^)]+\)/g)].map((x) => parse(x[0]));
					return { layers, gradient: stops }; // text on a gradient must pass against every stop
				}
				const c = parse(cs.backgroundColor);
				if (c && c[3] > 0) {
					layers.push(c);
					if (c[3] === 1)
						break;
				}
			}
			return { layers, gradient: null };
		};
		const blend = (layers) => {
			let out = [255, 255, 255];
			for (const c of layers.slice().reverse())
				out = [0, 1, 2].map((i) => c[i] * c[3] + out[i] * (1 - c[3]));
			return out;
		};
		const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
		const seen = new Set();
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			const el = n.parentElement;
			if (!n.textContent.trim() || seen.has(el) || !visible(el) || el.closest('[hidden], .sr-only, option, dialog:not([open])'))
				continue;
			seen.add(el);
			const cs = getComputedStyle(el);
			const fg = parse(cs.color);
			if (!fg)
				continue;
			const size = parseFloat(cs.fontSize);
			const bold = Number(cs.fontWeight) >= 700;
			const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
			const { layers, gradient } = background(el);
			const bgs = gradient ? gradient.map((g) => blend([g])) : [blend(layers)];
			const opacity = Number(cs.opacity);
			for (const bg of bgs) {
				const color = fg[3] < 1 || opacity < 1 ? [0, 1, 2].map((i) => fg[i] * fg[3] * opacity + bg[i] * (1 - fg[3] * opacity)) : fg;
				const r = ratio(color, bg);
				if (r < need && !el.closest('button:disabled'))
					problems.push(`contrast ${r.toFixed(2)} < ${need}: ${describe(el)}`);
			}
		}
		return problems;
	});
}
