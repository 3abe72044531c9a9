// Interop: every RPC of every service, called with a valid token over mutual TLS by a unit
// that may not see the plan: another unit of the same region, a unit of another principal
// (another kommun), and a unit the person's consent covers but that takes no part in the
// plan. Each request is well formed and names the plan's real resources (its consent,
// meeting, invitations, timeline), so only the authoriser stands between the caller and
// the data. Every call about the plan is refused with PERMISSION_DENIED — the same answer
// a plan that does not exist gets — and no answer, refused or not, carries the person's
// personnummer or name. The calls that are not about one plan (creating one's own plan,
// lists filtered to what the caller sees, the events, the policy, the statistics) answer,
// and show nothing of this plan.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect, errorDetails, grpc } from './client.mjs';

const services = {
  consent: ['sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService'],
  plan: ['sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService'],
  meeting: ['sip/meeting/v1/meeting.proto', 'sip.meeting.v1.MeetingService'],
  lifecycle: ['sip/lifecycle/v1/lifecycle.proto', 'sip.lifecycle.v1.LifecycleService'],
};
const address = (name) => {
  const value = process.env[`SIP_${name.toUpperCase()}_ADDRESS`];
  assert.ok(value, `SIP_${name.toUpperCase()}_ADDRESS is not set; run through with_services.sh`);
  return value;
};

const PNR = '19121212-1212';
const NAME = 'Tolvan Tolvansson';
const VC = 'SE2321000131-E000000000001';
const SOC = 'SE2120001652-S000000000002';
const COVERED = 'SE2321000131-K000000000005';  // covered by the consent, takes no part
const nurse = { unit: VC, principal: 'REGION', user: 'nurse-1' };
const region = (hsa) => ({ hsa_id: hsa, principal: 'PRINCIPAL_KIND_REGION', principal_code: '14' });
const kommun = (hsa) => ({ hsa_id: hsa, principal: 'PRINCIPAL_KIND_MUNICIPALITY',
  principal_code: '1482' });
const clients = Object.fromEntries(Object.entries(services).map(([name, [file, service]]) =>
  [name, connect(file, service, address(name), nurse)]));

// The plan and everything under it, made by the initiating unit.
const { plan } = await clients.plan.call('CreatePlan', {
  plan: {
    individual: { personal_identity_number: PNR, name: NAME },
    need_noticed_by: 'NEED_NOTICED_BY_SCHOOL',
    reason: 'Behöver samordnat stöd',
  },
});
const { consent } = await clients.consent.call('RecordConsent', {
  parent: plan.name,
  consent: { giver: { role: 'GIVER_ROLE_INDIVIDUAL' }, form: 'COMMUNICATION_FORM_WRITTEN',
    covered_units: [region(VC), kommun(SOC), region(COVERED)] },
});
const ts = (ms) => ({ seconds: String(Math.floor(ms / 1000)), nanos: 0 });
const day = (ms) => {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
};
const now = Date.now();
const details = {
  start_time: ts(now + 3 * 86400e3), end_time: ts(now + 3 * 86400e3 + 7200e3),
  mode: 'MEETING_MODE_IN_PERSON', location: 'Vårdcentralen Kungälv, rum 3',
  purpose: 'Jag vill kunna bo kvar i min lägenhet', questions: ['Vem hjälper mig?'],
};
const { meeting } = await clients.meeting.call('ScheduleMeeting', {
  parent: plan.name, kind: 'MEETING_KIND_INITIAL', details,
  invitees: [{ unit: region(VC) }, { unit: kommun(SOC) }, { individual: true }],
});
const socInvitation = meeting.invitations.find((i) => i.invitee.unit?.hsa_id === SOC).name;
const held = { start_time: ts(now - 7200e3), end_time: ts(now - 3600e3) };

