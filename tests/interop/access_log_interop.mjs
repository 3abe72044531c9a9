// Interop: the person's extract of the access log (loggutdrag) from the four real
// services, over mutual TLS with signed tokens: accesses made through each service appear
// in it with who, which unit, what and the outcome, oldest first; a refused outsider's
// read is in it too; the Swedish rendering lists them; no personnummer or name is in any
// entry; the extract covers only plans the asking unit sees.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, expectError, grpc } from './client.mjs';

for (const name of ['SIP_LIFECYCLE_ADDRESS', 'SIP_PLAN_ADDRESS', 'SIP_CONSENT_ADDRESS',
  'SIP_MEETING_ADDRESS']) {
  assert.ok(process.env[name], `${name} is not set; run through with_services.sh`);
}
const VC = 'SE2321000131-E000000000001';
const OUTSIDER = 'SE2321000131-E000000000777';
const nurse = { unit: VC, principal: 'REGION', user: 'SE2321000131-T000000000001' };
const stranger = { unit: OUTSIDER, principal: 'REGION', user: 'SE2321000131-T000000000777' };
const as = (who) => ({
  plans: connect('sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService',
    process.env.SIP_PLAN_ADDRESS, who),
  consents: connect('sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService',
    process.env.SIP_CONSENT_ADDRESS, who),
  meetings: connect('sip/meeting/v1/meeting.proto', 'sip.meeting.v1.MeetingService',
    process.env.SIP_MEETING_ADDRESS, who),
  lifecycle: connect('sip/lifecycle/v1/lifecycle.proto', 'sip.lifecycle.v1.LifecycleService',
    process.env.SIP_LIFECYCLE_ADDRESS, who),
});
const n = as(nurse);
const s = as(stranger);
const start = { seconds: Math.floor(Date.now() / 1000) - 3600 };

const PNR = '19121212-1212';
const { plan } = await n.plans.call('CreatePlan', { plan: {
  individual: { personal_identity_number: PNR, name: 'Tolvan Tolvansson' },
  need_noticed_by: 'NEED_NOTICED_BY_SCHOOL', reason: 'Behöver samordnat stöd',
} });
await n.consents.call('RecordConsent', { parent: plan.name, consent: {
  giver: { role: 'GIVER_ROLE_INDIVIDUAL' }, form: 'COMMUNICATION_FORM_WRITTEN',
  covered_units: [{ hsa_id: VC, principal: 'PRINCIPAL_KIND_REGION', principal_code: '14' }] } });
await n.plans.call('GetPlan', { name: plan.name });
await expectError(s.plans.call('GetPlan', { name: plan.name }), grpc.status.PERMISSION_DENIED);
await n.meetings.call('ListMeetings', { parent: plan.name });
// The lifecycle service follows the plan's events: its timeline appears.
for (let i = 0; ; ++i) {
  try {
    await n.lifecycle.call('GetTimeline', { name: `${plan.name}/timeline` });
    break;
  } catch (err) {
    if (err.code !== grpc.status.NOT_FOUND || i > 50) throw err;
    await sleep(200);
  }
}

const extract = await n.plans.call('GetAccessExtract', {
  personal_identity_number: PNR, start_time: start });
assert.deepEqual(extract.plans, [plan.name]);
const seen = new Set(extract.entries.map((e) => `${e.service} ${e.method} ${e.outcome} ${e.unit_hsa_id}`));
for (const expected of [
  `plan CreatePlan OK ${VC}`, `plan GetPlan OK ${VC}`, `plan GetPlan PERMISSION_DENIED ${OUTSIDER}`,
  `consent RecordConsent OK ${VC}`, `meeting ListMeetings OK ${VC}`, `lifecycle GetTimeline OK ${VC}`,
]) {
  assert.ok(seen.has(expected), `the extract lacks "${expected}"; it has ${[...seen].join('; ')}`);
}
// Through a system identified by its certificate, oldest first.
assert.ok(extract.entries.every((e) => e.plan === plan.name && e.system !== ''));
const times = extract.entries.map((e) => Number(e.time.seconds) * 1e9 + e.time.nanos);
assert.deepEqual(times, [...times].sort((a, b) => a - b));
// Nothing in the entries is a personnummer or a name.
const raw = JSON.stringify(extract.entries);
for (const secret of ['19121212', '121212-1212', 'Tolvan']) assert.ok(!raw.includes(secret), secret);
// The Swedish rendering.
assert.match(extract.text, /^Loggutdrag/);
assert.match(extract.text, /patientdatalagen/);
assert.match(extract.text, /läste \(GetPlan\)/);
assert.match(extract.text, /nekad/);
assert.match(extract.text, new RegExp(`enhet ${OUTSIDER}`));
assert.ok(!extract.text.includes('Tolvan') && !extract.text.includes('1212-1212'));

