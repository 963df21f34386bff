// `snetd serve` as a service owner runs it: the real executable, a config file with secrets,
// a real gRPC service behind it and a real gRPC client in front.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { startSnetd, type RunningCli } from '../harness/run-cli.ts';
import { createTestClient, startTestService, type EchoResponse, type TestService } from '../harness/grpc-test-service.ts';

// Secrets that must never appear in any output.
const freeCallKey = 'a1'.repeat(32);
const meteringKey = 'b2'.repeat(32);
const tokenSecret = 'this-is-a-private-token-secret-of-more-than-32-bytes';
const rpcApiKey = '0123456789abcdef0123456789abcdef';

function unaryCall(client: ReturnType<typeof createTestClient>, request: object, metadata = new Metadata()): Promise<EchoResponse> {
  return new Promise((resolve, reject) => {
    (client['unary'] as unknown as (r: object, m: Metadata, cb: (e: ServiceError | null, v: EchoResponse) => void) => void)(request, metadata, (error, value) =>
      error === null ? resolve(value) : reject(error),
    );
  });
}

describe('snetd serve (blockchain disabled)', () => {
  let dir: string;
  let service: TestService;
  let daemon: RunningCli;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-serve-'));
    service = await startTestService();
    writeFileSync(
      join(dir, 'snetd.config.json'),
      JSON.stringify({
        blockchain_enabled: false,
        daemon_endpoint: '127.0.0.1:0',
        service_endpoint: `http://127.0.0.1:${service.port}`,
        // An explicit probe type: with none configured the heartbeat says Warning (docs/operations.md).
        service_heartbeat_type: 'tcp',
        organization_id: 'test-org',
        service_id: 'test-service',
        private_key_for_free_calls: freeCallKey,
        pvt_key_for_metering: meteringKey,
        token_secret_key: tokenSecret,
        ethereum_json_rpc_http_endpoint: `https://sepolia.infura.io/v3/${rpcApiKey}`,
        log: {
          level: 'debug',
          formatter: { type: 'json' },
          output: { type: ['file', 'stdout', 'stderr'], file_pattern: join(dir, 'snetd.%Y%m%d.log'), current_link: join(dir, 'snetd.log') },
        },
      }),
    );
    daemon = startSnetd(['serve'], { cwd: dir });
    const [, boundPort] = await daemon.waitFor(/(?=[^\n]*successfully started)[^\n]*?"127\.0\.0\.1:(\d+)"/);
    port = Number(boundPort);
  });

  after(async () => {
    await daemon.stop();
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('behavior: proxies a unary gRPC call to the service and back', async () => {
    const client = createTestClient(`127.0.0.1:${port}`);
    try {
      const response = await unaryCall(client, { text: 'hello' });
      assert.equal(response.text, 'hello');
    } finally {
      client.close();
    }
  });

  it('behavior: /heartbeat answers JSON and /encoding the encoding', async () => {
    const heartbeat = await fetch(`http://127.0.0.1:${port}/heartbeat`);
    assert.equal(heartbeat.status, 200);
    assert.match(heartbeat.headers.get('content-type') ?? '', /application\/json/);
    const body = (await heartbeat.json()) as { status: string; blockchainEnabled: boolean };
    assert.equal(body.status, 'Online');
    assert.equal(body.blockchainEnabled, false);
    const encoding = await fetch(`http://127.0.0.1:${port}/encoding`);
    assert.equal(await encoding.text(), 'proto\n');
  });

  it('behavior: no secret from the config reaches stdout, stderr or the log file', async () => {
    // The startup logs the whole effective configuration at info and the deprecated-key warning.
    await daemon.waitFor(/Final configuration/);
    const files = readdirSync(dir).filter((name) => name.startsWith('snetd.') && name.endsWith('.log'));
    assert.ok(files.length > 0, 'a log file was written');
    const everything = daemon.output() + files.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
    assert.match(everything, /pvt_key_for_metering/, 'the deprecated key is named in a warning');
    for (const secret of [freeCallKey, meteringKey, tokenSecret, rpcApiKey]) {
      assert.ok(!everything.includes(secret), `secret ${secret.slice(0, 6)}… leaked into the output`);
    }
  });

  it('behavior: SIGTERM stops the daemon gracefully with exit code 0', async () => {
    const code = await daemon.stop();
    assert.equal(code, 0);
  });
});
