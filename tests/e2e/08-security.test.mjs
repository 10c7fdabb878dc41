// 08-security.test.mjs: stored XSS in every field a citizen or an operator controls (text, address, the person's
// name and contact, an attachment's name, an internal note) stays text in the staff workspace and on the appeal
// page; nothing runs, no dialog opens, no javascript: link appears; the page carries a strict Content-Security-
// Policy, and the browser enforces it (an inline script or handler slipped into the DOM is blocked and reported).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, newPage, open, closeBrowser, sessionOf, apiCall } from './helpers.mjs';

const pages = [];
after(async () => {
	for (const p of pages)
		await p.finish();
	await closeBrowser();
});

/** A page as `who` that also records every dialog (alert, confirm, prompt) the page tries to open. */
async function pageAs(who) {
	const p = await newPage({ as: who });
	p.dialogs = [];
	p.on('dialog', async (d) => {
		p.dialogs.push(`${d.type()}: ${d.message()}`);
		await d.dismiss();
	});
	pages.push(p);
	return p;
}

const IMG = '<img src=x onerror=window.__xss=1>';
const SCRIPT = '<script>window.__xss=1</script>';
const SVG = '<svg onload=window.__xss=1></svg>';
const LINK = '<a href="javascript:window.__xss=1">ссылка</a> javascript:window.__xss=1';
const TEXT = `Не работает фонарь ${IMG} у дома ${SCRIPT} рядом ${SVG} и ${LINK} — [нажми](javascript:alert(1))`;
const ADDRESS = `ул. ${IMG} ${SCRIPT}, д. 1`;
const PERSON = `Иван ${SCRIPT} ${IMG}`;
const CONTACT = 'javascript:alert(document.cookie)';
const NOTE = `Служебно: ${SVG} ${SCRIPT}`;
const FILE = `${IMG}.png`;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const ids = {};

before(async () => {
	const citizen = await sessionOf('citizen');
	const topics = (await apiCall(citizen, 'GET', '/api/topics?limit=500')).body.items;
	const terr = (await apiCall(citizen, 'GET', '/api/territories?q=klu-kaluga&limit=50')).body.items.find((x) => x.code === 'klu-kaluga');
	const heating = topics.find((x) => x.name === 'Нет отопления или холодно в квартире');
	const up = await fetch(`${BASE}/api/attachments?name=${encodeURIComponent(FILE)}`, {
		method: 'POST', headers: { Cookie: citizen.cookie, 'X-CSRF-Token': citizen.csrf, 'Content-Type': 'image/png' }, body: PNG,
	});
	const upText = await up.text();
	assert.equal(up.status, 201, upText);
	const att = JSON.parse(upText);
	assert.equal(att.name, FILE, 'the file name is kept as given (it must be shown as text)');
	let r = await apiCall(citizen, 'POST', '/api/appeals', { topic_id: heating.id, territory_id: terr.id, text: TEXT, address: ADDRESS, attachment_ids: [att.id] });
	assert.equal(r.status, 201, JSON.stringify(r.body));
	ids.citizen = r.body.id;
	const operator = await sessionOf('operator');
	r = await apiCall(operator, 'POST', '/api/appeals', { topic_id: heating.id, territory_id: terr.id, text: `Звонок. ${IMG}`, address: ADDRESS, channel: 'operator', person: { name: PERSON, contact: CONTACT } });
	assert.equal(r.status, 201, JSON.stringify(r.body));
	ids.person = r.body.id;
	const executor = await sessionOf('executor');
	r = await apiCall(executor, 'POST', `/api/appeals/${ids.citizen}/notes`, { text: NOTE });
	assert.equal(r.status, 201, JSON.stringify(r.body));
});

/** Nothing from the data became markup: no flag, no dialog, no injected element, no javascript: link. */
async function assertInert(page) {
	assert.equal(await page.evaluate(() => window.__xss), undefined, 'markup from the data ran');
	assert.deepEqual(page.dialogs, [], 'a dialog opened');
	const made = await page.evaluate(() => ({
		img: document.querySelectorAll('img[src="x"], img[onerror]').length,
		svg: document.querySelectorAll('svg[onload]').length,
		script: [...document.scripts].filter((s) => !s.src).length,
		js: [...document.querySelectorAll('a[href], area[href], iframe[src], form[action]')].filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || '')).length,
		handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
	}));
	assert.deepEqual(made, { img: 0, svg: 0, script: 0, js: 0, handlers: 0 }, 'elements made from the data');
}

const dd = (page, label) => page.locator('.facts dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]');

