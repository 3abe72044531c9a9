// Interop: a grpc-js client, built from the .proto files alone, drives the meeting service
// over TCP together with the real plan and consent services: schedules, answers,
// forwards within the region, holds and cancels, reads each unit's inbox, and parses the
// calendar files with an independent iCalendar parser (ical.js): times in
// Europe/Stockholm on both sides of a daylight-saving change, a stable UID, a growing
// SEQUENCE, METHOD:CANCEL once the plan closes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import ICAL from 'ical.js';
import { connect, errorDetails, expectError, grpc, systemCredentials } from './client.mjs';

for (const name of ['SIP_MEETING_ADDRESS', 'SIP_PLAN_ADDRESS', 'SIP_CONSENT_ADDRESS']) {
  assert.ok(process.env[name], `${name} is not set; run through with_services.sh`);
}
const VC = 'SE2321000131-E000000000001';
const PSY = 'SE2321000131-P000000000003';
const SOC = 'SE2120001652-S000000000002';
const nurse = { unit: VC, principal: 'REGION', user: 'nurse-1' };
const social = { unit: SOC, principal: 'MUNICIPALITY', user: 'handlaggare-1' };
const psychiatry = { unit: PSY, principal: 'REGION', user: 'psykolog-1' };
const region = (hsa) => ({ hsa_id: hsa, principal: 'PRINCIPAL_KIND_REGION', principal_code: '14' });
const kommun = (hsa) => ({ hsa_id: hsa, principal: 'PRINCIPAL_KIND_MUNICIPALITY',
  principal_code: '1482', display_name: 'Socialtjänsten Kungälv' });

const meetings = connect('sip/meeting/v1/meeting.proto', 'sip.meeting.v1.MeetingService',
  process.env.SIP_MEETING_ADDRESS, nurse);
const plans = connect('sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService',
  process.env.SIP_PLAN_ADDRESS, nurse);
const consents = connect('sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService',
  process.env.SIP_CONSENT_ADDRESS, nurse);
const call = meetings.call;

const { plan: created } = await plans.call('CreatePlan', {
  plan: {
    individual: { personal_identity_number: '19121212-1212', name: 'Tolvan Tolvansson' },
    need_noticed_by: 'NEED_NOTICED_BY_SCHOOL',
    reason: 'Behöver samordnat stöd',
  },
});
const plan = created.name;
const consentTo = (units) => consents.call('RecordConsent', {
  parent: plan,
  consent: { giver: { role: 'GIVER_ROLE_INDIVIDUAL' }, form: 'COMMUNICATION_FORM_WRITTEN',
    covered_units: units },
});
await consentTo([region(VC), kommun(SOC)]);

// Times as Stockholm has them: 29 March 2027 is the day after summer time starts.
const ts = (iso) => {
  const ms = Date.parse(iso);
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
};
const details = (startIso, endIso) => ({
  start_time: ts(startIso), end_time: ts(endIso),
  mode: 'MEETING_MODE_IN_PERSON', location: 'Vårdcentralen Kungälv, rum 3',
  purpose: 'Jag vill kunna bo kvar i min lägenhet',
  questions: ['Vem hjälper mig med medicinerna?', 'Hur når jag min samordnare, kväll; helg?'],
  interpreter_needed: true, interpreter_language: 'fi',
});
const invitees = [{ unit: { ...region(VC), display_name: 'Vårdcentralen Kungälv' } },
  { unit: kommun(SOC) }, { individual: true }];

// Bad input names its fields.
const bad = await expectError(call('ScheduleMeeting', {
  parent: plan, kind: 'MEETING_KIND_INITIAL',
  details: { ...details('2027-03-29T08:00:00Z', '2027-03-30T14:00:00Z'), purpose: '' },
  invitees,
}), grpc.status.INVALID_ARGUMENT);
assert.deepEqual(errorDetails(bad).fields, ['details.end_time', 'details.purpose']);
const onePrincipal = await expectError(call('ScheduleMeeting', {
  parent: plan, kind: 'MEETING_KIND_INITIAL',
  details: details('2027-03-29T08:00:00Z', '2027-03-29T10:00:00Z'), invitees: [invitees[0]],
}), grpc.status.INVALID_ARGUMENT);
assert.deepEqual(errorDetails(onePrincipal).fields, ['invitees']);

// Schedule the initial meeting: later than three weeks after the need, so a warning.
const scheduled = await call('ScheduleMeeting', {
  parent: plan, kind: 'MEETING_KIND_INITIAL', request_id: randomUUID(),
  details: details('2027-03-29T08:00:00Z', '2027-03-29T10:00:00Z'), invitees,
});
let meeting = scheduled.meeting;
assert.equal(meeting.state, 'MEETING_STATE_SCHEDULED');
assert.equal(scheduled.warnings[0].code, 'INITIAL_MEETING_AFTER_TARGET');
const invitationOf = (m, unit) => m.invitations.find(
  (i) => i.invitee.unit?.hsa_id === unit && i.state !== 'INVITATION_STATE_FORWARDED');
