// 09-analytics.test.mjs: the analytics dashboard (#/analytics): figures with trends, the chart and its table,
// the map with region polygons, filters kept in the address, drill-down region → municipality → problem → appeal,
// CSV/XLSX exports, live updates after a new appeal, scope of a coordinator, no access for a citizen.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, open, shot, closeBrowser, sessionOf, apiCall, a11yAudit } from './helpers.mjs';

const pages = [];
after(async () => {
	for (const p of pages)
		await p.finish();
	await closeBrowser();
});
async function pageAs(who, viewport) {
	const p = await newPage({ as: who, viewport });
	pages.push(p);
	return p;
}

// Polls fn until it returns a truthy value (the rollups and the problem placing run in the background).
async function until(fn, what, timeout = 15000) {
	const t0 = Date.now();
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() - t0 > timeout)
			assert.fail(`timed out waiting for ${what}`);
		await new Promise((res) => setTimeout(res, 150));
	}
}

const TEXT = 'Аварийное дерево накренилось над детской площадкой во дворе';
const POINT = { lat: 54.5312, lon: 36.2215 }; // inside the demo polygon of Kaluga
const ids = { appeals: [] };
const num = (s) => Number(String(s).replace(/[^\d]/g, ''));

before(async () => {
	const citizen = await sessionOf('citizen');
	const admin = await sessionOf('admin');
	const terr = (await apiCall(citizen, 'GET', '/api/territories?q=klu-kaluga&limit=50')).body.items.find((x) => x.code === 'klu-kaluga');
	const region = (await apiCall(citizen, 'GET', '/api/territories?kind=region&limit=500')).body.items.find((x) => x.code === 'RU-KLU');
	const topic = (await apiCall(citizen, 'GET', '/api/topics?limit=500')).body.items.find((x) => x.code === 'green-trees');
	ids.kaluga = terr.id;
	ids.region = region.id;
	ids.topic = topic.id;
	ids.light = (await apiCall(citizen, 'GET', '/api/topics?limit=500')).body.items.find((x) => x.code === 'light-yard').id;
	for (let i = 0; i < 3; i++) {
		const r = await apiCall(citizen, 'POST', '/api/appeals', { topic_id: topic.id, territory_id: terr.id, text: `${TEXT}${i ? ` (${i})` : ''}`, lat: POINT.lat + i * 0.0002, lon: POINT.lon });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		ids.appeals.push(r.body.id);
	}
	// The three appeals become one problem; the rollups count them.
	ids.problem = await until(async () => {
		const ps = await Promise.all(ids.appeals.map(async (id) => (await apiCall(admin, 'GET', `/api/appeals/${id}`)).body.problem_id));
		return ps.every((p) => p && p === ps[0]) && ps[0];
	}, 'one problem for the three appeals');
	await until(async () => {
		const r = await apiCall(admin, 'GET', `/api/analytics/summary?territory_id=${terr.id}`);
		return r.status === 200 && r.body.figures.received >= 3;
	}, 'the rollups count the new appeals');
});

const figure = (page, key) => page.locator(`.an-fig-${key} .an-fig-value`);

test('the dashboard: figures with trends, the chart with its table, the map of regions', async () => {
	const page = await pageAs('admin');
	await open(page, '#/analytics');
	await page.getByRole('heading', { level: 1, name: 'Аналитика обращений' }).waitFor();
	const nav = page.getByRole('navigation', { name: 'Основное меню' });
	assert.equal(await nav.getByRole('link', { name: 'Аналитика' }).getAttribute('aria-current'), 'page');

	await page.getByRole('heading', { level: 2, name: 'Главные показатели' }).waitFor();
	assert.ok(num(await figure(page, 'received').textContent()) >= 3, 'received counts the appeals of the period');
	for (const label of ['Поступило', 'Дан ответ', 'С нарушением срока', 'В работе сейчас', 'Средний срок ответа', 'Медианный срок ответа', 'Довольны ответом', 'Отправлено на повторное рассмотрение', 'Перенаправлено в другой орган'])
		await page.locator('.an-fig-label', { hasText: label }).first().waitFor();
	// A trend is said in words, not by colour alone.
	assert.match(await page.locator('.an-fig-received .an-trend').textContent(), /рост|снижение|без изменений|нет данных/);

	const chart = page.getByRole('img', { name: /График «Поступило, Дан ответ»/ });
	await chart.waitFor();
	assert.ok(await page.locator('.an-chart .an-line.an-dashed').count() >= 1, 'the previous period is drawn dashed');
	await page.locator('.an-data > summary').first().click();
	await page.locator('.an-data table').first().waitFor();

	const map = page.getByRole('img', { name: /Карта: Российская Федерация/ });
	await map.waitFor();
	await until(async () => (await page.locator('.an-map-svg path.an-shape').count()) >= 80, 'the regions on the map');
	await page.getByText('Границы регионов: © участники OpenStreetMap (ODbL)').waitFor();
	assert.ok(await page.locator('.an-map-legend li').count() >= 1, 'the map has a legend');
	// Another figure recolours the map in place.
	await page.getByLabel('Раскрасить по показателю').selectOption({ label: 'С нарушением срока' });
	await page.getByRole('img', { name: /цвет — С нарушением срока/ }).waitFor();
	assert.match(page.url(), /map=late/);

	await page.getByRole('heading', { level: 2, name: 'Сигналы' }).waitFor();
	await page.waitForLoadState('networkidle');
	assert.deepEqual(await a11yAudit(page), [], 'dashboard');
	await shot(page, 'analytics-dashboard');
	await page.assertClean();
});

