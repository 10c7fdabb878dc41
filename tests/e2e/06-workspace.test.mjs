// 06-workspace.test.mjs: the staff workspace (queues, filters, phone cards), stored XSS shown as text, the
// notification bell and its page with the e-mail setting, and what a citizen does not see.
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

const XSS = '<img src=x onerror=window.__xss=1> не работает фонарь у дома';
const ROOF = 'Протекает кровля над третьим подъездом, вода течёт по стенам.';
const ids = {};

before(async () => {
	const citizen = await sessionOf('citizen');
	const topics = (await apiCall(citizen, 'GET', '/api/topics?limit=500')).body.items;
	const terr = (await apiCall(citizen, 'GET', '/api/territories?q=klu-kaluga&limit=50')).body.items.find((x) => x.code === 'klu-kaluga');
	const heating = topics.find((x) => x.name === 'Нет отопления или холодно в квартире');
	for (const [k, text] of [['xss', XSS], ['roof', ROOF]]) {
		const r = await apiCall(citizen, 'POST', '/api/appeals', { topic_id: heating.id, territory_id: terr.id, text });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		ids[k] = r.body.id;
	}
});

const noXss = async (page) => {
	assert.equal(await page.evaluate(() => window.__xss), undefined, 'the markup in the text did not run');
	assert.equal(await page.locator('main img[src="x"]').count(), 0, 'no element was made from the text');
};

test('stored XSS in an appeal text stays text in the workspace and on the appeal page', async () => {
	const page = await pageAs('executor');
	await open(page, '#/work?queue=new');
	const row = page.locator('tr', { has: page.getByRole('link', { name: `Обращение № ${ids.xss}`, exact: true }) });
	await row.locator('.cell-text', { hasText: '<img src=x onerror=window.__xss=1>' }).waitFor();
	await noXss(page);
	await row.getByRole('link', { name: `Обращение № ${ids.xss}`, exact: true }).click();
	await page.getByRole('heading', { level: 1, name: `Обращение № ${ids.xss}` }).waitFor();
	assert.equal(await page.locator('.ap-text').textContent(), XSS);
	await noXss(page);
	await page.assertClean();
});

test('queues by role, filters, paging info; a citizen has no workspace', async () => {
	const page = await pageAs('executor');
	await open(page, '#/work');
	const tabs = page.getByRole('navigation', { name: 'Очереди' });
	for (const name of ['Мои', 'Организации', 'Новые', 'Просроченные', 'Ждут уточнения'])
		await tabs.getByRole('link', { name, exact: true }).waitFor();
	assert.equal(await tabs.getByRole('link', { name: 'Распределение' }).count(), 0, 'an executor has no triage queue');
	assert.equal(await tabs.getByRole('link', { name: 'Организации' }).getAttribute('aria-current'), 'page');
	await page.getByRole('link', { name: `Обращение № ${ids.roof}`, exact: true }).waitFor();

	await page.getByLabel('Слова в тексте').fill('кровля');
	await page.getByRole('button', { name: 'Показать' }).click();
	await page.getByRole('status').filter({ hasText: /Найдено: \d+/ }).waitFor();
	await page.getByRole('link', { name: `Обращение № ${ids.roof}`, exact: true }).waitFor();
	assert.equal(await page.getByRole('link', { name: `Обращение № ${ids.xss}`, exact: true }).count(), 0, 'the filter leaves other appeals out');
	await page.getByLabel('Статус').selectOption({ label: 'Закрыто' });
	await page.getByRole('button', { name: 'Показать' }).click();
	await page.getByText('Ничего не найдено.').waitFor();
	await page.getByRole('button', { name: 'Сбросить' }).click();
	await page.getByRole('link', { name: `Обращение № ${ids.xss}`, exact: true }).waitFor();
	await page.waitForLoadState('networkidle');
	assert.deepEqual(await a11yAudit(page), [], 'workspace');
	await page.assertClean();

	const sup = await pageAs('supervisor');
	await open(sup, '#/work');
	const stabs = sup.getByRole('navigation', { name: 'Очереди' });
	for (const name of ['Согласование', 'Повторные'])
		await stabs.getByRole('link', { name, exact: true }).waitFor();
	await sup.assertClean();

	const citizen = await pageAs('citizen');
	await open(citizen, '#/work');
	await citizen.getByRole('heading', { level: 1, name: 'Нет доступа' }).waitFor();
	assert.equal(await citizen.getByRole('navigation', { name: 'Основное меню' }).getByRole('link', { name: 'Работа' }).count(), 0);
	await citizen.assertClean();
});

test('phone: the workspace is a list of cards', async () => {
	const page = await pageAs('executor', { width: 390, height: 844 });
	await open(page, '#/work?queue=new');
	const link = page.getByRole('link', { name: `Обращение № ${ids.roof}`, exact: true });
	await link.waitFor();
	assert.equal(await page.getByLabel('Слова в тексте').isVisible(), false, 'the filters are folded on a phone');
	await page.getByText('Фильтры', { exact: true }).click();
	await page.getByLabel('Слова в тексте').waitFor();
	await page.getByText('Фильтры', { exact: true }).click();
	const display = await page.locator('table.table tbody tr').first().evaluate((el) => getComputedStyle(el).display);
	assert.equal(display, 'block', 'rows become cards');
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px)`);
	await shot(page, 'phone-workspace');
	await noXss(page);
	await page.assertClean();
});

test('the bell shows unread notifications; marking them read clears it; e-mail mode is saved', async () => {
	const page = await pageAs('executor');
	await open(page, '#/');
	const bell = page.locator('#bell');
	await page.locator('#bell-count:not([hidden])').waitFor();
	assert.match(await bell.getAttribute('aria-label'), /Уведомления: \d+ непрочитанн/);
	await bell.click();
	await page.getByRole('heading', { level: 1, name: 'Уведомления' }).waitFor();
	await page.locator('.notif-unread').first().waitFor();
	await page.getByRole('button', { name: 'Отметить прочитанными' }).click();
	await page.getByRole('status').filter({ hasText: 'Уведомления отмечены прочитанными.' }).waitFor();
	await page.locator('#bell-count[hidden]').waitFor({ state: 'attached' });
	assert.equal(await page.locator('.notif-unread').count(), 0);
	assert.equal(await bell.getAttribute('aria-label'), 'Уведомления');

	await page.getByLabel('Раз в день сводкой').check();
	await page.getByRole('button', { name: 'Сохранить' }).click();
	await page.getByRole('status').filter({ hasText: 'Настройки уведомлений сохранены.' }).waitFor();
	await page.reload();
	await page.getByRole('heading', { level: 1, name: 'Уведомления' }).waitFor();
	assert.ok(await page.getByLabel('Раз в день сводкой').isChecked());
	await page.waitForLoadState('networkidle');
	assert.deepEqual(await a11yAudit(page), [], 'notifications page');
	await page.assertClean();
});
