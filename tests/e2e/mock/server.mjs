// mock/server.mjs: a development stand-in for `otklik serve --demo`, written from docs/api.md, so the UI and its
// browser tests can be worked on while the C server is incomplete. Not used unless OTKLIK_E2E_MOCK=1.
// usage: node tests/e2e/mock/server.mjs --listen 127.0.0.1:PORT
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { appealsModule } from './appeals.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const listen = (process.argv[process.argv.indexOf('--listen') + 1] || '127.0.0.1:8080').split(':');
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2' };

const db = { territories: [], orgs: [], categories: [], topics: [], rules: [], users: [], roles: [] };
let seq = 1;
const ins = (coll, o) => { const x = { id: seq++, ...o }; db[coll].push(x); return x; };
const byCode = (coll, code) => db[coll].find((x) => x.code === code);
const T = (code, parent, kind, name, extra = {}) => ins('territories', { code, parent_id: parent ? byCode('territories', parent).id : null, kind, name, okato: null, oktmo: null, iso: kind === 'region' ? code : null, has_polygon: false, active: true, ...extra });
T('RU', null, 'country', 'Российская Федерация', { iso: 'RU' });
T('RU-KLU', 'RU', 'region', 'Калужская область', { okato: '29000000000', oktmo: '29000000', has_polygon: true });
T('RU-MOW', 'RU', 'region', 'Москва');
T('RU-TUL', 'RU', 'region', 'Тульская область');
T('RU-SPE', 'RU', 'region', 'Санкт-Петербург');
T('klu-kaluga', 'RU-KLU', 'municipality', 'городской округ «Город Калуга»', { oktmo: '29701000', has_polygon: true });
T('klu-obninsk', 'RU-KLU', 'municipality', 'городской округ «Город Обнинск»', { oktmo: '29715000' });
T('klu-kozelsk', 'RU-KLU', 'municipality', 'Козельский район');
const O = (code, name, short_name, kind, terr, parent, email = null) => ins('orgs', { code, name, short_name, kind, territory_id: byCode('territories', terr).id, parent_id: parent ? byCode('orgs', parent).id : null, email, active: true });
O('klu-gov', 'Правительство Калужской области', 'Правительство области', 'regional', 'RU-KLU', null, 'gov@example.ru');
O('klu-minstroy', 'Министерство строительства и ЖКХ Калужской области', 'Минстрой', 'regional', 'RU-KLU', 'klu-gov');
O('klu-minzdrav', 'Министерство здравоохранения Калужской области', 'Минздрав', 'regional', 'RU-KLU', 'klu-gov');
O('klu-mindor', 'Министерство дорожного хозяйства Калужской области', 'Миндор', 'regional', 'RU-KLU', 'klu-gov');
O('klu-kaluga-adm', 'Городская управа города Калуги', 'Управа Калуги', 'municipal', 'klu-kaluga', null);
O('klu-obninsk-adm', 'Администрация города Обнинска', 'Администрация Обнинска', 'municipal', 'klu-obninsk', null);
O('rosreestr-klu', 'Управление Росреестра по Калужской области', 'Росреестр', 'federal', 'RU-KLU', null);
const C = (code, name, sort) => ins('categories', { code, name, sort, active: true });
C('zhkh', 'ЖКХ', 10); C('roads', 'Дороги', 20); C('health', 'Здравоохранение', 30);
const P = (code, cat, name, deadline, unit, hint) => ins('topics', { code, category_id: byCode('categories', cat).id, name, deadline, deadline_unit: unit, hint, active: true });
P('housing-heating', 'zhkh', 'Нет отопления или холодно в квартире', 24, 'hours', 'Укажите адрес дома, квартиру не обязательно. Сначала позвоните в аварийно-диспетчерскую службу управляющей компании и укажите в обращении дату звонка и номер заявки.');
P('zhkh-water', 'zhkh', 'Холодное и горячее водоснабжение', 5, 'wdays', 'Адрес, подъезд и время отключения воды.');
P('roads-holes', 'roads', 'Ямы на дорогах', 10, 'wdays', 'Отметьте место на карте и приложите фотографию.');
P('health-appointment', 'health', 'Запись к врачу', 24, 'hours', 'Название поликлиники и специальность врача.');
const R = (code, topic, cat, terr, org) => ins('rules', { code, topic_id: topic ? byCode('topics', topic).id : null, category_id: cat ? byCode('categories', cat).id : null, territory_id: terr ? byCode('territories', terr).id : null, org_id: org ? byCode('orgs', org).id : null });
R('r-zhkh-klu', null, 'zhkh', 'RU-KLU', 'klu-minstroy');
R('r-roads-kaluga', 'roads-holes', null, 'klu-kaluga', 'klu-kaluga-adm');
R('r-health-klu', null, 'health', 'RU-KLU', 'klu-minzdrav');
const U = (login, name, verified, roles = []) => {
	const u = ins('users', { login, name, email: `${login}@example.ru`, phone: null, birth_year: null, sex: null, home_territory_id: null, verified, created_at: Date.now() - 86400000 * 30, password: 'otklik-demo' });
	for (const [role, org, terr] of roles)
		ins('roles', { user_id: u.id, role, org_id: org ? byCode('orgs', org).id : null, territory_id: terr ? byCode('territories', terr).id : null });
	return u;
};
U('admin', 'Администратор платформы', true, [['admin']]);
U('citizen', 'Иван Петров', true);
U('citizen2', 'Мария Сидорова', false);
U('executor', 'Олег Исполнитель', false, [['executor', 'klu-minstroy']]);
U('coordinator', 'Анна Координатор', false, [['coordinator', null, 'RU-KLU']]);
U('operator', 'Ольга Оператор', false, [['operator', 'klu-kaluga-adm']]);
U('executor2', 'Пётр Исполнитель', false, [['executor', 'klu-minzdrav']]);
U('supervisor', 'Сергей Руководитель', false, [['supervisor', 'klu-gov']]);
U('coordinator2', 'Борис Координатор', false, [['coordinator', null, 'klu-obninsk']]);

