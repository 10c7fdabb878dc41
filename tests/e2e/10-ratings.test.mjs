// 10-ratings.test.mjs: the ratings page (#/ratings): the public region rating with the top 10, change arrows and
// the improved/worsened counts; a region's indicators; the drill-down to the appeals behind an indicator for an
// admin (and not for anonymous visitors); bodies and executors for staff; the weights editor for admins.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, newPage, open, shot, closeBrowser, a11yAudit } from './helpers.mjs';

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

// The rollups are built by the server after start: wait until the demo regions are rated.
before(async () => {
	const deadline = Date.now() + 30000;
	for (;;) {
		const r = await fetch(`${BASE}/api/ratings/regions`);
		const body = await r.json();
		if (body.counts && body.counts.rated >= 5)
			return;
		assert.ok(Date.now() < deadline, 'the demo regions are rated');
		await new Promise((res) => setTimeout(res, 250));
	}
});

test('anyone sees the region rating: top 10, scores, changes, counts; a region\'s indicators', async () => {
	const page = await pageAs(null);
	await open(page, '#/ratings');
	await page.getByRole('heading', { level: 1, name: 'Рейтинги' }).waitFor();
	await page.getByRole('link', { name: 'Рейтинги' }).first().waitFor();
	const top = page.locator('section', { has: page.getByRole('heading', { name: 'Первая десятка' }) });
	await top.getByRole('link', { name: 'Тюменская область' }).waitFor();
	assert.ok(await top.locator('li').count() >= 5);
	assert.equal(await top.locator('li').first().getByRole('link').textContent(), 'Тюменская область');
	await page.getByText('Улучшили показатели').waitFor();
	await page.getByText('Ухудшили показатели').waitFor();
	// arrows say what they mean to screen readers too
	assert.ok(await page.locator('.rt-change.rt-up').count() >= 1);
	assert.ok(await page.locator('.rt-change.rt-down').count() >= 1);
	assert.ok(await page.locator('.rt-change .sr-only').count() >= 1);
	await shot(page, 'ratings-regions');
	assert.deepEqual(await a11yAudit(page), []);
	await page.locator('section', { has: page.getByRole('heading', { name: 'Все регионы' }) }).getByRole('link', { name: 'Оренбургская область' }).click();
	await page.getByRole('heading', { level: 2, name: 'Оренбургская область' }).waitFor();
	const appeals = page.locator('section', { has: page.getByRole('heading', { name: 'Работа с обращениями' }) });
	await appeals.getByText('Ответы в срок').waitFor();
	const part = page.locator('section', { has: page.getByRole('heading', { name: 'Общественное участие' }) });
	assert.ok(await part.getByText('нет данных').count() >= 4, 'participation: no data yet');
	const bodies = page.locator('section', { has: page.getByRole('heading', { name: 'Органы и организации региона' }) });
	await bodies.getByText('Администрация города Оренбурга').waitFor();
	assert.equal(await page.getByRole('button', { name: 'Обращения' }).count(), 0, 'no drill-down for anonymous visitors');
	await shot(page, 'ratings-region');
	await page.assertClean();
});

test('an admin drills from an indicator down to the appeals and opens one', async () => {
	const page = await pageAs('admin');
	await open(page, '#/ratings');
	await page.locator('section', { has: page.getByRole('heading', { name: 'Все регионы' }) }).getByRole('link', { name: 'Вологодская область' }).click();
	await page.getByRole('heading', { level: 2, name: 'Вологодская область' }).waitFor();
	const row = page.locator('tr', { hasText: 'Ответы в срок' });
	await row.getByRole('button', { name: 'Обращения' }).click();
	const drill = page.locator('.rt-drill');
	await drill.getByRole('heading', { name: /«Ответы в срок»: обращения, снизившие показатель/ }).waitFor();
	const first = drill.getByRole('link', { name: /^№ \d+$/ }).first();
	await first.waitFor();
	assert.ok(await drill.getByText('просрочено').count() >= 1, 'late answers are marked');
	await shot(page, 'ratings-drill');
	const name = await first.textContent();
	await first.click();
	await page.getByRole('heading', { level: 1, name: `Обращение ${name}` }).waitFor();
	await page.assertClean();
});

test('staff: bodies ranked with the period before, executors of a body', async () => {
	const page = await pageAs('admin');
	await open(page, '#/ratings?tab=bodies');
	const table = page.locator('table', { hasText: 'Администрация города Тюмени' });
	await table.waitFor();
	await table.getByRole('columnheader', { name: 'Скорость' }).waitFor();
	assert.ok(await table.getByText('мало ответов').count() >= 1, 'bodies with few answers are not ranked');
	await shot(page, 'ratings-bodies');
	await table.getByRole('link', { name: 'Администрация города Тюмени' }).click();
	const ex = page.locator('section', { has: page.getByRole('heading', { name: 'Исполнители' }) });
	await ex.locator('tbody tr').nth(1).waitFor();
	assert.equal(await ex.locator('tbody tr').count(), 2);
	await page.assertClean();
	// a citizen has no bodies tab and the page still works
	const citizen = await pageAs('citizen');
	await open(citizen, '#/ratings?tab=bodies');
	await citizen.getByRole('heading', { name: 'Первая десятка' }).waitFor();
	assert.equal(await citizen.getByRole('link', { name: 'Органы власти' }).count(), 0);
	await citizen.assertClean();
});

test('an admin changes a weight and puts it back; others only read the weights', async () => {
	const page = await pageAs('admin');
	await open(page, '#/ratings?tab=weights');
	const input = page.getByLabel('Вес показателя «Ответы в срок»');
	await input.fill('120');
	await page.getByRole('button', { name: 'Сохранить веса' }).click();
	await page.getByText('Веса сохранены.').waitFor();
	const r = await (await fetch(`${BASE}/api/ratings/weights`)).json();
	assert.equal(r.items.find((i) => i.key === 'on_time_share').weight, 120);
	await input.fill('-5');
	await page.getByRole('button', { name: 'Сохранить веса' }).click();
	await page.getByRole('alert').filter({ hasText: 'Вес — целое число от 0 до 1000' }).waitFor();
	await page.getByRole('button', { name: 'Веса по умолчанию' }).click();
	assert.equal(await input.inputValue(), '80');
	await page.getByRole('button', { name: 'Сохранить веса' }).click();
	const deadline = Date.now() + 10000;
	for (;;) {
		const back = await (await fetch(`${BASE}/api/ratings/weights`)).json();
		if (back.items.every((i) => i.weight === i.default_weight))
			break;
		assert.ok(Date.now() < deadline, 'the defaults were saved');
		await new Promise((res) => setTimeout(res, 100));
	}
	await shot(page, 'ratings-weights');
	const anon = await pageAs(null);
	await open(anon, '#/ratings?tab=weights');
	await anon.locator('table', { hasText: 'Ответы в срок' }).waitFor();
	assert.equal(await anon.locator('input.rt-weight').count(), 0);
	await anon.assertClean();
});
