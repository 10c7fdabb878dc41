// The appeal workflow (docs/appeals.md, "Transitions"): every action through the API, as the
// people who would take it — the happy path from submission to a closed appeal, approval,
// redirects and deadlines, triage, rejection, merging, extension, wrong status (409 with the
// explanation), wrong people (403/404), bad input (400/422, nothing changes) and a race.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bootServer } from './lib/server.mjs';
import { Demo, uniq } from './lib/demo.mjs';
import { assertError, assertErrors } from './lib/client.mjs';
import { readFileSync } from 'node:fs';

const PNG = readFileSync(new URL('../fixtures/attachments/pixel.png', import.meta.url));
const PDF = readFileSync(new URL('../fixtures/attachments/page.pdf', import.meta.url));

let S;
let demo;
const ids = {};
before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.heating = await demo.id('topics', 'housing-heating');
  ids.doctor = await demo.id('topics', 'health-appointment');
  ids.minstroy = await demo.id('orgs', 'klu-minstroy');
  ids.minzdrav = await demo.id('orgs', 'klu-minzdrav');
  ids.executor = await demo.userId('executor');
  ids.executor2 = await demo.userId('executor2');
  ids.citizen = await demo.userId('citizen');
  ids.citizen2 = await demo.userId('citizen2');
});
after(async () => { await S?.close(); });

const TEXT = 'Во всём подъезде холодные батареи, в квартире 14 градусов, управляющая компания не отвечает.';

