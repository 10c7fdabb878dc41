// Matrix cases for submission, lists, the full appeal, joining and attachments. Every demo
// account may call them (x-roles authenticated); object-level refusals are 404 (the appeal is not
// the caller's to see) or 409 (already an author).
import assert from 'node:assert/strict';
import { uniq } from '../lib/demo.mjs';

const own = {};
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da63f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex');

export async function setup(ctx) {
  const { demo } = ctx;
  own.heating = await demo.id('topics', 'housing-heating');
  own.kaluga = ctx.ids.kaluga;
  // an appeal everyone may join (citizen is its author), one the citizen can read
  const r = await (await demo.as('citizen')).post('/api/appeals', { topic_id: own.heating, territory_id: own.kaluga, text: `Матрица: холодно (${uniq('ma')})` });
  assert.equal(r.status, 201, r.text);
  own.appeal = r.json.id;
  // an attachment linked to that appeal: its readers may download it
  const up = await (await demo.as('citizen')).request('POST', '/api/attachments?name=matrix.png', { body: PNG, contentType: 'image/png' });
  assert.equal(up.status, 201, up.text);
  const r2 = await (await demo.as('citizen')).post('/api/appeals', { topic_id: own.heating, territory_id: own.kaluga, text: 'Матрица: с фото', attachment_ids: [up.json.id] });
  assert.equal(r2.status, 201, r2.text);
  own.attachment = up.json.id;
}

/** Who can read an appeal of klu-minstroy in Kaluga entered by citizen. */
const READERS = new Set(['citizen', 'executor', 'supervisor', 'coordinator', 'admin']);

export default () => ({
  'POST /api/appeals': {
    call: () => ({ path: '/api/appeals', opts: { json: { topic_id: own.heating, territory_id: own.kaluga, text: `Матрица: подача (${uniq('mp')})` } } }),
  },
  'GET /api/appeals': { call: () => ({ path: '/api/appeals?limit=5' }) },
  'GET /api/appeals/{id}': {
    call: (who) => { own.who = who; return { path: `/api/appeals/${own.appeal}` }; },
    ok: (s) => s === (READERS.has(own.who) ? 200 : 404),
  },
  'POST /api/appeals/{id}/join': {
    // the author gets 409; everyone else joins (once per matrix run)
    call: (who) => { own.who = who; return { path: `/api/appeals/${own.appeal}/join`, opts: { json: {} } }; },
    ok: (s) => s === (own.who === 'citizen' ? 409 : 200),
  },
  'POST /api/attachments': {
    call: () => ({ path: '/api/attachments?name=matrix.png', opts: { body: PNG, contentType: 'image/png' } }),
  },
  'GET /api/attachments/{id}': {
    call: (who) => { own.who = who; return { path: `/api/attachments/${own.attachment}` }; },
    ok: (s) => s === (READERS.has(own.who) ? 200 : 404),
  },
});
