// `otklik eval spikes` (docs/text.md, "Spikes") on a small made-up export: injected bursts are
// found, nothing else alarms in quiet scattered data, the same seed gives the same answer, and
// usage errors exit 2 / unreadable input 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './lib/server.mjs';

const FIXTURE = 'tests/fixtures/spikes/appeals-mini.csv';
const lastJson = (out) => JSON.parse(out.trim().split('\n').pop());

test('bursts injected into quiet data are detected, with no false alarm', () => {
  const r = runCli(['eval', 'spikes', '--input', FIXTURE, '--bursts', '20', '--seed', '3', '--warmup', '7']);
  assert.equal(r.status, 0, r.stderr);
  const j = lastJson(r.stdout);
  for (const k of ['bursts', 'detected', 'median_delay_min', 'false_alarms_per_week', 'alarms', 'false_alarm_weeks', 'weeks']) assert.ok(k in j, k);
  assert.equal(j.bursts, 20);
  assert.ok(j.detected >= 16, `detected ${j.detected} of 20`);
  assert.ok(j.median_delay_min > 0 && j.median_delay_min <= 120, `delay ${j.median_delay_min}`);
  assert.equal(j.false_alarms_per_week, 0);
  assert.equal(j.false_alarm_weeks.length, 4);
  assert.match(r.stderr, /eval spikes: 360 appeals, 20 bursts injected/);
});

test('the same seed gives the same figures; another seed other bursts', () => {
  const run = (seed) => {
    const j = lastJson(runCli(['eval', 'spikes', '--input', FIXTURE, '--bursts', '10', '--seed', seed, '--warmup', '7']).stdout);
    delete j.seconds;
    return JSON.stringify(j);
  };
  assert.equal(run('5'), run('5'));
  assert.notEqual(run('5'), run('6'));
});

test('without bursts, a quiet export raises nothing; detector settings are applied', () => {
  const j = lastJson(runCli(['eval', 'spikes', '--input', FIXTURE, '--bursts', '0']).stdout);
  assert.equal(j.bursts, 0);
  assert.equal(j.alarms, 0);
  // a detector that needs 50 people within 2 hours finds none of the bursts
  const k = lastJson(runCli(['eval', 'spikes', '--input', FIXTURE, '--bursts', '10', '--warmup', '7', '--params', 'min1=50,min2=50,min3=50,terr_w=0']).stdout);
  assert.equal(k.detected, 0);
});

test('usage errors exit 2, a missing file 1', () => {
  assert.equal(runCli(['eval', 'spikes']).status, 2);
  assert.equal(runCli(['eval', 'spikes', '--input', FIXTURE, '--params', 'nonsense=1']).status, 2);
  assert.equal(runCli(['eval', 'spikes', '--input', FIXTURE, '--bogus', '1']).status, 2);
  assert.equal(runCli(['eval', 'spikes', '--input', 'tests/fixtures/spikes/none.csv']).status, 1);
  const h = runCli(['eval', 'spikes', '--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /--bursts N/);
});
