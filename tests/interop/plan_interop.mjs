// Interop: a grpc-js client, from the .proto files alone, drives the plan service (which
// calls the consent service) over TCP: create, edit, establish, fetch, copy.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect, errorDetails, expectError, grpc } from './client.mjs';

const VC = 'SE2321000131-E000000000001';
const SOC = 'SE2120001652-S000000000002';
const nurse = { unit: VC, principal: 'REGION', user: 'nurse-1' };
const plans = connect('sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService',
  process.env.SIP_PLAN_ADDRESS, nurse).call;
const consents = connect('sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService',
  process.env.SIP_CONSENT_ADDRESS, nurse).call;

const unit = (hsa_id, principal, display_name, principal_code) =>
  ({ hsa_id, principal, display_name, principal_code });
const vc = unit(VC, 'PRINCIPAL_KIND_REGION', 'Vårdcentralen Kungälv', '14');
const soc = unit(SOC, 'PRINCIPAL_KIND_MUNICIPALITY', 'Socialtjänsten Kungälv', '1482');

// Create (initiate).
const { plan: created } = await plans('CreatePlan', {
  request_id: randomUUID(),
  plan: {
    individual: {
      personal_identity_number: '19121212-1212',
      name: 'Tolvan Tolvansson',
      phone: '0303-12 34 56',
      preferred_language: 'sv',
    },
    need_noticed_by: 'NEED_NOTICED_BY_SOCIAL_SERVICES',
    reason: 'Behöver samordnat stöd',
    needs: ['Stöd med medicinering'],
    goals: [{
      text: 'Ta medicinen varje dag',
      interventions: [
        { description: 'Läkemedelsgenomgång', responsible_principal: 'PRINCIPAL_KIND_REGION',
          responsible_unit: vc },
        { description: 'Hemtjänst påminner', responsible_principal: 'PRINCIPAL_KIND_MUNICIPALITY',
          responsible_unit: soc },
      ],
    }],
    overall_responsibility: { principal: 'PRINCIPAL_KIND_MUNICIPALITY', unit: soc,
      coordinator_contact: 'Sara Samordnare' },
    next_follow_up_date: { year: 2099, month: 5, day: 20 },
  },
});
assert.match(created.name, /^plans\/[0-9a-f-]{36}$/);
assert.equal(created.state, 'PLAN_STATE_INITIATED');
assert.equal(created.individual.personal_identity_number, '191212121212');

// Edit with update_mask and etag; a stale etag is ABORTED.
const { plan: edited } = await plans('UpdatePlan', {
  plan: { name: created.name, etag: created.etag, long_term_goal: 'Jag vill bo kvar hemma' },
  update_mask: { paths: ['long_term_goal'] },
});
assert.equal(edited.long_term_goal, 'Jag vill bo kvar hemma');
await expectError(plans('UpdatePlan', {
  plan: { name: created.name, etag: created.etag, long_term_goal: 'x' },
  update_mask: { paths: ['long_term_goal'] },
}), grpc.status.ABORTED);

// Establish: refused without consent, then accepted.
const refused = await expectError(plans('EstablishPlan', { name: created.name }),
  grpc.status.FAILED_PRECONDITION);
assert.equal(errorDetails(refused).reason, 'CONSENT_NOT_ACTIVE');
await consents('RecordConsent', {
  parent: created.name,
  consent: {
    giver: { role: 'GIVER_ROLE_INDIVIDUAL' },
    form: 'COMMUNICATION_FORM_WRITTEN',
    covered_units: [vc, soc],
  },
});
const { plan: established } = await plans('EstablishPlan',
  { name: created.name, etag: edited.etag, request_id: randomUUID() });
assert.equal(established.state, 'PLAN_STATE_ACTIVE');
assert.equal(established.revision, 1);

// Fetch it, and find it by the responsible unit.
const { plan: fetched } = await plans('GetPlan', { name: created.name });
assert.equal(fetched.etag, established.etag);
assert.equal(fetched.long_term_goal, 'Jag vill bo kvar hemma');
const { plans: mine } = await plans('ListPlans',
  { responsible_unit_hsa_id: SOC, state: 'PLAN_STATE_ACTIVE' });
assert.ok(mine.some((p) => p.name === created.name));

// The person's copy.
const copy = await plans('RenderPlanCopy', { name: created.name, format: 'COPY_FORMAT_TEXT' });
assert.equal(copy.revision, `${created.name}/revisions/1`);
assert.match(copy.content, /Vad är viktigt för mig\?/);
assert.match(copy.content, /Jag vill bo kvar hemma/);

// Bad input: the field is named.
const bad = await expectError(plans('CreatePlan', {
  plan: { individual: { personal_identity_number: '19121212-1213', name: 'X' },
    need_noticed_by: 'NEED_NOTICED_BY_SCHOOL', reason: 'r' },
}), grpc.status.INVALID_ARGUMENT);
assert.deepEqual(errorDetails(bad).fields, ['plan.individual.personal_identity_number']);

console.log(`plan interop ok: ${created.name}`);
process.exit(0);
