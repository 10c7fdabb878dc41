// 05-appeals.test.mjs: an appeal end to end in the browser — a citizen writes it through the form, an executor takes
// it from the workspace and answers (with the assistant's draft), the citizen rates the answer badly, the supervisor returns it to work.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, open, shot, closeBrowser, sessionOf, apiCall, a11yAudit } from './helpers.mjs';

async function audit(page, what) {
	await page.waitForLoadState('networkidle');
	assert.deepEqual(await a11yAudit(page), [], what);
}

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

// The smallest valid PNG (1×1).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const TEXT = 'В квартире по адресу ул. Ленина, 5 холодно уже третий день, батареи еле тёплые. Звонили в диспетчерскую 12 числа, заявка 345.';
const state = { id: null };

const statusOf = (page) => page.locator('.ap-side .facts dd .badge').first();

test('citizen writes an appeal: topic hint, field error for empty text, attachment, success page', async () => {
	const page = await pageAs('citizen', { width: 390, height: 844 });
	await open(page, '#/write');
	await page.getByRole('heading', { level: 1, name: 'Написать обращение' }).waitFor();

	// Nothing filled in: the errors are next to the fields and nothing is sent.
	await page.getByRole('button', { name: 'Отправить обращение' }).click();
	const text = page.getByLabel('Текст обращения');
	assert.equal(await text.getAttribute('aria-invalid'), 'true');
	const errId = (await text.getAttribute('aria-describedby')).split(' ').find((x) => x.endsWith('-err'));
	assert.match(await page.locator(`#${errId}`).textContent(), /Напишите текст/);
	assert.equal(await page.getByLabel('Категория', { exact: true }).getAttribute('aria-invalid'), 'true', 'the topic is missing too');

	// Live suggestions while typing: one click on a suggested topic picks it and shows its hint.
	await text.fill(TEXT);
	await page.getByText(`${TEXT.length} из 4000 символов`).waitFor();
	const chip = page.getByRole('button', { name: 'Выбрать тему «Нет отопления или холодно в квартире»' });
	await chip.click();
	assert.equal(await page.getByLabel('Тема обращения').locator('option:checked').textContent(), 'Нет отопления или холодно в квартире');
	assert.equal(await page.getByLabel('Категория', { exact: true }).locator('option:checked').textContent(), 'ЖКХ');
	await page.getByText(/аварийно-диспетчерскую службу/).waitFor();
	await text.fill('');
	await page.getByLabel('Регион', { exact: true }).selectOption({ label: 'Калужская область' });
	const muni = page.getByLabel('Муниципальное образование');
	await muni.locator('option', { hasText: /Калуга/ }).first().waitFor({ state: 'attached' });
	const kaluga = await muni.locator('option', { hasText: /Калуга/ }).first().getAttribute('value');
	await muni.selectOption(kaluga);
	await page.getByLabel('Адрес').fill('ул. Ленина, 5');

	// Empty text again: the error is next to the field, the focus goes there, nothing is sent.
	await page.getByRole('button', { name: 'Отправить обращение' }).click();
	assert.equal(await text.getAttribute('aria-invalid'), 'true');
	assert.ok(await text.evaluate((el) => el === document.activeElement), 'the focus is on the field with the error');
	assert.equal(await page.getByLabel('Тема обращения').getAttribute('aria-invalid'), null);
	await audit(page, 'the form with an error');

	await text.fill(TEXT);
	assert.equal(await text.getAttribute('aria-invalid'), null, 'the error goes away once the text is there');
	await page.getByLabel('Файлы').setInputFiles({ name: 'батарея.png', mimeType: 'image/png', buffer: PNG });
	await page.getByRole('button', { name: 'Убрать файл батарея.png' }).waitFor();
	await shot(page, 'phone-write-form');
	await page.getByRole('button', { name: 'Отправить обращение' }).click();

	const h1 = page.getByRole('heading', { level: 1, name: /^Обращение № \d+$/ });
	await h1.waitFor();
	state.id = Number((await h1.textContent()).replace(/\D+/g, ''));
	assert.equal(await statusOf(page).textContent(), 'Направлено исполнителю');
	await page.locator('.ap-text', { hasText: TEXT }).waitFor();
	await page.getByRole('link', { name: /Скачать батарея\.png/ }).waitFor();
	await page.getByRole('status').filter({ hasText: `Обращение № ${state.id} отправлено.` }).waitFor();
	await shot(page, 'phone-appeal-page');

	await open(page, '#/appeals');
	const card = page.locator('.appeal-card').filter({ has: page.getByRole('link', { name: `Обращение № ${state.id}` }) });
	await card.waitFor();
	assert.equal(await card.locator('.badge').first().textContent(), 'Направлено исполнителю');
	await page.assertClean();
});