test('filters live in the address; drill-down region → municipality → problem → appeal and back', async () => {
	const page = await pageAs('admin');
	await open(page, '#/analytics');
	await page.getByRole('heading', { level: 2, name: 'Главные показатели' }).waitFor();

	// Filters: a preset period, then a region and its municipality (the list follows the region).
	await page.getByLabel('Период', { exact: true }).selectOption({ label: 'Последние 7 дней' });
	await page.getByRole('button', { name: 'Показать' }).click();
	await until(() => /period=7/.test(page.url()), 'the period in the address');
	await page.getByLabel('Регион', { exact: true }).selectOption({ label: 'Калужская область' });
	const muni = page.getByLabel('Муниципалитет', { exact: true });
	await until(async () => (await muni.locator('option').count()) > 1, 'municipalities of the region');
	await muni.selectOption({ label: 'Городской округ «Город Калуга»' });
	await page.getByRole('button', { name: 'Показать' }).click();
	await until(() => page.url().includes(`territory_id=${ids.kaluga}`), 'the territory in the address');
	const crumbs = page.getByRole('navigation', { name: 'Уровень детализации' });
	await crumbs.getByText('Городской округ «Город Калуга»').waitFor();
	await page.getByText('Более мелких территорий здесь нет.').waitFor();
	// A reload keeps the filters.
	await page.reload();
	await page.getByRole('heading', { level: 2, name: 'Главные показатели' }).waitFor();
	assert.equal(await page.getByLabel('Период', { exact: true }).inputValue(), '7');
	assert.equal(await page.getByLabel('Муниципалитет', { exact: true }).inputValue(), String(ids.kaluga));
	await page.getByRole('button', { name: 'Сбросить' }).click();
	await until(() => !page.url().includes('territory_id') && !page.url().includes('period='), 'the filters reset');

	// Drill down through the breakdown table.
	await page.getByRole('link', { name: 'Подробнее: Калужская область' }).click();
	await page.getByRole('link', { name: 'Подробнее: Городской округ «Город Калуга»' }).waitFor();
	assert.ok(page.url().includes(`territory_id=${ids.region}`));
	await until(async () => (await page.locator('.an-map-svg path.an-shape').count()) === 5, 'the five municipalities on the map');
	await page.getByRole('link', { name: 'Подробнее: Городской округ «Город Калуга»' }).click();
	await page.getByText('Более мелких территорий здесь нет.').waitFor();
	assert.equal(await crumbs.locator('li').count(), 3, 'Россия › область › город');

	// The problem of the three appeals: in the ranking, then its panel with the timeline and the appeals.
	const problemLink = page.locator(`#an-prob-panel a[href$="problem=${ids.problem}"]`);
	await problemLink.waitFor();
	await page.getByRole('tab', { name: 'Быстрее всего растут' }).click();
	await until(async () => (await page.getByRole('tab', { name: 'Быстрее всего растут' }).getAttribute('aria-selected')) === 'true', 'the growth tab');
	assert.match(page.url(), /psort=growth/);
	await problemLink.click();
	const panel = page.locator('section', { has: page.locator('#an-pd-h') });
	await panel.getByRole('heading', { level: 2, name: /^Проблема «/ }).waitFor();
	await panel.getByRole('img', { name: /Столбцы: обращения по проблеме/ }).waitFor();
	for (const id of ids.appeals)
		await panel.getByRole('link', { name: `Обращение № ${id}`, exact: true }).waitFor();
	await crumbs.getByText(/^Проблема «/).waitFor();
	await until(async () => (await page.locator('.an-map-svg .an-point').count()) >= 3, 'the points of the problem on the map');
	await page.waitForLoadState('networkidle');
	assert.deepEqual(await a11yAudit(page), [], 'the problem panel');
	await shot(page, 'analytics-problem');

	await panel.getByRole('link', { name: `Обращение № ${ids.appeals[0]}`, exact: true }).click();
	await page.getByRole('heading', { level: 1, name: `Обращение № ${ids.appeals[0]}` }).waitFor();
	await page.goBack();
	await page.locator('#an-pd-h').waitFor();
	await page.goBack(); // the problem closes, the municipality stays
	await page.locator('#an-pd-h').waitFor({ state: 'detached' });
	await page.getByText('Более мелких территорий здесь нет.').waitFor();
	await crumbs.getByRole('link', { name: 'Калужская область' }).click();
	await page.getByRole('link', { name: 'Подробнее: Городской округ «Город Калуга»' }).waitFor();
	await page.assertClean();
});

