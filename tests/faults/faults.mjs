// The fault test's workload and its faults (tests/faults/faults.sh sets the stage): whole
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
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connect, grpc } from '../interop/client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (name) => {
  assert.ok(process.env[name], `${name} is not set; run through faults.sh`);
  return process.env[name];
};
const seed = Number(process.env.SIP_FAULTS_SEED || Math.floor(Math.random() * 2 ** 31));
const seconds = Number(process.env.SIP_FAULTS_SECONDS || 90);
const clientCount = Number(process.env.SIP_FAULTS_CLIENTS || 6);
console.log(`faults: seed ${seed} (replay: SIP_FAULTS_SEED=${seed} ctest -R '^faults$')`);

// A small seeded generator (mulberry32): the same seed, the same schedule and cases.
function generator(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(seed);
const between = (r, lo, hi) => lo + r() * (hi - lo);

// ---------------------------------------------------------------------------------------
// The servers: started through start_service.sh (which becomes the server), killed with
// SIGKILL, started again on the same ports.
const names = ['consent', 'plan', 'meeting', 'lifecycle'];
const binaries = Object.fromEntries(env('SIP_SERVER_BINARIES').split(',').map((b) => b.split('=')));
const ports = JSON.parse(env('SIP_FAULTS_PORTS'));  // name → [port, metrics, replica, metrics]
const logDir = env('SIP_FAULTS_LOGS');
const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`;
const say = (what) => console.log(`${stamp()}  ${what}`);

function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

class Server {
  constructor(name, replica) {
    this.name = name;
    this.label = replica ? `${name} replica` : name;
    [this.port, this.metrics] = replica ? ports[name].slice(2) : ports[name].slice(0, 2);
    this.log = path.join(logDir, `${name}${replica ? '-replica' : ''}.log`);
    this.process = null;
  }

  async start() {
    const extra = this.name === 'lifecycle' ? ['--sweep_interval', '2s'] : [];
    const out = fs.openSync(this.log, 'a');
    const child = spawn('bash', [path.join(here, 'start_service.sh'), this.name,
      binaries[this.name], String(this.port), String(this.metrics), ...extra],
    { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    this.process = child;
    child.exited = new Promise((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 600; ++i) {
      if (child.exitCode !== null) throw new Error(`${this.label} exited at start; see ${this.log}`);
      if (await listening(this.port)) return;
      await sleep(100);
    }
    throw new Error(`${this.label} did not listen within 60 s; see ${this.log}`);
  }

  async stop(signal) {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    await child.exited;
    clearTimeout(timer);
    this.process = null;
  }
}

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
    execFileSync('bash', [path.join(here, '../pg/pg.sh'), 'crash-restart', env('SIP_FAULTS_PG_DIR')]);
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
const VC = 'SE2321000131-E000000000001';     // a vårdcentral of Västra Götaland (14)
const VC2 = 'SE2321000131-E000000000009';
const SOC = 'SE2120001652-S000000000002';    // social services of Kungälv (1482)
const SOC2 = 'SE2120001652-S000000000008';
const who = {
  [VC]: { unit: VC, principal: 'REGION', user: 'nurse-1' },
  [SOC]: { unit: SOC, principal: 'MUNICIPALITY', user: 'social-worker-1', role: 'SOCIAL_WORKER' },
};
const region = (hsa_id) => ({ hsa_id, principal: 'PRINCIPAL_KIND_REGION', principal_code: '14',
  display_name: 'Vårdcentralen Kungälv' });
const kommun = (hsa_id) => ({ hsa_id, principal: 'PRINCIPAL_KIND_MUNICIPALITY',
  principal_code: '1482', display_name: 'Socialtjänsten Kungälv' });
const fast = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.min_reconnect_backoff_ms': 100 };
const address = (name) => `127.0.0.1:${ports[name][0]}`;
const clients = {
  plan: connect('sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService', address('plan'),
    who[VC], undefined, fast),
  consent: connect('sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService',
    address('consent'), who[VC], undefined, fast),
  meeting: connect('sip/meeting/v1/meeting.proto', 'sip.meeting.v1.MeetingService',
    address('meeting'), who[VC], undefined, fast),
  lifecycle: connect('sip/lifecycle/v1/lifecycle.proto', 'sip.lifecycle.v1.LifecycleService',
    address('lifecycle'), who[VC], undefined, fast),
};

const writes = fs.openSync(env('SIP_FAULTS_WRITES'), 'w');
const stats = { cases: 0, writes: 0, retries: {}, refusedThenRetried: 0 };
const note = (w) => fs.writeSync(writes, `${JSON.stringify(w)}\n`);
const codeName = (code) => Object.keys(grpc.status).find((k) => grpc.status[k] === code) ?? code;
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

// A valid personnummer (Luhn) born on a day of 1940-2005 of the case's generator.
function personnummer(r) {
  const year = 1940 + Math.floor(r() * 66);
  const month = 1 + Math.floor(r() * 12);
  const day = 1 + Math.floor(r() * 28);
  const serial = String(Math.floor(r() * 1000)).padStart(3, '0');
  const nine = `${String(year).slice(2)}${String(month).padStart(2, '0')}` +
    `${String(day).padStart(2, '0')}${serial}`;
  let sum = 0;
  [...nine].forEach((c, i) => {
    let d = Number(c) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  });
  return `${year}${nine.slice(2, 6)}-${serial}${(10 - (sum % 10)) % 10}`;
}
const ts = (ms) => ({ seconds: String(Math.floor(ms / 1000)), nanos: 0 });
// The day in Sweden (the plans' days are Swedish days).
const swedish = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' });
const dayOf = (ms) => {
  const [year, month, day] = swedish.format(new Date(ms)).split('-').map(Number);
  return { year, month, day };
};

async function runCase(number) {
  const r = generator(seed * 7919 + number);
  const now = Date.now();
  // A quarter of the needs were noticed ten days ago and an eighth forty days ago: their
  // deadlines are breached (and met late) during the run.
  const noticed = r() < 0.25 ? now - 10 * 86400e3 : r() < 0.17 ? now - 40 * 86400e3 : null;
  const { plan } = await answered('plan', 'CreatePlan', { plan: {
    individual: { personal_identity_number: personnummer(r), name: 'Tolvan Tolvansson' },
    need_noticed_by: 'NEED_NOTICED_BY_REGIONAL_HEALTH_CARE', reason: 'Behöver samordnat stöd',
    ...(noticed ? { need_noticed_time: ts(noticed) } : {}),
    needs: ['Stöd med medicinering'],
    goals: [{ text: 'Ta medicinen varje dag', interventions: [
      { description: 'Läkemedelsgenomgång', responsible_principal: 'PRINCIPAL_KIND_REGION',
        responsible_unit: region(VC) },
      { description: 'Hemtjänst påminner', responsible_principal: 'PRINCIPAL_KIND_MUNICIPALITY',
        responsible_unit: kommun(SOC) }] }],
    overall_responsibility: { principal: 'PRINCIPAL_KIND_MUNICIPALITY', unit: kommun(SOC),
      coordinator_contact: 'Sara Samordnare' },
    next_follow_up_date: dayOf(now + 180 * 86400e3),
  } }, VC, ['plan.initiated']);
  const name = plan.name;
  const { consent } = await answered('consent', 'RecordConsent', { parent: name, consent: {
    giver: { role: 'GIVER_ROLE_INDIVIDUAL' }, form: 'COMMUNICATION_FORM_WRITTEN',
    covered_units: [region(VC), region(VC2), kommun(SOC), kommun(SOC2)] } },
  VC, ['consent.recorded'], name);
  const start = now + (7 + Math.floor(r() * 7)) * 86400e3;
  const { meeting } = await answered('meeting', 'ScheduleMeeting', { parent: name,
    kind: 'MEETING_KIND_INITIAL', details: { start_time: ts(start), end_time: ts(start + 3600e3),
      mode: 'MEETING_MODE_IN_PERSON', location: 'Vårdcentralen Kungälv, rum 3',
      purpose: 'Jag vill kunna bo kvar hemma', questions: ['Vem hjälper mig med medicinerna?'] },
    invitees: [{ unit: region(VC) }, { unit: kommun(SOC) }, { individual: true }] },
  VC, ['meeting.scheduled'], name);
  const invitation = meeting.invitations.find((i) => i.invitee.unit?.hsa_id === SOC).name;
  if (r() < 0.25) {
    await answered('meeting', 'AnswerInvitation', { name: invitation,
      forward: { unit: kommun(SOC2), note: 'Hemtjänsten tar det' } },
    SOC, ['meeting.invitation_forwarded'], name);
  } else {
    await answered('meeting', 'AnswerInvitation', { name: invitation,
      accept: { attendees: [{ name: 'Stina Socialsekreterare', role: 'Handläggare' }] } }, SOC,
      ['meeting.invitation_accepted'], name);
  }
  if (r() < 0.3) {
    await answered('meeting', 'AddInvitation', { parent: meeting.name,
      invitee: { unit: region(VC2) } }, VC, ['meeting.invitation_added'], name);
  }
  const cancelled = r() < 0.2;
  if (cancelled) {
    await answered('meeting', 'CancelMeeting', { name: meeting.name,
      reason: 'Den enskilde är sjuk' }, VC, ['meeting.cancelled'], name);
  }
  const held = Date.now() - 2 * 3600e3;
  await answered('meeting', 'RecordUnbookedMeeting', { parent: name,
    kind: 'MEETING_KIND_INITIAL', held: { start_time: ts(held), end_time: ts(held + 3600e3),
      individual_attended: true }, mode: 'MEETING_MODE_IN_PERSON' },
  VC, ['meeting.held'], name);
  await answered('plan', 'EstablishPlan', { name }, SOC, ['plan.established'], name);
  await answered('plan', 'RecordFollowUp', { parent: name, follow_up: {
    follow_up_date: dayOf(Date.now()), progress: 'Det går bra',
    decision: 'FOLLOW_UP_DECISION_CONTINUE', next_follow_up_date: dayOf(Date.now() + 90 * 86400e3),
  } }, SOC, ['plan.follow_up_recorded'], name);
  // Reads: each service's access log has entries to chain.
  await read('lifecycle', 'GetTimeline', { name: `${name}/timeline` }, SOC);
  await read('plan', 'GetPlan', { name }, SOC);
  await read('meeting', 'GetMeeting', { name: meeting.name }, SOC);
  await read('consent', 'GetConsent', { name: consent.name }, SOC);
  const end = r();
  if (end < 0.3) {
    await answered('consent', 'WithdrawConsent', { name: consent.name,
      withdrawn_by: { role: 'GIVER_ROLE_INDIVIDUAL' }, form: 'COMMUNICATION_FORM_ORAL' },
    VC, ['consent.withdrawn'], name);
    // The lifecycle closes the plan: once.
    note({ service: 'plan', method: '(closure by the lifecycle)', plan: name,
      events: ['plan.closed'] });
  } else if (end < 0.6) {
    await answered('plan', 'ClosePlan', { name, closure: { reason: 'CLOSURE_REASON_GOALS_MET' } },
      SOC, ['plan.closed'], name);
  }
  if (end < 0.6 && !cancelled) {
    // The meeting service cancels the meeting still booked of a closed plan: once.
    note({ service: 'meeting', method: '(cancellation when the plan closed)', plan: name,
      events: ['meeting.cancelled'] });
  }
  ++stats.cases;
}

async function client(index) {
  let number = index;
  while (Date.now() - t0 < span) {
    await runCase(number);
    number += clientCount;
  }
}

// ---------------------------------------------------------------------------------------
// Settled: every consumer at the end of its sources, every event numbered, every closure
// asked for performed, every access-log entry chained.
const psql = (sql) => execFileSync('psql', [env('SIP_FAULTS_DATABASE'), '-tAqc', sql])
  .toString().trim();
const cursorsBehind = (reader, sources) => sources.map((source) => `(SELECT count(*) FROM
  ${source}.outbox WHERE position > coalesce((SELECT last_sequence FROM ${reader}.event_cursors
  WHERE source = '${source}'), 0))`).join(' + ');
const unsettled = {
  unnumbered: names.filter((n) => n !== 'lifecycle')
    .map((n) => `(SELECT count(*) FROM ${n}.outbox WHERE position IS NULL)`).join(' + '),
  consent_behind: cursorsBehind('consent', ['plan']),
  plan_behind: cursorsBehind('plan', ['consent', 'meeting']),
  meeting_behind: cursorsBehind('meeting', ['plan', 'consent']),
  lifecycle_behind: cursorsBehind('lifecycle', ['plan', 'consent', 'meeting']),
  closures_open: 'SELECT count(*) FROM lifecycle.closure_requests WHERE done_time IS NULL',
  unchained: names.map((n) => `(SELECT count(*) FROM ${n}.access_log WHERE position IS NULL)`)
    .join(' + '),
};
const settledSql = `SELECT ${Object.entries(unsettled)
  .map(([k, v]) => `'${k}=' || (${v})`).join(" || ' ' || ")}`;

let failure = null;
try {
  for (const name of names) await primaries[name].start();
  say('the suite is up');
  const performing = Promise.all(schedule.map(perform));
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