const socInvitation = invitationOf(meeting, SOC);

// The calendar file, read by ical.js.
function parseCalendar(ics) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  }
  const vevent = calendar.getFirstSubcomponent('vevent');
  const event = new ICAL.Event(vevent);
  return {
    method: calendar.getFirstPropertyValue('method'),
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue('status'),
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    zone: event.startDate.zone?.tzid,
    description: event.description,
    location: event.location,
  };
}
const render = async (invitation, format, who = social) =>
  (await call('RenderInvitation', { name: invitation, format }, who)).content;

let ics = parseCalendar(await render(socInvitation.name, 'INVITATION_FORMAT_ICALENDAR'));
assert.equal(ics.method, 'REQUEST');
assert.equal(ics.sequence, 0);
assert.equal(ics.zone, 'Europe/Stockholm');
assert.equal(ics.start, '2027-03-29T08:00:00.000Z', '10.00 in summer time is 08.00 UTC');
assert.equal(ics.end, '2027-03-29T10:00:00.000Z');
assert.equal(ics.location, 'Vårdcentralen Kungälv, rum 3');
assert.match(ics.description, /Hur når jag min samordnare, kväll; helg\?/);
const uid = ics.uid;

// The letter a person reads.
const letter = await render(socInvitation.name, 'INVITATION_FORMAT_TEXT');
assert.match(letter, /Dag: måndag 29 mars 2027\nTid: 10\.00–12\.00/);
assert.match(letter, /Tolk på finska finns med på mötet\./);
assert.match(letter, /- Vårdcentralen Kungälv, Västra Götalandsregionen/);
const html = await render(socInvitation.name, 'INVITATION_FORMAT_HTML');
assert.match(html, /<html lang="sv">/);

// Moved to before the change: 10.00 in winter time is 09.00 UTC; same UID, SEQUENCE 1.
const moved = await call('RescheduleMeeting', {
  name: meeting.name, etag: meeting.etag, reason: 'Lokalen är upptagen',
  details: details('2027-03-26T09:00:00Z', '2027-03-26T11:00:00Z'),
});
meeting = moved.meeting;
ics = parseCalendar(await render(socInvitation.name, 'INVITATION_FORMAT_ICALENDAR'));
assert.equal(ics.uid, uid);
assert.equal(ics.sequence, 1);
assert.equal(ics.start, '2027-03-26T09:00:00.000Z');

// Social services' inbox: the invitation and the notice that it moved; acknowledge.
let inbox = await call('ListInbox', { unit_hsa_id: SOC }, social);
assert.deepEqual(inbox.items.map((i) => i.item), ['invitation', 'notice']);
assert.equal(inbox.items[1].notice.kind, 'NOTICE_KIND_RESCHEDULED');
await call('AcknowledgeNotice', { name: inbox.items[1].notice.name }, social);
const stranger = await expectError(call('ListInbox', { unit_hsa_id: SOC }, nurse),
  grpc.status.PERMISSION_DENIED);
assert.equal(errorDetails(stranger).reason, 'NOT_YOUR_UNIT');

// Social services accept; the health centre may not decline, forwards to psychiatry.
await call('AnswerInvitation', { name: socInvitation.name,
  accept: { attendees: [{ name: 'Stina Socialsekreterare', role: 'Handläggare' }] } }, social);
const vcInvitation = invitationOf(meeting, VC);
const declined = await expectError(call('AnswerInvitation', { name: vcInvitation.name,
  decline: { reason: 'Ingen tid' } }), grpc.status.FAILED_PRECONDITION);
assert.equal(errorDetails(declined).reason, 'DECLINE_NOT_ALLOWED');
const toKommun = await expectError(call('AnswerInvitation', { name: vcInvitation.name,
  forward: { unit: kommun('SE2120001652-S000000000009') } }), grpc.status.INVALID_ARGUMENT);
assert.deepEqual(errorDetails(toKommun).fields, ['forward.unit.principal_code']);
await consentTo([region(VC), kommun(SOC), region(PSY)]);
const forwarded = await call('AnswerInvitation', { name: vcInvitation.name,
  forward: { unit: region(PSY), note: 'Psykiatrin har kontakten' } });
assert.equal(forwarded.invitation.state, 'INVITATION_STATE_FORWARDED');
inbox = await call('ListInbox', { unit_hsa_id: PSY }, psychiatry);
assert.deepEqual(inbox.items.map((i) => i.invitation?.state ?? i.notice.kind),
  ['INVITATION_STATE_PENDING', 'NOTICE_KIND_FORWARDED_TO_YOU']);