test('executor finds it in the workspace, takes it and answers; a stale action shows the conflict', async () => {
	assert.ok(state.id, 'the appeal from the previous test');
	const page = await pageAs('executor');
	await open(page, '#/work');
	await page.getByRole('heading', { level: 1, name: 'Работа с обращениями' }).waitFor();
	await page.getByRole('link', { name: 'Новые' }).click();
	await page.getByRole('link', { name: 'Новые' }).and(page.locator('[aria-current="page"]')).waitFor();
	await page.getByRole('link', { name: `Обращение № ${state.id}` }).click();
	await page.getByRole('heading', { level: 1, name: `Обращение № ${state.id}` }).waitFor();

	// Someone else takes it meanwhile: the button on this (stale) page gets a clear refusal.
	const other = await pageAs('executor');
	await open(other, `#/appeals/${state.id}`);
	await other.getByRole('button', { name: 'Взять в работу' }).click();
	await other.locator('.ap-side .badge', { hasText: 'В работе' }).waitFor();

	await page.getByRole('button', { name: 'Взять в работу' }).click();
	const alert = page.getByRole('alert').filter({ hasText: /\S/ });
	await alert.waitFor();
	assert.match(await alert.textContent(), /статус|в работе/i);
	await page.reload();
	await page.getByRole('heading', { level: 1, name: `Обращение № ${state.id}` }).waitFor();
	assert.equal(await statusOf(page).textContent(), 'В работе');

	// The assistant: the essence, the facts of the text, and a draft the answer form takes in one click.
	await page.getByText('Помощник', { exact: true }).click();
	const asst = page.locator('.ap-assistant');
	await asst.locator('.asst-essence li', { hasText: 'холодно уже третий день' }).waitFor();
	assert.equal(await asst.locator('.asst-facts dt', { hasText: 'Адрес' }).locator('xpath=following-sibling::dd[1]').textContent(), 'ул. Ленина, 5');
	const draft = await asst.getByLabel('Черновик ответа').inputValue();
	assert.match(draft, new RegExp(`^Здравствуйте!\\n\\nВаше обращение № ${state.id} от `));
	await shot(page, 'appeal-assistant');
	await asst.getByRole('button', { name: 'Использовать в ответе' }).click();
	assert.equal(await page.getByLabel('Текст ответа').inputValue(), draft, 'the answer form opens with the draft');
	assert.equal(await page.getByRole('button', { name: 'Ответить' }).getAttribute('aria-expanded'), 'true');
	assert.ok(await page.getByLabel('Окончательный').isChecked(), 'a final answer is the default');
	await audit(page, 'the appeal page with the answer form');
	await page.getByLabel('Текст ответа').fill('Подача тепла восстановлена 14 числа, температуру в квартире проверили.');
	await page.getByRole('button', { name: 'Отправить' }).click();
	await page.locator('.ap-side .badge', { hasText: 'Дан ответ' }).waitFor();
	await page.locator('.answer-text', { hasText: 'Подача тепла восстановлена 14 числа' }).waitFor();
	await page.assertClean();
	await other.assertClean();
});

test('citizen sees the answer and rates it 2 → re-review; the supervisor returns it to work', async () => {
	assert.ok(state.id);
	const page = pages[0];
	await open(page, `#/appeals/${state.id}`);
	await page.locator('.answer-text', { hasText: 'Подача тепла восстановлена 14 числа' }).waitFor();
	assert.equal(await statusOf(page).textContent(), 'Дан ответ');
	await page.getByRole('button', { name: 'Оценить ответ' }).click();
	await page.getByRole('button', { name: 'Отправить' }).click();
	await page.getByRole('alert').filter({ hasText: 'Поставьте оценку' }).waitFor();
	await page.getByRole('button', { name: '2 из 5' }).click();
	assert.equal(await page.getByRole('button', { name: '2 из 5' }).getAttribute('aria-pressed'), 'true');
	await page.getByLabel('Нет', { exact: true }).check();
	await audit(page, 'the rating form');
	await page.getByLabel('Комментарий').fill('В квартире по-прежнему холодно.');
	await page.getByRole('button', { name: 'Отправить' }).click();
	await page.locator('.ap-side .badge', { hasText: 'Повторное рассмотрение' }).waitFor();
	await page.getByText('Ваша оценка: 2 из 5, проблема не решена.').waitFor();
	await page.assertClean();

	const sup = await pageAs('supervisor');
	await open(sup, '#/work?queue=rereview');
	await sup.getByRole('link', { name: `Обращение № ${state.id}` }).click();
	await sup.getByRole('heading', { level: 1, name: `Обращение № ${state.id}` }).waitFor();
	await sup.getByRole('button', { name: 'Вернуть на доработку' }).click();
	await sup.getByRole('button', { name: 'Отправить' }).click();
	const comment = sup.getByLabel('Комментарий для исполнителя');
	assert.equal(await comment.getAttribute('aria-invalid'), 'true', 'a comment is required');
	await comment.fill('Проверьте температуру повторно и приложите акт.');
	await sup.getByRole('button', { name: 'Отправить' }).click();
	await sup.locator('.ap-side .badge', { hasText: 'В работе' }).waitFor();
	await sup.assertClean();

	const citizen = await sessionOf('citizen');
	const r = await apiCall(citizen, 'GET', `/api/appeals/${state.id}`);
	assert.equal(r.body.status, 'in_progress');
});
