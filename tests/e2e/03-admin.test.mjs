// 03-admin.test.mjs: the registry as the platform administrator sees it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, newPage, open, login, shot, closeBrowser, sessionOf, apiCall, unique } from './helpers.mjs';

after(closeBrowser);

const getJson = async (p) => (await fetch(`${BASE}${p}`)).json();
const dialog = (page) => page.locator('dialog[open]');

// The error shown for a control: aria-invalid set and the text it points to with aria-describedby.
async function fieldError(control) {
	assert.equal(await control.getAttribute('aria-invalid'), 'true');
	const ids = (await control.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
	const texts = [];
	for (const id of ids)
		texts.push((await control.page().locator(`[id="${id}"]`).textContent()).trim());
	return texts.join(' ');
}

test('admin logs in, sees «Реестр» and every registry page', async () => {
	const page = await newPage();
	await login(page, 'admin');
	const nav = page.getByRole('navigation', { name: 'Основное меню' });
	await nav.getByRole('link', { name: 'Реестр' }).click();
	await page.getByRole('heading', { level: 1, name: 'Территории' }).waitFor();
	const klu = page.getByRole('link', { name: 'Калужская область', exact: true });
	if (!(await klu.count())) {
		await page.getByLabel('Поиск').fill('Калужская');
		await page.getByRole('button', { name: 'Найти' }).click();
	}
	await klu.first().waitFor();
	await page.getByRole('columnheader', { name: 'Граница' }).waitFor();
	await shot(page, 'admin-territories');
	// paging: the regions of the country
	const ru = (await getJson('/api/territories?code=RU')).items[0];
	const regions = (await getJson(`/api/territories?parent_id=${ru.id}&limit=1`)).total;
	if (regions > 25) {
		await open(page, `#/admin/territories?parent=${ru.id}`);
		const pager = page.getByRole('navigation', { name: 'Страницы списка' });
		await pager.getByText(`Показаны 1–25 из ${regions}`).waitFor();
		assert.ok(await pager.getByRole('button', { name: /Назад/ }).isDisabled());
		await pager.getByRole('button', { name: /Вперёд/ }).click();
		await pager.getByText(`Показаны 26–50 из ${regions}`).waitFor();
		assert.ok(await pager.getByRole('button', { name: /Назад/ }).isEnabled());
		await page.getByLabel('Поиск').fill('Калужская');
		await page.getByRole('button', { name: 'Найти' }).click();
	}
	await klu.first().click();
	await page.getByRole('navigation', { name: 'Путь по дереву территорий' }).getByText('Калужская область').waitFor();
	const kaluga = (await getJson('/api/territories?code=klu-kaluga')).items[0];
	await page.getByRole('link', { name: kaluga.name, exact: true }).waitFor();
	await shot(page, 'admin-territories-region');

	const sub = page.getByRole('navigation', { name: 'Разделы реестра' });
	await sub.getByRole('link', { name: 'Организации' }).click();
	await page.getByRole('heading', { level: 1, name: 'Организации' }).waitFor();
	const minstroy = (await getJson('/api/orgs?code=klu-minstroy')).items[0];
	const gov = (await getJson('/api/orgs?code=klu-gov')).items[0];
	await page.getByLabel('Поиск').fill(minstroy.name);
	await page.getByRole('button', { name: 'Найти' }).click();
	const row = page.locator('tr').filter({ hasText: minstroy.name });
	await row.getByText(gov.name).waitFor(); // the parent organisation is shown by name, not id
	await row.getByText('Калужская область').waitFor();
	await shot(page, 'admin-orgs');

	for (const [name, h1, file] of [['Рубрикатор', 'Рубрикатор', 'admin-rubricator'], ['Правила компетенции', 'Правила компетенции', 'admin-rules'],
		['Пользователи и роли', 'Пользователи и роли', 'admin-users'], ['Импорт CSV', 'Импорт CSV', 'admin-import']]) {
		await sub.getByRole('link', { name }).click();
		await page.getByRole('heading', { level: 1, name: h1 }).waitFor();
		await page.waitForLoadState('networkidle');
		await shot(page, file);
	}
	await page.assertClean();
	await page.finish();
});

test('rubricator: create a category and a topic through the forms, field errors, delete with confirmation', async () => {
	const page = await newPage({ as: 'admin' });
	await open(page, '#/admin/rubricator');
	let catName = `Благоустройство дворов ${unique('x').slice(-4)}`;
	const catCode = unique('yards');
	const addCat = page.getByRole('button', { name: '+ Добавить категорию' });
	await addCat.click();
	const dlg = dialog(page);
	await dlg.waitFor();
	// the keyboard stays inside the dialog: Shift+Tab from the first field goes to the close button, then wraps to the last button
	assert.ok(await dlg.getByLabel('Название').evaluate((el) => el === document.activeElement), 'the first field has the focus');
	await page.keyboard.press('Shift+Tab');
	assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Закрыть');
	await page.keyboard.press('Shift+Tab');
	assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Отмена');
	await page.keyboard.press('Tab');
	assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Закрыть');
	// client-side check: the name is required
	await dlg.getByLabel('Код').fill(catCode);
	await dlg.getByRole('button', { name: 'Добавить' }).click();
	assert.equal(await fieldError(dlg.getByLabel('Название')), 'Заполните это поле.');
	await dlg.getByLabel('Название').fill(catName);
	await shot(page, 'admin-category-dialog');
	await dlg.getByRole('button', { name: 'Добавить' }).click();
	await dlg.waitFor({ state: 'detached' });
	const section = page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: /Благоустройство дворов/ }) }).filter({ hasText: catCode });
	await section.waitFor();

	// server-side check: a taken code comes back as 409 with field "code", shown at the field
	await addCat.click();
	await dlg.getByLabel('Название').fill(`${catName} 2`);
	await dlg.getByLabel('Код').fill(catCode);
	await dlg.getByRole('button', { name: 'Добавить' }).click();
	const codeErr = await (async () => {
		await dlg.locator('.field-error:not([hidden])').first().waitFor();
		return fieldError(dlg.getByLabel('Код'));
	})();
	assert.match(codeErr, /[а-яё]/i, `a Russian message at the code field, got «${codeErr}»`);
	assert.ok(await dlg.getByLabel('Код').evaluate((el) => el === document.activeElement), 'the field in error gets the focus');
	await shot(page, 'admin-category-error');
	// Esc closes the dialog and the focus returns to the button that opened it
	await page.keyboard.press('Escape');
	await dlg.waitFor({ state: 'detached' });
	assert.ok(await addCat.evaluate((el) => el === document.activeElement), 'focus restored to the opener');

	// edit (PATCH): rename, clear the order
	await section.getByRole('button', { name: `Изменить: ${catName}` }).click();
	await dlg.getByLabel('Название').fill(`${catName} и улиц`);
	await dlg.getByLabel(/Порядок/).fill('');
	await dlg.getByRole('button', { name: 'Сохранить' }).click();
	await dlg.waitFor({ state: 'detached' });
	catName = `${catName} и улиц`;
	await page.getByRole('heading', { level: 2, name: catName }).waitFor();

	const topicName = 'Детская площадка во дворе';
	const topicCode = unique('playground');
	await section.getByRole('button', { name: `Добавить тему в категорию «${catName}»` }).click();
	await dlg.waitFor();
	assert.equal(await dlg.getByLabel('Категория').locator('option:checked').textContent(), catName);
	await dlg.getByLabel('Название').fill(topicName);
	await dlg.getByLabel('Код').fill(topicCode);
	await dlg.getByLabel('Срок ответа').fill('7');
	await dlg.getByLabel(/Подсказка гражданину/).fill('Адрес двора и что именно сломано.');
	await dlg.getByRole('button', { name: 'Добавить' }).click();
	await dlg.waitFor({ state: 'detached' });
	const topicRow = section.locator('tr').filter({ hasText: topicName });
	await topicRow.getByText('7 рабочих дней').waitFor();
	await topicRow.getByText('Адрес двора и что именно сломано.').waitFor();
	await shot(page, 'admin-rubricator-created');

	// the citizen-facing home page lists it with its hint
	await open(page, '#/');
	const summary = page.locator('summary').filter({ hasText: catName });
	await summary.click();
	await page.locator('details', { has: summary }).getByText('Адрес двора и что именно сломано.').waitFor();

	// delete: a confirmation first; cancel keeps it, confirm removes it
	await open(page, '#/admin/rubricator');
	await section.waitFor();
	await topicRow.getByRole('button', { name: `Удалить: ${topicName}` }).click();
	await dlg.getByText(`Удалить «${topicName}»?`, { exact: false }).waitFor();
	await shot(page, 'admin-confirm-delete');
	await dlg.getByRole('button', { name: 'Отмена' }).click();
	await dlg.waitFor({ state: 'detached' });
	assert.equal(await topicRow.count(), 1, 'cancel keeps the topic');
	await topicRow.getByRole('button', { name: `Удалить: ${topicName}` }).click();
	await dlg.getByRole('button', { name: 'Удалить' }).click();
	await topicRow.waitFor({ state: 'detached' });
	await section.getByRole('button', { name: `Удалить: ${catName}` }).click();
	await dlg.getByRole('button', { name: 'Удалить' }).click();
	await section.waitFor({ state: 'detached' });
	assert.equal((await getJson(`/api/categories?code=${catCode}`)).total, 0, 'the category is gone on the server');
	await page.assertClean();
	await page.finish();
});

