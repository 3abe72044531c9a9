// Shared helpers for the interop tests: an independent gRPC client (grpc-js) that loads
// the contracts from the .proto files, never from generated C++.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const protoRoot = path.resolve(here, '../../proto');

// A client of `service` (e.g. "sip.consent.v1.ConsentService") defined in `file`
// (relative to proto/), at `address`, with promise-returning methods that send the caller
// metadata.
export function connect(file, service, address, caller) {
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
  const client = new Ctor(address, grpc.credentials.createInsecure());
  const call = (method, request, who = caller) =>
    new Promise((resolve, reject) => {
      const md = new grpc.Metadata();
      md.set('x-sip-unit-hsa-id', who.unit);
      md.set('x-sip-unit-principal', who.principal);
      md.set('x-sip-user-id', who.user);
      client[method](request, md, { deadline: Date.now() + 10000 }, (err, res) =>
        err ? reject(err) : resolve(res));
    });
  return { client, call };
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
