// Matrix cases for the ratings (docs/ratings.md). The drill-down is asked for Obninsk, which both
// coordinators cover (RU-KLU above it, klu-obninsk itself); executors of klu-gov, the supervisor's
// own org; the weights PUT re-sends a default weight (changes nothing).
export default (ctx) => ({
  'GET /api/ratings/regions': { call: () => ({ path: '/api/ratings/regions' }) },
  'GET /api/ratings/regions/{id}': { call: () => ({ path: `/api/ratings/regions/${ctx.ids.klu}` }) },
  'GET /api/ratings/regions/{id}/appeals': {
    call: () => ({ path: `/api/ratings/regions/${ctx.ids.obninsk}/appeals?indicator=on_time_share` }),
  },
  'GET /api/ratings/bodies': { call: () => ({ path: '/api/ratings/bodies' }) },
  'GET /api/ratings/executors': { call: () => ({ path: `/api/ratings/executors?org_id=${ctx.ids.gov}` }) },
  'GET /api/ratings/weights': { call: () => ({ path: '/api/ratings/weights' }) },
  'PUT /api/ratings/weights': { call: () => ({ path: '/api/ratings/weights', opts: { json: { weights: { on_time_share: 80 } } } }) },
});
