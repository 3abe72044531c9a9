// Writes seed inputs for the fuzzers into DIR: valid requests, serialized as the services
// receive them, so fuzzing starts from requests that pass the guard and reach the rules.
//   node tests/fuzz/seeds.mjs NAME DIR
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const [name, dir] = process.argv.slice(2);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../proto');
const load = (file) => {
  const r = new protobuf.Root();
  r.resolvePath = (_, target) => path.join(root, target);
  return r.loadSync(file, { keepCase: true });
};
const write = (file, bytes) => fs.writeFileSync(path.join(dir, file), bytes);
const unit = (hsa_id, principal) => ({ hsa_id, principal, principal_code: principal === 1 ? '1482' : '14' });
const VC = unit('SE2321000131-E000000000001', 2);
const SOC = unit('SE2120001652-S000000000002', 1);

if (name === 'personnummer_fuzz') {
  for (const [i, t] of ['19121212-1212', '121212+1212', '201701632385', 'tel 070-1234567 och 19121212-1212']
    .entries()) {
    write(`seed${i}`, Buffer.from(t));
  }
} else if (name === 'plan_request_fuzz') {
  const r = load('sip/plan/v1/plan.proto');
  const plan = {
    individual: { personal_identity_number: '19121212-1212', name: 'Tolvan Tolvansson',
      representatives: [{ role: 1, name: 'Greta' }] },
    need_noticed_by: 1, reason: 'Behöver stöd', long_term_goal: 'Bo kvar hemma',
    needs: ['Medicinering'],
    goals: [{ text: 'Ta medicin', interventions: [
      { description: 'Dosett', responsible_principal: 2, responsible_unit: VC },
      { description: 'Hemtjänst', responsible_principal: 1, responsible_unit: SOC }] }],
    participants: [{ unit: unit('SE2321000131-P000000000003', 2), role: 'Konsult' }],
    overall_responsibility: { principal: 1, unit: SOC },
    next_follow_up_date: { year: 2027, month: 5, day: 20 },
  };
  const create = r.lookupType('sip.plan.v1.CreatePlanRequest');
  write('create', Buffer.concat([Buffer.from([0]), create.encode(create.fromObject({ plan })).finish()]));
  const update = r.lookupType('sip.plan.v1.UpdatePlanRequest');
  write('update', Buffer.concat([Buffer.from([1]), update.encode(update.fromObject({
    plan: { ...plan, name: 'plans/p1' },
    update_mask: { paths: ['long_term_goal', 'goals', 'participants', 'individual'] },
  })).finish()]));
} else if (name === 'consent_request_fuzz') {
  const r = load('sip/consent/v1/consent.proto');
  const record = r.lookupType('sip.consent.v1.RecordConsentRequest');
  write('record', record.encode(record.fromObject({
    parent: 'plans/p1',
    consent: { giver: { role: 2, name: 'Anna' }, second_guardian: { role: 2, name: 'Bo' },
      form: 1, covered_units: [VC, SOC], covered_others: [{ kind: 1, description: 'Mamma' }],
      individual_is_minor: true, reduced_capacity: true,
      harm_assessment: { outcome: 2, note: 'Inte till socialtjänsten',
        restricted_unit_hsa_ids: [SOC.hsa_id] } },
  })).finish());
} else if (name === 'meeting_request_fuzz') {
  const r = load('sip/meeting/v1/meeting.proto');
  const schedule = r.lookupType('sip.meeting.v1.ScheduleMeetingRequest');
  const start = 1764000000 + 48 * 3600;
  write('schedule', Buffer.concat([Buffer.from([0]), schedule.encode(schedule.fromObject({
    parent: 'plans/p1', kind: 1,
    details: { start_time: { seconds: start }, end_time: { seconds: start + 7200 }, mode: 1,
      location: 'Vårdcentralen, rum 3', purpose: 'Bo kvar hemma', questions: ['Medicinerna?'],
      interpreter_needed: true, interpreter_language: 'fi' },
    meeting_leader: { name: 'Eva Berg', role: 'Oberoende mötesledare' },
    invitees: [{ unit: VC, as_health_centre: true }, { unit: SOC }, { individual: true },
      { other: { kind: 1, description: 'Dotter' } }],
  })).finish()]));
  const answer = r.lookupType('sip.meeting.v1.AnswerInvitationRequest');
  write('accept', Buffer.concat([Buffer.from([1]), answer.encode(answer.fromObject({
    accept: { attendees: [{ name: 'Anna Lind', role: 'Sjuksköterska' }] },
  })).finish()]));
  write('forward', Buffer.concat([Buffer.from([1]), answer.encode(answer.fromObject({
    forward: { unit: unit('SE2321000131-P000000000003', 2), note: 'Psykiatrin' },
  })).finish()]));
} else if (name === 'lifecycle_request_fuzz') {
  const r = load('sip/lifecycle/v1/lifecycle.proto');
  const seed = (kind, type, object) => {
    const t = r.lookupType(`sip.lifecycle.v1.${type}`);
    write(type, Buffer.concat([Buffer.from([kind]), t.encode(t.fromObject(object)).finish()]));
  };
  seed(0, 'ListDeadlinesRequest', { responsible_unit_hsa_id: VC.hsa_id, state: 3, rule: 2,
    due_before: { seconds: 1764000000 }, page_size: 20 });
  seed(1, 'AgreeLaterMeetingRequest', { name: 'plans/p1/timeline',
    agreed_date: { year: 2027, month: 1, day: 15 }, reason: 'Personen vill vänta' });
  seed(2, 'GetComplianceReportRequest', { start_date: { year: 2026, month: 1, day: 1 },
    end_date: { year: 2026, month: 12, day: 31 }, region_code: '14' });
  seed(3, 'GetPolicyRequest', { region_code: '12' });
  seed(4, 'GetTimelineRequest', { name: 'plans/p1/timeline' });
} else if (name === 'token_fuzz') {
  // Tokens signed with the fuzzer's key for the fuzzer's time (token_fuzz.cc).
  const keys = path.join(path.dirname(fileURLToPath(import.meta.url)), 'keys');
  const key = fs.readFileSync(path.join(keys, 'token.key'));
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = 1764000000;
  const claims = { iss: 'https://idp.fuzz.example', aud: 'sip', sub: 'nurse-1', iat: now - 10,
    nbf: now - 10, exp: now + 600, unit_hsa_id: VC.hsa_id, unit_principal: 'REGION',
    unit_principal_code: '14', role: 'CARE_PROFESSIONAL' };
  const sign = (header, payload) => {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${crypto.createSign('SHA256').update(input).sign(key).toString('base64url')}`;
  };
  write('valid', sign({ alg: 'RS256', typ: 'JWT' }, claims));
  write('kid', sign({ alg: 'RS256', typ: 'JWT', kid: 'k1' }, { ...claims, extra: [1, { a: null }] }));
  write('none', `${b64({ alg: 'none' })}.${b64(claims)}.`);
  write('hs256', `${b64({ alg: 'HS256' })}.${b64(claims)}.c2lnbmF0dXJl`);
} else if (name === 'page_token_fuzz' || name === 'timeline_fold_fuzz') {
  // Structured by FuzzedDataProvider: random bytes of a few lengths to start from.
  for (const n of [8, 64, 256, 1024]) write(`random${n}`, crypto.randomBytes(n));
}