assert.equal(inbox.items[0].meeting.invitations.length, 1, 'no other unit\'s invitation');
await call('AnswerInvitation', { name: forwarded.forwarded_invitation.name,
  accept: { attendees: [{ name: 'Per Psykolog', role: 'Psykolog' }] } }, psychiatry);
meeting = (await call('GetMeeting', { name: meeting.name })).meeting;
assert.deepEqual(meeting.invitations.filter((i) => i.invitee.unit)
  .map((i) => [i.invitee.unit.hsa_id, i.state]), [
  [VC, 'INVITATION_STATE_FORWARDED'], [SOC, 'INVITATION_STATE_ACCEPTED'],
  [PSY, 'INVITATION_STATE_ACCEPTED']]);

// A follow-up meeting that starts in a moment, held once it has started.
const soon = new Date(Date.now() + 2000);
const followUp = (await call('ScheduleMeeting', {
  parent: plan, kind: 'MEETING_KIND_FOLLOW_UP',
  details: details(soon.toISOString(), new Date(soon.getTime() + 3600e3).toISOString()),
  invitees,
})).meeting;
const early = await expectError(call('RecordMeetingHeld', { name: followUp.name,
  held: { start_time: ts(soon.toISOString()), end_time: ts(new Date(soon.getTime() + 3600e3).toISOString()) },
}), grpc.status.INVALID_ARGUMENT);
assert.deepEqual(errorDetails(early).fields, ['held.start_time']);
await sleep(2500);
const held = await call('RecordMeetingHeld', { name: followUp.name,
  held: { start_time: ts(soon.toISOString()),
    end_time: ts(new Date(soon.getTime() + 1800e3).toISOString()),
    individual_attended: true, attended_invitations: [invitationOf(followUp, SOC).name] },
  documenter: { name: 'Stina Socialsekreterare', role: 'Handläggare' } });
assert.equal(held.meeting.state, 'MEETING_STATE_HELD');

// A third meeting cancelled by its convener, with a reason.
const third = (await call('ScheduleMeeting', {
  parent: plan, kind: 'MEETING_KIND_FOLLOW_UP',
  details: details('2027-06-01T08:00:00Z', '2027-06-01T09:00:00Z'), invitees,
})).meeting;
const cancelled = await call('CancelMeeting', { name: third.name, reason: 'Den enskilde är sjuk',
  etag: third.etag });
assert.equal(cancelled.meeting.state, 'MEETING_STATE_CANCELLED');

// The plan closes: the meeting service cancels the initial meeting (still scheduled) from
// the plan service's events, and its calendar entry cancels.
await plans.call('ClosePlan', { name: plan,
  closure: { reason: 'CLOSURE_REASON_NO_LONGER_NEEDED' } });
for (let i = 0; i < 50 && meeting.state !== 'MEETING_STATE_CANCELLED'; ++i) {
  await sleep(200);
  meeting = (await call('GetMeeting', { name: meeting.name })).meeting;
}
assert.equal(meeting.state, 'MEETING_STATE_CANCELLED', 'cancelled when the plan closed');
ics = parseCalendar(await render(socInvitation.name, 'INVITATION_FORMAT_ICALENDAR'));
assert.equal(ics.method, 'CANCEL');
assert.equal(ics.status, 'CANCELLED');
assert.equal(ics.uid, uid);
assert.equal(ics.sequence, 2);
inbox = await call('ListInbox', { unit_hsa_id: SOC }, social);
assert.deepEqual(inbox.items.map((i) => i.notice?.kind ?? i.invitation.state),
  ['NOTICE_KIND_PLAN_CLOSED', 'NOTICE_KIND_CANCELLED']);
await expectError(call('ScheduleMeeting', { parent: plan, kind: 'MEETING_KIND_FOLLOW_UP',
  details: details('2027-06-01T08:00:00Z', '2027-06-01T09:00:00Z'), invitees }),
grpc.status.FAILED_PRECONDITION);

// The events: the timeline's facts, oldest first, without personal details, read by the
// integrating system allowed to.
const { events } = await connect('sip/meeting/v1/meeting.proto', 'sip.meeting.v1.MeetingService',
  process.env.SIP_MEETING_ADDRESS, nurse, systemCredentials('events')).call('ListEvents',
  { after_sequence: 0 });
assert.deepEqual(events.map((e) => e.payload), ['scheduled', 'rescheduled', 'accepted',
  'forwarded', 'accepted', 'scheduled', 'held', 'scheduled', 'cancelled', 'cancelled']);
assert.equal(events.at(-1).cancelled.cause, 'CANCEL_CAUSE_PLAN_CLOSED');
assert.equal(events.at(-1).cancelled.kind, 'MEETING_KIND_INITIAL');
assert.equal(events.at(1).rescheduled.kind, 'MEETING_KIND_INITIAL');
assert.doesNotMatch(JSON.stringify(events), /Stina|lägenhet|sjuk/);
console.log('meeting interop: ok');
