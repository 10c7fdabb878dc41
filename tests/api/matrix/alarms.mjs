// Matrix cases for the spike detector's alarms (docs/analytics.md, "Spikes and new problems").
export default () => ({
  'GET /api/analytics/alarms': { call: () => ({ path: '/api/analytics/alarms?limit=5' }) },
});
