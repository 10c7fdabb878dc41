// Matrix cases for the dashboard API and open data (docs/analytics.md): supervisors, coordinators
// and admins read the dashboard in their default scope; open data is public.
const own = {};

export async function setup(ctx) {
  const admin = await ctx.demo.as('admin');
  const r = await admin.get('/api/problems?limit=1');
  own.problem = r.json?.items?.[0]?.id ?? 1;
}

export default () => ({
  'GET /api/analytics/summary': { call: () => ({ path: '/api/analytics/summary' }) },
  'GET /api/analytics/series': { call: () => ({ path: '/api/analytics/series?grain=week' }) },
  'GET /api/analytics/breakdown': { call: () => ({ path: '/api/analytics/breakdown' }) },
  'GET /api/analytics/problems': { call: () => ({ path: '/api/analytics/problems?limit=5' }) },
  'GET /api/analytics/problems/{id}/timeline': {
    // a problem outside the caller's territory or bodies is 404 for them
    call: () => ({ path: `/api/analytics/problems/${own.problem}/timeline` }),
    ok: (s) => s === 200 || s === 404,
  },
  'GET /api/opendata/appeals.csv': { call: () => ({ path: '/api/opendata/appeals.csv', opts: { validate: false } }) },
});