test('territories: a boundary is uploaded as GeoJSON and drawn', async () => {
	const admin = await sessionOf('admin');
	const klu = (await getJson('/api/territories?code=RU-KLU')).items[0];
	const code = unique('village');
	const name = `Деревня Тестовая ${code.slice(-4)}`;
	const r = await apiCall(admin, 'POST', '/api/territories', { code, parent_id: klu.id, kind: 'settlement', name });
	assert.equal(r.status, 201, JSON.stringify(r.body));
	const page = await newPage({ as: 'admin' });
	await open(page, '#/admin/territories');
	await page.getByLabel('Поиск').fill(code);
	await page.getByRole('button', { name: 'Найти' }).click();
	const row = page.locator('tr').filter({ hasText: name });
	await row.getByText('нет', { exact: true }).waitFor();
	await row.getByRole('button', { name: `Граница: ${name}` }).click();
	const dlg = dialog(page);
	await dlg.getByText(/Граница не задана/).waitFor();
	await dlg.getByLabel(/Или текст GeoJSON/).fill('{"type":"Polygon"');
	await dlg.getByRole('button', { name: 'Сохранить границу' }).click();
	assert.match(await fieldError(dlg.getByLabel(/Или текст GeoJSON/)), /JSON/);
	const square = { type: 'Polygon', coordinates: [[[0.001, 0.001], [0.011, 0.001], [0.011, 0.011], [0.001, 0.011], [0.001, 0.001]]] };
	await dlg.getByLabel(/Или текст GeoJSON/).fill(JSON.stringify(square));
	await dlg.getByRole('button', { name: 'Сохранить границу' }).click();
	await dlg.waitFor({ state: 'detached' });
	await row.getByText('задана', { exact: true }).waitFor();
	await row.getByRole('button', { name: `Граница: ${name}` }).click();
	await dlg.getByRole('img', { name: `Контур границы: ${name}` }).waitFor();
	await shot(page, 'admin-territory-boundary');
	await page.keyboard.press('Escape');
	await page.assertClean();
	await page.finish();
	// the test village (a square near 0°, 0°) would otherwise sit on later maps of the region
	const del = await apiCall(admin, 'DELETE', `/api/territories/${r.body.id}`);
	assert.ok(del.status === 200 || del.status === 204, JSON.stringify(del.body));
});

