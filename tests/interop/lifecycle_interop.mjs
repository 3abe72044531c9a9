// Interop: a grpc-js client, built from the .proto files alone, reads the lifecycle
// service while the real plan, consent and meeting services run: a new plan's timeline
// with its deadlines (the policy of its region), start without delay met by the consent,
// the initiating unit's work list, the region policies and the region's compliance report.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, errorDetails, expectError, grpc } from './client.mjs';

for (const name of ['SIP_LIFECYCLE_ADDRESS', 'SIP_PLAN_ADDRESS', 'SIP_CONSENT_ADDRESS']) {
  assert.ok(process.env[name], `${name} is not set; run through with_services.sh`);
}
const VC = 'SE2321000131-E000000000001';
const nurse = { unit: VC, principal: 'REGION', user: 'nurse-1' };
const lifecycle = connect('sip/lifecycle/v1/lifecycle.proto', 'sip.lifecycle.v1.LifecycleService',
  process.env.SIP_LIFECYCLE_ADDRESS, nurse);
const plans = connect('sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService',
  process.env.SIP_PLAN_ADDRESS, nurse);
const consents = connect('sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService',
  process.env.SIP_CONSENT_ADDRESS, nurse);

// A Skåne plan (region 12).
const { plan } = await plans.call('CreatePlan', { plan: {
  individual: { personal_identity_number: '19121212-1212', name: 'Tolvan Tolvansson' },
  need_noticed_by: 'NEED_NOTICED_BY_SCHOOL', reason: 'Behöver samordnat stöd', region_code: '12',
} });

// The lifecycle service follows the plan service's events: the timeline appears.
async function timeline(until) {
  for (let i = 0; i < 50; ++i) {
    try {
      const { timeline: t } = await lifecycle.call('GetTimeline', { name: `${plan.name}/timeline` });
      if (until(t)) return t;
    } catch (err) {
      if (err.code !== grpc.status.NOT_FOUND) throw err;
    }
    await sleep(200);
  }
  throw new Error('the timeline did not reach the expected state');
}
let t = await timeline(() => true);
assert.equal(t.region_code, '12');
assert.equal(t.plan_state, 'PLAN_STATE_INITIATED');
const rules = t.deadlines.map((d) => [d.rule, d.state, d.policy_version]);
assert.deepEqual(rules, [
  ['DEADLINE_RULE_START_WITHOUT_DELAY', 'DEADLINE_STATE_PENDING', '2023-05-04'],
  ['DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS', 'DEADLINE_STATE_PENDING', '2023-05-04'],
]);
// Three calendar days from today, at the end of the day in Sweden.
const due = new Date(Number(t.deadlines[0].due_time.seconds) * 1000);
const days = (due - new Date(Number(t.need_noticed_time.seconds) * 1000)) / 86400e3;
assert.ok(days > 3 && days <= 4, `start without delay falls due ${days} days on`);

// Consent is recorded: work has started.
await consents.call('RecordConsent', { parent: plan.name, consent: {
  giver: { role: 'GIVER_ROLE_INDIVIDUAL' }, form: 'COMMUNICATION_FORM_WRITTEN',
  covered_units: [{ hsa_id: VC, principal: 'PRINCIPAL_KIND_REGION', principal_code: '14' }] } });
t = await timeline((x) => x.deadlines[0].state === 'DEADLINE_STATE_MET');
assert.deepEqual(t.entries.map((e) => e.what), ['initiated', 'consent_recorded']);

// The initiating unit's work list: the meeting within three weeks, pending.
const list = await lifecycle.call('ListDeadlines', { responsible_unit_hsa_id: VC,
  state: 'DEADLINE_STATE_PENDING' });
assert.ok(list.deadlines.some((d) => d.name.startsWith(plan.name) &&
  d.rule === 'DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS'));
const bad = await expectError(lifecycle.call('ListDeadlines', {}), grpc.status.INVALID_ARGUMENT);
assert.deepEqual(errorDetails(bad).fields, ['responsible_unit_hsa_id']);

// The policies in force.
const skane = (await lifecycle.call('GetPolicy', { region_code: '12' })).policy;
assert.equal(skane.region_name, 'Region Skåne');
assert.equal(skane.close_on_moved_out_of_region, true);
const closure = skane.rules.find((r) => r.rule === 'DEADLINE_RULE_AUTOMATIC_CLOSURE');
assert.equal(closure.within.calendar_months, 15);
// The region's compliance report for the days around today (a Swedish day is not the
// UTC day near midnight), as figures and as CSV.
const dateOf = (ms) => {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
};
const { report, csv } = await lifecycle.call('GetComplianceReport', {
  start_date: dateOf(Date.now() - 2 * 86400e3), end_date: dateOf(Date.now() + 2 * 86400e3),
  region_code: '12' });
assert.ok(report.plans_started >= 1, 'the plan started today is counted');
assert.ok(report.started_without_delay >= 1);
const [header, row] = csv.trim().split('\r\n');
assert.equal(header.split(',').length, row.split(',').length);
assert.match(header, /^start_date,end_date,scope,plans_started,/);
console.log('lifecycle interop: ok');
