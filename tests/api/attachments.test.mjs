// Attachments: upload by content type (JPEG, PNG, GIF, WebP, PDF), 415 for anything else, 413 over
// 10 MB, safe file names, storage by SHA-256 under the data directory, use in a submission (once,
// own files only), and who may download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootServer } from './lib/server.mjs';
import { Demo } from './lib/demo.mjs';
import { assertError, assertErrors } from './lib/client.mjs';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/attachments');
const file = (n) => readFileSync(join(FIX, n));
const sha = (b) => createHash('sha256').update(b).digest('hex');

let S;
let demo;
const ids = {};
before(async () => {
  S = await bootServer();
  demo = new Demo(S.base);
  ids.kaluga = await demo.id('territories', 'klu-kaluga');
  ids.heating = await demo.id('topics', 'housing-heating');
});
after(async () => { await S?.close(); });

function upload(client, name, body, opts = {}) {
  const q = name === null ? '' : `?name=${encodeURIComponent(name)}`;
  return client.request('POST', `/api/attachments${q}`, { body, contentType: 'application/octet-stream', ...opts });
}

async function uploaded(client, name, body) {
  const r = await upload(client, name, body);
  assert.equal(r.status, 201, `upload ${name}: ${r.text}`);
  return r.json;
}

async function appealCount() {
  const r = await (await demo.as('admin')).get('/api/appeals?queue=all&limit=1');
  return r.json.total;
}

test('every supported type is stored, typed by content, and downloadable by its uploader', async () => {
  const c = await demo.as('citizen');
  for (const [name, mime] of [['pixel.jpg', 'image/jpeg'], ['pixel.png', 'image/png'], ['pixel.gif', 'image/gif'], ['pixel.webp', 'image/webp'], ['page.pdf', 'application/pdf']]) {
    const bytes = file(name);
    // the name says nothing about the type: the content decides
    const a = await uploaded(c, `фото ${name}.bin`, bytes);
    assert.equal(a.mime, mime, name);
    assert.equal(a.size, bytes.length);
    assert.equal(a.sha256, sha(bytes));
    assert.equal(a.name, `фото ${name}.bin`);
    const onDisk = join(S.dataDir, 'attachments', a.sha256.slice(0, 2), a.sha256.slice(2, 4), a.sha256);
    assert.ok(existsSync(onDisk), `stored at ${onDisk}`);
    assert.deepEqual(readFileSync(onDisk), bytes);
    const g = await c.get(`/api/attachments/${a.id}`);
    assert.equal(g.status, 200);
    assert.equal(g.headers['content-type'], mime);
    assert.equal(g.headers['x-content-type-options'], 'nosniff');
    assert.equal(g.headers['content-disposition'], `attachment; filename*=UTF-8''${encodeURIComponent(`фото ${name}.bin`)}`);
    assert.deepEqual(g.buf, bytes);
  }
});

test('refused uploads: not an image, too large, bad names, anonymous', async () => {
  const c = await demo.as('citizen');
  const png = file('pixel.png');
  const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0);
  file('pixel.jpg').copy(big);
  const audit = async () => (await (await demo.as('admin')).get('/api/audit?entity=attachment&limit=1')).json.total;
  const before_ = await audit();
  await assertErrors([
    ['a text file named .jpg', () => upload(c, 'photo.jpg', file('not-an-image.jpg')), 415, 'unsupported_media_type'],
    ['empty body', () => upload(c, 'photo.jpg', Buffer.alloc(0)), 415, 'unsupported_media_type'],
    ['over 10 MB', () => upload(c, 'big.jpg', big), 413, 'payload_too_large'],
    ['no name', () => upload(c, null, png), 422, 'validation_failed', 'name'],
    ['empty name', () => upload(c, '', png), 422, 'validation_failed', 'name'],
    ['only dots', () => upload(c, '..', png), 422, 'validation_failed', 'name'],
    ['a trailing slash', () => upload(c, 'dir/', png), 422, 'validation_failed', 'name'],
    ['control characters', () => upload(c, 'a\u0001b.png', png), 422, 'validation_failed', 'name'],
    ['newline', () => upload(c, 'a\nb.png', png), 422, 'validation_failed', 'name'],
    ['201 characters', () => upload(c, `${'я'.repeat(197)}.png`, png), 422, 'validation_failed', 'name'],
  ]);
  assert.equal(await audit(), before_, 'nothing stored');
  assertError(await upload(demo.anon(), 'a.png', png), 401, 'unauthorized');
  assertError(await upload(c, 'a.png', png, { csrf: false }), 403, 'csrf_failed');
  // exactly 200 characters pass
  assert.equal((await uploaded(c, `${'я'.repeat(196)}.png`, png)).name.length, 200);
});

