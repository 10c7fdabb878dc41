// 04-a11y.test.mjs: every page passes a small accessibility audit (labels, names, ids, contrast), in each role.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, open, closeBrowser, a11yAudit } from './helpers.mjs';

after(closeBrowser);

async function audit(page, what) {
	await page.waitForLoadState('networkidle');
	assert.deepEqual(await a11yAudit(page), [], what);
}

test('anonymous pages: landmarks, lang, labels, contrast', async () => {
	const page = await newPage();
	await open(page, '#/');
	assert.equal(await page.getAttribute('html', 'lang'), 'ru');
	for (const role of ['banner', 'main', 'contentinfo'])
		assert.equal(await page.getByRole(role).count(), 1, `one ${role} landmark`);
	assert.equal(await page.getByRole('navigation', { name: 'Основное меню' }).count(), 1);
	await page.locator('summary').first().click();
	await audit(page, 'home');
	await open(page, '#/login');
	await audit(page, 'login');
	await page.getByRole('button', { name: 'Войти' }).click();
	await audit(page, 'login with errors');
	await open(page, '#/register');
	await audit(page, 'register');
	await open(page, '#/no-such-page');
	await page.getByRole('heading', { level: 1, name: 'Страница не найдена' }).waitFor();
	await audit(page, 'not found');
	await page.assertClean();
	await page.finish();
});

test('citizen pages', async () => {
	const page = await newPage({ as: 'citizen' });
	for (const hash of ['#/', '#/profile', '#/admin/users']) {
		await open(page, hash);
		await audit(page, hash);
	}
	await page.assertClean();
	await page.finish();
});

test('admin pages and dialogs', async () => {
	const page = await newPage({ as: 'admin' });
	for (const p of ['territories', 'orgs', 'rubricator', 'rules', 'users', 'import']) {
		await open(page, `#/admin/${p}`);
		await audit(page, p);
	}
	await open(page, '#/admin/orgs');
	await page.getByRole('button', { name: /Добавить организацию/ }).click();
	await page.locator('dialog[open]').waitFor();
	await audit(page, 'organisation dialog');
	await page.keyboard.press('Escape');
	await open(page, '#/admin/users');
	await page.getByRole('button', { name: 'Роли: citizen', exact: true }).click();
	await page.locator('dialog[open] .roles-list').waitFor();
	await audit(page, 'roles dialog');
	await page.assertClean();
	await page.finish();
});

test('phone width', async () => {
	const page = await newPage({ as: 'admin', viewport: { width: 360, height: 740 } });
	for (const hash of ['#/', '#/profile', '#/admin/orgs']) {
		await open(page, hash);
		await audit(page, hash);
	}
	await page.getByRole('button', { name: 'Меню' }).click();
	await audit(page, 'menu open');
	await page.assertClean();
	await page.finish();
});