/** A new appeal by who (201), topic heating in Kaluga → klu-minstroy unless told otherwise. */
async function submit(who = 'citizen', { topic_id = ids.heating, territory_id = ids.kaluga, text = TEXT } = {}) {
  const r = await (await demo.as(who)).post('/api/appeals', { topic_id, territory_id, text });
  assert.equal(r.status, 201, `submit: ${r.text}`);
  return r.json;
}
async function act(who, id, action, body = {}) {
  return (await demo.as(who)).post(`/api/appeals/${id}/${action}`, body);
}
/** The action must succeed (200, or 201 for notes/answers); returns the appeal. */
async function ok(who, id, action, body = {}) {
  const r = await act(who, id, action, body);
  const want = action === 'notes' || action === 'answers' ? 201 : 200;
  assert.equal(r.status, want, `${who} ${action} #${id}: ${r.text}`);
  assert.equal(r.json.id, id);
  return r.json;
}
async function view(who, id) {
  const r = await (await demo.as(who)).get(`/api/appeals/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}
const kinds = (a) => a.timeline.map((e) => e.kind);

describe('the whole life of an appeal', () => {
  test('submit → start → interim → clarification → clarify → final → rating 2 → return → final → rating 5 → closed', async () => {
    const a0 = await submit();
    assert.equal(a0.status, 'routed');
    assert.equal(a0.org_id, ids.minstroy);
    const id = a0.id;

    let a = await ok('executor', id, 'start');
    assert.equal(a.status, 'in_progress');
    assert.equal(a.assignee_id, ids.executor, 'the executor who started it is the assignee');
    assert.ok(a.allowed_actions.includes('answer_final'));
    assert.ok(!a.allowed_actions.includes('start'));

    a = await ok('executor', id, 'answers', { kind: 'interim', text: 'Заявка передана в управляющую компанию, проверяем.' });
    assert.equal(a.status, 'in_progress', 'an interim answer does not change the status');
    let c = await view('citizen', id);
    assert.ok(c.answers.some((x) => x.kind === 'interim' && x.state === 'published' && /проверяем/.test(x.text)), 'the citizen sees the interim answer');

    a = await ok('executor', id, 'clarification', { text: 'Уточните, пожалуйста, номер квартиры и этаж.' });
    assert.equal(a.status, 'clarification');
    assert.equal(a.paused, true, 'the deadline is paused');
    const dl = a.deadline_at;
    // the executor cannot answer the question for the author
    assertError(await act('executor', id, 'clarify', { text: 'Квартира 5' }), 403, 'forbidden');
    await new Promise((r) => setTimeout(r, 300));
    a = await ok('citizen', id, 'clarify', { text: 'Квартира 17, пятый этаж.' });
    assert.equal(a.status, 'clarified');
    assert.equal(a.paused, false);
    assert.ok(a.deadline_at >= dl + 300, `the deadline moved by the pause: ${dl} → ${a.deadline_at}`);
    assert.ok(a.deadline_at < dl + 60000, 'by the pause only');

    a = await ok('executor', id, 'answers', { kind: 'final', text: 'Отопление в доме восстановлено, температура в норме.' });
    assert.equal(a.status, 'answered');
    assert.ok(a.answered_at > 0);
    assert.ok(a.deadline_at > 0, 'the deadline is kept for the on-time statistics');

    // another citizen cannot rate it, and cannot even see it
    assertError(await act('citizen2', id, 'rating', { score: 5, solved: true }), 404, 'not_found');
    // the executor is no author
    assertError(await act('executor', id, 'rating', { score: 5, solved: true }), 403, 'forbidden');

    a = await ok('citizen', id, 'rating', { score: 2, solved: false, comment: 'Батареи всё ещё еле тёплые.' });
    assert.equal(a.status, 'rereview');
    assert.equal(a.rating.score, 2);
    assert.equal(a.rating.solved, false);

    // the executor may not answer during the re-review; the supervisor returns it to work
    const e = assertError(await act('executor', id, 'answers', { kind: 'final', text: 'Всё в порядке.' }), 409, 'conflict');
    assert.match(e.message, /повторное рассмотрение/);
    a = await ok('supervisor', id, 'return', { comment: 'Выехать на место и замерить температуру.' });
    assert.equal(a.status, 'in_progress');

    a = await ok('executor', id, 'answers', { kind: 'final', text: 'Проведён замер: +22. Стояк промыт.' });
    assert.equal(a.status, 'answered');
    a = await ok('citizen', id, 'rating', { score: 5, solved: true, comment: 'Спасибо!' });
    assert.equal(a.status, 'closed');
    assert.ok(a.closed_at > 0);
    assert.equal(a.rating.score, 5, 'the later rating replaces the first');

    c = await view('citizen', id);
    for (const k of ['start', 'answer_interim', 'clarification', 'clarify', 'answer_final', 'rating', 'return'])
      assert.ok(kinds(c).includes(k), `the author's timeline has ${k}: ${kinds(c)}`);
    assert.equal(kinds(c).filter((k) => k === 'rating').length, 2, 'the timeline keeps both ratings');
    assert.deepEqual(c.allowed_actions.filter((x) => x !== 'join'), [], 'nothing left to do on a closed appeal');
    // nothing more is possible
    assertError(await act('citizen', id, 'rating', { score: 1, solved: false }), 409, 'conflict');
  });

  test('internal notes are for staff only; the author never sees them', async () => {
    const { id } = await submit();
    const a = await ok('executor', id, 'notes', { text: 'Позвонить в УК «Дом-сервис».' });
    assert.ok(a.timeline.some((e) => e.kind === 'notes' && e.public === false && /Дом-сервис/.test(e.text)));
    const c = await view('citizen', id);
    assert.ok(!c.timeline.some((e) => e.kind === 'notes'), 'no note in the citizen view');
    assert.ok(!JSON.stringify(c).includes('Дом-сервис'));
    assertError(await act('citizen', id, 'notes', { text: 'я тоже' }), 403, 'forbidden');
  });
});

