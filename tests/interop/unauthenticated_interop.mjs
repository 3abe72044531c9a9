// Interop: every RPC of every service, called by someone who cannot prove who they are,
// over the wire as an outsider would: no token, expired, not yet valid, another audience,
// another issuer, a broken signature, `alg: none`, HS256 signed with the public key
// (algorithm confusion), a key the suite does not trust, a Basic header, the development
// headers; and without a client certificate or with one of another CA. Each is refused
// (UNAUTHENTICATED; UNAVAILABLE when the TLS handshake fails) and no answer carries the
// person's personnummer or name, although the requests name a real plan of that person.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, grpc, mintToken, systemCredentials } from './client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const pki = process.env.SIP_PKI_DIR;
const services = [
  ['consent', 'sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService'],
  ['plan', 'sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService'],
  ['meeting', 'sip/meeting/v1/meeting.proto', 'sip.meeting.v1.MeetingService'],
  ['lifecycle', 'sip/lifecycle/v1/lifecycle.proto', 'sip.lifecycle.v1.LifecycleService'],
];
for (const [name] of services) {
  assert.ok(process.env[`SIP_${name.toUpperCase()}_ADDRESS`], `SIP_${name.toUpperCase()}_ADDRESS is not set`);
}

// Another CA and another identity provider's key, made the same way as the suite's.
const other = fs.mkdtempSync(path.join(os.tmpdir(), 'sip-other-pki-'));
execFileSync('bash', [path.join(here, '../../scripts/lib/dev_pki.sh'), other]);

// The person's data the answers must never show.
const PNR = '19121212-1212';
const NAME = 'Tolvan Tolvansson';
const nurse = { unit: 'SE2321000131-E000000000001', principal: 'REGION', user: 'nurse-1' };
const plans = connect('sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService',
  process.env.SIP_PLAN_ADDRESS, nurse);
const { plan } = await plans.call('CreatePlan', {
  plan: {
    individual: { personal_identity_number: PNR, name: NAME },
    need_noticed_by: 'NEED_NOTICED_BY_SCHOOL',
    reason: 'Behöver samordnat stöd',
  },
});
// The control: the same credentials machinery with a good token reads the plan, so a
// refusal below is the credential's doing.
const read = await plans.call('GetPlan', { name: plan.name });
assert.equal(read.plan.individual.personal_identity_number, '191212121212');

const b64url = (data) => Buffer.from(data).toString('base64url');
const good = mintToken(nurse);
const [goodHeader, goodPayload, goodSignature] = good.split('.');
const now = Math.floor(Date.now() / 1000);
const flip = (s) => {
  const i = Math.floor(s.length / 2);
  return s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
};
const hs256 = (() => {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${goodPayload}`;
  const mac = createHmac('sha256', fs.readFileSync(path.join(pki, 'token-public.pem')))
    .update(input).digest();
  return `${input}.${b64url(mac)}`;
})();
const bearer = (token) => ({ authorization: `Bearer ${token}` });

// [case, caller, credentials, expected code]
const ours = systemCredentials();
const cases = [
  ['no token', {}, ours, grpc.status.UNAUTHENTICATED],
  ['expired', bearer(mintToken(nurse, { claims: { iat: now - 7200, nbf: now - 7200, exp: now - 3600 } })),
    ours, grpc.status.UNAUTHENTICATED],
  ['not yet valid', bearer(mintToken(nurse, { claims: { nbf: now + 3600 } })), ours,
    grpc.status.UNAUTHENTICATED],
  ['no expiry', bearer(mintToken(nurse, { claims: { exp: undefined } })), ours,
    grpc.status.UNAUTHENTICATED],
  ['wrong audience', bearer(mintToken(nurse, { claims: { aud: 'another-system' } })), ours,
    grpc.status.UNAUTHENTICATED],
  ['wrong issuer', bearer(mintToken(nurse, { claims: { iss: 'https://idp.elsewhere.example' } })),
    ours, grpc.status.UNAUTHENTICATED],
  ['bad signature', bearer(`${goodHeader}.${goodPayload}.${flip(goodSignature)}`), ours,
    grpc.status.UNAUTHENTICATED],
  ['alg none', bearer(`${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${goodPayload}.`), ours,
    grpc.status.UNAUTHENTICATED],
  ['HS256 with the public key', bearer(hs256), ours, grpc.status.UNAUTHENTICATED],
  ['a key the suite does not trust',
    bearer(mintToken(nurse, { key: fs.readFileSync(path.join(other, 'token.key')) })), ours,
    grpc.status.UNAUTHENTICATED],
  ['Basic credentials', { authorization: 'Basic bnVyc2U6c2VjcmV0' }, ours,
    grpc.status.UNAUTHENTICATED],
  ['development headers', { headers: { 'x-sip-unit-hsa-id': nurse.unit,
    'x-sip-unit-principal': 'REGION', 'x-sip-user-id': 'nurse-1', 'x-sip-service': 'lifecycle' } },
  ours, grpc.status.UNAUTHENTICATED],
  ['no client certificate', bearer(good),
    grpc.credentials.createSsl(fs.readFileSync(path.join(pki, 'ca.pem'))), grpc.status.UNAVAILABLE],
  ['a client certificate of another CA', bearer(good), systemCredentials('client', other),
    grpc.status.UNAVAILABLE],
  ['a service certificate of another CA, no token', {}, systemCredentials('lifecycle', other),
    grpc.status.UNAVAILABLE],
];

// A request naming the real plan wherever the message has a field for it.
function requestFor(type) {
  const request = {};
  for (const field of type.field) {
    if (field.name === 'name' || field.name === 'parent' || field.name === 'plan') {
      if (field.type === 'TYPE_STRING') request[field.name] = plan.name;
    }
    if (field.name === 'personal_identity_number') request[field.name] = PNR;
  }
  return request;
}

let attempts = 0;
const leaks = [];
const wrong = [];
for (const [name, file, service] of services) {
  const address = process.env[`SIP_${name.toUpperCase()}_ADDRESS`];
  const methods = Object.entries(connect(file, service, address, {}).definition[service]);
  for (const [label, caller, credentials, code] of cases) {
    const { call, client } = connect(file, service, address, caller, credentials);
    for (const [method, def] of methods) {
      attempts += 1;
      try {
        await call(method, requestFor(def.requestType.type));
        wrong.push(`${service}/${method} with ${label}: answered`);
      } catch (err) {
        if (err.code !== code) {
          wrong.push(`${service}/${method} with ${label}: code ${err.code} (${err.details}), not ${code}`);
        }
        const said = `${err.details} ${JSON.stringify(err.metadata?.getMap() ?? {})}` +
          (err.metadata?.get('grpc-status-details-bin')?.[0]?.toString('latin1') ?? '');
        if (said.includes('19121212') || said.includes('121212-1212') || said.includes('Tolvan')) {
          leaks.push(`${service}/${method} with ${label}`);
        }
      }
    }
    client.close();
  }
}
fs.rmSync(other, { recursive: true, force: true });
assert.deepEqual(wrong, [], 'every attempt must be refused with its code');
assert.deepEqual(leaks, [], 'no refusal may carry personal data');
assert.ok(attempts >= 200, `only ${attempts} attempts`);
console.log(`unauthenticated interop: ${attempts} attempts over ${services.length} services, ` +
  'all refused, none with personal data');
