// 02-citizen.test.mjs: a citizen's view: no registry access, profile editing, logout.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, open, login, shot, closeBrowser } from './helpers.mjs';

after(closeBrowser);

test('a citizen does not see the registry and gets «нет доступа» on an admin page', async () => {
	const page = await newPage({ as: 'citizen' });
	await open(page, '#/');
	const nav = page.getByRole('navigation', { name: 'Основное меню' });
	await nav.getByRole('button', { name: 'Выйти' }).waitFor();
	assert.equal(await nav.getByRole('link', { name: 'Реестр' }).count(), 0);
	assert.equal(await nav.getByRole('link', { name: 'Профиль' }).count(), 1);
	assert.equal(await nav.getByRole('link', { name: 'Войти' }).count(), 0);
	await shot(page, 'home-citizen');
	await open(page, '#/admin/orgs');
	await page.getByText(/нет доступа/i).first().waitFor();
	assert.equal(await page.locator('main table').count(), 0, 'no registry data is shown');
	await shot(page, 'forbidden');
	await page.assertClean();
	await page.finish();
});

test('profile: verified badge, per-field validation, edits persist after reload', async () => {
	const page = await newPage({ as: 'citizen' });
	await open(page, '#/profile');
	await page.getByText('Подтверждённая учётная запись').waitFor();
	await page.getByText(/152-ФЗ/).first().waitFor();

	const year = page.getByLabel(/Год рождения/);
	await year.fill('в прошлом веке');
	await page.getByRole('button', { name: 'Сохранить' }).click();
	assert.equal(await year.getAttribute('aria-invalid'), 'true');
	const err = page.locator(`#${(await year.getAttribute('aria-describedby')).split(' ').pop()}`);
	assert.match(await err.textContent(), /целое число/);

	await page.getByLabel(/Имя и фамилия/).fill('Иван Петрович Петров');
	await page.getByLabel(/Телефон/).fill('+7 900 123-45-67');
	await year.fill('1985');
	await page.getByLabel('Женский').check();
	await page.getByLabel(/Регион проживания/).selectOption({ label: 'Калужская область' });
	await page.getByRole('button', { name: 'Сохранить' }).click();
	await page.getByRole('status').filter({ hasText: 'Профиль сохранён.' }).waitFor();
	assert.equal(await year.getAttribute('aria-invalid'), null);
	await shot(page, 'profile');

	await page.reload();
	await page.getByRole('heading', { level: 1, name: 'Профиль' }).waitFor();
	assert.equal(await page.getByLabel(/Имя и фамилия/).inputValue(), 'Иван Петрович Петров');
	assert.equal(await page.getByLabel(/Телефон/).inputValue(), '+7 900 123-45-67');
	assert.equal(await page.getByLabel(/Год рождения/).inputValue(), '1985');
	assert.ok(await page.getByLabel('Женский').isChecked());
	const region = page.getByLabel(/Регион проживания/);
	assert.equal(await region.locator('option:checked').textContent(), 'Калужская область');
	await page.assertClean();
	await page.finish();
});

test('logout returns to the anonymous view', async () => {
	const page = await newPage();
	await login(page, 'citizen2');
	await page.getByRole('button', { name: 'Выйти' }).click();
	const nav = page.getByRole('navigation', { name: 'Основное меню' });
	await nav.getByRole('link', { name: 'Войти' }).waitFor();
	assert.equal(await nav.getByRole('button', { name: 'Выйти' }).count(), 0);
	await page.reload();
	await page.locator('main h1').waitFor();
	assert.equal(await nav.getByRole('link', { name: 'Войти' }).count(), 1, 'the session is gone on the server too');
	await open(page, '#/profile');
	await page.getByRole('heading', { level: 1, name: 'Вход' }).waitFor();
	await page.assertClean();
	await page.finish();
});
