// Shared helpers for the interop tests: an independent gRPC client (grpc-js) that loads
// the contracts from the .proto files, never from generated C++.
import { createSign } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const protoRoot = path.resolve(here, '../../proto');

// The development PKI the services were started with (with_services.sh).
const pki = process.env.SIP_PKI_DIR;
const pkiFile = (name) => {
  if (!pki) throw new Error('SIP_PKI_DIR is not set; run through with_services.sh');
  return fs.readFileSync(path.join(pki, name));
};
const b64url = (data) => Buffer.from(data).toString('base64url');

// A user's token as the development identity provider issues it (RS256 with the PKI's
// token.key): `who` is { unit, principal, user, code?, role? }; `claims` overrides or
// adds claims (a value of undefined drops one), `header` the JOSE header, `key` the
// signing key (PEM).
export function mintToken(who, { claims = {}, header = {}, key } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: pkiFile('issuer').toString().trim(),
    aud: 'sip',
    sub: who.user,
    iat: now,
    nbf: now,
    exp: now + 600,
    unit_hsa_id: who.unit,
    unit_principal: who.principal,
    unit_principal_code: who.code ?? { REGION: '14', MUNICIPALITY: '1482' }[who.principal],
    role: who.role ?? 'CARE_PROFESSIONAL',
    ...claims,
  };
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', ...header }))}.` +
    b64url(JSON.stringify(payload));
  const signature = createSign('SHA256').update(input).sign(key ?? pkiFile('token.key'));
  return `${input}.${b64url(signature)}`;
}

// The system's mutual-TLS credentials: the integrating regional system's certificate
// (`system` "client") or a service's ("plan", …) from the PKI in `dir`.
export function systemCredentials(system = 'client', dir = pki) {
  const read = (name) => fs.readFileSync(path.join(dir, name));
  return grpc.credentials.createSsl(pkiFile('ca.pem'), read(`${system}.key`),
    read(`${system}.pem`));
}

// A client of `service` (e.g. "sip.consent.v1.ConsentService") defined in `file`
// (relative to proto/), at `address`, over mutual TLS as `credentials`' system, with
// promise-returning methods that send `caller`'s token (none when it has no unit; a
// caller { authorization } sends that header as it is; `headers` are sent besides);
// `channelOptions` are grpc-js channel options.
export function connect(file, service, address, caller, credentials = systemCredentials(),
  channelOptions = {}) {
  const definition = protoLoader.loadSync(path.join(protoRoot, file), {
    includeDirs: [protoRoot],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition);
  const Ctor = service.split('.').reduce((o, k) => o[k], loaded);
  const client = new Ctor(address, credentials, channelOptions);
  const call = (method, request, who = caller) =>
    new Promise((resolve, reject) => {
      const md = new grpc.Metadata();
      if (who.authorization !== undefined) {
        md.set('authorization', who.authorization);
      } else if (who.unit) {
        md.set('authorization', `Bearer ${mintToken(who)}`);
      }
      for (const [name, value] of Object.entries(who.headers ?? {})) md.set(name, value);
      client[method](request, md, { deadline: Date.now() + 10000 }, (err, res) =>
        err ? reject(err) : resolve(res));
    });
  return { client, call, definition };
}

// The google.rpc.Status details of a failed call: { reason, domain, fields: [..] }.
const rpcRoot = new protobuf.Root().loadSync([
  path.join(protoRoot, 'google/rpc/status.proto'),
  path.join(protoRoot, 'google/rpc/error_details.proto'),
], { keepCase: true });
export function errorDetails(err) {
  const bin = err.metadata?.get('grpc-status-details-bin')?.[0];
  if (!bin) throw new Error(`no grpc-status-details-bin on ${err.code} ${err.details}`);
  const status = rpcRoot.lookupType('google.rpc.Status').decode(bin);
  const out = { reason: '', domain: '', fields: [] };
  for (const any of status.details) {
    const typeName = any.type_url.split('/').pop();
    const decoded = rpcRoot.lookupType(typeName).decode(any.value);
    if (typeName === 'google.rpc.ErrorInfo') {
      out.reason = decoded.reason;
      out.domain = decoded.domain;
    } else if (typeName === 'google.rpc.BadRequest') {
      out.fields = decoded.field_violations.map((v) => v.field);
    }
  }
  return out;
}

// Awaits a call that must fail with `code`; returns the error.
export async function expectError(promise, code) {
  try {
    await promise;
  } catch (err) {
    if (err.code !== code) {
      throw new Error(`expected gRPC code ${code}, got ${err.code}: ${err.details}`);
    }
    return err;
  }
  throw new Error(`expected gRPC code ${code}, but the call succeeded`);
}

export { grpc };
