// Matrix case for the live stream of an open dashboard (docs/analytics.md, "Live"): a short stream.
export default () => ({
  'GET /api/analytics/stream': { call: () => ({ path: '/api/analytics/stream?max_seconds=1' }) },
});
