// Installing snetd as an operator does on a server: `npm pack` (what CI builds), `npm install -g`
// of the tarball into a prefix, then `snetd` from an empty folder: init, config, serve in front of a
// free gRPC service. npm runs on whatever Node is on PATH (the checkout's node_modules/.bin is left
// out, as on a server); the bin hands over to the Node 24 of the `node` dependency when it must.
//
// Not --offline: npm needs the registry's package documents to place a tarball's dependencies,
// and `npm ci` caches only the tarballs; --prefer-offline takes everything it can from the cache.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { runSnetdWith } from '../harness/run-cli.ts';
import { startTestService, type TestService } from '../harness/grpc-test-service.ts';
import { assertInitConfigServe } from '../harness/init-config-serve.ts';

const run = promisify(execFile);
const repo = new URL('../..', import.meta.url).pathname;

/** The environment of a server shell: PATH without the checkout's node_modules/.bin. */
function serverEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('npm_') && !key.startsWith('SNET_')) env[key] = value;
  env['PATH'] = (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((entry) => !entry.includes('node_modules'))
    .join(delimiter);
  return env;
}

// Packing compiles dist/ and npm places ~480 packages: minutes on a busy 2-core machine.
describe('install from a packed tarball', { timeout: 900_000 }, () => {
  let dir: string;
  let snetd: string;
  let service: TestService;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-install-'));
    const env = serverEnv();
    await run('npm', ['pack', '--pack-destination', dir], { cwd: repo, env, maxBuffer: 64 << 20 });
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball !== undefined, 'npm pack wrote a tarball');
    await run('npm', ['install', '-g', '--prefix', join(dir, 'prefix'), '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)], { env, maxBuffer: 64 << 20 });
    snetd = join(dir, 'prefix', 'bin', 'snetd');
    service = await startTestService();
  }, { timeout: 840_000 });

  after(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('behavior: `snetd init`, `config` and `serve` work from an empty folder', async () => {
    const folder = join(dir, 'empty');
    mkdirSync(folder);
    const env = { ...serverEnv(), SNET_BLOCKCHAIN_ENABLED: 'false', SNET_SERVICE_ENDPOINT: `http://127.0.0.1:${service.port}`, SNET_DAEMON_ENDPOINT: '127.0.0.1:0', SNET_LOG__OUTPUT__TYPE: 'stdout' };
    const version = await runSnetdWith(snetd, ['version', '--json'], { cwd: folder, env });
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /"node":"v24\./, 'the installed snetd runs on Node 24 whatever node is on PATH');
    await assertInitConfigServe(snetd, folder, env, 'installed');
  });
});
