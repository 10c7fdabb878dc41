// 07-widget.test.mjs: the embeddable widget on a page of another origin (a tiny server on another port, with a strict
// CSP of its own) opens the form with topic and territory preselected; the appeal is submitted with channel "widget".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { BASE, newPage, shot, closeBrowser, sessionOf, apiCall } from './helpers.mjs';

let site = null, siteUrl = '';
const pages = [];

// The host page allows scripts from Otklik only and no styles at all: the widget must live with that.
const hostPage = () => `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Сайт городской управы</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${BASE}; style-src 'none'; img-src 'none'">
</head><body>
<h1>Городская управа</h1>
<p>Нашли проблему в городе? Сообщите нам.</p>
<script src="${BASE}/static/widget.js" data-org="klu-minstroy" data-territory="klu-kaluga" data-topic="housing-heating" data-label="Сообщить о проблеме" async></script>
</body></html>`;

before(async () => {
	site = http.createServer((req, res) => {
		res.writeHead(req.url === '/' ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end(req.url === '/' ? hostPage() : 'not found');
	});
	await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
	// Another origin: "localhost" instead of the server's 127.0.0.1 and another port.
	siteUrl = `http://localhost:${site.address().port}/`;
});

after(async () => {
	for (const p of pages)
		await p.finish();
	await closeBrowser();
	if (site)
		await new Promise((resolve) => site.close(resolve));
});

test('the widget on another site opens the form with the topic preselected; the appeal comes by channel «widget»', async () => {
	const page = await newPage({ as: 'citizen' });
	pages.push(page);
	await page.goto(siteUrl);
	const button = page.getByRole('button', { name: 'Сообщить о проблеме' });
	await button.waitFor();
	assert.equal(await button.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(29, 79, 145)', 'styled without any stylesheet');
	await button.focus();
	const [popup] = await Promise.all([page.waitForEvent('popup'), page.keyboard.press('Enter')]);
	const problems = [];
	popup.on('pageerror', (e) => problems.push(e.message));
	popup.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(m.text()); });
	await popup.waitForLoadState();
	assert.ok(popup.url().startsWith(`${BASE}/#/write?widget=1`), popup.url());
	await popup.getByRole('heading', { level: 1, name: 'Написать обращение' }).waitFor();
	await popup.getByText(/Форма открыта с сайта организации/).waitFor();
	const topic = popup.getByLabel('Тема обращения');
	assert.equal(await topic.locator('option:checked').textContent(), 'Нет отопления или холодно в квартире');
	await popup.getByText(/аварийно-диспетчерскую службу/).waitFor();
	assert.equal(await popup.getByLabel('Регион', { exact: true }).locator('option:checked').textContent(), 'Калужская область');
	assert.match(await popup.getByLabel('Муниципальное образование').locator('option:checked').textContent(), /Калуга/);
	await popup.getByLabel('Текст обращения').fill('Во всём доме холодные батареи с понедельника, управляющая компания не отвечает.');
	await shot(popup, 'widget-form');
	await popup.getByRole('button', { name: 'Отправить обращение' }).click();
	const h1 = popup.getByRole('heading', { level: 1, name: /^Обращение № \d+$/ });
	await h1.waitFor();
	const id = Number((await h1.textContent()).replace(/\D+/g, ''));
	await popup.getByText('виджет на сайте').waitFor();

	const r = await apiCall(await sessionOf('citizen'), 'GET', `/api/appeals/${id}`);
	assert.equal(r.status, 200);
	assert.equal(r.body.channel, 'widget');
	assert.equal(r.body.topic_name, 'Нет отопления или холодно в квартире');
	assert.deepEqual(problems, []);
	await page.assertClean();
});
