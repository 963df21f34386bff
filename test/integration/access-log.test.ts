// The access log through the real path: `snetd serve` with a gRPC service behind it, a real client
// in front, one `call` line per call with `log.access: true` (info) and at debug level always.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { startSnetd } from '../harness/run-cli.ts';
import { createTestClient, startTestService, type EchoResponse, type TestService } from '../harness/grpc-test-service.ts';

const signature = Buffer.from('a-signature-that-must-not-be-logged');

function unaryCall(target: string, metadata: Metadata): Promise<EchoResponse> {
  const client = createTestClient(target);
  return new Promise<EchoResponse>((resolve, reject) => {
    (client['unary'] as unknown as (r: object, m: Metadata, cb: (e: ServiceError | null, v: EchoResponse) => void) => void)({ text: 'hello' }, metadata, (error, value) =>
      error === null ? resolve(value) : reject(error),
    );
  }).finally(() => client.close());
}

/** Starts serve with `log` settings, makes one call with payment headers, returns the JSON log lines. */
async function callThroughDaemon(dir: string, service: TestService, log: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
  const path = join(dir, `config-${Object.keys(log).join('-')}-${String(log['level'])}.json`);
  writeFileSync(path, JSON.stringify({ blockchain_enabled: false, daemon_endpoint: '127.0.0.1:0', service_endpoint: `http://127.0.0.1:${service.port}`, log: { formatter: { type: 'json' }, output: { type: ['stdout'] }, ...log } }));
  const daemon = startSnetd(['-c', path, 'serve']);
  try {
    const [, port] = await daemon.waitFor(/(?=[^\n]*successfully started)[^\n]*?"127\.0\.0\.1:(\d+)"/);
    const metadata = new Metadata();
    metadata.set('snet-payment-type', 'escrow');
    metadata.set('snet-payment-channel-id', '7');
    metadata.set('snet-payment-channel-signature-bin', signature);
    await unaryCall(`127.0.0.1:${port}`, metadata);
    await daemon.stop();
    return daemon
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } finally {
    await daemon.stop();
  }
}

describe('access log', () => {
  let dir: string;
  let service: TestService;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-access-'));
    service = await startTestService();
  });
  after(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('behavior: log.access writes one info line per call with method, payment, status, times and bytes, and no secret', async () => {
    const lines = await callThroughDaemon(dir, service, { access: true });
    const calls = lines.filter((line) => line['msg'] === 'call');
    assert.equal(calls.length, 1, JSON.stringify(lines));
    const call = calls[0] ?? {};
    assert.equal(call['level'], 'INFO');
    assert.equal(call['method'], '/snet.test.TestService/Unary');
    assert.equal(call['payment'], 'escrow');
    assert.equal(call['channel'], '7');
    assert.equal(call['status'], 0);
    assert.ok(typeof call['daemonMs'] === 'number' && call['daemonMs'] >= 0);
    assert.ok(typeof call['serviceMs'] === 'number' && call['serviceMs'] > 0);
    assert.ok((call['bytesIn'] as number) > 5 && (call['bytesOut'] as number) > 5, JSON.stringify(call));
    const text = JSON.stringify(lines);
    assert.ok(!text.includes(signature.toString('base64')) && !text.includes('a-signature'), 'the payment signature is never logged');
  });

  it('behavior: off by default at info level; at debug level the line is written at debug', async () => {
    const quiet = await callThroughDaemon(dir, service, { level: 'info' });
    assert.equal(quiet.filter((line) => line['msg'] === 'call').length, 0);
    const debug = await callThroughDaemon(dir, service, { level: 'debug' });
    const calls = debug.filter((line) => line['msg'] === 'call');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.['level'], 'DEBUG');
  });
});
