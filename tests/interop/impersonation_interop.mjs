// Interop (issue 22, item 1): being one of the suite's services follows from the client
// certificate alone. A correctly signed user token that copies a service's identity (its
// reserved unit "SE0000000000-<SERVICE>", principal OTHER, user "<service>-service") once
// read the personnummer and name of any plan through GetPlan, ListPlans and GetMeeting; it
// is now refused before any handler runs, UNAUTHENTICATED TOKEN_CLAIMS_INVALID naming the
// claim. The event feeds (ListEvents, every plan's ids, units and coverage) answer only the
// suite's own certificates and the integrating systems configuration allows
// (--event_reader_systems; with_services.sh allows the PKI's "events" system).
import assert from 'node:assert/strict';
import { connect, errorDetails, expectError, grpc, systemCredentials } from './client.mjs';

const services = {
  consent: ['sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService'],
  plan: ['sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService'],
  meeting: ['sip/meeting/v1/meeting.proto', 'sip.meeting.v1.MeetingService'],
  lifecycle: ['sip/lifecycle/v1/lifecycle.proto', 'sip.lifecycle.v1.LifecycleService'],
};
const address = (name) => process.env[`SIP_${name.toUpperCase()}_ADDRESS`];
const PNR = '19121212-1212';
const NAME = 'Tolvan Tolvansson';
const VC = 'SE2321000131-E000000000001';
const SOC = 'SE2120001652-S000000000002';
const nurse = { unit: VC, principal: 'REGION', user: 'nurse-1' };
const connectAll = (who, credentials) => Object.fromEntries(Object.entries(services).map(
  ([name, [file, service]]) => [name, connect(file, service, address(name), who, credentials)]));
const asNurse = connectAll(nurse);

// A plan the posing callers take no part in, with a consent and a meeting under it.
const { plan } = await asNurse.plan.call('CreatePlan', {
  plan: {
    individual: { personal_identity_number: PNR, name: NAME },
    need_noticed_by: 'NEED_NOTICED_BY_SCHOOL',
    reason: 'Behöver samordnat stöd',
  },
});
await asNurse.consent.call('RecordConsent', {
  parent: plan.name,
  consent: { giver: { role: 'GIVER_ROLE_INDIVIDUAL' }, form: 'COMMUNICATION_FORM_WRITTEN',
    covered_units: [
      { hsa_id: VC, principal: 'PRINCIPAL_KIND_REGION', principal_code: '14' },
      { hsa_id: SOC, principal: 'PRINCIPAL_KIND_MUNICIPALITY', principal_code: '1482' }] },
});
const ts = (ms) => ({ seconds: String(Math.floor(ms / 1000)), nanos: 0 });
const start = Date.now() + 3 * 86400e3;
const { meeting } = await asNurse.meeting.call('ScheduleMeeting', {
  parent: plan.name, kind: 'MEETING_KIND_INITIAL',
  details: { start_time: ts(start), end_time: ts(start + 3600e3), mode: 'MEETING_MODE_IN_PERSON',
    location: 'Vårdcentralen Kungälv', purpose: 'Planera stödet',
    questions: ['Vem hjälper mig?'] },
  invitees: [
    { unit: { hsa_id: VC, principal: 'PRINCIPAL_KIND_REGION', principal_code: '14' } },
    { unit: { hsa_id: SOC, principal: 'PRINCIPAL_KIND_MUNICIPALITY', principal_code: '1482' } },
  ],
});

// The reads the independent client saw answered, as each service posed.
const reads = [
  ['plan', 'GetPlan', { name: plan.name }],
  ['plan', 'ListPlans', { personal_identity_number: PNR }],
  ['meeting', 'GetMeeting', { name: meeting.name }],
  ['consent', 'CheckConsent', { parent: plan.name, unit_hsa_ids: [VC] }],
  ['lifecycle', 'GetTimeline', { name: `${plan.name}/timeline` }],
];
const posers = [];
for (const service of Object.keys(services)) {
  const unit = `SE0000000000-${service.toUpperCase()}`;
  // The exact copy of the service's actor, and each half of it alone.
  posers.push([{ unit, principal: 'OTHER', user: `${service}-service` }, 'sub']);
  posers.push([{ unit, principal: 'OTHER', user: 'SE2321000131-T000000000001' },
    'unit_hsa_id']);
  posers.push([{ unit: VC, principal: 'REGION', user: `${service}-service` }, 'sub']);
}
for (const [who, claim] of posers) {
  const clients = connectAll(who);
  for (const [service, method, request] of reads) {
    const err = await expectError(clients[service].call(method, request),
      grpc.status.UNAUTHENTICATED);
    const details = errorDetails(err);
    assert.equal(details.reason, 'TOKEN_CLAIMS_INVALID', `${method} as ${JSON.stringify(who)}`);
    assert.match(err.details, new RegExp(`"${claim}"`), `${method}: ${err.details}`);
    assert.ok(!err.details.includes(PNR) && !err.details.includes(NAME));
  }
}

// The event feeds: no user's token opens them, on any service.
for (const service of Object.keys(services)) {
  const err = await expectError(asNurse[service].call('ListEvents', { after_sequence: 0 }),
    grpc.status.PERMISSION_DENIED);
  assert.equal(errorDetails(err).reason, 'EVENTS_NOT_ALLOWED', service);
  assert.match(err.details, /--event_reader_systems/);
}
// An integrating system allowed by configuration reads them (with its user's token) …
const reader = connectAll({ unit: VC, principal: 'REGION', user: 'integration-1' },
  systemCredentials('events'));
const { events: planEvents } = await reader.plan.call('ListEvents', { after_sequence: 0 });
assert.ok(planEvents.some((e) => e.plan === plan.name), 'the allowed system reads the plan feed');
for (const service of ['consent', 'meeting', 'lifecycle']) {
  await reader[service].call('ListEvents', { after_sequence: 0 });
}
// … and so does a suite service by its certificate, without a token.
const asMeetingService = connectAll({}, systemCredentials('meeting'));
const { events: consentEvents } =
  await asMeetingService.consent.call('ListEvents', { after_sequence: 0 });
assert.ok(consentEvents.some((e) => e.plan === plan.name));

console.log('impersonation interop: OK');
