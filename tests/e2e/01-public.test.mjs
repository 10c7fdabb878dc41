// 01-public.test.mjs: what an anonymous visitor sees: home with the rubricator, login, registration, keyboard, phone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, newPage, open, shot, closeBrowser, unique } from './helpers.mjs';

after(closeBrowser);

const getJson = async (p) => (await fetch(`${BASE}${p}`)).json();

test('anonymous home explains the platform and lists the rubricator with hints', async () => {
	const page = await newPage();
	await open(page, '#/');
	await assert.doesNotReject(page.getByRole('heading', { level: 1, name: /Отклик/ }).waitFor());
	const nav = page.getByRole('navigation', { name: 'Основное меню' });
	assert.equal(await nav.getByRole('link', { name: 'Войти' }).count(), 1);
	assert.equal(await nav.getByRole('link', { name: 'Реестр' }).count(), 0);
	assert.equal(await nav.getByRole('button', { name: 'Выйти' }).count(), 0);
	await page.getByRole('heading', { name: /Рубрикатор/ }).waitFor();

	const cats = (await getJson('/api/categories?limit=500')).items.filter((c) => c.active !== false);
	const topics = (await getJson('/api/topics?limit=500')).items.filter((x) => x.active !== false);
	assert.ok(cats.length > 0, 'the demo has categories');
	for (const c of cats)
		await page.locator('summary').filter({ hasText: c.name }).first().waitFor();
	const withHint = topics.find((x) => x.hint && cats.some((c) => c.id === x.category_id));
	assert.ok(withHint, 'the demo has a topic with a hint');
	const cat = cats.find((c) => c.id === withHint.category_id);
	const summary = page.locator('summary').filter({ hasText: cat.name }).first();
	await summary.click();
	const details = page.locator('details', { has: summary });
	await details.getByRole('heading', { name: withHint.name, exact: true }).waitFor();
	await details.getByText(withHint.hint, { exact: true }).first().waitFor();
	await details.getByText(/Срок ответа:/).first().waitFor();
	await shot(page, 'home-anonymous');
	await page.assertClean();
	await page.finish();
});

test('login with a wrong password shows the error; empty fields are flagged at the field', async () => {
	const page = await newPage();
	await open(page, '#/login');
	await page.getByRole('button', { name: 'Войти' }).click();
	const loginInput = page.getByLabel('Логин');
	assert.equal(await loginInput.getAttribute('aria-invalid'), 'true');
	const errId = (await loginInput.getAttribute('aria-describedby')).split(' ').pop();
	assert.equal(await page.locator(`#${errId}`).textContent(), 'Заполните это поле.');
	assert.ok(await page.locator(`#${errId}`).isVisible());

	await loginInput.fill('admin');
	await page.getByLabel('Пароль', { exact: true }).fill('wrong-password');
	await page.getByRole('button', { name: 'Войти' }).click();
	const alert = page.locator('main [role=alert]').filter({ hasText: /\S/ });
	await alert.first().waitFor();
	const msg = (await alert.first().textContent()).trim();
	assert.match(msg, /[а-яё]/i, `a Russian message is shown, got «${msg}»`);
	assert.equal(await page.getByRole('button', { name: 'Выйти' }).count(), 0, 'still anonymous');
	assert.equal(await loginInput.getAttribute('aria-invalid'), null, 'the old field error is cleared');
	await shot(page, 'login-error');
	await page.assertClean();
	await page.finish();
});

test('keyboard only: Tab reaches the skip link and the login form, Enter submits', async () => {
	const page = await newPage();
	await open(page, '#/login');
	await page.keyboard.press('Tab');
	const focused = () => page.evaluate(() => {
		const el = document.activeElement;
		const cs = getComputedStyle(el);
		return { id: el.id, tag: el.tagName, text: (el.textContent || '').trim(), label: el.labels && el.labels[0] ? el.labels[0].textContent : '', outline: cs.outlineStyle, visible: el.getBoundingClientRect().top >= 0 };
	});
	let f = await focused();
	assert.equal(f.text, 'Перейти к основному содержанию');
	assert.notEqual(f.outline, 'none', 'the focus is visible');
	assert.ok(f.visible, 'the skip link appears when focused');
	await shot(page, 'keyboard-skip-link');
	await page.keyboard.press('Enter');
	assert.equal((await focused()).id, 'main', 'the skip link moves the focus to the main content');
	for (let i = 0; i < 10 && !(f = await focused()).label.startsWith('Логин'); i++)
		await page.keyboard.press('Tab');
	assert.ok(f.label.startsWith('Логин'), 'Tab reaches the login field');
	await page.keyboard.type('citizen2');
	await page.keyboard.press('Tab');
	assert.ok((await focused()).label.startsWith('Пароль'));
	await page.keyboard.type('otklik-demo');
	await page.keyboard.press('Enter');
	await page.getByRole('button', { name: 'Выйти' }).waitFor();
	await page.assertClean();
	await page.finish();
});

test('phone viewport: menu button, no horizontal scroll', async () => {
	const page = await newPage({ viewport: { width: 360, height: 740 } });
	for (const hash of ['#/', '#/login', '#/register']) {
		await open(page, hash);
		const wide = await page.evaluate(() => document.documentElement.scrollWidth);
		assert.ok(wide <= 360, `${hash}: no horizontal scroll (scrollWidth ${wide})`);
	}
	await open(page, '#/');
	const menu = page.getByRole('button', { name: 'Меню' });
	assert.ok(await menu.isVisible(), 'the menu button is shown');
	const link = page.getByRole('navigation', { name: 'Основное меню' }).getByRole('link', { name: 'Войти' });
	assert.equal(await link.isVisible(), false, 'the navigation is collapsed');
	await shot(page, 'phone-home');
	await menu.click();
	assert.equal(await menu.getAttribute('aria-expanded'), 'true');
	assert.ok(await link.isVisible(), 'the menu opens');
	await shot(page, 'phone-menu-open');
	await link.click();
	await page.getByRole('heading', { level: 1, name: 'Вход' }).waitFor();
	assert.equal(await link.isVisible(), false, 'the menu closes after navigation');
	await shot(page, 'phone-login');
	await page.assertClean();
	await page.finish();
});

test('a visitor registers as a citizen and lands on the profile', async () => {
	const page = await newPage();
	await open(page, '#/register');
	await shot(page, 'register');
	const login = unique('newcomer').replace(/[^a-z0-9-]/g, '');
	// A taken login is refused by the server (409); the message is shown next to the field or atop the form.
	await page.getByLabel('Логин').fill('citizen');
	await page.getByLabel('Пароль').fill('long-enough-password-1');
	await page.getByLabel('Как к вам обращаться').fill('Пётр Новиков');
	await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
	await page.locator('main .field-error:not([hidden]), main [role=alert]:not([hidden])').filter({ hasText: /[а-яё]/i }).first().waitFor();
	assert.equal(await page.getByRole('button', { name: 'Выйти' }).count(), 0);
	await page.getByLabel('Логин').fill(login);
	await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
	await page.getByRole('heading', { level: 1, name: 'Профиль' }).waitFor();
	assert.equal(await page.getByLabel('Имя и фамилия').inputValue(), 'Пётр Новиков');
	await page.getByText(login, { exact: true }).waitFor();
	await page.assertClean();
	await page.finish();
});