// An outsider's extract for the same person covers nothing: the plan is not theirs.
const outsiders = await s.plans.call('GetAccessExtract', {
  personal_identity_number: PNR, start_time: start });
assert.deepEqual(outsiders.plans, []);
assert.deepEqual(outsiders.entries, []);
// No one but the plan service reads another service's log.
const log = connect('sip/accesslog/v1/access_log.proto', 'sip.accesslog.v1.AccessLogService',
  process.env.SIP_CONSENT_ADDRESS, nurse);
await expectError(log.call('ListAccessEntries', { plans: [plan.name], start_time: start,
  end_time: { seconds: Math.floor(Date.now() / 1000) + 60 } }), grpc.status.PERMISSION_DENIED);
// Issue 22: the person's right to the extract does not end with consent. A second plan
// of another person, whose consent the region's own unit records leaving the region out
// (the answer warns it): the region's units no longer see it, but a log reviewer
// (role LOG_REVIEW) of the region still produces the extract, and only the extract.
const PNR2 = '19800101-0019';
const SOC = 'SE2120001652-S000000000002';
const { plan: second } = await n.plans.call('CreatePlan', { plan: {
  individual: { personal_identity_number: PNR2, name: 'Annan Person' },
  need_noticed_by: 'NEED_NOTICED_BY_SCHOOL', reason: 'Behöver samordnat stöd',
  participants: [{ unit: { hsa_id: SOC, principal: 'PRINCIPAL_KIND_MUNICIPALITY',
    principal_code: '1482' }, role: 'Handläggare' }],
} });
const recorded = await n.consents.call('RecordConsent', { parent: second.name, consent: {
  giver: { role: 'GIVER_ROLE_INDIVIDUAL' }, form: 'COMMUNICATION_FORM_WRITTEN',
  covered_units: [{ hsa_id: SOC, principal: 'PRINCIPAL_KIND_MUNICIPALITY',
    principal_code: '1482' }] } });
assert.deepEqual(recorded.warnings.map((w) => [w.code, w.unit_hsa_ids]),
  [['RECORDING_UNIT_NOT_COVERED', [VC]]]);
// The plan service learns the consent from the consent service's events, at its next
// poll (a second): until then its projection still shows the unit covered.
for (let i = 0; ; ++i) {
  try {
    await n.plans.call('GetPlan', { name: second.name });
  } catch (err) {
    assert.equal(err.code, grpc.status.PERMISSION_DENIED);
    break;
  }
  assert.ok(i < 50, 'the plan stays visible to a unit the consent left out');
  await sleep(100);
}
const notSeen = await n.plans.call('GetAccessExtract', { personal_identity_number: PNR2,
  start_time: start });
assert.deepEqual(notSeen.plans, [], 'without the role, the plan is no longer the unit\'s');
const reviewer = as({ unit: OUTSIDER, principal: 'REGION', user: 'SE2321000131-T000000000042',
  role: 'LOG_REVIEW' });
const reviewed = await reviewer.plans.call('GetAccessExtract', { personal_identity_number: PNR2,
  start_time: start });
assert.deepEqual(reviewed.plans, [second.name], 'the region took part: its log reviewer');
const reviewedSeen = new Set(reviewed.entries.map((e) => `${e.method} ${e.unit_hsa_id}`));
assert.ok(reviewedSeen.has(`CreatePlan ${VC}`) && reviewedSeen.has(`GetPlan ${VC}`),
  [...reviewedSeen].join('; '));
await expectError(reviewer.plans.call('GetPlan', { name: second.name }),
  grpc.status.PERMISSION_DENIED);
const elsewhere = as({ unit: 'SE2321000016-E000000000001', principal: 'REGION', code: '01',
  user: 'SE2321000016-T000000000001', role: 'LOG_REVIEW' });
const notTheirs = await elsewhere.plans.call('GetAccessExtract', { personal_identity_number: PNR2,
  start_time: start });
assert.deepEqual(notTheirs.plans, [], 'a principal that took no part gets nothing');

console.log(`access log interop: ${extract.entries.length} entries in the extract, from ` +
  `${new Set(extract.entries.map((e) => e.service)).size} services`);