// One well-formed request per method, naming the plan's resources; `allowed` methods are
// not about this plan and must answer (without it).
const requests = {
  consent: {
    RecordConsent: { parent: plan.name, consent: { giver: { role: 'GIVER_ROLE_INDIVIDUAL' },
      form: 'COMMUNICATION_FORM_WRITTEN', covered_units: [region(VC)] } },
    RecordRefusal: { parent: plan.name, giver: { role: 'GIVER_ROLE_INDIVIDUAL' },
      form: 'COMMUNICATION_FORM_ORAL' },
    ChangeConsentScope: { name: consent.name, add_units: [kommun('SE2120001652-S000000000008')],
      reason: 'Den enskilde vill' },
    WithdrawConsent: { name: consent.name, withdrawn_by: { role: 'GIVER_ROLE_INDIVIDUAL' },
      form: 'COMMUNICATION_FORM_ORAL' },
    GetConsent: { name: consent.name },
    ListConsents: { parent: plan.name },
    CheckConsent: { parent: plan.name, unit_hsa_ids: [VC] },
    ListEvents: { after_sequence: 0 },
  },
  plan: {
    CreatePlan: { allowed: true },
    GetPlan: { name: plan.name },
    ListPlans: { allowed: true, personal_identity_number: PNR },
    GetAccessExtract: { allowed: true, personal_identity_number: PNR, start_time: ts(now - 86400e3) },
    UpdatePlan: { plan: { name: plan.name, long_term_goal: 'Något annat' },
      update_mask: { paths: ['long_term_goal'] } },
    EstablishPlan: { name: plan.name },
    RevisePlan: { name: plan.name, reason: 'REVISION_REASON_FOLLOW_UP' },
    GetPlanRevision: { name: `${plan.name}/revisions/1` },
    ListPlanRevisions: { parent: plan.name },
    RecordFollowUp: { parent: plan.name, follow_up: { follow_up_date: day(now),
      decision: 'FOLLOW_UP_DECISION_CONTINUE', next_follow_up_date: day(now + 90 * 86400e3) } },
    ListFollowUps: { parent: plan.name },
    RecordChangedCircumstances: { name: plan.name, kind: 'CIRCUMSTANCE_KIND_MOVED_MUNICIPALITY',
      effective_date: day(now) },
    ListChangedCircumstances: { parent: plan.name },
    ClosePlan: { name: plan.name, closure: { reason: 'CLOSURE_REASON_GOALS_MET' } },
    RenderPlanCopy: { name: plan.name, format: 'COPY_FORMAT_TEXT' },
    ListEvents: { after_sequence: 0 },
  },
  meeting: {
    ScheduleMeeting: { parent: plan.name, kind: 'MEETING_KIND_FOLLOW_UP', details,
      invitees: [{ unit: region(VC) }, { unit: kommun(SOC) }] },
    GetMeeting: { name: meeting.name },
    ListMeetings: { parent: plan.name },
    RescheduleMeeting: { name: meeting.name, etag: meeting.etag, details,
      reason: 'Lokalen är upptagen' },
    AddInvitation: { parent: meeting.name, invitee: { unit: region(VC) } },
    CancelMeeting: { name: meeting.name, reason: 'Den enskilde är sjuk' },
    RecordMeetingHeld: { name: meeting.name, held },
    RecordUnbookedMeeting: { parent: plan.name, kind: 'MEETING_KIND_FOLLOW_UP', held,
      mode: 'MEETING_MODE_TELEPHONE' },
    AnswerInvitation: { name: socInvitation, accept: {} },
    RenderInvitation: { name: socInvitation, format: 'INVITATION_FORMAT_TEXT' },
    ListInbox: { unit_hsa_id: SOC },
    AcknowledgeNotice: { name: `units/${SOC}/notices/${randomUUID()}` },
    ListEvents: { after_sequence: 0 },
  },
  lifecycle: {
    GetTimeline: { name: `${plan.name}/timeline` },
    ListDeadlines: { responsible_unit_hsa_id: SOC },
    AgreeLaterMeeting: { name: `${plan.name}/timeline`, agreed_date: day(now + 40 * 86400e3),
      reason: 'Personen vill vänta' },
    GetComplianceReport: { allowed: true, start_date: day(now - 86400e3),
      end_date: day(now + 86400e3), region_code: '14' },
    GetPolicy: { allowed: true, region_code: '14' },
    ListEvents: { after_sequence: 0 },
  },
};

// Every RPC is in the table: a new one must say how it is guarded.
for (const [name, [file, service]] of Object.entries(services)) {
  const methods = Object.keys(connect(file, service, address(name), {}).definition[service]);
  assert.deepEqual(methods.sort(), Object.keys(requests[name]).sort(), `${service}'s methods`);
}

// The control: the initiating unit may do what the outsiders may not.
await clients.plan.call('GetPlan', { name: plan.name });
await clients.meeting.call('GetMeeting', { name: meeting.name });
await clients.consent.call('GetConsent', { name: consent.name });

const outsiders = [
  ['another unit of the region', { unit: 'SE2321000131-X000000000009', principal: 'REGION',
    user: 'lakare-9' }],
  ['a unit of another principal', { unit: 'SE2120001355-S000000000044', principal: 'MUNICIPALITY',
    code: '1480', user: 'handlaggare-44' }],
  ['a unit covered by the consent that takes no part', { unit: COVERED, principal: 'REGION',
    user: 'kurator-5' }],
];
const personal = (text) => text.includes('19121212') || text.includes('121212-1212') ||
  text.includes('Tolvan');