const SPEC = {
	territories: { code: 's', parent_id: 'ref:territories', kind: ['country', 'region', 'municipality', 'settlement'], name: 's', okato: 's?', oktmo: 's?', iso: 's?', active: 'b' },
	orgs: { code: 's', name: 's', short_name: 's?', kind: ['federal', 'regional', 'municipal', 'social'], territory_id: 'ref:territories', parent_id: 'ref:orgs', email: 's?', active: 'b' },
	categories: { code: 's', name: 's', sort: 'i', active: 'b' },
	topics: { code: 's', category_id: 'ref:categories', name: 's', deadline: 'i+', deadline_unit: ['wdays', 'hours'], hint: 's?', active: 'b' },
	rules: { code: 's', topic_id: 'ref:topics', category_id: 'ref:categories', territory_id: 'ref:territories', org_id: 'ref:orgs' },
};
const REQUIRED = { territories: ['code', 'kind', 'name'], orgs: ['code', 'name', 'kind', 'territory_id'], categories: ['code', 'name'], topics: ['code', 'category_id', 'name', 'deadline', 'deadline_unit'], rules: ['code'] };
const DEFAULTS = { territories: { parent_id: null, okato: null, oktmo: null, iso: null, has_polygon: false, active: true }, orgs: { short_name: null, parent_id: null, email: null, active: true }, categories: { sort: 0, active: true }, topics: { hint: null, active: true }, rules: { topic_id: null, category_id: null, territory_id: null, org_id: null } };

class HttpErr extends Error { constructor(status, code, message, field) { super(message); Object.assign(this, { status, code, field }); } }
const bad = (field, message) => new HttpErr(422, 'validation_failed', message, field);

