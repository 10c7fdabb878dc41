// 11-projects.test.mjs: the project map in the browser — anyone sees the demo projects on the SVG map and in the
// list and opens a project's page; a coordinator makes a project from a problem, starts it, marks a stage and
// completes it; the resident who wrote the appeal answers that the problem is not gone and the project asks for
// attention.
import { test, after } from 'node:test';
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
async function audit(page, what) {
	await page.waitForLoadState('networkidle');
	assert.deepEqual(await a11yAudit(page), [], what);
}

const state = {};

test('anyone sees the demo projects on the map and in the list, and opens one', async () => {
	const page = await pageAs(null);
	await open(page, '#/projects');
	await page.getByRole('heading', { level: 1, name: 'Проекты' }).waitFor();
	const map = page.getByRole('group', { name: /Карта проектов/ });
	await map.waitFor();
	assert.ok(await map.locator('path.pm-region').count() >= 1, 'the region is drawn');
	assert.ok(await map.locator('path.pm-muni').count() >= 2, 'its municipalities are drawn');
	assert.ok(await map.locator('a.pm-item').count() >= 3, 'the demo projects are on the map');
	assert.equal(await map.locator('a.pm-item path.pm-area').count() >= 1, true, 'an area is drawn');
	const list = page.locator('.pr-list');
	await list.getByRole('link', { name: 'Восстановление отопления в центре Калуги' }).waitFor();
	assert.ok(await page.getByRole('link', { name: 'Проекты' }).first().isVisible(), 'the menu has the projects');
	await audit(page, 'the projects list');
	await shot(page, '11-projects-list');

	// the map's items are links to the pages, like the list's
	await map.locator('a.pm-item[aria-label^="Уличное освещение"]').click();
	await page.getByRole('heading', { level: 1, name: 'Уличное освещение на улице Курчатова' }).waitFor();
	await page.getByText('Завершён', { exact: true }).first().waitFor();

	await open(page, '#/projects');
	await page.locator('.pr-list').getByRole('link', { name: 'Восстановление отопления в центре Калуги' }).click();
	await page.getByRole('heading', { level: 1, name: 'Восстановление отопления в центре Калуги' }).waitFor();
	await page.getByText('Выполнено: 50 %').waitFor();
	assert.equal(await page.locator('.pr-stage-done').count(), 2);
	assert.equal(await page.getByRole('button', { name: /Отметить этап/ }).count(), 0, 'strangers mark nothing');
	await audit(page, 'a project page');
	await shot(page, '11-project-page');

	// the status filter
	await open(page, '#/projects?status=planned');
	await page.locator('.pr-list').getByRole('link', { name: 'Ремонт дворового проезда на улице Суворова' }).waitFor();
	assert.equal(await page.locator('.pr-card').count(), await page.locator('.pr-card .badge', { hasText: 'Запланирован' }).count());
	await page.assertClean();
});

