// Matrix cases for text assistance: suggestions, similar appeals, problems and their merge/split.
import assert from 'node:assert/strict';

const own = {};
let spot = 0;

async function submit(ctx, body) {
  const c = await ctx.demo.as('citizen');
  const r = await c.post('/api/appeals', { territory_id: own.kaluga, ...body });
  assert.equal(r.status, 201, `submit: ${r.text}`);
  return r.json;
}

async function problemOf(ctx, id) {
  const admin = await ctx.demo.as('admin');
  for (let i = 0; i < 100; i++) {
    const r = await admin.get(`/api/appeals/${id}`);
    if (r.json?.problem_id) return r.json.problem_id;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`appeal ${id} got no problem`);
}

/** A new problem of `n` appeals at a spot of its own (2 km apart from every other). */
async function freshProblem(ctx, n = 1) {
  const lat = 54.45 + 0.02 * ++spot;
  let first;
  for (let i = 0; i < n; i++) {
    const a = await submit(ctx, { topic_id: own.trees, text: `Аварийное дерево над детской площадкой, место ${spot}`, lat: lat + i * 0.0002, lon: 36.2 });
    first ??= a;
    own.last = a;
  }
  const pid = await problemOf(ctx, first.id);
  if (n > 1) assert.equal(await problemOf(ctx, own.last.id), pid, 'the appeals share a problem');
  return pid;
}

export async function setup(ctx) {
  own.kaluga = await ctx.demo.id('territories', 'klu-kaluga');
  own.trees = await ctx.demo.id('topics', 'green-trees');
  own.heating = await ctx.demo.id('topics', 'housing-heating');
  const a = await submit(ctx, { topic_id: own.heating, text: 'Нет отопления в квартире, батареи холодные' });
  own.appeal = a.id;
  own.problem = await problemOf(ctx, a.id);
}

// Staff outside the object's scope (executor2, coordinator2) get 404 there: an object-level refusal.
const inScopeOr404 = (s) => (s >= 200 && s < 300) || s === 404;

export default (ctx) => {
  const target = {};
  return {
    'POST /api/appeals/suggest': {
      call: () => ({ path: '/api/appeals/suggest', opts: { json: { text: 'Не горит фонарь во дворе', territory_id: own.kaluga } } }),
    },
    'GET /api/appeals/{id}/similar': { call: () => ({ path: `/api/appeals/${own.appeal}/similar` }), ok: inScopeOr404 },
    'GET /api/appeals/{id}/assistant': { call: () => ({ path: `/api/appeals/${own.appeal}/assistant` }), ok: inScopeOr404 },
    'POST /api/assistant/plain': { call: () => ({ path: '/api/assistant/plain', opts: { json: { text: 'В настоящее время данный вопрос решается' } } }) },
    'GET /api/problems': { call: () => ({ path: '/api/problems?limit=5' }) },
    'GET /api/problems/{id}': { call: () => ({ path: `/api/problems/${own.problem}` }), ok: inScopeOr404 },
    'POST /api/problems/{id}/merge': {
      call: async (who) => {
        const a = await freshProblem(ctx);
        const b = await freshProblem(ctx);
        target[who] = b;
        return { path: `/api/problems/${a}/merge`, opts: { json: { other_id: b } } };
      },
      ok: inScopeOr404,
      noEffect: async (who) => {
        const r = await (await ctx.demo.as('admin')).get(`/api/problems/${target[who]}`);
        assert.equal(r.json.merged_into, null, `a refused merge by ${who} merged problem ${target[who]}`);
      },
    },
    'POST /api/problems/{id}/split': {
      call: async (who) => {
        const p = await freshProblem(ctx, 2);
        target[who] = { p, appeal: own.last.id };
        return { path: `/api/problems/${p}/split`, opts: { json: { appeal_ids: [own.last.id] } } };
      },
      ok: inScopeOr404,
      noEffect: async (who) => {
        const r = await (await ctx.demo.as('admin')).get(`/api/appeals/${target[who].appeal}`);
        assert.equal(r.json.problem_id, target[who].p, `a refused split by ${who} moved the appeal`);
      },
    },
  };
};