describe('attachments of answers and clarifications', () => {
  async function upload(who, name, body) {
    const r = await (await demo.as(who)).request('POST', `/api/attachments?name=${name}`, { body, contentType: 'application/octet-stream' });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  }
  test('the uploader\'s own unused files are linked; others\' or used ones are refused', async () => {
    const { id } = await submit();
    await ok('executor', id, 'start');
    const act1 = await upload('executor', 'akt.pdf', PDF);
    const foreign = await upload('citizen2', 'chuzhoe.png', PNG);
    await assertErrors([
      ['someone else\'s', () => act('executor', id, 'answers', { kind: 'interim', text: 'Акт', attachment_ids: [foreign] }), 422, 'validation_failed', 'attachment_ids'],
      ['unknown', () => act('executor', id, 'answers', { kind: 'interim', text: 'Акт', attachment_ids: [99999999] }), 422, 'validation_failed', 'attachment_ids'],
      ['twice in one list', () => act('executor', id, 'answers', { kind: 'interim', text: 'Акт', attachment_ids: [act1, act1] }), 422, 'validation_failed', 'attachment_ids'],
      ['not ids', () => act('executor', id, 'answers', { kind: 'interim', text: 'Акт', attachment_ids: ['x'] }), 422, 'validation_failed', 'attachment_ids'],
    ]);
    assert.equal((await view('executor', id)).answers.length, 0, 'a refused answer stored nothing');
    const a = await ok('executor', id, 'answers', { kind: 'interim', text: 'Акт обследования во вложении.', attachment_ids: [act1] });
    const ans = a.answers.find((x) => x.kind === 'interim');
    assert.deepEqual(ans.attachments.map((f) => f.id), [act1]);
    const c = await view('citizen', id);
    assert.deepEqual(c.answers.find((x) => x.kind === 'interim').attachments.map((f) => f.id), [act1], 'the author sees the answer\'s file');
    const g = await (await demo.as('citizen')).get(`/api/attachments/${act1}`);
    assert.equal(g.status, 200, 'and may download it');
    // used once only
    assertError(await act('executor', id, 'answers', { kind: 'interim', text: 'Ещё раз', attachment_ids: [act1] }), 422, 'validation_failed', 'attachment_ids');

    await ok('executor', id, 'clarification', { text: 'Пришлите фото батареи.' });
    const photo = await upload('citizen', 'batareya.png', PNG);
    const b = await ok('citizen', id, 'clarify', { text: 'Фото во вложении.', attachment_ids: [photo] });
    assert.ok(b.attachments.some((f) => f.id === photo), 'the clarification\'s photo belongs to the appeal');
    const e = await (await demo.as('executor')).get(`/api/attachments/${photo}`);
    assert.equal(e.status, 200, 'the executor may download the author\'s photo');
  });
});

describe('approval', () => {
  test('an org with approval_required: the final answer waits for the supervisor', async () => {
    const admin = await demo.as('admin');
    let r = await admin.patch(`/api/orgs/${ids.minstroy}`, { approval_required: true });
    assert.equal(r.status, 200, r.text);
    try {
      const { id } = await submit();
      await ok('executor', id, 'start');
      let a = await ok('executor', id, 'answers', { kind: 'final', text: 'Черновик ответа: отопление включат завтра.' });
      assert.equal(a.status, 'approval');
      let c = await view('citizen', id);
      assert.equal(c.status, 'approval');
      assert.ok(!c.answers.some((x) => x.kind === 'final'), 'the pending answer is not shown to the author');
      assert.ok(!JSON.stringify(c).includes('Черновик'));
      // the executor cannot approve their own answer
      assertError(await act('executor', id, 'approve', {}), 403, 'forbidden');
      // return needs a comment
      assertError(await act('supervisor', id, 'return', {}), 422, 'validation_failed', 'comment');
      a = await ok('supervisor', id, 'return', { comment: 'Укажите точное время.' });
      assert.equal(a.status, 'in_progress');
      assert.ok(a.answers.some((x) => x.state === 'returned'), 'the returned draft is kept for staff');
      a = await ok('executor', id, 'answers', { kind: 'final', text: 'Отопление включат 12-го в 10:00.' });
      assert.equal(a.status, 'approval');
      a = await ok('supervisor', id, 'approve', { comment: 'Согласовано' });
      assert.equal(a.status, 'answered');
      c = await view('citizen', id);
      assert.equal(c.status, 'answered');
      const finals = c.answers.filter((x) => x.kind === 'final');
      assert.equal(finals.length, 1, 'only the approved answer is public');
      assert.equal(finals[0].state, 'published');
      assert.match(finals[0].text, /12-го/);
      assertError(await act('supervisor', id, 'approve', {}), 409, 'conflict');
    } finally {
      r = await admin.patch(`/api/orgs/${ids.minstroy}`, { approval_required: false });
      assert.equal(r.status, 200, r.text);
    }
  });
});