test('an organisation named like HTML renders as text, no script runs', async () => {
	const admin = await sessionOf('admin');
	const terr = (await getJson('/api/territories?code=RU-KLU')).items[0];
	const evil = '<img src=x onerror="window.__xss=1">';
	const code = unique('xss');
	const r = await apiCall(admin, 'POST', '/api/orgs', { code, name: evil, short_name: `${evil}!`, kind: 'social', territory_id: terr.id });
	assert.equal(r.status, 201, JSON.stringify(r.body));
	const page = await newPage({ as: 'admin' });
	await open(page, '#/admin/orgs');
	await page.getByLabel('Поиск').fill(code);
	await page.getByRole('button', { name: 'Найти' }).click();
	await page.getByText(evil, { exact: true }).first().waitFor();
	assert.equal(await page.locator('main img').count(), 0, 'no <img> element was created');
	// also in a dialog title and the delete confirmation
	await page.getByRole('button', { name: `Изменить: ${evil}!` }).click();
	await dialog(page).getByRole('heading', { name: `Изменить: ${evil}!` }).waitFor();
	assert.equal(await dialog(page).getByLabel('Название', { exact: true }).inputValue(), evil);
	await dialog(page).getByRole('combobox', { name: /^Территория/ }).locator('option:checked').filter({ hasText: 'Калужская область' }).waitFor({ state: 'attached' });
	await shot(page, 'admin-org-dialog');
	// edit through the form (PATCH): a parent organisation and an e-mail
	const gov = (await getJson('/api/orgs?code=klu-gov')).items[0];
	await dialog(page).getByRole('searchbox', { name: /Вышестоящая/ }).fill('Правительство');
	const parentSel = dialog(page).getByRole('combobox', { name: /^Вышестоящая/ });
	await parentSel.locator(`option[value="${gov.id}"]`).waitFor({ state: 'attached' });
	await parentSel.selectOption(String(gov.id));
	await dialog(page).getByLabel(/Электронная почта/).fill('priemnaya@example.ru');
	await dialog(page).getByRole('button', { name: 'Сохранить' }).click();
	await dialog(page).waitFor({ state: 'detached' });
	await page.locator('tr').filter({ hasText: evil }).getByText(gov.name).waitFor();
	const saved = (await getJson(`/api/orgs?code=${code}`)).items[0];
	assert.equal(saved.email, 'priemnaya@example.ru');
	assert.equal(saved.parent_id, gov.id);
	assert.equal(saved.name, evil, 'the name round-trips unchanged');
	await page.getByRole('button', { name: `Удалить: ${evil}!` }).click();
	await dialog(page).getByText(`Удалить «${evil}!»?`, { exact: false }).waitFor();
	await page.keyboard.press('Escape');
	await shot(page, 'admin-xss-as-text');
	assert.equal(await page.evaluate(() => window.__xss), undefined);
	assert.equal(await page.locator('img[src="x"]').count(), 0);
	await page.assertClean();
	await page.finish();
});

