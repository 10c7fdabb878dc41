// Matrix cases for the production calendar and the organisations' deadline overrides.
import assert from 'node:assert/strict';
import { uniq } from '../lib/demo.mjs';

const own = {};

/** A throwaway org below klu-gov (the demo supervisor's org), so the supervisor is in scope. */
export async function setup(ctx) {
  const admin = await ctx.demo.as('admin');
  const r = await admin.post('/api/orgs', { code: uniq('mcal'), name: 'Матричная служба сроков', kind: 'social', territory_id: ctx.ids.obninsk, parent_id: ctx.ids.gov });
  assert.equal(r.status, 201, r.text);
  own.org = r.json.id;
}

export default (ctx) => {
  let n = 0;
  const tag = {};
  return {
    'GET /api/calendar/{year}': { call: () => ({ path: '/api/calendar/2026' }) },
    'PUT /api/calendar/{year}': {
      call: (who) => {
        tag[who] = `матрица ${who} ${++n}`;
        return { path: '/api/calendar/2040', opts: { json: { days: [{ date: '2040-01-02', kind: 'holiday', note: tag[who] }] } } };
      },
      noEffect: async (who) => {
        const r = await ctx.demo.anon().get('/api/calendar/2040');
        assert.ok(!r.json.days.some((d) => d.note === tag[who]), `a refused PUT by ${who} changed the calendar`);
      },
    },
    'GET /api/orgs/{id}/deadlines': { call: () => ({ path: `/api/orgs/${ctx.ids.minzdrav}/deadlines` }) },
    'PUT /api/orgs/{id}/deadlines': {
      call: (who) => {
        tag[who] = 100 + ++n;
        return { path: `/api/orgs/${own.org}/deadlines`, opts: { json: { items: [{ topic_id: null, deadline: tag[who], deadline_unit: 'hours' }] } } };
      },
      noEffect: async (who) => {
        const r = await ctx.demo.anon().get(`/api/orgs/${own.org}/deadlines`);
        assert.ok(!r.json.items.some((i) => i.deadline === tag[who]), `a refused PUT by ${who} changed the overrides`);
      },
    },
  };
};
