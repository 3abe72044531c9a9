// The soak (bench/soak.sh sets the stage through tests/faults/stage.sh): the four services
// on a durable PostgreSQL, first driven flat out by whole SIP cases to measure capacity,
// then fed new cases at half of it for SIP_SOAK_MINUTES (default 30). No faults, no retries:
// every failed call counts as an error. It measures
//   - errors (must be 0);
//   - each server's resident memory (VmRSS), from the end of the warm-up (minute 5) to the
//     end (growth under 5 %);
//   - call latency p50/p99 over the first and the last five minutes (p99 stable: the last
//     within 1.5 × the first);
//   - consumer lag, every 10 s: events of each source not yet applied by each consumer
//     (bounded: at most what half a minute of the run writes),
// prints them with the verdict and writes them as JSON to SIP_SOAK_RESULT. The answered
// writes go to SIP_FAULTS_WRITES: stage.sh then checks the suite's invariants as after
// the fault test.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import {
  clients, codeName, env, names, psql, runCase, say, Server, settledSql, sleep, t0, who,
} from '../tests/faults/suite.mjs';

const minutes = Number(process.env.SIP_SOAK_MINUTES || 30);
const capacitySeconds = Number(process.env.SIP_SOAK_CAPACITY_SECONDS || 60);
const seed = Number(process.env.SIP_SOAK_SEED || 1);
const servers = Object.fromEntries(names.map((n) => [n, new Server(n, false)]));
const writes = fs.openSync(env('SIP_FAULTS_WRITES'), 'w');
const note = (w) => fs.writeSync(writes, `${JSON.stringify(w)}\n`);

// Every call timed; failures counted by method and code.
let calls = [];  // [ms since t0, latency ms]
let errors = {};
async function timed(service, method, request, unit) {
  const start = performance.now();
  try {
    return await clients[service].call(method, request, who[unit]);
  } catch (err) {
    const key = `${method} ${codeName(err.code)}`;
    err.message = `${method}: ${err.message}`;
    errors[key] = (errors[key] ?? 0) + 1;
    throw err;
  } finally {
    calls.push([Date.now() - t0, performance.now() - start]);
  }
}
const io = {
  async answered(service, method, request, unit, events, plan) {
    const requestId = randomUUID();
    const answer = await timed(service, method, { ...request, request_id: requestId }, unit);
    note({ service, method, request_id: requestId, plan: plan ?? answer.plan?.name, events });
    return answer;
  },
  read: timed,
  note,
};

let number = 0;
let failedCases = 0;
async function oneCase() {
  try {
    await runCase(number++, seed, io);
  } catch (err) {
    ++failedCases;
    if (failedCases <= 5) say(`a case failed: ${err.message}`);
  }
}

const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
const latencies = (from, to) => calls.filter(([at]) => at >= from && at < to)
  .map(([, ms]) => ms).sort((a, b) => a - b);
const rss = () => Object.fromEntries(names.map((n) => {
  const status = fs.readFileSync(`/proc/${servers[n].process.pid}/status`, 'utf8');
  return [n, Number(/VmRSS:\s+(\d+)/.exec(status)[1])];
}));
// Events of each source a consumer has not applied yet.
const lagSql = `SELECT ${[['consent', 'plan'], ['plan', 'consent'], ['plan', 'meeting'],
  ['meeting', 'plan'], ['meeting', 'consent'], ['lifecycle', 'plan'], ['lifecycle', 'consent'],
  ['lifecycle', 'meeting']].map(([reader, source]) => `(SELECT count(*) FROM ${source}.outbox
  WHERE position IS NULL OR position > coalesce((SELECT last_sequence FROM
  ${reader}.event_cursors WHERE source = '${source}'), 0))`).join(', ')}`;
const lag = () => Math.max(...psql(lagSql).split('|').map(Number));

