// Matrix cases for the appeal workflow (POST /api/appeals/{id}/<action>). Every allowed caller
// gets an appeal of its own in the state the action needs, in its own scope (executor2 works
// for klu-minzdrav, coordinator2 for klu-obninsk), so each allowed call succeeds; refused
// callers are stopped by the route before any appeal is touched.
import assert from 'node:assert/strict';
import { uniq } from '../lib/demo.mjs';

const own = {};

export async function setup(ctx) {
  const { demo } = ctx;
  own.kaluga = ctx.ids.kaluga;
  own.obninsk = ctx.ids.obninsk;
  own.minstroy = ctx.ids.minstroy;
  own.minzdrav = ctx.ids.minzdrav;
  own.heating = await demo.id('topics', 'housing-heating');
  own.doctor = await demo.id('topics', 'health-appointment');
  own.executor = await demo.userId('executor');
  own.executor2 = await demo.userId('executor2');
  const admin = await demo.as('admin');
  const cat = await admin.post('/api/categories', { code: uniq('mwf'), name: 'Матрица: без правил', sort: 990 });
  assert.equal(cat.status, 201, cat.text);
  const t = await admin.post('/api/topics', { code: uniq('mwf-t'), category_id: cat.json.id, name: 'Матрица: на распределение', deadline: 10, deadline_unit: 'wdays' });
  assert.equal(t.status, 201, t.text);
  own.triage = t.json.id;
  own.any = (await submitAs(ctx, 'citizen', {})).id;
}

async function submitAs(ctx, login, { topic_id = own.heating, territory_id = own.kaluga } = {}) {
  const r = await (await ctx.demo.as(login)).post('/api/appeals', {
    topic_id, territory_id, text: `Матрица: холодно в квартире, проверка действий (${uniq('m')})`,
  });
  assert.equal(r.status, 201, `submit as ${login}: ${r.text}`);
  return r.json;
}

/** The org side of a caller: executor2 works for klu-minzdrav, everyone else on klu-minstroy. */
function side(who) {
  const zdrav = who === 'executor2';
  return {
    topic_id: zdrav ? own.doctor : own.heating,
    territory_id: who === 'coordinator2' ? own.obninsk : own.kaluga,
    executor: zdrav ? 'executor2' : 'executor',
    executorId: zdrav ? own.executor2 : own.executor,
    org: zdrav ? own.minzdrav : own.minstroy,
    otherOrg: zdrav ? own.minstroy : own.minzdrav,
  };
}

async function step(ctx, login, id, action, body = {}) {
  const r = await (await ctx.demo.as(login)).post(`/api/appeals/${id}/${action}`, body);
  assert.ok(r.status === 200 || r.status === 201, `prepare: ${login} ${action} #${id}: ${r.text}`);
  return r.json;
}

/** A fresh appeal in the caller's scope, brought to `state` (author: `author`). */
async function fresh(ctx, who, state, { author = 'citizen', triage = false } = {}) {
  const s = side(who);
  const a = await submitAs(ctx, author, { topic_id: triage ? own.triage : s.topic_id, territory_id: s.territory_id });
  if (triage) return a.id;
  if (state === 'routed') return a.id;
  await step(ctx, s.executor, a.id, 'start');
  if (state === 'in_progress') return a.id;
  if (state === 'clarification') {
    await step(ctx, s.executor, a.id, 'clarification', { text: 'Уточните адрес' });
    return a.id;
  }
  await step(ctx, s.executor, a.id, 'answers', { kind: 'final', text: 'Сделано' });
  if (state === 'answered') return a.id;
  await step(ctx, author, a.id, 'rating', { score: 1, solved: false });
  return a.id; // rereview
}

const EXEC = ['executor', 'executor2', 'supervisor', 'admin'];
const EXEC_COORD = [...EXEC, 'coordinator', 'coordinator2'];
const SUPER = ['supervisor', 'admin'];
const COORD = ['coordinator', 'coordinator2', 'admin'];

