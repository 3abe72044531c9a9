// What the fault test (faults.mjs) and the soak (bench/soak.mjs) share: the suite's four
// servers as processes (started through start_service.sh on the ports stage.sh claimed),
// clients of each service, whole SIP cases, and the query that says when the suite has
// settled (every consumer caught up, every closure done, every access-log entry chained).
// The stage is set by stage.sh (a database, roles, a PKI, ports).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connect, grpc } from '../interop/client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const env = (name) => {
  assert.ok(process.env[name], `${name} is not set; run through stage.sh`);
  return process.env[name];
};
export { grpc, sleep };
export const codeName = (code) =>
  Object.keys(grpc.status).find((k) => grpc.status[k] === code) ?? code;

// A small seeded generator (mulberry32): the same seed, the same schedule and cases.
export function generator(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------
// The servers: started through start_service.sh (which becomes the server), killed with
// SIGKILL, started again on the same ports.
export const names = ['consent', 'plan', 'meeting', 'lifecycle'];
const binaries = Object.fromEntries(
  env('SIP_SERVER_BINARIES').split(',').map((b) => b.split('=')));
// name → [port, metrics port, the replica's port, the replica's metrics port]
export const ports = JSON.parse(env('SIP_FAULTS_PORTS'));
const logDir = env('SIP_FAULTS_LOGS');
export const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`;
export const say = (what) => console.log(`${stamp()}  ${what}`);

function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export class Server {
  static closed = false;

  constructor(name, replica) {
    this.name = name;
    this.label = replica ? `${name} replica` : name;
    [this.port, this.metrics] = replica ? ports[name].slice(2) : ports[name].slice(0, 2);
    this.log = path.join(logDir, `${name}${replica ? '-replica' : ''}.log`);
    this.process = null;
  }

  async start() {
    // Once a run is over (Server.closed), nothing starts again: a fault schedule still
    // sleeping must not leave servers behind.
    if (Server.closed) throw new Error(`${this.label}: the run is over`);
    const extra = this.name === 'lifecycle' ? ['--sweep_interval', '2s'] : [];
    const out = fs.openSync(this.log, 'a');
    const child = spawn('bash', [path.join(here, 'start_service.sh'), this.name,
      binaries[this.name], String(this.port), String(this.metrics), ...extra],
    { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    this.process = child;
    child.exited = new Promise((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 600; ++i) {
      if (child.exitCode !== null) {
        throw new Error(`${this.label} exited at start; see ${this.log}`);
      }
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

export const VC = 'SE2321000131-E000000000001';     // a vårdcentral of Västra Götaland (14)
const VC2 = 'SE2321000131-E000000000009';
export const SOC = 'SE2120001652-S000000000002';    // social services of Kungälv (1482)
const SOC2 = 'SE2120001652-S000000000008';
export const who = {
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
export const clients = {
  plan: connect('sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService', address('plan'),
    who[VC], undefined, fast),
  consent: connect('sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService',
    address('consent'), who[VC], undefined, fast),
  meeting: connect('sip/meeting/v1/meeting.proto', 'sip.meeting.v1.MeetingService',
    address('meeting'), who[VC], undefined, fast),
  lifecycle: connect('sip/lifecycle/v1/lifecycle.proto', 'sip.lifecycle.v1.LifecycleService',
    address('lifecycle'), who[VC], undefined, fast),
};

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

// One whole SIP case, the `number`th of a run with `seed`, through `io`: io.answered(service,
// method, request, unit, events, plan) makes a write (with a request id) and returns its
// answer, noting which outbox events it must leave; io.read(service, method, request,
// unit) reads. From initiation, consent, the initial meeting (answered, forwarded,
// another unit added, sometimes cancelled, then held) and establishment to a follow-up,
// reads of every service, and an end: consent withdrawn (the lifecycle closes the plan),
// closed by the coordinator, or left open.
export async function runCase(number, seed, io) {
  const { answered, read } = io;
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
    io.note?.({ service: 'plan', method: '(closure by the lifecycle)', plan: name,
      events: ['plan.closed'] });
  } else if (end < 0.6) {
    await answered('plan', 'ClosePlan', { name, closure: { reason: 'CLOSURE_REASON_GOALS_MET' } },
      SOC, ['plan.closed'], name);
  }
  if (end < 0.6 && !cancelled) {
    // The meeting service cancels the meeting still booked of a closed plan: once.
    io.note?.({ service: 'meeting', method: '(cancellation when the plan closed)', plan: name,
      events: ['meeting.cancelled'] });
  }
}


// ---------------------------------------------------------------------------------------
// Settled: every consumer at the end of its sources, every event numbered, every closure
// asked for performed, every access-log entry chained.
export const psql = (sql) => execFileSync('psql', [env('SIP_FAULTS_DATABASE'), '-tAqc', sql])
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
export const settledSql = `SELECT ${Object.entries(unsettled)
  .map(([k, v]) => `'${k}=' || (${v})`).join(" || ' ' || ")}`;