test('the workspace queue shows markup in the text and the address as text', async () => {
	const page = await pageAs('executor');
	const res = await page.goto(`${BASE}/#/work?queue=new`);
	const csp = res.headers()['content-security-policy'] || '';
	assert.match(csp, /script-src 'self'/, `CSP: ${csp}`);
	assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `CSP: ${csp}`);
	await page.locator('main h1').first().waitFor();
	for (const id of [ids.citizen, ids.person]) {
		const row = page.locator('tr', { has: page.getByRole('link', { name: `Обращение № ${id}`, exact: true }) });
		await row.waitFor();
		assert.ok((await row.locator('.sub').textContent()).includes(ADDRESS), 'the address is shown literally');
	}
	const row = page.locator('tr', { has: page.getByRole('link', { name: `Обращение № ${ids.citizen}`, exact: true }) });
	const cell = await row.locator('.cell-text').textContent();
	assert.ok(TEXT.startsWith(cell.replace(/…$/, '')), `the text is shown literally: ${cell}`);
	assert.ok(cell.includes(IMG) && cell.includes(SCRIPT), cell);
	await assertInert(page);
	await page.assertClean();
});

test('the appeal page shows text, address, attachment name, internal note, person and contact literally', async () => {
	const page = await pageAs('executor');
	await open(page, `#/appeals/${ids.citizen}`);
	await page.getByRole('heading', { level: 1, name: `Обращение № ${ids.citizen}` }).waitFor();
	assert.equal(await page.locator('.ap-text').textContent(), TEXT);
	assert.equal(await dd(page, 'Адрес').textContent(), ADDRESS);
	const file = page.locator('.ap-files a');
	assert.match(await file.textContent(), new RegExp(`Скачать ${FILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
	assert.equal(await file.getAttribute('href'), `/api/attachments/${(await file.getAttribute('href')).split('/').pop()}`);
	assert.equal(await file.getAttribute('download'), FILE);
	await page.locator('.tl-internal .tl-text', { hasText: NOTE }).waitFor();
	await assertInert(page);
	await page.assertClean();

	await open(page, `#/appeals/${ids.person}`);
	await page.getByRole('heading', { level: 1, name: `Обращение № ${ids.person}` }).waitFor();
	assert.equal(await dd(page, 'Заявитель \\(со слов оператора\\)').textContent(), `${PERSON}, ${CONTACT}`);
	assert.equal(await page.locator('a[href^="javascript"]').count(), 0, 'the contact did not become a link');
	await assertInert(page);
	await page.assertClean();
});

test('the author sees the same appeal as text in "my appeals" and on its page', async () => {
	const page = await pageAs('citizen');
	await open(page, '#/appeals');
	await page.getByRole('link', { name: new RegExp(`№ ${ids.citizen}\\b`) }).first().waitFor();
	await assertInert(page);
	await open(page, `#/appeals/${ids.citizen}`);
	await page.getByRole('heading', { level: 1, name: `Обращение № ${ids.citizen}` }).waitFor();
	assert.equal(await page.locator('.ap-text').textContent(), TEXT);
	assert.equal(await page.getByText(NOTE).count(), 0, 'the internal note is not shown to the author');
	await assertInert(page);
	await page.assertClean();
});

test('the browser enforces the policy: an inline script or handler put into the page is blocked and reported', async () => {
	const page = await pageAs('executor');
	await open(page, `#/appeals/${ids.citizen}`);
	await page.getByRole('heading', { level: 1, name: `Обращение № ${ids.citizen}` }).waitFor();
	// What a missed escape would do: put markup from the data into the DOM as HTML.
	await page.evaluate((html) => {
		const s = document.createElement('script');
		s.textContent = 'window.__xss = "inline script"';
		document.body.append(s);
		const d = document.createElement('div');
		d.innerHTML = html;
		document.body.append(d);
	}, `${IMG}${SVG}<a id="jslink" href="javascript:window.__xss='link'">x</a>`);
	await page.locator('#jslink').click();
	// The violations are reported asynchronously: poll for them.
	const deadline = Date.now() + 5000;
	let csp = [];
	while (Date.now() < deadline) {
		csp = await page.evaluate(() => window.__csp.slice());
		if (csp.filter((x) => x.startsWith('script-src')).length >= 3)
			break;
		await page.waitForTimeout(50);
	}
	assert.equal(await page.evaluate(() => window.__xss), undefined, 'the policy let something run');
	assert.deepEqual(page.dialogs, []);
	assert.ok(csp.some((x) => /^script-src(-elem)? inline$/.test(x)), `the inline <script> is reported: ${JSON.stringify(csp)}`);
	assert.ok(csp.some((x) => /^script-src(-attr)? inline$/.test(x)), `the inline handler is reported: ${JSON.stringify(csp)}`);
	page.problems.length = 0; // the provoked violations are what this test wants; nothing else may have failed
});
