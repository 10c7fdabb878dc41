// Matrix cases for notifications, notification settings and webhooks.
import assert from 'node:assert/strict';

const own = {};
// A public address literal: accepted without DNS and never called (nothing is sent in the matrix
// run: no appeal of klu-minstroy is written while these webhooks exist… and if one is, the
// worker's attempt fails harmlessly).
const URL = 'https://93.184.216.34/otklik-matrix';

async function hook(ctx) {
  const admin = await ctx.demo.as('admin');
  const r = await admin.post('/api/webhooks', { url: URL, org_id: ctx.ids.minstroy, description: 'матрица' });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function hookCount(ctx) {
  const r = await (await ctx.demo.as('admin')).get('/api/webhooks?limit=100');
  assert.equal(r.status, 200, r.text);
  return r.json.total;
}

export async function setup(ctx) {
  own.hook = await hook(ctx);
}

export default (ctx) => ({
  'GET /api/notifications': { call: () => ({ path: '/api/notifications?limit=5' }) },
  'POST /api/notifications/read': { call: () => ({ path: '/api/notifications/read', opts: { json: { all: true } } }) },
  'GET /api/notifications/settings': { call: () => ({ path: '/api/notifications/settings' }) },
  'PUT /api/notifications/settings': { call: () => ({ path: '/api/notifications/settings', opts: { json: { email: 'instant' } } }) },
  'GET /api/webhooks': { call: () => ({ path: '/api/webhooks' }) },
  'POST /api/webhooks': {
    call: async () => {
      own.before = await hookCount(ctx);
      return { path: '/api/webhooks', opts: { json: { url: URL, org_id: ctx.ids.minstroy } } };
    },
    noEffect: async (who) => {
      assert.equal(await hookCount(ctx), own.before, `a refused POST by ${who} created a webhook`);
    },
  },
  'GET /api/webhooks/{id}': { call: () => ({ path: `/api/webhooks/${own.hook}` }) },
  'PATCH /api/webhooks/{id}': {
    call: (who) => ({ path: `/api/webhooks/${own.hook}`, opts: { json: { description: `матрица ${who}` } } }),
    noEffect: async (who) => {
      const r = await (await ctx.demo.as('admin')).get(`/api/webhooks/${own.hook}`);
      assert.notEqual(r.json.description, `матрица ${who}`, `a refused PATCH by ${who} changed the webhook`);
    },
  },
  'DELETE /api/webhooks/{id}': {
    // a fresh webhook for every caller, so that each allowed one really deletes
    call: async () => ({ path: `/api/webhooks/${await hook(ctx)}` }),
    noEffect: async (who) => {
      const r = await (await ctx.demo.as('admin')).get(`/api/webhooks/${own.hook}`);
      assert.equal(r.status, 200, `the webhook vanished after a refused DELETE by ${who}`);
    },
  },
  'GET /api/webhooks/{id}/deliveries': { call: () => ({ path: `/api/webhooks/${own.hook}/deliveries` }) },
});