test('a coordinator makes a project of a problem, starts it, marks a stage and completes it', async () => {
	// a problem: the citizen's appeal, placed by the server
	const citizen = await sessionOf('citizen');
	const terr = (await (await fetch(`${process.env.OTKLIK_E2E_BASE}/api/territories?code=klu-kaluga`)).json()).items[0].id;
	const topic = (await (await fetch(`${process.env.OTKLIK_E2E_BASE}/api/topics?code=green-trees`)).json()).items[0].id;
	const ap = await apiCall(citizen, 'POST', '/api/appeals', { territory_id: terr, topic_id: topic, text: 'Сухое дерево нависает над детской площадкой во дворе, ветки падают', lat: 54.4305, lon: 36.19 });
	assert.equal(ap.status, 201, JSON.stringify(ap.body));
	const admin = await sessionOf('admin');
	let problem = null;
	for (let i = 0; i < 100 && !problem; i++) {
		problem = (await apiCall(admin, 'GET', `/api/appeals/${ap.body.id}`)).body.problem_id;
		if (!problem)
			await new Promise((r) => setTimeout(r, 100));
	}
	assert.ok(problem, 'the appeal was placed in a problem');

	const page = await pageAs('coordinator', { width: 390, height: 844 });
	await open(page, '#/projects');
	await page.getByRole('link', { name: 'Новый проект' }).click();
	await page.getByRole('heading', { level: 1, name: 'Новый проект' }).waitFor();
	// nothing filled: errors at the fields
	await page.getByRole('button', { name: 'Создать проект' }).click();
	assert.equal(await page.getByLabel('Название', { exact: true }).getAttribute('aria-invalid'), 'true');
	// the problems of the coordinator's territories can be picked from a list
	await page.getByText('Выбрать из проблем вашей территории').click();
	await page.getByRole('button', { name: new RegExp(`^Добавить проблему №${problem}:`) }).click();
	assert.equal(await page.getByLabel('Номера проблем').inputValue(), String(problem));

	await open(page, `#/projects/new?problem=${problem}`);
	assert.equal(await page.getByLabel('Номера проблем').inputValue(), String(problem));
	await page.getByLabel('Название', { exact: true }).fill('Уборка аварийного дерева во дворе');
	await page.getByLabel('Цель', { exact: true }).fill('Спилить сухое дерево и вывезти ветки.');
	await page.getByLabel('Ответственный орган').selectOption({ label: 'Городская управа Калуги' });
	await page.getByLabel('Бюджет, рублей').fill('abc');
	await page.getByLabel('Этапы').fill('Осмотр\nСпил и вывоз');
	await page.getByRole('button', { name: 'Создать проект' }).click();
	assert.equal(await page.getByLabel('Бюджет, рублей').getAttribute('aria-invalid'), 'true', 'a budget must be a number');
	await page.getByLabel('Бюджет, рублей').fill('85000');
	await audit(page, 'the project form');
	await page.getByRole('button', { name: 'Создать проект' }).click();
	await page.getByRole('heading', { level: 1, name: 'Уборка аварийного дерева во дворе' }).waitFor();
	state.id = Number(/#\/projects\/(\d+)/.exec(page.url())[1]);
	await page.getByText('85 000 ₽').waitFor();
	await page.getByText('Запланирован', { exact: true }).first().waitFor();

	await page.getByRole('button', { name: 'Начать работы' }).click();
	await page.getByText('Выполняется', { exact: true }).first().waitFor();
	await page.getByRole('button', { name: 'Отметить этап «Осмотр» выполненным' }).click();
	await page.getByText('Выполнено: 50 %').waitFor();
	await shot(page, '11-project-coordinator');
	await page.getByRole('button', { name: 'Завершить проект' }).click();
	await page.getByText('Завершён', { exact: true }).first().waitFor();
	await page.getByText('Выполнено: 100 %').waitFor();
	await page.assertClean();
});

test('the resident who wrote the appeal is told and answers that the problem is not gone', async () => {
	assert.ok(state.id, 'the previous test made a project');
	const page = await pageAs('citizen');
	await open(page, '#/notifications');
	await page.getByText('Проект «Уборка аварийного дерева во дворе» завершён').waitFor();
	await open(page, `#/projects/${state.id}`);
	await page.getByRole('heading', { level: 2, name: 'Проблема решена?' }).waitFor();
	await page.getByLabel('Нет, не решена').check();
	await page.getByLabel('Комментарий').fill('Ветки так и лежат у площадки');
	await page.getByRole('button', { name: 'Отправить ответ' }).click();
	await page.getByText('Ваш ответ: проблема не решена.').waitFor();
	await page.getByText('Требует внимания', { exact: true }).first().waitFor();
	await page.getByText('Большинство жителей ответили, что проблема не решена.').waitFor();
	await audit(page, 'the feedback form');
	await shot(page, '11-project-feedback');
	await page.assertClean();
});