export default (ctx) => {
  const last = {};
  /** An operation: prepare(who) → id for allowed callers; others get any id (the route refuses). */
  const op = (action, allowed, prepare, body = () => ({}), extra = {}) => ({
    call: async (who) => {
      let id = own.any;
      if (allowed === 'all' ? who !== 'anonymous' : allowed.includes(who)) id = last[who] = await prepare(who);
      return { path: `/api/appeals/${id}/${action}`, opts: { json: body(who) } };
    },
    ...extra,
  });
  const unchanged = (status) => ({
    noEffect: async () => {
      const r = await (await ctx.demo.as('admin')).get(`/api/appeals/${own.any}`);
      assert.equal(r.json.status, status, 'a refused action changed the appeal');
      assert.equal(r.json.version, 1, 'a refused action changed the appeal');
    },
  });
  return {
    'POST /api/appeals/{id}/route': op('route', COORD, (who) => fresh(ctx, who, 'submitted', { triage: true }), () => ({ org_id: own.minstroy, comment: 'матрица' }), unchanged('routed')),
    'POST /api/appeals/{id}/start': op('start', EXEC, (who) => fresh(ctx, who, 'routed'), () => ({}), unchanged('routed')),
    'POST /api/appeals/{id}/assign': op('assign', EXEC, (who) => fresh(ctx, who, 'routed'), (who) => ({ user_id: side(who).executorId }), unchanged('routed')),
    'POST /api/appeals/{id}/redirect': op('redirect', EXEC_COORD, (who) => fresh(ctx, who, 'routed'), (who) => ({ org_id: side(who).otherOrg, reason: 'Матрица: не по адресу' }), unchanged('routed')),
    'POST /api/appeals/{id}/notes': op('notes', EXEC_COORD, (who) => fresh(ctx, who, 'routed'), () => ({ text: 'Матрица: заметка' }), unchanged('routed')),
    'POST /api/appeals/{id}/answers': op('answers', EXEC, (who) => fresh(ctx, who, 'in_progress'), () => ({ kind: 'interim', text: 'Матрица: промежуточный ответ' })),
    'POST /api/appeals/{id}/approve': op('approve', SUPER, async (who) => {
      const admin = await ctx.demo.as('admin');
      let r = await admin.patch(`/api/orgs/${own.minstroy}`, { approval_required: true });
      assert.equal(r.status, 200, r.text);
      try {
        const id = await fresh(ctx, who, 'in_progress');
        const a = await step(ctx, 'executor', id, 'answers', { kind: 'final', text: 'Матрица: на согласование' });
        assert.equal(a.status, 'approval');
        return id;
      } finally {
        r = await admin.patch(`/api/orgs/${own.minstroy}`, { approval_required: false });
        assert.equal(r.status, 200, r.text);
      }
    }, () => ({ comment: 'Согласовано' })),
    'POST /api/appeals/{id}/return': op('return', SUPER, (who) => fresh(ctx, who, 'rereview'), () => ({ comment: 'Матрица: доработать' })),
    'POST /api/appeals/{id}/clarification': op('clarification', EXEC, (who) => fresh(ctx, who, 'in_progress'), () => ({ text: 'Матрица: уточните' })),
    // the author answers the question: every account may be an author of its own appeal
    'POST /api/appeals/{id}/clarify': op('clarify', 'all', (who) => fresh(ctx, who, 'clarification', { author: who }), () => ({ text: 'Матрица: уточнение' })),
    'POST /api/appeals/{id}/extend': op('extend', EXEC, (who) => fresh(ctx, who, 'routed'), () => ({ days: 2, reason: 'Матрица: продление' }), unchanged('routed')),
    'POST /api/appeals/{id}/reject': op('reject', EXEC_COORD, (who) => fresh(ctx, who, 'routed'), () => ({ reason: 'no_content' }), unchanged('routed')),
    'POST /api/appeals/{id}/merge': op('merge', EXEC_COORD, async (who) => {
      own.into ??= {};
      own.into[who] = await fresh(ctx, who, 'routed');
      return fresh(ctx, who, 'routed');
    }, (who) => ({ into_id: own.into?.[who] ?? own.any }), unchanged('routed')),
    'POST /api/appeals/{id}/rating': op('rating', 'all', (who) => fresh(ctx, who, 'answered', { author: who }), () => ({ score: 5, solved: true })),
    'POST /api/appeals/{id}/rereview': op('rereview', SUPER, (who) => fresh(ctx, who, 'rereview'), () => ({ decision: 'uphold', comment: 'Матрица: ответ в силе' })),
  };
};