describe('routing: triage, redirects and deadlines', () => {
  let triageTopic;
  let resetTopic;
  before(async () => {
    const admin = await demo.as('admin');
    const cat = await admin.post('/api/categories', { code: uniq('wf-cat'), name: 'Прочее (тест)', sort: 900 });
    assert.equal(cat.status, 201, cat.text);
    const t = await admin.post('/api/topics', { code: uniq('wf-triage'), category_id: cat.json.id, name: 'Без правила', deadline: 10, deadline_unit: 'wdays' });
    assert.equal(t.status, 201, t.text);
    triageTopic = t.json.id;
    const housing = (await demo.get('topics', 'housing-heating')).category_id;
    const t2 = await admin.post('/api/topics', { code: uniq('wf-reset'), category_id: housing, name: 'Срок с перенаправления', deadline: 100, deadline_unit: 'hours', redirect_resets: true });
    assert.equal(t2.status, 201, t2.text);
    resetTopic = t2.json.id;
    const rule = await admin.post('/api/rules', { code: uniq('wf-rule'), topic_id: resetTopic, territory_id: ids.kaluga, org_id: ids.minstroy });
    assert.equal(rule.status, 201, rule.text);
  });

  test('an appeal without a rule goes to triage; the coordinator routes it', async () => {
    const a0 = await submit('citizen', { topic_id: triageTopic });
    assert.equal(a0.status, 'submitted');
    assert.equal(a0.org_id, null);
    const id = a0.id;
    // executors cannot see the triage queue's appeals; the citizen may not route
    assertError(await act('executor', id, 'start'), 404, 'not_found');
    assertError(await act('citizen', id, 'route', { org_id: ids.minstroy }), 403, 'forbidden');
    await assertErrors([
      ['no org', () => act('coordinator', id, 'route', {}), 422, 'validation_failed', 'org_id'],
      ['unknown org', () => act('coordinator', id, 'route', { org_id: 999999 }), 422, 'validation_failed', 'org_id'],
      ['unknown topic', () => act('coordinator', id, 'route', { org_id: ids.minstroy, topic_id: 999999 }), 422, 'validation_failed', 'topic_id'],
      ['org as text', () => act('coordinator', id, 'route', { org_id: 'минстрой' }), 422, 'validation_failed', 'org_id'],
      ['unknown field', () => act('coordinator', id, 'route', { org_id: ids.minstroy, priority: 1 }), 400, 'invalid_input'],
    ]);
    assert.equal((await view('coordinator', id)).status, 'submitted', 'refused routes changed nothing');
    const a = await ok('coordinator', id, 'route', { org_id: ids.minstroy, topic_id: ids.heating, comment: 'Это про отопление' });
    assert.equal(a.status, 'routed');
    assert.equal(a.org_id, ids.minstroy);
    assert.equal(a.topic_id, ids.heating, 'the coordinator corrected the topic');
    assert.ok(a.deadline_at > 0);
    assert.ok(a.routes.some((x) => x.kind === 'triage' && x.to_org_id === ids.minstroy && x.reason === 'Это про отопление'));
    // now the executor of that org takes it
    assert.equal((await ok('executor', id, 'start')).status, 'in_progress');
    assertError(await act('coordinator', id, 'route', { org_id: ids.minzdrav }), 409, 'conflict');
  });

  test('a redirect keeps the deadline; null sends it back to triage', async () => {
    const a0 = await submit();
    const id = a0.id;
    await ok('executor', id, 'start');
    await assertErrors([
      ['no reason', () => act('executor', id, 'redirect', { org_id: ids.minzdrav }), 422, 'validation_failed', 'reason'],
      ['blank reason', () => act('executor', id, 'redirect', { org_id: ids.minzdrav, reason: '   ' }), 422, 'validation_failed', 'reason'],
      ['long reason', () => act('executor', id, 'redirect', { org_id: ids.minzdrav, reason: 'я'.repeat(1001) }), 422, 'validation_failed', 'reason'],
      ['no org key', () => act('executor', id, 'redirect', { reason: 'не наше' }), 422, 'validation_failed', 'org_id'],
      ['same org', () => act('executor', id, 'redirect', { org_id: ids.minstroy, reason: 'не наше' }), 422, 'validation_failed', 'org_id'],
      ['unknown org', () => act('executor', id, 'redirect', { org_id: 999999, reason: 'не наше' }), 422, 'validation_failed', 'org_id'],
    ]);
    let a = await ok('executor', id, 'redirect', { org_id: ids.minzdrav, reason: 'Речь о поликлинике, а не об отоплении' });
    assert.equal(a.status, 'redirected');
    assert.equal(a.org_id, ids.minzdrav);
    assert.equal(a.assignee_id, null, 'the assignee is cleared');
    assert.equal(a.deadline_at, a0.deadline_at, 'the deadline is kept');
    // the old executor lost the appeal, the new one has it
    assertError(await act('executor', id, 'start'), 404, 'not_found');
    a = await view('executor2', id);
    assert.ok(a.routes.some((x) => x.kind === 'redirect' && x.from_org_id === ids.minstroy && x.to_org_id === ids.minzdrav && /поликлинике/.test(x.reason)));
    a = await ok('executor2', id, 'redirect', { org_id: null, reason: 'Непонятно, чья компетенция' });
    assert.equal(a.status, 'submitted');
    assert.equal(a.org_id, null);
    a = await view('coordinator', id);
    assert.equal(a.status, 'submitted');
    assert.ok(a.allowed_actions.includes('route'));
    assert.equal((await view('citizen', id)).timeline.filter((e) => e.kind === 'redirect').length, 2, 'the author sees both redirects');
  });

  test('a topic with redirect_resets: the deadline is recomputed from the redirect', async () => {
    const a0 = await submit('citizen', { topic_id: resetTopic });
    assert.equal(a0.org_id, ids.minstroy);
    assert.equal(a0.deadline_at, a0.created_at + 100 * 3600000, '100 hours from the submission');
    await new Promise((r) => setTimeout(r, 50));
    const a = await ok('executor', a0.id, 'redirect', { org_id: ids.minzdrav, reason: 'Не по адресу' });
    assert.equal(a.status, 'redirected');
    assert.ok(a.deadline_at - a0.deadline_at >= 50, `recomputed from the redirect: ${a0.deadline_at} → ${a.deadline_at}`);
    assert.ok(a.deadline_at - a0.deadline_at < 60000);
    assert.ok(a.timeline.some((e) => e.kind === 'redirect'));
  });
});