function validate(coll, body, existing) {
	const spec = SPEC[coll];
	if (!body || typeof body !== 'object' || Array.isArray(body))
		throw new HttpErr(400, 'invalid_input', 'Ожидается объект JSON.');
	for (const [k, v] of Object.entries(body)) {
		const s = spec[k];
		if (!s)
			throw new HttpErr(400, 'invalid_input', `Неизвестное поле «${k}».`, k);
		if (v === null) {
			if (REQUIRED[coll].includes(k))
				throw bad(k, 'Поле обязательно.');
			continue;
		}
		if (Array.isArray(s) && !s.includes(v))
			throw bad(k, 'Недопустимое значение.');
		if ((s === 's' || s === 's?') && typeof v !== 'string')
			throw new HttpErr(400, 'invalid_input', 'Ожидается строка.', k);
		if (s === 's' && !v.trim())
			throw bad(k, 'Поле не может быть пустым.');
		if (typeof v === 'string' && v.length > 500)
			throw bad(k, 'Слишком длинное значение (не более 500 символов).');
		if (s === 'b' && typeof v !== 'boolean')
			throw new HttpErr(400, 'invalid_input', 'Ожидается логическое значение.', k);
		if ((s === 'i' || s === 'i+' || String(s).startsWith('ref:')) && !Number.isInteger(v))
			throw new HttpErr(400, 'invalid_input', 'Ожидается целое число.', k);
		if (s === 'i+' && (v < 1 || v > 365))
			throw bad(k, 'Срок должен быть от 1 до 365.');
		if (String(s).startsWith('ref:') && !db[s.slice(4)].some((x) => x.id === v))
			throw bad(k, 'Нет такой записи в справочнике.');
	}
	if (!existing)
		for (const k of REQUIRED[coll])
			if (body[k] == null)
				throw bad(k, 'Поле обязательно.');
	if (body.code != null && db[coll].some((x) => x.code === body.code && x !== existing))
		throw new HttpErr(409, 'conflict', `Код «${body.code}» уже занят.`, 'code');
	if (coll === 'orgs' && body.email && !/^[^@\s]+@[^@\s]+$/.test(body.email))
		throw bad('email', 'Неверный адрес электронной почты.');
}

const referenced = (coll, id) => {
	const refs = { territories: [['territories', 'parent_id'], ['orgs', 'territory_id'], ['rules', 'territory_id']], orgs: [['orgs', 'parent_id'], ['rules', 'org_id']], categories: [['topics', 'category_id'], ['rules', 'category_id']], topics: [['rules', 'topic_id']], rules: [] };
	return refs[coll].some(([c, f]) => db[c].some((x) => x[f] === id));
};

const sessions = new Map();
const polygons = new Map();
polygons.set(byCode('territories', 'RU-KLU').id, { type: 'Polygon', coordinates: [[[33.5, 53.4], [36.3, 53.3], [37.2, 54.4], [36.6, 55.3], [35.3, 55.1], [34.2, 54.6], [33.5, 53.4]]] });
const publicUser = (u) => { const { password, ...rest } = u; return rest; };
const rolesOf = (u) => db.roles.filter((r) => r.user_id === u.id).map(({ user_id, ...r }) => r);
function session(req) {
	const m = /(?:^|;\s*)otklik_session=([^;]+)/.exec(req.headers.cookie || '');
	const s = m && sessions.get(m[1]);
	return s ? { ...s, token: m[1], user: db.users.find((u) => u.id === s.userId) } : null;
}
function login(res, u) {
	const token = crypto.randomBytes(16).toString('hex');
	const csrf = crypto.randomBytes(16).toString('hex');
	sessions.set(token, { userId: u.id, csrf });
	res.setHeader('Set-Cookie', `otklik_session=${token}; HttpOnly; SameSite=Lax; Path=/`);
	return { user: publicUser(u), roles: rolesOf(u), csrf_token: csrf };
}