test('path traversal in the name keeps only the last component', async () => {
  const c = await demo.as('citizen');
  const png = file('pixel.png');
  assert.equal((await uploaded(c, '../../etc/passwd', png)).name, 'passwd');
  assert.equal((await uploaded(c, '..\\..\\windows\\win.ini', png)).name, 'win.ini');
  assert.equal((await uploaded(c, '/var/lib/.hidden', png)).name, 'hidden');
  assert.ok(!existsSync(join(S.dataDir, 'etc')), 'nothing written outside the attachments directory');
});

test('attachments in a submission: own, unused, once; readers follow the appeal', async () => {
  const c = await demo.as('citizen');
  const c2 = await demo.as('citizen2');
  const jpg = file('pixel.jpg');
  const mine = await uploaded(c, 'яма.jpg', jpg);
  const theirs = await uploaded(c2, 'чужое.jpg', jpg);
  const good = { topic_id: ids.heating, territory_id: ids.kaluga, text: 'Фото прилагаю.' };
  const n0 = await appealCount();
  await assertErrors([
    ['someone else\'s attachment', () => c.post('/api/appeals', { ...good, attachment_ids: [mine.id, theirs.id] }), 422, 'validation_failed', 'attachment_ids'],
    ['unknown attachment', () => c.post('/api/appeals', { ...good, attachment_ids: [987654321] }), 422, 'validation_failed', 'attachment_ids'],
    ['the same twice', () => c.post('/api/appeals', { ...good, attachment_ids: [mine.id, mine.id] }), 422, 'validation_failed', 'attachment_ids'],
  ]);
  assert.equal(await appealCount(), n0, 'nothing stored');
  assertError(await c.get(`/api/attachments/${theirs.id}`), 404, 'not_found');
  const r = await c.post('/api/appeals', { ...good, attachment_ids: [mine.id] });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.attachments, [mine]);
  assertError(await c.post('/api/appeals', { ...good, attachment_ids: [mine.id] }), 422, 'validation_failed', 'attachment_ids');
  assert.equal(await appealCount(), n0 + 1, 'an attachment is used once');
  // the first refusal did not use up mine, and theirs stays usable by its owner
  const r2 = await c2.post('/api/appeals', { ...good, attachment_ids: [theirs.id] });
  assert.equal(r2.status, 201, r2.text);
  // readers: whoever can read the appeal
  for (const [login, status] of [['citizen', 200], ['executor', 200], ['supervisor', 200], ['admin', 200], ['citizen2', 404], ['executor2', 404], ['coordinator2', 404]]) {
    const g = await (await demo.as(login)).get(`/api/attachments/${mine.id}`);
    assert.equal(g.status, status, `${login}: ${g.text.slice(0, 200)}`);
    if (status === 200) assert.deepEqual(g.buf, jpg);
  }
  assertError(await demo.anon().get(`/api/attachments/${mine.id}`), 401, 'unauthorized');
  assertError(await c.get('/api/attachments/987654321'), 404, 'not_found');
  // an unused upload is the uploader's only, even for admin
  const loose = await uploaded(c, 'лишнее.png', file('pixel.png'));
  assertError(await (await demo.as('admin')).get(`/api/attachments/${loose.id}`), 404, 'not_found');
});

test('an answer\'s attachment reaches the citizen with the published answer', async () => {
  const c = await demo.as('citizen');
  const ex = await demo.as('executor');
  const ap = await c.post('/api/appeals', { topic_id: ids.heating, territory_id: ids.kaluga, text: 'Холодно, прошу проверить.' });
  assert.equal(ap.status, 201, ap.text);
  const scan = await uploaded(ex, 'акт проверки.pdf', file('page.pdf'));
  assertError(await c.get(`/api/attachments/${scan.id}`), 404, 'not_found');
  const st = await ex.post(`/api/appeals/${ap.json.id}/start`, {});
  assert.equal(st.status, 200, st.text);
  const an = await ex.post(`/api/appeals/${ap.json.id}/answers`, { kind: 'interim', text: 'Проверка назначена, акт прилагаем.', attachment_ids: [scan.id] });
  assert.equal(an.status, 201, an.text);
  const view = await c.get(`/api/appeals/${ap.json.id}`);
  const answer = view.json.answers.find((x) => x.kind === 'interim');
  assert.ok(answer, 'the citizen sees the interim answer');
  assert.deepEqual(answer.attachments.map((x) => x.id), [scan.id]);
  assert.ok(!view.json.attachments.some((x) => x.id === scan.id), 'answer files are not the appeal\'s own');
  const g = await c.get(`/api/attachments/${scan.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.headers['content-type'], 'application/pdf');
});