describe('reject, merge, extend', () => {
  test('reject needs one of the listed reasons', async () => {
    const { id } = await submit();
    const cases = ['', 'spam', 'ABUSIVE', 'abusive ', null, 5].map((reason) => [`reason ${JSON.stringify(reason)}`, () => act('executor', id, 'reject', { reason }), 422, 'validation_failed', 'reason']);
    cases.push(['no reason', () => act('executor', id, 'reject', {}), 422, 'validation_failed', 'reason']);
    await assertErrors(cases);
    assert.equal((await view('citizen', id)).status, 'routed');
    const a = await ok('executor', id, 'reject', { reason: 'no_content', comment: 'Нет сути обращения' });
    assert.equal(a.status, 'rejected');
    assert.equal(a.reject_reason, 'no_content');
    const c = await view('citizen', id);
    assert.equal(c.status, 'rejected');
    assert.ok(c.timeline.some((e) => e.kind === 'reject'));
    assertError(await act('executor', id, 'start'), 409, 'conflict');
  });

  test('merge: the authors become co-authors of the target; both timelines show it', async () => {
    const target = await submit('citizen');
    const dup = await submit('citizen2', { text: 'Тоже холодно в квартире, батареи чуть тёплые, это тот же дом.' });
    await assertErrors([
      ['no into_id', () => act('executor', dup.id, 'merge', {}), 422, 'validation_failed', 'into_id'],
      ['itself', () => act('executor', dup.id, 'merge', { into_id: dup.id }), 422, 'validation_failed', 'into_id'],
      ['unknown', () => act('executor', dup.id, 'merge', { into_id: 99999999 }), 422, 'validation_failed', 'into_id'],
    ]);
    // a target the executor cannot work on
    const other = await submit('citizen', { topic_id: ids.doctor, text: 'Не могу записаться к терапевту уже две недели.' });
    assertError(await act('executor', dup.id, 'merge', { into_id: other.id }), 422, 'validation_failed', 'into_id');
    // a closed target
    const closed = await submit('citizen');
    await ok('executor', closed.id, 'reject', { reason: 'repeated' });
    assertError(await act('executor', dup.id, 'merge', { into_id: closed.id }), 422, 'validation_failed', 'into_id');

    const a = await ok('executor', dup.id, 'merge', { into_id: target.id });
    assert.equal(a.status, 'merged');
    assert.equal(a.merged_into, target.id);
    const t = await view('citizen2', target.id);
    assert.equal(t.is_coauthor, true, 'the duplicate\'s author is a co-author of the target');
    assert.ok(t.coauthors >= 1);
    assert.ok(kinds(t).includes('merge'), 'the target\'s timeline shows the merge');
    assert.ok(kinds(await view('citizen2', dup.id)).includes('merge'));
    assertError(await act('executor', dup.id, 'start'), 409, 'conflict');
  });

  test('extend: once, 1–30 working days, with a reason', async () => {
    const a0 = await submit();
    const id = a0.id;
    await assertErrors([
      ['0 days', () => act('executor', id, 'extend', { days: 0, reason: 'Проверка' }), 422, 'validation_failed', 'days'],
      ['31 days', () => act('executor', id, 'extend', { days: 31, reason: 'Проверка' }), 422, 'validation_failed', 'days'],
      ['days as text', () => act('executor', id, 'extend', { days: '5', reason: 'Проверка' }), 422, 'validation_failed', 'days'],
      ['no days', () => act('executor', id, 'extend', { reason: 'Проверка' }), 422, 'validation_failed', 'days'],
      ['no reason', () => act('executor', id, 'extend', { days: 5 }), 422, 'validation_failed', 'reason'],
    ]);
    assert.equal((await view('executor', id)).extended, false);
    const a = await ok('executor', id, 'extend', { days: 5, reason: 'Нужна экспертиза' });
    assert.equal(a.extended, true);
    assert.equal(a.extension_reason, 'Нужна экспертиза');
    assert.ok(a.deadline_at > a0.deadline_at + 4 * 86400000, `5 working days later: ${a0.deadline_at} → ${a.deadline_at}`);
    assert.ok(!a.allowed_actions.includes('extend'));
    const e = assertError(await act('executor', id, 'extend', { days: 1, reason: 'Ещё' }), 409, 'conflict');
    assert.match(e.message, /срок уже продлевался/i);
    assert.equal((await view('executor', id)).deadline_at, a.deadline_at);
    assert.ok((await view('citizen', id)).timeline.some((x) => x.kind === 'extend' && /экспертиза/.test(x.text)), 'the author sees the extension');
  });
});

