// Matrix cases for Open311 GeoReport v2: every operation is public (POST requests checks its own
// api_key form field), so every caller gets 2xx; a session or cookie changes nothing.
import assert from 'node:assert/strict';

const V2 = '/open311/v2';
const st = {};

function form(fields) {
  return new URLSearchParams(fields).toString();
}

export async function setup(ctx) {
  const admin = await ctx.demo.as('admin');
  const k = await admin.post('/api/apikeys', { name: 'matrix open311', org_id: ctx.ids.kalugaAdm, scopes: [] });
  assert.equal(k.status, 201, k.text);
  st.key = k.json.key;
  const r = await ctx.demo.fresh().request('POST', `${V2}/requests.json`, {
    body: form({ api_key: st.key, service_code: 'roads-potholes-local', lat: '54.51', long: '36.26', description: 'Матрица: яма', 'attribute[defect]': 'pothole' }),
    contentType: 'application/x-www-form-urlencoded',
  });
  assert.equal(r.status, 201, r.text);
  st.id = r.json[0].service_request_id;
  st.token = r.json[0].token;
}

export default () => ({
  'GET /open311/v2/discovery.{format}': { call: () => ({ path: `${V2}/discovery.json` }) },
  'GET /open311/v2/services.{format}': { call: () => ({ path: `${V2}/services.json` }) },
  'GET /open311/v2/services/{code}.{format}': { call: () => ({ path: `${V2}/services/roads-potholes-local.json` }) },
  'POST /open311/v2/requests.{format}': {
    call: (who) => ({
      path: `${V2}/requests.json`,
      opts: {
        body: form({ api_key: st.key, service_code: 'roads-potholes-local', lat: '54.51', long: '36.26', description: `Матрица: яма от ${who}`, 'attribute[defect]': 'rut' }),
        contentType: 'application/x-www-form-urlencoded',
      },
    }),
    ok: (s) => s === 201,
  },
  'GET /open311/v2/requests.{format}': { call: () => ({ path: `${V2}/requests.json?service_code=roads-potholes-local` }) },
  'GET /open311/v2/requests/{id}.{format}': { call: () => ({ path: `${V2}/requests/${st.id}.json` }) },
  'GET /open311/v2/tokens/{token}.{format}': { call: () => ({ path: `${V2}/tokens/${st.token}.json` }) },
});