function ancestors(tid) {
	const out = [];
	for (let t = db.territories.find((x) => x.id === tid); t; t = db.territories.find((x) => x.id === t.parent_id))
		out.push(t.id);
	return out;
}
function route(topicId, terrId) {
	const topic = db.topics.find((x) => x.id === topicId);
	const chain = ancestors(terrId);
	let best = null, bestScore = -1;
	for (const r of db.rules) {
		if (r.topic_id != null && r.topic_id !== topicId) continue;
		if (r.topic_id == null && r.category_id != null && (!topic || r.category_id !== topic.category_id)) continue;
		if (r.territory_id != null && !chain.includes(r.territory_id)) continue;
		const spec = r.topic_id != null ? 2 : r.category_id != null ? 1 : 0;
		const depth = r.territory_id == null ? 0 : chain.length - chain.indexOf(r.territory_id);
		const score = spec * 100 + depth;
		if (score > bestScore) { best = r; bestScore = score; }
	}
	if (!best)
		return { org_id: null, rule_id: null, territory_id: terrId, reason: 'Нет подходящего правила: очередь координатора территории.' };
	return { org_id: best.org_id, rule_id: best.id, territory_id: terrId, reason: best.topic_id != null ? 'Правило для темы на этой территории.' : best.category_id != null ? 'Правило для категории темы.' : 'Общее правило.' };
}

function parseCsv(text) {
	const rows = [];
	let row = [], field = '', q = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (q) {
			if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') q = false; else field += c;
		} else if (c === '"') q = true;
		else if (c === ',') { row.push(field); field = ''; }
		else if (c === '\n' || c === '\r') { if (c === '\r' && text[i + 1] === '\n') i++; row.push(field); rows.push(row); row = []; field = ''; }
		else field += c;
	}
	if (field || row.length) { row.push(field); rows.push(row); }
	return rows.filter((r) => r.some((x) => x !== ''));
}
const IMPORT = {
	territories: { code: 's', parent_code: 'territories:parent_id', kind: 's', name: 's', okato: 's', oktmo: 's', iso: 's' },
	orgs: { code: 's', name: 's', short_name: 's', kind: 's', territory_code: 'territories:territory_id', parent_code: 'orgs:parent_id', email: 's' },
	categories: { code: 's', name: 's', sort: 'i' },
	topics: { code: 's', category_code: 'categories:category_id', name: 's', deadline: 'i', deadline_unit: 's', hint: 's', active: 'b' },
	rules: { code: 's', topic_code: 'topics:topic_id', category_code: 'categories:category_id', territory_code: 'territories:territory_id', org_code: 'orgs:org_id' },
};
function doImport(coll, text) {
	const rows = parseCsv(text);
	if (!rows.length)
		throw new HttpErr(422, 'validation_failed', 'строка 1: нет заголовка', 'line:1');
	const head = rows[0].map((x) => x.trim());
	const cols = IMPORT[coll];
	for (const h of head)
		if (!cols[h])
			throw new HttpErr(422, 'validation_failed', `строка 1: неизвестный столбец «${h}»`, 'line:1');
	const snapshot = JSON.stringify(db[coll]);
	let inserted = 0, updated = 0;
	try {
		rows.slice(1).forEach((r, i) => {
			const line = i + 2;
			const obj = {};
			head.forEach((h, j) => {
				const v = (r[j] ?? '').trim();
				const kind = cols[h];
				if (kind.includes(':')) {
					const [rc, f] = kind.split(':');
					if (!v) { obj[f] = null; return; }
					const o = byCode(rc, v);
					if (!o) throw new HttpErr(422, 'validation_failed', `строка ${line}: нет записи с кодом «${v}»`, `line:${line}`);
					obj[f] = o.id;
				} else if (kind === 'i') obj[h] = v === '' ? null : Number(v);
				else if (kind === 'b') obj[h] = v === '' ? true : ['1', 'true', 'да'].includes(v.toLowerCase());
				else obj[h] = v === '' ? null : v;
			});
			const ex = byCode(coll, obj.code);
			try { validate(coll, obj, ex); } catch (e) { throw new HttpErr(422, 'validation_failed', `строка ${line}: ${e.message}`, `line:${line}`); }
			if (ex) { Object.assign(ex, obj); updated++; } else { ins(coll, { ...DEFAULTS[coll], ...obj }); inserted++; }
		});
	} catch (e) {
		db[coll] = JSON.parse(snapshot);
		throw e;
	}
	return { inserted, updated };
}

