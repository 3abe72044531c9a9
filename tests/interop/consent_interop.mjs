// Interop: a grpc-js client, built from the .proto files alone, drives the consent
// service over TCP: records, checks, withdraws, and reads an INVALID_ARGUMENT's details.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect, errorDetails, expectError, grpc, systemCredentials } from './client.mjs';

const address = process.env.SIP_CONSENT_ADDRESS;
assert.ok(address, 'SIP_CONSENT_ADDRESS is not set; run through with_services.sh');
const VC = 'SE2321000131-E000000000001';
const SOC = 'SE2120001652-S000000000002';
const PSY = 'SE2321000131-P000000000003';
const nurse = { unit: VC, principal: 'REGION', user: 'nurse-1' };
const { call } = connect('sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService',
  address, nurse);
// Consent is recorded for a plan that exists: the consent service asks the plan service.
assert.ok(process.env.SIP_PLAN_ADDRESS, 'SIP_PLAN_ADDRESS is not set; run through with_services.sh');
const plans = connect('sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService',
  process.env.SIP_PLAN_ADDRESS, nurse);
const { plan: created } = await plans.call('CreatePlan', {
  plan: {
    individual: { personal_identity_number: '19121212-1212', name: 'Tolvan Tolvansson' },
    need_noticed_by: 'NEED_NOTICED_BY_SCHOOL',
    reason: 'Behöver samordnat stöd',
  },
});
const plan = created.name;

// A plan that does not exist gets what a plan the unit may not see gets: permission
// before existence.
const missing = await expectError(call('RecordConsent', {
  parent: `plans/${randomUUID()}`,
  consent: { giver: { role: 'GIVER_ROLE_INDIVIDUAL' }, form: 'COMMUNICATION_FORM_WRITTEN',
    covered_units: [{ hsa_id: VC, principal: 'PRINCIPAL_KIND_REGION', principal_code: '14' }] },
}), grpc.status.PERMISSION_DENIED);
assert.equal(errorDetails(missing).reason, 'NOT_VISIBLE');

// Record a consent covering the health centre and social services.
const requestId = randomUUID();
const record = {
  parent: plan,
  request_id: requestId,
  consent: {
    giver: { role: 'GIVER_ROLE_INDIVIDUAL' },
    form: 'COMMUNICATION_FORM_WRITTEN',
    covered_units: [
      { hsa_id: VC, principal: 'PRINCIPAL_KIND_REGION', principal_code: '14',
        display_name: 'Vårdcentralen' },
      { hsa_id: SOC, principal: 'PRINCIPAL_KIND_MUNICIPALITY', principal_code: '1482' },
    ],
    covered_others: [{ kind: 'OTHER_PARTY_KIND_RELATIVE', description: 'Mamma' }],
    note: 'Informerad muntligt och skriftligt',
  },
};
const { consent } = await call('RecordConsent', record);
assert.match(consent.name, new RegExp(`^${plan}/consents/[0-9a-f-]{36}$`));
assert.equal(consent.state, 'CONSENT_STATE_ACTIVE');
assert.equal(consent.recorded_by.unit.hsa_id, VC);
assert.equal(consent.covered_units.length, 2);

// A retry with the same request_id is applied once.
const retry = await call('RecordConsent', record);
assert.equal(retry.consent.name, consent.name);
const listed = await call('ListConsents', { parent: plan });
assert.equal(listed.consents.length, 1);

// Check: covered, not in scope.
const check = await call('CheckConsent', { parent: plan, unit_hsa_ids: [VC, PSY] });
assert.deepEqual(check.units.map((u) => [u.unit_hsa_id, u.covered, u.reason]), [
  [VC, true, 'COVERAGE_REASON_COVERED'],
  [PSY, false, 'COVERAGE_REASON_UNIT_NOT_IN_SCOPE'],
]);
// Relatives by the same rule; case and spaces do not matter.
const parties = await call('CheckConsent', { parent: plan, others: [
  { kind: 'OTHER_PARTY_KIND_RELATIVE', description: ' mamma' },
  { kind: 'OTHER_PARTY_KIND_RELATIVE', description: 'Pappa' }] });
assert.deepEqual(parties.others.map((o) => [o.other.description, o.covered, o.reason]), [
  [' mamma', true, 'COVERAGE_REASON_COVERED'],
  ['Pappa', false, 'COVERAGE_REASON_UNIT_NOT_IN_SCOPE'],
]);

// Withdraw, then the check says so, and a second withdrawal is refused.
const withdraw = {
  name: consent.name,
  withdrawn_by: { role: 'GIVER_ROLE_INDIVIDUAL' },
  form: 'COMMUNICATION_FORM_ORAL',
  etag: consent.etag,
};
const withdrawn = await call('WithdrawConsent', withdraw);
assert.equal(withdrawn.consent.state, 'CONSENT_STATE_WITHDRAWN');
const after = await call('CheckConsent', { parent: plan, unit_hsa_ids: [VC] });
assert.equal(after.units[0].reason, 'COVERAGE_REASON_WITHDRAWN');
const twice = await expectError(call('WithdrawConsent', { ...withdraw, etag: '' }),
  grpc.status.FAILED_PRECONDITION);
assert.equal(errorDetails(twice).reason, 'CONSENT_WITHDRAWN');

// Bad input: INVALID_ARGUMENT with a field violation per problem.
const bad = await expectError(call('RecordConsent', {
  parent: plan,
  consent: {
    giver: { role: 'GIVER_ROLE_GUARDIAN', name: 'Anna' },
    form: 'COMMUNICATION_FORM_WRITTEN',
    covered_units: [{ hsa_id: 'nonsense', principal: 'PRINCIPAL_KIND_REGION', principal_code: '14' }],
  },
}), grpc.status.INVALID_ARGUMENT);
const details = errorDetails(bad);
assert.equal(details.domain, 'consent.sip.v1');
assert.deepEqual(details.fields, ['consent.covered_units[0].hsa_id']);
assert.match(bad.details, /HSA-id/);

// No caller: UNAUTHENTICATED.
await expectError(call('GetConsent', { name: consent.name },
  { unit: '', principal: '', user: '' }), grpc.status.UNAUTHENTICATED);

// Events: recorded then withdrawn, with int64 sequences, read by the integrating system
// allowed to (--event_reader_systems); a user's token does not open the feed.
await expectError(call('ListEvents', { after_sequence: 0 }), grpc.status.PERMISSION_DENIED);
const reader = connect('sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService', address,
  { unit: VC, principal: 'REGION', user: 'integration-1' }, systemCredentials('events'));
const events = await reader.call('ListEvents', { after_sequence: 0, page_size: 100 });
const mine = events.events.filter((e) => e.plan === plan);
assert.deepEqual(mine.map((e) => e.payload), ['recorded', 'withdrawn']);

console.log(`consent interop ok: ${consent.name}`);
process.exit(0);