describe('refusals', () => {
  test('every action from a wrong status → 409 naming the status and what is possible', async () => {
    const { id } = await submit(); // routed
    const wrong = [
      ['executor', 'answers', { kind: 'interim', text: 'Ответ' }],
      ['executor', 'answers', { kind: 'final', text: 'Ответ' }],
      ['executor', 'clarification', { text: 'Вопрос' }],
      ['supervisor', 'approve', {}],
      ['supervisor', 'return', { comment: 'Нет' }],
      ['supervisor', 'rereview', { decision: 'uphold', comment: 'Нет' }],
      ['citizen', 'clarify', { text: 'Ответ' }],
      ['citizen', 'rating', { score: 5, solved: true }],
      ['admin', 'route', { org_id: ids.minzdrav }],
    ];
    const problems = [];
    for (const [who, action, body] of wrong) {
      const r = await act(who, id, action, body);
      const staff = who !== 'citizen';
      if (r.status !== 409 || r.json?.error?.code !== 'conflict' || !/направлено исполнителю/.test(r.json.error.message) || (staff && !/доступные действия: .*start/.test(r.json.error.message)))
        problems.push(`${who} ${action}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    assert.deepEqual(problems, []);
    const a = await view('executor', id);
    assert.equal(a.status, 'routed');
    assert.equal(a.version, 1, 'refused actions changed nothing');
  });

  test('wrong people: strangers get 404, wrong roles 403', async () => {
    const { id } = await submit();
    assertError(await act('executor2', id, 'start'), 404, 'not_found'); // another org's executor
    assertError(await act('citizen', id, 'start'), 403, 'forbidden'); // refused by the route
    assertError(await act('citizen2', id, 'clarify', { text: 'Я тоже' }), 404, 'not_found');
    assertError(await act('coordinator', id, 'start'), 403, 'forbidden'); // sees it, may not start it
    assertError(await act('executor', 99999999, 'start'), 404, 'not_found');
    assert.equal((await view('executor', id)).status, 'routed');
  });

  test('bad bodies: 400 for malformed JSON and unknown fields, 422 for bad values', async () => {
    const { id } = await submit();
    const ex = await demo.as('executor');
    await assertErrors([
      ['broken JSON', () => ex.post(`/api/appeals/${id}/notes`, undefined, { body: '{"text":', contentType: 'application/json' }), 400, 'invalid_input'],
      ['not an object', () => ex.post(`/api/appeals/${id}/notes`, ['x']), 400, 'invalid_input'],
      ['unknown field', () => act('executor', id, 'start', { force: true }), 400, 'invalid_input'],
      ['text as number', () => act('executor', id, 'notes', { text: 5 }), 422, 'validation_failed', 'text'],
      ['empty text', () => act('executor', id, 'notes', { text: ' ' }), 422, 'validation_failed', 'text'],
      ['too long', () => act('executor', id, 'notes', { text: 'ж'.repeat(4001) }), 422, 'validation_failed', 'text'],
      ['control chars', () => act('executor', id, 'notes', { text: 'a\u0001b' }), 422, 'validation_failed', 'text'],
      ['assign nobody', () => act('executor', id, 'assign', {}), 422, 'validation_failed', 'user_id'],
      ['assign a citizen', () => act('executor', id, 'assign', { user_id: ids.citizen }), 422, 'validation_failed', 'user_id'],
      ['assign another org', () => act('executor', id, 'assign', { user_id: ids.executor2 }), 422, 'validation_failed', 'user_id'],
    ]);
    const a = await view('executor', id);
    assert.equal(a.version, 1, 'nothing was stored');
    assert.ok(!kinds(a).includes('notes'));
    const b = await ok('supervisor', id, 'assign', { user_id: ids.executor });
    assert.equal(b.assignee_id, ids.executor);
    assert.equal(b.status, 'in_progress', 'assigning takes a new appeal into work');
  });

  test('rating and rereview bodies', async () => {
    const { id } = await submit();
    await ok('executor', id, 'start');
    await ok('executor', id, 'answers', { kind: 'final', text: 'Сделано.' });
    await assertErrors([
      ['score 0', () => act('citizen', id, 'rating', { score: 0, solved: true }), 422, 'validation_failed', 'score'],
      ['score 6', () => act('citizen', id, 'rating', { score: 6, solved: true }), 422, 'validation_failed', 'score'],
      ['no solved', () => act('citizen', id, 'rating', { score: 4 }), 422, 'validation_failed', 'solved'],
      ['solved as text', () => act('citizen', id, 'rating', { score: 4, solved: 'да' }), 422, 'validation_failed', 'solved'],
      ['long comment', () => act('citizen', id, 'rating', { score: 4, solved: true, comment: 'ы'.repeat(2001) }), 422, 'validation_failed', 'comment'],
      ['answers kind', () => act('executor', id, 'answers', { kind: 'draft', text: 'x' }), 422, 'validation_failed', 'kind'],
    ]);
    // satisfied by score but not solved → re-review
    let a = await ok('citizen', id, 'rating', { score: 5, solved: false });
    assert.equal(a.status, 'rereview');
    await assertErrors([
      ['decision return', () => act('supervisor', id, 'rereview', { decision: 'return', comment: 'x' }), 422, 'validation_failed', 'decision'],
      ['no comment', () => act('supervisor', id, 'rereview', { decision: 'uphold' }), 422, 'validation_failed', 'comment'],
      ['executor', () => act('executor', id, 'rereview', { decision: 'uphold', comment: 'x' }), 403, 'forbidden'],
    ]);
    a = await ok('supervisor', id, 'rereview', { decision: 'uphold', comment: 'Ответ дан по существу, работы выполнены.' });
    assert.equal(a.status, 'closed');
    assert.ok((await view('citizen', id)).timeline.some((e) => e.kind === 'rereview' && /по существу/.test(e.text)));
  });

  test('two simultaneous starts: one wins, the other gets 409', async () => {
    const { id } = await submit();
    const sup = await demo.as('supervisor');
    const ex = await demo.as('executor');
    const [r1, r2] = await Promise.all([ex.post(`/api/appeals/${id}/start`, {}), sup.post(`/api/appeals/${id}/start`, {})]);
    const statuses = [r1.status, r2.status].sort();
    assert.deepEqual(statuses, [200, 409], `${r1.text} / ${r2.text}`);
    const a = await view('executor', id);
    assert.equal(a.status, 'in_progress');
    assert.equal(a.timeline.filter((e) => e.kind === 'start').length, 1, 'one start event');
  });
});