test('competence rules read as sentences; «Проверить маршрут» names the body the API picks', async () => {
	const rules = (await getJson('/api/rules?limit=500')).items;
	const rule = rules.find((x) => x.org_id != null && x.territory_id != null && (x.topic_id != null || x.category_id != null));
	assert.ok(rule, 'the demo has a rule with a topic/category, a territory and an organisation');
	const topic = rule.topic_id != null ? (await getJson(`/api/topics/${rule.topic_id}`))
		: (await getJson(`/api/topics?category_id=${rule.category_id}`)).items[0];
	const terr = await getJson(`/api/territories/${rule.territory_id}`);
	const expected = await getJson(`/api/route?topic_id=${topic.id}&territory_id=${terr.id}`);
	assert.ok(expected.org_id != null, JSON.stringify(expected));
	const org = await getJson(`/api/orgs/${expected.org_id}`);

	const page = await newPage({ as: 'admin' });
	await open(page, '#/admin/rules');
	await page.locator('main table .rule').first().waitFor();
	const first = await page.locator('main table .rule').first().textContent();
	assert.match(first, / — .+ → /, `a readable rule, got «${first}»`);
	await page.getByLabel('Тема обращения').selectOption(String(topic.id));
	const tool = page.locator('section.route-tool');
	await tool.getByRole('searchbox').fill(terr.name);
	const terrSelect = tool.getByLabel('Территория', { exact: true });
	await terrSelect.locator(`option[value="${terr.id}"]`).waitFor({ state: 'attached' });
	await terrSelect.selectOption(String(terr.id));
	await tool.getByRole('button', { name: 'Проверить' }).click();
	await tool.getByText(`Обращение получит: ${org.name}`).waitFor();
	await tool.getByText(/^Территория: /).waitFor();
	await shot(page, 'admin-route-check');

	// a more specific rule made through the form wins for its municipality
	const obninsk = (await getJson('/api/territories?code=klu-obninsk')).items[0];
	const obnAdm = (await getJson('/api/orgs?code=klu-obninsk-adm')).items[0];
	const code = unique('rule');
	await page.getByRole('button', { name: '+ Добавить правило' }).click();
	const dlg = dialog(page);
	await dlg.getByLabel('Код').fill(code);
	await dlg.getByRole('combobox', { name: /^Тема/ }).selectOption(String(topic.id));
	await dlg.getByRole('searchbox', { name: /Территория/ }).fill('Обнинск');
	const tSel = dlg.getByRole('combobox', { name: /^Территория/ });
	await tSel.locator(`option[value="${obninsk.id}"]`).waitFor({ state: 'attached' });
	await tSel.selectOption(String(obninsk.id));
	await dlg.getByRole('searchbox', { name: /Ответственная организация/ }).fill('Обнинск');
	const oSel = dlg.getByRole('combobox', { name: /^Ответственная организация/ });
	await oSel.locator(`option[value="${obnAdm.id}"]`).waitFor({ state: 'attached' });
	await oSel.selectOption(String(obnAdm.id));
	await shot(page, 'admin-rule-dialog');
	await dlg.getByRole('button', { name: 'Добавить' }).click();
	await dlg.waitFor({ state: 'detached' });
	const rows = page.locator('main table tr').filter({ hasText: code });
	await page.getByRole('combobox', { name: 'Тема', exact: true }).selectOption(String(topic.id));
	await page.getByRole('button', { name: 'Найти' }).click();
	await rows.first().waitFor();
	assert.equal(await rows.locator('.rule').textContent(), `${topic.name} — ${obninsk.name} → ${obnAdm.name}`);
	const search = tool.getByRole('searchbox');
	await search.fill('Обнинск');
	await terrSelect.locator(`option[value="${obninsk.id}"]`).waitFor({ state: 'attached' });
	await terrSelect.selectOption(String(obninsk.id));
	await tool.getByRole('button', { name: 'Проверить' }).click();
	await tool.getByText(`Обращение получит: ${obnAdm.name}`).waitFor();
	await tool.locator('.route-result .code').getByText(code, { exact: true }).waitFor();
	// a point on the map: the API decides the territory from the boundaries; the UI reports the same body and territory
	const [lat, lon] = ['54.5138', '36.2612'];
	const klu = (await getJson('/api/territories?code=RU-KLU')).items[0];
	const byPoint = await getJson(`/api/route?topic_id=${topic.id}&territory_id=${klu.id}&lat=${lat}&lon=${lon}`);
	await search.fill('Калужская');
	await terrSelect.locator(`option[value="${klu.id}"]`).waitFor({ state: 'attached' });
	await terrSelect.selectOption(String(klu.id));
	await tool.getByLabel(/Широта/).fill(lat);
	await tool.getByLabel(/Долгота/).fill(lon);
	await tool.getByRole('button', { name: 'Проверить' }).click();
	const pointOrg = byPoint.org_id != null ? (await getJson(`/api/orgs/${byPoint.org_id}`)).name : null;
	await tool.getByText(pointOrg ? `Обращение получит: ${pointOrg}` : /Подходящего правила нет/).waitFor();
	if (byPoint.territory_id != null) {
		const pt = await getJson(`/api/territories/${byPoint.territory_id}`);
		await tool.getByText(`Территория: ${pt.name}`, { exact: true }).waitFor();
	}
	await shot(page, 'admin-route-point');

	await rows.getByRole('button', { name: `Удалить: ${code}` }).click();
	await dlg.getByRole('button', { name: 'Удалить' }).click();
	await rows.first().waitFor({ state: 'detached' });
	await page.assertClean();
	await page.finish();
});