function send(res, status, obj, headers = {}) {
	const body = obj === undefined ? '' : JSON.stringify(obj);
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
	res.end(body);
}

async function handleApi(req, res, url) {
	const p = url.pathname;
	const m = req.method;
	const s = session(req);
	const chunks = [];
	for await (const chunk of req) chunks.push(chunk);
	const rawBuf = Buffer.concat(chunks);
	const raw = p === '/api/attachments' ? '' : rawBuf.toString('utf8');
	let body;
	if (raw && m !== 'GET' && !p.startsWith('/api/appeals') && !p.startsWith('/api/notifications')) {
		const ct = (req.headers['content-type'] || '').split(';')[0].trim();
		if (p.startsWith('/api/import/')) {
			if (ct !== 'text/csv') throw new HttpErr(415, 'unsupported_media_type', 'Ожидается text/csv.');
			body = raw;
		} else {
			if (ct !== 'application/json') throw new HttpErr(415, 'unsupported_media_type', 'Ожидается application/json.');
			try { body = JSON.parse(raw); } catch { throw new HttpErr(400, 'invalid_input', 'Неверный JSON.'); }
		}
	}
	const needCsrf = () => {
		if (!s) throw new HttpErr(401, 'unauthorized', 'Войдите в систему.');
		if (req.headers['x-csrf-token'] !== s.csrf) throw new HttpErr(403, 'csrf_failed', 'Неверный токен CSRF. Обновите страницу.');
	};
	const needAdmin = () => {
		needCsrf();
		if (!rolesOf(s.user).some((r) => r.role === 'admin')) throw new HttpErr(403, 'forbidden', 'Недостаточно прав.');
	};
	if (await appealsHandler(req, res, url, s, rawBuf, needCsrf))
		return;
	if (p === '/api/auth/providers' && m === 'GET') return send(res, 200, { oidc: { enabled: !!process.env.MOCK_OIDC, name: process.env.MOCK_OIDC || '' } });
	if (p === '/api/auth/login' && m === 'POST') {
		const u = db.users.find((x) => x.login === body?.login);
		if (!u || u.password !== body?.password) throw new HttpErr(401, 'invalid_credentials', 'Неверный логин или пароль.');
		return send(res, 200, login(res, u));
	}
	if (p === '/api/auth/register' && m === 'POST') {
		if (!body?.login || !/^[a-z0-9._-]{3,64}$/i.test(body.login)) throw bad('login', 'Логин: от 3 до 64 латинских букв, цифр, точек, дефисов.');
		if (db.users.some((x) => x.login === body.login)) throw new HttpErr(409, 'conflict', 'Такой логин уже занят.', 'login');
		if (!body.password || body.password.length < 8) throw bad('password', 'Пароль должен быть не короче 8 символов.');
		if (!body.name || !body.name.trim()) throw bad('name', 'Укажите имя.');
		const u = U(body.login, body.name, false);
		u.email = body.email || null;
		u.created_at = Date.now();
		u.password = body.password;
		return send(res, 201, login(res, u));
	}
	if (p === '/api/auth/logout' && m === 'POST') {
		needCsrf();
		sessions.delete(s.token);
		return send(res, 204, undefined, { 'Set-Cookie': 'otklik_session=; Max-Age=0; Path=/' });
	}
	if (p === '/api/me') {
		if (!s) throw new HttpErr(401, 'unauthorized', 'Войдите в систему.');
		if (m === 'GET') return send(res, 200, { user: publicUser(s.user), roles: rolesOf(s.user), csrf_token: s.csrf });
		if (m === 'PATCH') {
			needCsrf();
			const allowed = ['name', 'email', 'phone', 'birth_year', 'sex', 'home_territory_id'];
			for (const k of Object.keys(body || {})) if (!allowed.includes(k)) throw new HttpErr(400, 'invalid_input', `Неизвестное поле «${k}».`, k);
			if ('name' in body && !(body.name || '').trim()) throw bad('name', 'Укажите имя.');
			if (body.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email)) throw bad('email', 'Неверный адрес электронной почты.');
			if (body.phone && !/^\+?[0-9 ()-]{5,20}$/.test(body.phone)) throw bad('phone', 'Телефон: цифры, +, пробелы, скобки, дефисы.');
			if (body.birth_year != null && (!Number.isInteger(body.birth_year) || body.birth_year < 1900 || body.birth_year > 2026)) throw bad('birth_year', 'Год рождения от 1900 до текущего.');
			if (body.sex != null && !['m', 'f'].includes(body.sex)) throw bad('sex', 'Недопустимое значение.');
			Object.assign(s.user, body);
			return send(res, 200, { user: publicUser(s.user) });
		}
	}
	if (p === '/api/route' && m === 'GET') {
		const topic = Number(url.searchParams.get('topic_id')), terr = Number(url.searchParams.get('territory_id'));
		if (!db.topics.some((x) => x.id === topic)) throw bad('topic_id', 'Нет такой темы.');
		return send(res, 200, route(topic, terr));
	}
	let mm = /^\/api\/import\/(\w+)$/.exec(p);
	if (mm && m === 'POST') {
		needAdmin();
		if (!IMPORT[mm[1]]) throw new HttpErr(404, 'not_found', 'Нет такого справочника.');
		return send(res, 200, doImport(mm[1], body || ''));
	}
	mm = /^\/api\/users(?:\/(\d+))?(?:\/roles(?:\/(\d+))?)?$/.exec(p);
	if (mm) {
		if (!s) throw new HttpErr(401, 'unauthorized', 'Войдите в систему.');
		if (!rolesOf(s.user).some((r) => r.role === 'admin')) throw new HttpErr(403, 'forbidden', 'Недостаточно прав.');
		const u = mm[1] && db.users.find((x) => x.id === Number(mm[1]));
		if (mm[1] && !u) throw new HttpErr(404, 'not_found', 'Нет такого пользователя.');
		if (!mm[1] && m === 'GET') return list(res, url, db.users.map(publicUser), ['login', 'name', 'email']);
		if (p.endsWith('/roles') && m === 'POST') {
			needAdmin();
			const role = ins('roles', { user_id: u.id, role: body.role, org_id: body.org_id ?? null, territory_id: body.territory_id ?? null });
			const { user_id, ...r } = role;
			return send(res, 201, r);
		}
		if (mm[2] && m === 'DELETE') {
			needAdmin();
			db.roles = db.roles.filter((r) => r.id !== Number(mm[2]));
			return send(res, 204);
		}
		if (m === 'GET') return send(res, 200, { user: publicUser(u), roles: rolesOf(u) });
	}
	mm = /^\/api\/territories\/(\d+)\/polygon$/.exec(p);
	if (mm) {
		const terr = db.territories.find((x) => x.id === Number(mm[1]));
		if (!terr) throw new HttpErr(404, 'not_found', 'Запись не найдена.');
		if (m === 'GET') {
			if (!polygons.has(terr.id)) throw new HttpErr(404, 'not_found', 'Граница не задана.');
			return send(res, 200, polygons.get(terr.id));
		}
		if (m === 'PUT') {
			needAdmin();
			const g = body && body.type === 'Feature' ? body.geometry : body;
			if (!g || !['Polygon', 'MultiPolygon'].includes(g.type) || !Array.isArray(g.coordinates)) throw bad(null, 'Ожидается GeoJSON Polygon или MultiPolygon.');
			polygons.set(terr.id, g);
			terr.has_polygon = true;
			return send(res, 204);
		}
	}
	mm = /^\/api\/(territories|orgs|categories|topics|rules)(?:\/(\d+))?$/.exec(p);
	if (mm) {
		const coll = mm[1];
		const id = mm[2] ? Number(mm[2]) : null;
		const obj = id != null && db[coll].find((x) => x.id === id);
		if (id != null && !obj) throw new HttpErr(404, 'not_found', 'Запись не найдена.');
		if (m === 'GET' && id == null) {
			let items = db[coll];
			for (const f of ['parent_id', 'kind', 'territory_id', 'category_id', 'org_id', 'topic_id', 'code']) {
				const v = url.searchParams.get(f);
				if (v != null && v !== '') items = items.filter((x) => String(x[f]) === v);
			}
			return list(res, url, items, ['name', 'code', 'short_name']);
		}
		if (m === 'GET') return send(res, 200, obj);
		needAdmin();
		if (m === 'POST' && id == null) {
			validate(coll, body, null);
			return send(res, 201, ins(coll, { ...DEFAULTS[coll], ...body }));
		}
		if (m === 'PATCH') {
			validate(coll, body, obj);
			Object.assign(obj, body);
			return send(res, 200, obj);
		}
		if (m === 'DELETE') {
			if (referenced(coll, id)) throw new HttpErr(409, 'conflict', 'Запись используется в других справочниках, её нельзя удалить.');
			db[coll] = db[coll].filter((x) => x.id !== id);
			return send(res, 204);
		}
		throw new HttpErr(405, 'method_not_allowed', 'Метод не поддерживается.');
	}
	throw new HttpErr(404, 'not_found', 'Нет такого адреса.');
}

