// Interop (issue 22, item 4): a request the server cannot parse — a string that is not
// UTF-8, a message cut short — is answered INVALID_ARGUMENT with a message saying what to
// do, before any handler runs, and is counted and logged like every other call (before,
// gRPC answered INTERNAL with an empty message and nothing saw it). The bytes are sent as
// they are, past grpc-js's own encoding.
import assert from 'node:assert/strict';
import { connect, errorDetails, grpc, mintToken } from './client.mjs';

const VC = 'SE2321000131-E000000000001';
const nurse = { unit: VC, principal: 'REGION', user: 'nurse-1' };
const services = {
  plan: ['sip/plan/v1/plan.proto', 'sip.plan.v1.PlanService', '/sip.plan.v1.PlanService/GetPlan'],
  consent: ['sip/consent/v1/consent.proto', 'sip.consent.v1.ConsentService',
    '/sip.consent.v1.ConsentService/GetConsent'],
};

// Field 1 (name), a string of bytes that are not UTF-8; and a length that runs past the
// end of the message.
const bodies = {
  'invalid UTF-8': Buffer.from([0x0a, 0x04, 0x70, 0x6c, 0xff, 0xfe]),
  truncated: Buffer.from([0x0a, 0x20, 0x70, 0x6c, 0x61]),
};

const metric = async (address, method, code) => {
  const text = await (await fetch(`http://${address}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('grpc_server_handled_total{') &&
    l.includes(`grpc_method="${method}"`) && l.includes(`grpc_code="${code}"`));
  return line ? Number(line.split(' ').pop()) : 0;
};

const unary = (client, path, body) => new Promise((resolve) => {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${mintToken(nurse)}`);
  client.makeUnaryRequest(path, (b) => b, (b) => b, body, md, { deadline: Date.now() + 10000 },
    (err, res) => resolve(err ?? res));
});

for (const [name, [file, service, path]] of Object.entries(services)) {
  const { client } = connect(file, service, process.env[`SIP_${name.toUpperCase()}_ADDRESS`], nurse);
  const metrics = process.env[`SIP_${name.toUpperCase()}_METRICS_ADDRESS`];
  const method = path.split('/').pop();
  const before = await metric(metrics, method, 'InvalidArgument');
  for (const [what, body] of Object.entries(bodies)) {
    const err = await unary(client, path, body);
    assert.equal(err.code, grpc.status.INVALID_ARGUMENT, `${name} ${what}: ${err.code} ${err.details}`);
    assert.match(err.details, /could not be parsed/, `${name} ${what}: ${err.details}`);
    assert.equal(errorDetails(err).reason, 'REQUEST_UNPARSABLE', `${name} ${what}`);
  }
  const after = await metric(metrics, method, 'InvalidArgument');
  assert.equal(after - before, Object.keys(bodies).length, `${name}: counted`);
}
console.log('unparsable interop: OK');