let attempts = 0;
const wrong = [];
const leaks = [];
for (const [label, who] of outsiders) {
  for (const [name, table] of Object.entries(requests)) {
    for (const [method, { allowed, ...request }] of Object.entries(table)) {
      attempts += 1;
      const what = `${name}/${method} by ${label}`;
      let request_ = request;
      if (method === 'CreatePlan') {
        request_ = { plan: { individual: { personal_identity_number: '19800101-0019',
          name: 'Annan Person' }, need_noticed_by: 'NEED_NOTICED_BY_SCHOOL', reason: 'Stöd' } };
      }
      try {
        const answer = await clients[name].call(method, request_, who);
        const text = JSON.stringify(answer);
        if (!allowed) wrong.push(`${what}: answered`);
        if (personal(text)) leaks.push(what);
        if (method === 'ListPlans' && answer.plans.length !== 0) wrong.push(`${what}: listed the plan`);
        if (method === 'GetAccessExtract' && (answer.plans.length !== 0 || answer.entries.length !== 0)) {
          wrong.push(`${what}: the extract covered the plan`);
        }
      } catch (err) {
        if (allowed) {
          wrong.push(`${what}: refused (${err.code} ${err.details})`);
        } else if (err.code !== grpc.status.PERMISSION_DENIED) {
          wrong.push(`${what}: code ${err.code} (${err.details}), not PERMISSION_DENIED`);
        }
        const said = `${err.details} ` +
          (err.metadata?.get('grpc-status-details-bin')?.[0]?.toString('latin1') ?? '');
        if (personal(said)) leaks.push(what);
      }
    }
  }
}

// Every service's access log (AccessLogService) is the plan service's to read, for the
// extract; an outsider asking any of them directly is refused.
for (const [label, who] of outsiders) {
  for (const name of Object.keys(services)) {
    attempts += 1;
    const log = connect('sip/accesslog/v1/access_log.proto', 'sip.accesslog.v1.AccessLogService',
      address(name), who);
    try {
      await log.call('ListAccessEntries', { plans: [plan.name], start_time: ts(now - 86400e3),
        end_time: ts(now + 86400e3) });
      wrong.push(`${name}/ListAccessEntries by ${label}: answered`);
    } catch (err) {
      if (err.code !== grpc.status.PERMISSION_DENIED) {
        wrong.push(`${name}/ListAccessEntries by ${label}: code ${err.code}, not PERMISSION_DENIED`);
      }
    }
  }
}

// A unit's work list of every pending deadline holds none of this plan's.
const { deadlines } = await clients.lifecycle.call('ListDeadlines',
  { state: 'DEADLINE_STATE_PENDING', page_size: 500 }, outsiders[0][1]);
assert.ok(!deadlines.some((d) => JSON.stringify(d).includes(plan.name)), 'another unit\'s work list');

// Permission before existence: the refusal an outsider gets for the real plan is the one
// everyone gets for a plan that does not exist.
const refusal = async (name) => {
  try {
    await clients.plan.call('GetPlan', { name }, outsiders[0][1]);
  } catch (err) {
    return [err.code, err.details, errorDetails(err).reason];
  }
  return 'answered';
};
assert.deepEqual(await refusal(plan.name), await refusal(`plans/${randomUUID()}`));
assert.deepEqual((await refusal(plan.name))[2], 'NOT_VISIBLE');

// Nothing of it changed: the plan, its consent and its meeting are as the nurse left them.
const after = await clients.plan.call('GetPlan', { name: plan.name });
assert.equal(after.plan.etag, plan.etag);
assert.equal(after.plan.state, 'PLAN_STATE_INITIATED');
const consentAfter = await clients.consent.call('GetConsent', { name: consent.name });
assert.equal(consentAfter.consent.etag, consent.etag);
const meetingAfter = await clients.meeting.call('GetMeeting', { name: meeting.name });
assert.equal(meetingAfter.meeting.etag, meeting.etag);
assert.equal(meetingAfter.meeting.invitations.length, meeting.invitations.length);

assert.deepEqual(wrong, [], 'every call about the plan is refused, every other answers');
assert.deepEqual(leaks, [], 'no answer carries personal data');
console.log(`unauthorised interop: ${attempts} attempts by ${outsiders.length} units that may ` +
  'not see the plan, all refused or answered without it, none with personal data');
