// The rollups of docs/analytics.md: the worker keeps facts and cells by differences as appeals
// move (submit, start, answer, rate, re-review, redirect, reject, route from triage); the result
// must equal a rebuild from scratch (`otklik analytics rebuild`) — the invariant that makes the
// incremental path trustworthy. Also: the cursor catches up, problem control columns exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { bootServer, runCli } from './lib/server.mjs';
import { backend } from './lib/db.mjs';
import { Demo } from './lib/demo.mjs';

let S;
let demo;
const ids = {};

before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.obninsk = await demo.id('territories', 'klu-obninsk');
  ids.heating = await demo.id('topics', 'housing-heating');
  ids.doctor = await demo.id('topics', 'health-appointment');
  ids.minzdrav = await demo.id('orgs', 'klu-minzdrav');
});
after(async () => { await S?.close(); });

function pgBin() {
  const v = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)).pop();
  return `/usr/lib/postgresql/${v}/bin`;
}
function sql(q) {
  const r = backend === 'sqlite'
    ? spawnSync('sqlite3', ['-cmd', '.timeout 5000', S.db.slice('sqlite:'.length), q], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(`${pgBin()}/psql`, ['-X', '-qtA', '-v', 'ON_ERROR_STOP=1', '-d', S.db, '-c', q], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const MEASURES = 'received, answered, on_time, review_h_sum, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, rated, rating_sum, satisfied, rereview, redirected, rejected, late, open_now, overdue_now';
const nonzero = MEASURES.split(', ').map((m) => `${m} <> 0`).join(' OR ');
const cells = () => sql(`SELECT territory_id, category_id, topic_id, org_id, grain, bucket, ${MEASURES} FROM stat_cells WHERE ${nonzero} ORDER BY 1, 2, 3, 4, 5, 6`);
const facts = () => sql('SELECT * FROM appeal_facts ORDER BY appeal_id');

async function caughtUp() {
  const deadline = Date.now() + 20000;
  for (;;) {
    const [cursor, built] = sql("SELECT cursor, built FROM rollup_state WHERE name = 'analytics'").split('|').map(Number);
    const max = Number(sql('SELECT COALESCE(MAX(id), 0) FROM appeal_events'));
    if (built === 1 && cursor >= max) return;
    if (Date.now() > deadline) assert.fail(`rollups did not catch up: cursor ${cursor}, built ${built}, events ${max}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function submit(who, body) {
  const r = await (await demo.as(who)).post('/api/appeals', body);
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function act(who, id, action, body = {}) {
  const r = await (await demo.as(who)).post(`/api/appeals/${id}/${action}`, body);
  assert.ok(r.status === 200 || r.status === 201, `${who} ${action} #${id}: ${r.status} ${r.text}`);
  return r.json;
}

test('incremental rollups equal a rebuild from scratch after every kind of change', async () => {
  await caughtUp(); // the demo data, built at start
  const base = Number(sql("SELECT received FROM stat_cells WHERE territory_id = 0 AND category_id = 0 AND topic_id = 0 AND org_id = 0 AND grain = 2 ORDER BY bucket DESC LIMIT 1") || 0);

  const text = 'В подъезде не работает отопление, батареи холодные вторую неделю, просим проверить.';
  const a1 = await submit('citizen', { topic_id: ids.heating, territory_id: ids.kaluga, text });
  const a2 = await submit('citizen2', { topic_id: ids.heating, territory_id: ids.obninsk, text });
  const a3 = await submit('citizen', { topic_id: ids.doctor, territory_id: ids.kaluga, text: 'Не могу записаться к терапевту в поликлинику, телефон регистратуры не отвечает.' });
  const a4 = await submit('citizen2', { topic_id: ids.heating, territory_id: ids.kaluga, text: text + ' Дом 5.' });

  // a1: answered, rated unhappy → re-review → upheld
  await act('executor', a1, 'start');
  await act('executor', a1, 'answers', { kind: 'final', text: 'Отопление восстановлено.' });
  await act('citizen', a1, 'rating', { score: 2, solved: false });
  // a2: answered and rated satisfied
  await act('executor', a2, 'start');
  await act('executor', a2, 'answers', { kind: 'final', text: 'Стояк промыт.' });
  await act('citizen2', a2, 'rating', { score: 5, solved: true });
  // a3: redirected to another body
  const a3v = await (await demo.as('supervisor')).get(`/api/appeals/${a3}`);
  assert.equal(a3v.status, 200, a3v.text);
  if (a3v.json.org_id !== ids.minzdrav) await act('supervisor', a3, 'redirect', { org_id: ids.minzdrav, reason: 'Вопрос здравоохранения.' });
  // a4: rejected
  await act('executor', a4, 'reject', { reason: 'repeated' });

  await caughtUp();
  const incCells = cells();
  const incFacts = facts();
  const month = Number(sql("SELECT received FROM stat_cells WHERE territory_id = 0 AND category_id = 0 AND topic_id = 0 AND org_id = 0 AND grain = 2 ORDER BY bucket DESC LIMIT 1"));
  assert.equal(month - base, 4, 'four new appeals counted in this month');
  assert.equal(sql(`SELECT rereview, satisfied FROM appeal_facts WHERE appeal_id = ${a1}`), '1|0');
  assert.equal(sql(`SELECT rereview, satisfied FROM appeal_facts WHERE appeal_id = ${a2}`), '0|1');
  assert.equal(sql(`SELECT rejected FROM appeal_facts WHERE appeal_id = ${a4}`), '1');

  await S.stop();
  const r = runCli(['analytics', 'rebuild', '--db', S.db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"appeals":\d+/);
  assert.equal(facts(), incFacts, 'facts kept by differences equal the rebuilt ones');
  assert.equal(cells(), incCells, 'cells kept by differences equal the rebuilt ones');
});

test('analytics rebuild: usage errors', () => {
  const r = runCli(['analytics', 'nonsense']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: otklik analytics rebuild/);
});
