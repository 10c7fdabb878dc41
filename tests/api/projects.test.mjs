// The project map (docs/projects.md): projects built from problems, the public list and page,
// who may do what, validation, the residents' notifications at start, at each stage and at
// completion (each linked author once), feedback, and attention when a problem comes back.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { assertError, assertErrors } from './lib/client.mjs';

let S;
let demo;
const ids = {};
let spot = 0;

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.obninsk = await demo.id('territories', 'klu-obninsk');
  ids.trees = await demo.id('topics', 'green-trees');
  ids.minstroy = await demo.id('orgs', 'klu-minstroy');
  ids.kalugaAdm = await demo.id('orgs', 'klu-kaluga-adm');
  ids.obninskAdm = await demo.id('orgs', 'klu-obninsk-adm');
});
after(async () => { await S?.close(); });

/** Polls until fn() returns a truthy value (or fails after timeout ms). */
async function until(fn, what, timeout = 10000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeout) assert.fail(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function problemOf(appealId) {
  const admin = await demo.as('admin');
  return until(async () => (await admin.get(`/api/appeals/${appealId}`)).json?.problem_id, `appeal ${appealId} placed`);
}

/** A new citizen account (logged in). */
async function newResident(name = 'Житель') {
  const c = demo.fresh(name);
  const r = await c.post('/api/auth/register', { login: uniq('res').replace(/-/g, '_'), password: 'resident-password-1', name });
  assert.equal(r.status, 201, r.text);
  c.name = name;
  c.userId = r.json.user.id;
  return c;
}

/**
 * A problem of similar appeals at a spot of its own (2 km from every other), one appeal per
 * entry of `writers` (clients); returns {problem, appeals}.
 */
async function makeProblem(writers, { lat0 = 54.42, lon = 36.2 } = {}) {
  const lat = lat0 + 0.02 * ++spot;
  const appeals = [];
  for (const [i, c] of writers.entries()) {
    const r = await c.post('/api/appeals', { territory_id: ids.kaluga, topic_id: ids.trees, text: `Аварийное дерево над детской площадкой, место ${spot}`, lat: lat + i * 0.0002, lon });
    assert.equal(r.status, 201, r.text);
    appeals.push(r.json);
  }
  const problem = await problemOf(appeals[0].id);
  for (const a of appeals.slice(1)) assert.equal(await problemOf(a.id), problem, 'the appeals share a problem');
  return { problem, appeals, lat, lon };
}

const body = (problemIds, extra = {}) => ({
  title: 'Замена аварийных деревьев во дворе',
  goal: 'Убрать аварийные деревья и высадить новые.',
  org_id: ids.minstroy,
  budget: 350000,
  deadline: '2030-06-30',
  problem_ids: problemIds,
  stages: [{ title: 'Обследование деревьев' }, { title: 'Снос и посадка', deadline: '2030-05-01' }],
  ...extra,
});

async function create(problemIds, extra, who = 'coordinator') {
  const r = await (await demo.as(who)).post('/api/projects', body(problemIds, extra));
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** Notifications of a project of one kind that client c has. */
async function told(c, kind, projectId) {
  const r = await c.get('/api/notifications?limit=100');
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((n) => n.kind === kind && n.body.includes(`/#/projects/${projectId}.`));
}

describe('the map and the public page', () => {
  test('the demo region has projects in each status, with places, progress and no personal data', async () => {
    const anon = demo.anon();
    const r = await anon.get('/api/projects?limit=100');
    assert.equal(r.status, 200, r.text);
    const demoProjects = r.json.items.filter((p) => p.region_id === r.json.items[0].region_id);
    const statuses = new Set(demoProjects.map((p) => p.status));
    for (const s of ['planned', 'in_progress', 'done']) assert.ok(statuses.has(s), `a demo project ${s}: ${[...statuses]}`);
    const heating = r.json.items.find((p) => p.place.type === 'area');
    assert.ok(heating, 'a project with an area');
    assert.equal(heating.place.geojson.type, 'Polygon');
    assert.ok(heating.progress > 0 && heating.progress < 100);
    assert.ok(heating.appeals >= 2);
    const done = r.json.items.find((p) => p.status === 'done');
    assert.equal(done.progress, 100);
    // the page: stages, labels of the problems, counts — nobody's name or appeal text
    const page = await anon.get(`/api/projects/${heating.id}`);
    assert.equal(page.status, 200, page.text);
    assert.ok(page.json.stages.length >= 2 && page.json.stages.some((s) => s.done) && page.json.stages.some((s) => !s.done));
    assert.ok(page.json.problems.length >= 1 && page.json.problems.every((p) => p.label.length > 0));
    for (const secret of ['Иван Петров', 'Мария Соколова', 'citizen', 'кв. 12']) assert.ok(!page.text.includes(secret), `the page shows ${secret}`);
    assert.deepEqual(page.json.viewer, { linked: false, can_manage: false, can_advance: false, can_feedback: false, feedback: null });
    assertError(await anon.get('/api/projects/999999'), 404, 'not_found');
  });

  test('filters: status, territory, bounding box; bad filters are 400', async () => {
    const anon = demo.anon();
    const all = (await anon.get('/api/projects?limit=500')).json;
    const inObninsk = (await anon.get(`/api/projects?territory_id=${ids.obninsk}`)).json;
    assert.ok(inObninsk.total >= 1 && inObninsk.total < all.total);
    for (const p of inObninsk.items) assert.equal(p.territory_id, ids.obninsk);
    const planned = (await anon.get('/api/projects?status=planned')).json;
    assert.ok(planned.items.length >= 1 && planned.items.every((p) => p.status === 'planned'));
    // Kaluga city's box holds its projects; a box in the sea holds none
    const box = (await anon.get('/api/projects?bbox=36.0,54.4,36.45,54.62')).json;
    assert.ok(box.total >= 1 && box.items.every((p) => p.place.bbox[3] >= 54.4 && p.place.bbox[1] <= 54.62));
    assert.ok(!box.items.some((p) => p.territory_id === ids.obninsk));
    assert.equal((await anon.get('/api/projects?bbox=0,0,1,1')).json.total, 0);
    const page = (await anon.get('/api/projects?limit=1&offset=1')).json;
    assert.equal(page.items.length, 1);
    assert.equal(page.items[0].id, all.items[1].id);
    await assertErrors([
      ['bad status', () => anon.get('/api/projects?status=lost'), 400, 'invalid_input', 'status'],
      ['bad bbox', () => anon.get('/api/projects?bbox=1,2,3'), 400, 'invalid_input', 'bbox'],
      ['inverted bbox', () => anon.get('/api/projects?bbox=3,2,1,0'), 400, 'invalid_input', 'bbox'],
      ['limit', () => anon.get('/api/projects?limit=0'), 400, 'invalid_input'],
    ]);
  });
});

describe('creating and changing', () => {
  test('validation: each bad field is named and nothing is stored', async () => {
    const c = await demo.as('coordinator');
    const { problem } = await makeProblem([await demo.as('citizen')]);
    const before = (await demo.anon().get('/api/projects')).json.total;
    const open = { type: 'area', geojson: { type: 'Polygon', coordinates: [[[36.2, 54.5], [36.3, 54.5], [36.3, 54.6], [36.2, 54.7]]] } };
    const post = (b) => c.post('/api/projects', b);
    const without = (k) => { const b = body([problem]); delete b[k]; return b; };
    await assertErrors([
      ['no title', () => post(without('title')), 422, 'validation_failed', 'title'],
      ['blank title', () => post(body([problem], { title: '   ' })), 422, 'validation_failed', 'title'],
      ['long title', () => post(body([problem], { title: 'я'.repeat(201) })), 422, 'validation_failed', 'title'],
      ['no goal', () => post(without('goal')), 422, 'validation_failed', 'goal'],
      ['no body', () => post(without('org_id')), 422, 'validation_failed', 'org_id'],
      ['unknown body', () => post(body([problem], { org_id: 999999 })), 422, 'validation_failed', 'org_id'],
      ['negative budget', () => post(body([problem], { budget: -1 })), 422, 'validation_failed', 'budget'],
      ['budget as text', () => post(body([problem], { budget: '100' })), 422, 'validation_failed', 'budget'],
      ['no such day', () => post(body([problem], { deadline: '2030-02-30' })), 422, 'validation_failed', 'deadline'],
      ['not a date', () => post(body([problem], { deadline: '30.06.2030' })), 422, 'validation_failed', 'deadline'],
      ['point out of range', () => post(body([problem], { place: { type: 'point', lat: 95, lon: 36 } })), 422, 'validation_failed', 'place'],
      ['open ring', () => post(body([problem], { place: open })), 422, 'validation_failed', 'place'],
      ['no problems', () => post(body([])), 422, 'validation_failed', 'problem_ids'],
      ['unknown problem', () => post(body([999999])), 422, 'validation_failed', 'problem_ids'],
      ['bad stage', () => post(body([problem], { stages: [{ title: '' }] })), 422, 'validation_failed', 'stages'],
      ['unknown field', () => post(body([problem], { colour: 'red' })), 400, 'invalid_input'],
      ['not JSON', () => c.request('POST', '/api/projects', { body: '{"title":', contentType: 'application/json' }), 400, 'invalid_input'],
      ['no CSRF token', () => c.post('/api/projects', body([problem]), { csrf: false }), 403, 'csrf_failed'],
    ]);
    assert.equal((await demo.anon().get('/api/projects')).json.total, before, 'a refused create stored a project');
  });

  test('a coordinator makes a project of problems; the place defaults to the problems; changes are audited', async () => {
    const a = await makeProblem([await demo.as('citizen')]);
    const b = await makeProblem([await demo.as('citizen2')]);
    const p = await create([b.problem, a.problem], { stages: undefined, budget: undefined });
    assert.equal(p.status, 'planned');
    assert.deepEqual(p.problems.map((x) => x.id), [a.problem, b.problem].sort((x, y) => x - y));
    assert.equal(p.appeals, 2);
    assert.equal(p.territory_id, ids.kaluga);
    assert.equal(p.budget, null);
    assert.equal(p.place.type, 'point');
    assert.ok(Math.abs(p.place.lat - (a.lat + b.lat) / 2) < 0.01, `place ${JSON.stringify(p.place)}`);
    assert.equal(p.viewer.can_manage, true);
    const c = await demo.as('coordinator');
    const area = { type: 'Polygon', coordinates: [[[36.19, 54.5], [36.21, 54.5], [36.21, 54.52], [36.19, 54.52], [36.19, 54.5]]] };
    const r = await c.patch(`/api/projects/${p.id}`, { budget: 1200000, deadline: '2031-01-15', place: { type: 'area', geojson: area } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.budget, 1200000);
    assert.equal(r.json.deadline, '2031-01-15');
    assert.deepEqual(r.json.place.bbox, [36.19, 54.5, 36.21, 54.52]);
    assert.ok(Math.abs(r.json.place.lat - 54.51) < 1e-9);
    const st = await c.post(`/api/projects/${p.id}/stages`, { title: 'Подготовка' });
    assert.equal(st.status, 201, st.text);
    assert.deepEqual(st.json.stages.map((s) => s.title), ['Подготовка']);
    const audit = await (await demo.as('admin')).get(`/api/audit?entity=projects&entity_id=${p.id}`);
    assert.equal(audit.status, 200, audit.text);
    const actions = audit.json.items.map((e) => e.action);
    for (const x of ['project.create', 'project.update', 'project.stage_add']) assert.ok(actions.includes(x), `${x} in ${actions}`);
    // the list links problems to their projects
    const byProblem = (await demo.anon().get(`/api/projects?problem_id=${a.problem}`)).json;
    assert.deepEqual(byProblem.items.map((x) => x.id), [p.id]);
  });

  test('who may do what', async () => {
    const pr = await makeProblem([await demo.as('citizen')]);
    const b = body([pr.problem]);
    for (const who of ['citizen', 'executor', 'supervisor', 'operator']) {
      assertError(await (await demo.as(who)).post('/api/projects', b), 403, 'forbidden');
    }
    assertError(await demo.fresh().post('/api/projects', b), 401);
    // the Obninsk coordinator does not see Kaluga's problems
    assertError(await (await demo.as('coordinator2')).post('/api/projects', b), 422, 'validation_failed', 'problem_ids');
    const p = await create([pr.problem]);
    const c2 = await demo.as('coordinator2');
    assertError(await c2.patch(`/api/projects/${p.id}`, { budget: 1 }), 403, 'forbidden');
    assertError(await c2.post(`/api/projects/${p.id}/start`), 403, 'forbidden');
    assertError(await c2.post(`/api/projects/${p.id}/stages`, { title: 'Чужой этап' }), 403, 'forbidden');
    assert.equal((await demo.anon().get(`/api/projects/${p.id}`)).json.budget, 350000, 'a refused PATCH changed the project');
    const sid = p.stages[0].id;
    // stages are marked only once the work started
    assertError(await (await demo.as('coordinator')).patch(`/api/projects/${p.id}/stages/${sid}`, { done: true }), 409, 'conflict', 'done');
    assert.equal((await (await demo.as('admin')).post(`/api/projects/${p.id}/start`)).status, 200);
    // the supervisor of the responsible body (klu-gov is above klu-minstroy) marks stages done, nothing else
    const sup = await demo.as('supervisor');
    const view = await sup.get(`/api/projects/${p.id}`);
    assert.equal(view.json.viewer.can_advance, true);
    assert.equal(view.json.viewer.can_manage, false);
    assertError(await sup.patch(`/api/projects/${p.id}/stages/${sid}`, { title: 'Другое' }), 403, 'forbidden');
    const done = await sup.patch(`/api/projects/${p.id}/stages/${sid}`, { done: true });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.stages[0].done, true);
    assertError(await sup.post(`/api/projects/${p.id}/complete`), 403, 'forbidden');
    assertError(await (await demo.as('executor')).patch(`/api/projects/${p.id}/stages/${sid}`, { done: false }), 403, 'forbidden');
    assertError(await (await demo.as('coordinator')).patch(`/api/projects/${p.id}/stages/999999`, { done: true }), 404, 'not_found');
    // the Obninsk body's project is not the supervisor's
    const p2 = await create([pr.problem], { org_id: ids.obninskAdm });
    await (await demo.as('coordinator')).post(`/api/projects/${p2.id}/start`);
    assertError(await sup.patch(`/api/projects/${p2.id}/stages/${p2.stages[0].id}`, { done: true }), 403, 'forbidden');
  });
});

describe('residents', () => {
  test('start, each stage and completion reach every linked author and co-author exactly once', async () => {
    const citizen = await demo.as('citizen');
    const citizen2 = await demo.as('citizen2');
    const joiner = await newResident('Соседка');
    // citizen wrote two appeals of the problem, citizen2 one, the joiner joined one
    const pr = await makeProblem([citizen, citizen2, citizen]);
    const j = await joiner.post(`/api/appeals/${pr.appeals[1].id}/join`, {});
    assert.equal(j.status, 200, j.text);
    const outsider = await newResident('Посторонний');
    const coord = await demo.as('coordinator');
    const p = await create([pr.problem]);
    const residents = [citizen, citizen2, joiner];
    for (const c of residents) assert.equal((await told(c, 'project_start', p.id)).length, 0, 'nothing before the start');

    const st = await coord.post(`/api/projects/${p.id}/start`);
    assert.equal(st.status, 200, st.text);
    assert.equal(st.json.status, 'in_progress');
    for (const c of residents) {
      const n = await told(c, 'project_start', p.id);
      assert.equal(n.length, 1, `${c.name}: start notifications ${JSON.stringify(n)}`);
      assert.ok(pr.appeals.some((a) => a.id === n[0].appeal_id), 'it points at one of the problem\'s appeals');
      assert.ok(n[0].title.includes('Замена аварийных деревьев'));
    }
    assert.equal((await told(outsider, 'project_start', p.id)).length, 0);
    assert.equal((await told(coord, 'project_start', p.id)).length, 0, 'the actor is not told of their own action');
    assertError(await coord.post(`/api/projects/${p.id}/start`), 409, 'conflict');

    // a stage done, undone and done again tells once; the second stage once more
    const [s1, s2] = p.stages;
    for (const done of [true, false, true]) {
      const r = await coord.patch(`/api/projects/${p.id}/stages/${s1.id}`, { done });
      assert.equal(r.status, 200, r.text);
    }
    const half = await (await demo.as('supervisor')).patch(`/api/projects/${p.id}/stages/${s2.id}`, { done: true });
    assert.equal(half.json.progress, 100);
    for (const c of residents) {
      const n = await told(c, 'project_stage', p.id);
      assert.equal(n.length, 2, `${c.name}: stage notifications ${n.map((x) => x.body)}`);
      assert.ok(n.some((x) => x.body.includes('Обследование деревьев')) && n.some((x) => x.body.includes('Снос и посадка')));
    }

    const done = await coord.post(`/api/projects/${p.id}/complete`);
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.status, 'done');
    assert.equal(done.json.progress, 100);
    assert.ok(done.json.stages.every((s) => s.done));
    assertError(await coord.post(`/api/projects/${p.id}/complete`), 409, 'conflict');
    assertError(await coord.post(`/api/projects/${p.id}/stages`, { title: 'Поздно' }), 409, 'conflict');
    for (const c of residents) assert.equal((await told(c, 'project_done', p.id)).length, 1, `${c.name}: done`);
    assert.equal((await told(outsider, 'project_done', p.id)).length, 0);

    // "my projects" of each resident
    for (const c of residents) {
      const mine = await c.get('/api/me/projects');
      assert.equal(mine.status, 200, mine.text);
      assert.ok(mine.json.items.some((x) => x.id === p.id), c.name);
    }
    assert.ok(!(await outsider.get('/api/me/projects')).json.items.some((x) => x.id === p.id));
  });

  test('feedback: linked residents only, after completion only; most "not gone" calls attention', async () => {
    const citizen = await demo.as('citizen');
    const a = await newResident('Первый');
    const b = await newResident('Второй');
    const outsider = await newResident('Посторонний');
    const pr = await makeProblem([citizen, a, b]);
    const coord = await demo.as('coordinator');
    const p = await create([pr.problem]);
    const say = (c, gone, extra = {}) => c.post(`/api/projects/${p.id}/feedback`, { gone, ...extra });
    assertError(await say(citizen, true), 409, 'conflict');
    await coord.post(`/api/projects/${p.id}/start`);
    assertError(await say(citizen, true), 409, 'conflict');
    await coord.post(`/api/projects/${p.id}/complete`);
    assertError(await say(outsider, true), 403, 'forbidden');
    assertError(await say(coord, true), 403, 'forbidden');
    assertError(await demo.fresh().post(`/api/projects/${p.id}/feedback`, { gone: true }), 401);
    await assertErrors([
      ['gone as text', () => say(citizen, 'yes'), 422, 'validation_failed', 'gone'],
      ['long comment', () => say(citizen, true, { comment: 'я'.repeat(2001) }), 422, 'validation_failed', 'comment'],
      ['unknown field', () => say(citizen, true, { stars: 5 }), 400, 'invalid_input'],
      ['no answer', () => citizen.post(`/api/projects/${p.id}/feedback`, {}), 400, 'invalid_input'],
    ]);
    const view = await outsider.get(`/api/projects/${p.id}`);
    assert.equal(view.json.viewer.can_feedback, false);

    let r = await say(citizen, false, { comment: 'Дерево так и стоит' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.viewer.feedback.gone, false);
    assert.equal(r.json.viewer.feedback.comment, 'Дерево так и стоит');
    assert.equal(r.json.status, 'attention', 'one answer, not gone');
    assert.deepEqual(r.json.attention_reasons, ['feedback']);
    r = await say(a, true);
    assert.equal(r.json.status, 'done', 'one each way is not "most"');
    r = await say(b, false);
    assert.equal(r.json.status, 'attention');
    assert.deepEqual(r.json.feedback, { gone: 1, not_gone: 2 });
    // one answer per resident: changing it replaces it
    r = await say(citizen, true);
    assert.deepEqual(r.json.feedback, { gone: 2, not_gone: 1 });
    assert.equal(r.json.status, 'done');
    // the coordinator reads the answers without names
    const cv = await coord.get(`/api/projects/${p.id}`);
    assert.equal(cv.json.feedback_comments.length, 3);
    assert.ok(!cv.text.includes('Первый') && !cv.text.includes('Второй'));
    assert.equal((await demo.anon().get(`/api/projects/${p.id}`)).json.feedback_comments, undefined);
  });

  test('a problem that comes back after completion puts the project into attention', async () => {
    const citizen = await demo.as('citizen');
    const pr = await makeProblem([citizen]);
    const coord = await demo.as('coordinator');
    const p = await create([pr.problem]);
    await coord.post(`/api/projects/${p.id}/start`);
    await coord.post(`/api/projects/${p.id}/complete`);
    const anon = demo.anon();
    assert.equal((await anon.get(`/api/projects/${p.id}`)).json.status, 'done');
    assert.ok(!(await anon.get('/api/projects?status=attention&limit=500')).json.items.some((x) => x.id === p.id));
    // the same defect, reported again at the same place by someone else
    const again = await (await demo.as('citizen2')).post('/api/appeals', { territory_id: ids.kaluga, topic_id: ids.trees, text: `Аварийное дерево над детской площадкой, место ${spot}`, lat: pr.lat + 0.0001, lon: pr.lon });
    assert.equal(again.status, 201, again.text);
    assert.equal(await problemOf(again.json.id), pr.problem, 'the new appeal joins the problem');
    const page = await until(async () => {
      const r = await anon.get(`/api/projects/${p.id}`);
      return r.json.status === 'attention' && r;
    }, 'attention');
    assert.deepEqual(page.json.attention_reasons, ['returned']);
    assert.equal(page.json.attention, true);
    assert.ok((await anon.get('/api/projects?status=attention&limit=500')).json.items.some((x) => x.id === p.id));
    assert.ok(!(await anon.get('/api/projects?status=done&limit=500')).json.items.some((x) => x.id === p.id));
    // the new author is a linked resident now and may answer
    const fb = await (await demo.as('citizen2')).post(`/api/projects/${p.id}/feedback`, { gone: false });
    assert.equal(fb.status, 200, fb.text);
  });
});