test('users: grant a role and revoke it', async () => {
	const page = await newPage({ as: 'admin' });
	await open(page, '#/admin/users');
	await page.getByLabel('Поиск').fill('citizen2');
	await page.getByRole('button', { name: 'Найти' }).click();
	await page.getByRole('button', { name: 'Роли: citizen2' }).click();
	const dlg = dialog(page);
	await dlg.getByRole('heading', { name: /citizen2/ }).waitFor();
	await dlg.getByLabel('Роль', { exact: true }).selectOption('coordinator');
	assert.ok(await dlg.getByRole('combobox', { name: /^Территория/ }).isVisible(), 'a coordinator is granted on a territory');
	assert.equal(await dlg.getByRole('combobox', { name: /^Организация/ }).isVisible(), false);
	await dlg.getByRole('searchbox', { name: /Территория/ }).fill('Калужская');
	const sel = dlg.getByRole('combobox', { name: /^Территория/ });
	const klu = (await getJson('/api/territories?code=RU-KLU')).items[0];
	await sel.locator(`option[value="${klu.id}"]`).waitFor({ state: 'attached' });
	await sel.selectOption(String(klu.id));
	await dlg.getByRole('button', { name: 'Выдать роль' }).click();
	const granted = dlg.locator('.roles li').filter({ hasText: 'Координатор: Калужская область' });
	await granted.waitFor();
	await shot(page, 'admin-user-roles');
	await granted.getByRole('button', { name: /Отозвать/ }).click();
	const confirm = page.locator('dialog[open]').last();
	await confirm.getByRole('button', { name: 'Отозвать' }).click();
	await granted.waitFor({ state: 'detached' });
	await page.keyboard.press('Escape');
	await page.assertClean();
	await page.finish();
});