let failure = null;
const result = { minutes };
try {
  for (const name of names) await servers[name].start();
  say('the suite is up');
  // Capacity: 8 clients, each running cases back to back.
  const capacityEnd = Date.now() + capacitySeconds * 1000;
  const before = number;
  await Promise.all([...Array(8).keys()].map(async () => {
    while (Date.now() < capacityEnd) await oneCase();
  }));
  result.capacity_cases_per_second = (number - before) / capacitySeconds;
  result.rate_cases_per_second = result.capacity_cases_per_second / 2;
  say(`capacity: ${result.capacity_cases_per_second.toFixed(2)} cases/s; soaking at ` +
    `${result.rate_cases_per_second.toFixed(2)} cases/s for ${minutes} min`);
  // What the flat-out phase met is reported apart: the verdicts are the soak's.
  result.capacity_phase = { errors, failed_cases: failedCases };
  errors = {};
  failedCases = 0;
  calls = [];
  const soakStart = Date.now() - t0;
  const soakEnd = soakStart + minutes * 60e3;
  const running = new Set();
  const samples = [];
  let nextSample = soakStart;
  // Open loop: a new case every 1/rate seconds, whatever the others are doing.
  for (let i = 0; Date.now() - t0 < soakEnd; ++i) {
    const due = soakStart + (i / result.rate_cases_per_second) * 1000;
    await sleep(Math.max(0, t0 + due - Date.now()));
    const p = oneCase().finally(() => running.delete(p));
    running.add(p);
    if (Date.now() - t0 >= nextSample) {
      samples.push({ at_s: Math.round((Date.now() - t0 - soakStart) / 1000), rss_kib: rss(),
        lag_events: lag(), in_flight: running.size });
      nextSample += 10e3;
    }
  }
  await Promise.all(running);
  const first = latencies(soakStart, soakStart + 5 * 60e3);
  const last = latencies(soakEnd - 5 * 60e3, soakEnd);
  result.p50_ms = { first_5_min: percentile(first, 0.5), last_5_min: percentile(last, 0.5) };
  result.p99_ms = { first_5_min: percentile(first, 0.99), last_5_min: percentile(last, 0.99) };
  result.errors = errors;
  result.calls = calls.length;
  result.cases = number;
  result.failed_cases = failedCases;
  const warm = samples.find((s) => s.at_s >= 300) ?? samples[0];
  const end = samples[samples.length - 1];
  result.rss_growth_percent = Object.fromEntries(names.map((n) =>
    [n, Number((100 * (end.rss_kib[n] - warm.rss_kib[n]) / warm.rss_kib[n]).toFixed(2))]));
  result.rss_kib = { after_warm_up: warm.rss_kib, end: end.rss_kib };
  result.max_lag_events = Math.max(...samples.map((s) => s.lag_events));
  result.lag_bound_events = Math.ceil(result.rate_cases_per_second * 30 * 12);
  result.samples = samples;
  // Settled before the invariants are checked.
  for (let i = 0; i < 240; ++i) {
    if (!/=[1-9]/.test(psql(settledSql))) break;
    await sleep(500);
  }
} catch (err) {
  failure = err;
} finally {
  Server.closed = true;
  await Promise.all(Object.values(servers).map((s) => s.stop('SIGTERM')));
  fs.closeSync(writes);
}
if (failure) {
  console.error(`soak: ${failure.stack ?? failure}`);
  process.exit(1);
}
const verdicts = {
  'errors 0': Object.keys(errors).length === 0 && failedCases === 0,
  'resident memory growth under 5 %': Object.values(result.rss_growth_percent).every((g) => g < 5),
  'p99 stable (last 5 min within 1.5 × the first)':
    result.p99_ms.last_5_min <= 1.5 * result.p99_ms.first_5_min,
  'consumer lag bounded': result.max_lag_events <= result.lag_bound_events,
};
result.verdicts = verdicts;
if (process.env.SIP_SOAK_RESULT) {
  fs.writeFileSync(process.env.SIP_SOAK_RESULT, `${JSON.stringify(result, null, 2)}\n`);
}
const { samples: _, ...summary } = result;
console.log(JSON.stringify(summary, null, 2));
process.exit(Object.values(verdicts).every(Boolean) ? 0 : 1);