test('every table can be downloaded as CSV and XLSX', async () => {
	const page = await pageAs('admin');
	await open(page, `#/analytics?territory_id=${ids.kaluga}&problem=${ids.problem}`);
	await page.locator('#an-pd-h').waitFor();
	await page.waitForLoadState('networkidle');
	const links = page.locator('a.an-export');
	const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
	// figures, the chart (two lines), the breakdown, the problems, the problem's timeline — each in two formats
	assert.ok(hrefs.length >= 12, `export links: ${hrefs.length}`);
	for (const href of hrefs) {
		const r = await page.request.get(href);
		assert.equal(r.status(), 200, `${href}: ${r.status()}`);
		assert.match(r.headers()['content-disposition'] || '', /attachment/, href);
		const body = await r.body();
		if (href.includes('format=xlsx'))
			assert.equal(body.subarray(0, 2).toString('latin1'), 'PK', `${href} is a zip (xlsx)`);
		else
			assert.match(body.toString('utf8').split('\n')[0], /[А-Яа-яЁё]/, `${href}: the first row names the columns in Russian`);
	}
	await page.assertClean();
});

test('live: a new appeal bumps «Поступило» and is announced; a new alarm tops the list', async () => {
	const page = await pageAs('admin');
	await open(page, `#/analytics?territory_id=${ids.kaluga}`);
	await page.getByText('Новые обращения и сигналы появляются сразу.').waitFor();
	const before = num(await figure(page, 'received').textContent());
	const citizen = await sessionOf('citizen');
	const r = await apiCall(citizen, 'POST', '/api/appeals', { topic_id: ids.topic, territory_id: ids.kaluga, text: 'Сухая ветка висит над тротуаром у остановки', lat: POINT.lat + 0.01, lon: POINT.lon });
	assert.equal(r.status, 201, JSON.stringify(r.body));
	await page.getByRole('status').filter({ hasText: `Новое обращение № ${r.body.id}` }).waitFor({ timeout: 15000 });
	assert.equal(num(await figure(page, 'received').textContent()), before + 1);
	await page.getByText('Новых обращений с момента открытия страницы: 1').waitFor();

	// Four people write about one new trouble within minutes: an alarm appears at the top of the list.
	const texts = ['Не горит фонарь во дворе дома 5 по улице Ленина', 'Темно во дворе, фонарь у подъезда не работает', 'Уличное освещение во дворе отключено третий день', 'Во дворе нет света, фонари погасли'];
	for (const [i, who] of ['citizen', 'citizen2', 'executor', 'supervisor'].entries()) {
		const a = await apiCall(await sessionOf(who), 'POST', '/api/appeals', { topic_id: ids.light, territory_id: ids.kaluga, text: texts[i], lat: 54.4921 + i * 0.0001, lon: 36.3005 });
		assert.equal(a.status, 201, JSON.stringify(a.body));
	}
	const first = page.locator('.an-alarms > li').first();
	await first.filter({ hasText: /Новая проблема|Всплеск/ }).waitFor({ timeout: 15000 });
	await first.getByText('новый', { exact: true }).waitFor();
	await page.getByRole('status').filter({ hasText: 'Новый сигнал:' }).waitFor();
	await shot(page, 'analytics-live');
	await page.assertClean();
});

test('a coordinator sees their region; a phone gets no sideways scrolling; a citizen has no dashboard', async () => {
	const page = await pageAs('coordinator', { width: 390, height: 844 });
	await open(page, '#/analytics');
	const crumbs = page.getByRole('navigation', { name: 'Уровень детализации' });
	await crumbs.getByText('Калужская область').waitFor();
	await page.getByRole('link', { name: 'Подробнее: Городской округ «Город Калуга»' }).waitFor();
	await until(async () => (await page.locator('.an-map-svg path.an-shape').count()) === 5, 'the municipalities of the region');
	await page.waitForLoadState('networkidle');
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px)`);
	await shot(page, 'phone-analytics');
	await page.assertClean();

	const citizen = await pageAs('citizen');
	await open(citizen, '#/analytics');
	await citizen.getByRole('heading', { level: 1, name: 'Нет доступа' }).waitFor();
	assert.equal(await citizen.getByRole('navigation', { name: 'Основное меню' }).getByRole('link', { name: 'Аналитика' }).count(), 0);
	await citizen.assertClean();
});