function list(res, url, items, fields) {
	const q = (url.searchParams.get('q') || '').toLowerCase();
	if (q) items = items.filter((x) => fields.some((f) => (x[f] || '').toLowerCase().includes(q)));
	const limit = Math.min(Number(url.searchParams.get('limit') || 50), 500);
	const offset = Number(url.searchParams.get('offset') || 0);
	send(res, 200, { items: items.slice(offset, offset + limit), total: items.length });
}

const appealsHandler = appealsModule({ db, HttpErr, bad, send, rolesOf, byCode, route, ancestors });

const server = http.createServer(async (req, res) => {
	const url = new URL(req.url, 'http://x');
	res.setHeader('Content-Security-Policy', CSP);
	res.setHeader('X-Content-Type-Options', 'nosniff');
	try {
		if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
		if (url.pathname.startsWith('/api/')) return await handleApi(req, res, url);
		let file = null;
		if (url.pathname === '/') file = 'index.html';
		else if (url.pathname.startsWith('/static/')) file = url.pathname.slice(8);
		if (file && !file.includes('..')) {
			const full = path.join(root, 'web', file);
			if (fs.existsSync(full) && fs.statSync(full).isFile()) {
				res.writeHead(200, { 'Content-Type': TYPES[path.extname(full)] || 'application/octet-stream', 'Cache-Control': 'no-cache' });
				return res.end(fs.readFileSync(full));
			}
		}
		throw new HttpErr(404, 'not_found', 'Нет такого адреса.');
	} catch (e) {
		if (e instanceof HttpErr) {
			const err = { code: e.code, message: e.message };
			if (e.field) err.field = e.field;
			return send(res, e.status, { error: err });
		}
		console.error(e);
		send(res, 500, { error: { code: 'internal', message: 'Внутренняя ошибка.' } });
	}
});
server.listen(Number(listen[1]), listen[0], () => process.stderr.write(`${JSON.stringify({ event: 'listening', listen: listen.join(':') })}\n`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