test('CSV import: pasted categories are added; a bad line is reported and nothing changes', async () => {
	const page = await newPage({ as: 'admin' });
	await open(page, '#/admin/import');
	const code = unique('imp');
	await page.getByLabel('Справочник').selectOption('categories');
	await page.getByText('Столбцы: code,name,sort').waitFor();
	await page.getByLabel(/Текст CSV/).fill(`code,name,sort\n${code},Импортированная категория,900\n`);
	await page.getByRole('button', { name: 'Импортировать' }).click();
	await page.locator('main').getByText('Импорт завершён: добавлено 1, обновлено 0.').waitFor();
	assert.equal((await getJson(`/api/categories?code=${code}`)).total, 1);

	// a file: topics of the category just imported
	await page.getByLabel('Справочник').selectOption('topics');
	const csv = `code,category_code,name,deadline,deadline_unit,hint,active\n${code}-t1,${code},Тема из файла,3,wdays,"Подсказка, с запятой",\n`;
	await page.getByLabel(/Файл CSV/).setInputFiles({ name: 'topics.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
	await page.getByText('topics.csv', { exact: true }).waitFor();
	await page.getByLabel(/Текст CSV/).fill('');
	await page.getByRole('button', { name: 'Импортировать' }).click();
	await page.locator('main').getByText('Импорт завершён: добавлено 1, обновлено 0.').waitFor();
	const imported = (await getJson(`/api/topics?code=${code}-t1`)).items[0];
	assert.equal(imported.hint, 'Подсказка, с запятой');
	await shot(page, 'admin-import-file');
	await page.reload();
	await page.getByRole('heading', { level: 1, name: 'Импорт CSV' }).waitFor();
	await page.getByLabel('Справочник').selectOption('categories');

	const bad = unique('bad');
	await page.getByLabel(/Текст CSV/).fill(`code,name,sort\n${bad},Хорошая строка,1\n${bad}-2,,not-a-number\n`);
	await page.getByRole('button', { name: 'Импортировать' }).click();
	const err = await (async () => {
		await page.locator('main .field-error:not([hidden])').first().waitFor();
		return fieldError(page.getByLabel(/Текст CSV/));
	})();
	assert.match(err, /строка 3/, `the line is named, got «${err}»`);
	assert.equal((await getJson(`/api/categories?code=${bad}`)).total, 0, 'nothing imported');
	await shot(page, 'admin-import-error');
	await page.assertClean();
	await page.finish();
});

test('registry on a phone: no horizontal scroll', async () => {
	const page = await newPage({ as: 'admin', viewport: { width: 360, height: 740 } });
	for (const p of ['territories', 'orgs', 'rubricator', 'rules', 'users', 'import']) {
		await open(page, `#/admin/${p}`);
		await page.waitForLoadState('networkidle');
		const wide = await page.evaluate(() => document.documentElement.scrollWidth);
		assert.ok(wide <= 360, `${p}: scrollWidth ${wide}`);
		if (p === 'orgs' || p === 'rubricator')
			await shot(page, `phone-admin-${p}`);
	}
	await open(page, '#/admin/orgs');
	await page.getByRole('button', { name: /Добавить организацию/ }).click();
	const dlg = dialog(page);
	await dlg.getByLabel('Название', { exact: true }).waitFor();
	const overflow = await dlg.evaluate((d) => d.scrollWidth - d.clientWidth);
	assert.ok(overflow <= 0, `the dialog fits the phone (overflow ${overflow}px)`);
	await shot(page, 'phone-admin-dialog', { fullPage: false });
	await page.keyboard.press('Escape');
	await page.assertClean();
	await page.finish();
});
