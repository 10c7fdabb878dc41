// Matrix cases for the project map: public reads, coordinators' writes (each on a problem of its
// own territory), supervisors' stage marks, and residents' feedback (every demo account joins
// the appeal behind one finished project, so each may answer).
import assert from 'node:assert/strict';

const own = {};
let spot = 0;

async function problemOf(ctx, id) {
  const admin = await ctx.demo.as('admin');
  for (let i = 0; i < 100; i++) {
    const r = await admin.get(`/api/appeals/${id}`);
    if (r.json?.problem_id) return r.json.problem_id;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`appeal ${id} got no problem`);
}

/** A problem of one appeal by `who` in Kaluga or Obninsk, 2 km from every other. */
async function problemIn(ctx, where, who = 'citizen') {
  const c = await ctx.demo.as(who);
  const base = where === 'obninsk' ? { lat: 55.098, lon: 36.60, t: own.obninsk } : { lat: 54.46, lon: 36.15, t: own.kaluga };
  const r = await c.post('/api/appeals', { territory_id: base.t, topic_id: own.trees, text: `Аварийное дерево у школы, матрица проектов ${++spot}`, lat: base.lat + (where === 'obninsk' ? 0 : 0.025 * spot), lon: base.lon });
  assert.equal(r.status, 201, `submit: ${r.text}`);
  return { appeal: r.json.id, problem: await problemOf(ctx, r.json.id) };
}

/** A project (as admin) of a problem in the territory `who` coordinates; status as asked. */
async function projectFor(ctx, who, status = 'planned') {
  const problem = who === 'coordinator2' ? own.obninskProblem : own.kalugaProblem;
  const admin = await ctx.demo.as('admin');
  const r = await admin.post('/api/projects', {
    title: 'Матричный проект', goal: 'Проверка прав', org_id: own.minstroy, problem_ids: [problem],
    stages: [{ title: 'Этап' }],
  });
  assert.equal(r.status, 201, r.text);
  if (status !== 'planned') assert.equal((await admin.post(`/api/projects/${r.json.id}/start`)).status, 200);
  if (status === 'done') assert.equal((await admin.post(`/api/projects/${r.json.id}/complete`)).status, 200);
  return r.json;
}

export async function setup(ctx) {
  own.kaluga = await ctx.demo.id('territories', 'klu-kaluga');
  own.obninsk = await ctx.demo.id('territories', 'klu-obninsk');
  own.trees = await ctx.demo.id('topics', 'green-trees');
  own.minstroy = await ctx.demo.id('orgs', 'klu-minstroy');
  own.kalugaProblem = (await problemIn(ctx, 'kaluga')).problem;
  own.obninskProblem = (await problemIn(ctx, 'obninsk')).problem;
  own.project = await projectFor(ctx, 'admin');
  // the finished project every account may answer: all of them joined its appeal
  const { appeal, problem } = await problemIn(ctx, 'kaluga', 'citizen');
  for (const l of Object.keys((await import('../lib/demo.mjs')).DEMO_ACCOUNTS)) {
    if (l === 'citizen') continue;
    const j = await (await ctx.demo.as(l)).post(`/api/appeals/${appeal}/join`, {});
    assert.equal(j.status, 200, `${l} joins: ${j.text}`);
  }
  const admin = await ctx.demo.as('admin');
  const r = await admin.post('/api/projects', { title: 'Завершённый матричный проект', goal: 'Отзывы', org_id: own.minstroy, problem_ids: [problem] });
  assert.equal(r.status, 201, r.text);
  await admin.post(`/api/projects/${r.json.id}/start`);
  await admin.post(`/api/projects/${r.json.id}/complete`);
  own.finished = r.json.id;
}

export default (ctx) => {
  const target = {};
  const unchanged = (what) => async (who) => {
    const r = await ctx.demo.anon().get(`/api/projects/${target[who].id}`);
    what(r.json, who);
  };
  return {
    'GET /api/projects': { call: () => ({ path: '/api/projects?limit=5' }) },
    'GET /api/projects/{id}': { call: () => ({ path: `/api/projects/${own.project.id}` }) },
    'GET /api/me/projects': { call: () => ({ path: '/api/me/projects' }) },
    'POST /api/projects': {
      call: async (who) => {
        const problem = who === 'coordinator2' ? own.obninskProblem : own.kalugaProblem;
        const before = (await ctx.demo.anon().get(`/api/projects?problem_id=${problem}`)).json.total;
        target[who] = { problem, before };
        return { path: '/api/projects', opts: { json: { title: `Проект ${who}`, goal: 'Цель', org_id: own.minstroy, problem_ids: [problem] } } };
      },
      noEffect: async (who) => {
        const r = await ctx.demo.anon().get(`/api/projects?problem_id=${target[who].problem}`);
        assert.equal(r.json.total, target[who].before, `a refused create by ${who} made a project`);
      },
    },
    'PATCH /api/projects/{id}': {
      call: async (who) => {
        target[who] = await projectFor(ctx, who);
        return { path: `/api/projects/${target[who].id}`, opts: { json: { budget: 777 } } };
      },
      noEffect: unchanged((p, who) => assert.notEqual(p.budget, 777, `a refused PATCH by ${who} changed the budget`)),
    },
    'POST /api/projects/{id}/stages': {
      call: async (who) => {
        target[who] = await projectFor(ctx, who);
        return { path: `/api/projects/${target[who].id}/stages`, opts: { json: { title: 'Новый этап' } } };
      },
      noEffect: unchanged((p, who) => assert.equal(p.stages.length, 1, `a refused stage add by ${who} added one`)),
    },
    'PATCH /api/projects/{id}/stages/{sid}': {
      call: async (who) => {
        target[who] = await projectFor(ctx, who, 'in_progress');
        return { path: `/api/projects/${target[who].id}/stages/${target[who].stages[0].id}`, opts: { json: { done: true } } };
      },
      noEffect: unchanged((p, who) => assert.equal(p.stages[0].done, false, `a refused stage mark by ${who} marked it`)),
    },
    'POST /api/projects/{id}/start': {
      call: async (who) => {
        target[who] = await projectFor(ctx, who);
        return { path: `/api/projects/${target[who].id}/start` };
      },
      noEffect: unchanged((p, who) => assert.equal(p.status, 'planned', `a refused start by ${who} started it`)),
    },
    'POST /api/projects/{id}/complete': {
      call: async (who) => {
        target[who] = await projectFor(ctx, who, 'in_progress');
        return { path: `/api/projects/${target[who].id}/complete` };
      },
      noEffect: unchanged((p, who) => assert.equal(p.status, 'in_progress', `a refused complete by ${who} completed it`)),
    },
    'POST /api/projects/{id}/feedback': {
      call: () => ({ path: `/api/projects/${own.finished}/feedback`, opts: { json: { gone: true } } }),
    },
  };
};
