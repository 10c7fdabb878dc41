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

export async function shot(page, name) {
	await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// Log in through the API from Node (for set-up that is not under test); returns {cookie, csrf}.
export async function apiLogin(user) {
	const r = await fetch(`${BASE}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: user, password: PASSWORD }) });
	assert.equal(r.status, 200, `API login as ${user}`);
	const body = await r.json();
	const cookie = (r.headers.get('set-cookie') || '').split(';')[0];
	return { cookie, csrf: body.csrf_token };
}

const sessions = new Map();
export async function sessionOf(user) {
	if (!sessions.has(user))
		sessions.set(user, await apiLogin(user));
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
