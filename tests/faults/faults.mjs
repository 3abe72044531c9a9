// The fault test's workload and its faults (tests/faults/stage.sh sets the stage): whole
// SIP cases from several clients, each write with a request id and retried with it until
// answered, while a schedule drawn from a seed kills every service with SIGKILL (each at
// least twice) and starts it again, crashes PostgreSQL once, and runs a second replica of
// every service (and so of every consumer and sweeper) for part of the run. Afterwards it
// waits for the consumers to catch up, stops the services and leaves the answered writes
// in SIP_FAULTS_WRITES for suite_invariants.
//   SIP_FAULTS_SEED      the schedule's and the cases' seed (printed; set it to replay)
//   SIP_FAULTS_SECONDS   how long new cases start (default 90)
//   SIP_FAULTS_CLIENTS   clients running cases side by side (default 6)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  clients, codeName, env, generator, grpc, names, psql, runCase, say, Server, settledSql, sleep, t0,
  who,
} from './suite.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const seed = Number(process.env.SIP_FAULTS_SEED || Math.floor(Math.random() * 2 ** 31));
const seconds = Number(process.env.SIP_FAULTS_SECONDS || 90);
const clientCount = Number(process.env.SIP_FAULTS_CLIENTS || 6);
console.log(`faults: seed ${seed} (replay: SIP_FAULTS_SEED=${seed} ctest -R '^faults$')`);

const random = generator(seed);
const between = (r, lo, hi) => lo + r() * (hi - lo);

const primaries = Object.fromEntries(names.map((n) => [n, new Server(n, false)]));
const replicas = Object.fromEntries(names.map((n) => [n, new Server(n, true)]));

// ---------------------------------------------------------------------------------------
// The schedule, drawn before anything runs: two kills of every service (the second well
// after the first is back), one crash of PostgreSQL, and a replica of every service for a
// stretch of the run.
const span = seconds * 1000;
const schedule = [];
for (const name of names) {
  const first = between(random, 0.05, 0.4) * span;
  const second = first + between(random, 0.15, 0.35) * span;
  for (const at of [first, second]) {
    schedule.push({ at, what: 'kill', name, down: between(random, 200, 2500) });
  }
  const on = between(random, 0.05, 0.45) * span;
  schedule.push({ at: on, what: 'replica', name, off: on + between(random, 0.2, 0.45) * span,
    signal: random() < 0.5 ? 'SIGKILL' : 'SIGTERM' });
}
schedule.push({ at: between(random, 0.25, 0.75) * span, what: 'postgres' });
schedule.sort((a, b) => a.at - b.at);
for (const s of schedule) {
  console.log(`  planned at ${(s.at / 1000).toFixed(1)} s: ${s.what} ${s.name ?? ''}` +
    (s.down ? ` (down ${Math.round(s.down)} ms)` : '') +
    (s.off ? ` until ${(s.off / 1000).toFixed(1)} s, then ${s.signal}` : ''));
}

const faults = { kills: Object.fromEntries(names.map((n) => [n, 0])), postgres: 0, replicas: 0 };
async function perform(s) {
  await sleep(Math.max(0, t0 + s.at - Date.now()));
  if (s.what === 'kill') {
    say(`kill -9 ${s.name}`);
    await primaries[s.name].stop('SIGKILL');
    ++faults.kills[s.name];
    await sleep(s.down);
    await primaries[s.name].start();
    say(`${s.name} back`);
  } else if (s.what === 'postgres') {
    say('PostgreSQL: crash and restart');
    execFileSync('bash',
      [path.join(here, '../pg/pg.sh'), 'crash-restart', env('SIP_FAULTS_PG_DIR')]);
    ++faults.postgres;
    say('PostgreSQL back');
  } else if (s.what === 'replica') {
    say(`${s.name} replica starts`);
    await replicas[s.name].start();
    ++faults.replicas;
    await sleep(Math.max(0, t0 + s.off - Date.now()));
    say(`${s.name} replica stops (${s.signal})`);
    await replicas[s.name].stop(s.signal);
  }
}

// ---------------------------------------------------------------------------------------
// The workload: whole SIP cases, each by one client, each write with a request id.

const writes = fs.openSync(env('SIP_FAULTS_WRITES'), 'w');
const stats = { cases: 0, writes: 0, retries: {}, refusedThenRetried: 0 };
const note = (w) => fs.writeSync(writes, `${JSON.stringify(w)}\n`);
// Outcome unknown: the same request id again. Refused while a projection catches up or a
// peer is down: a new request id (nothing was written). Anything else fails the run.
const unknown = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED,
  grpc.status.CANCELLED, grpc.status.ABORTED, grpc.status.INTERNAL, grpc.status.UNKNOWN,
  grpc.status.RESOURCE_EXHAUSTED]);
const lagging = new Set([grpc.status.FAILED_PRECONDITION, grpc.status.PERMISSION_DENIED,
  grpc.status.NOT_FOUND]);

async function write(service, method, request, unit, events) {
  let requestId = randomUUID();
  const giveUp = Date.now() + 120000;
  let refusedSince = null;
  for (;;) {
    try {
      const answer = await clients[service].call(method, { ...request, request_id: requestId },
        who[unit]);
      ++stats.writes;
      return { answer, requestId };
    } catch (err) {
      const name = codeName(err.code);
      stats.retries[name] = (stats.retries[name] ?? 0) + 1;
      if (lagging.has(err.code)) {
        refusedSince ??= Date.now();
        if (Date.now() - refusedSince > 30000) {
          throw new Error(`${method} refused for 30 s: ${name} ${err.details}`);
        }
        requestId = randomUUID();
        ++stats.refusedThenRetried;
      } else if (!unknown.has(err.code)) {
        throw new Error(`${method}: ${name} ${err.details}`);
      }
      if (Date.now() > giveUp) throw new Error(`${method} unanswered for 120 s: ${name}`);
      await sleep(100 + Math.random() * 300);
    }
  }
}

// A read, asked again while the service is down or has not heard of the plan yet.
async function read(service, method, request, unit) {
  const giveUp = Date.now() + 60000;
  for (;;) {
    try {
      return await clients[service].call(method, request, who[unit]);
    } catch (err) {
      if (!unknown.has(err.code) && !lagging.has(err.code)) {
        throw new Error(`${method}: ${codeName(err.code)} ${err.details}`);
      }
      if (Date.now() > giveUp) throw new Error(`${method} unanswered for 60 s: ${err.details}`);
      await sleep(100 + Math.random() * 300);
    }
  }
}

async function answered(service, method, request, unit, events, plan) {
  const { answer, requestId } = await write(service, method, request, unit, events);
  note({ service, method, request_id: requestId, plan: plan ?? answer.plan?.name, events });
  return answer;
}

async function client(index) {
  let number = index;
  while (Date.now() - t0 < span) {
    await runCase(number, seed, { answered, read, note });
    ++stats.cases;
    number += clientCount;
  }
}

let failure = null;
try {
  for (const name of names) await primaries[name].start();
  say('the suite is up');
  const performing = Promise.all(schedule.map((s) => perform(s).catch((err) => {
    if (!Server.closed) throw err;  // a fault still waiting when the run ended: nothing to do
  })));
  await Promise.all([...Array(clientCount).keys()].map(client));
  say(`workload done: ${stats.cases} cases, ${stats.writes} answered writes`);
  await performing;
  let settled = 0;
  let left = '';
  for (let i = 0; i < 240 && settled < 2; ++i) {
    await sleep(500);
    left = psql(settledSql);
    settled = /=[1-9]/.test(left) ? 0 : settled + 1;
    if (i % 10 === 9 && settled === 0) say(`settling: ${left}`);
  }
  say(settled >= 2 ? 'settled' : `did not settle within 120 s (${left}); checking what there is`);
} catch (err) {
  failure = err;
} finally {
  Server.closed = true;
  await Promise.all([...Object.values(replicas), ...Object.values(primaries)]
    .map((s) => s.stop('SIGTERM')));
  fs.closeSync(writes);
}
console.log(`retries by code: ${JSON.stringify(stats.retries)}; refused while catching up ` +
  `and asked again: ${stats.refusedThenRetried}`);
console.log(`faults: kills ${JSON.stringify(faults.kills)}, PostgreSQL crashes ` +
  `${faults.postgres}, replicas ${faults.replicas}`);
if (failure) {
  console.error(`faults: the workload failed (seed ${seed}): ${failure.stack ?? failure}`);
  process.exit(1);
}
for (const name of names) {
  assert.ok(faults.kills[name] >= 2, `${name} was killed ${faults.kills[name]} times`);
}
assert.equal(faults.postgres, 1);
assert.equal(faults.replicas, names.length);
process.exit(0);
