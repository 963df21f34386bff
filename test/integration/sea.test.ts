// The single-file release (`npm run build:sea`): built into a temporary folder, then started from an
// empty folder with no Node and no npm on PATH: `version`, `init`, `config`, and `serve` with the
// blockchain off in front of a real gRPC service, one call through it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSea } from '../../scripts/build-sea.ts';
import { runSnetdWith } from '../harness/run-cli.ts';
import { startTestService, type TestService } from '../harness/grpc-test-service.ts';
import { assertInitConfigServe } from '../harness/init-config-serve.ts';

// Bundling, copying ~50 MB of packages and injecting into a 126 MB binary: ~40 s on a busy 2-core machine.
describe('single-file release', { timeout: 300_000 }, () => {
  let dir: string;
  let snetd: string;
  let service: TestService;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-sea-'));
    snetd = (await buildSea(join(dir, 'out'))).executable;
    service = await startTestService();
  }, { timeout: 240_000 });

  after(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('behavior: the executable runs `version`, `init`, `config` and `serve` from an empty folder without Node on PATH', async () => {
    const folder = join(dir, 'empty');
    const emptyPath = join(dir, 'no-node');
    mkdirSync(folder);
    mkdirSync(emptyPath);
    const env = { PATH: emptyPath, SNET_BLOCKCHAIN_ENABLED: 'false', SNET_SERVICE_ENDPOINT: `http://127.0.0.1:${service.port}`, SNET_DAEMON_ENDPOINT: '127.0.0.1:0', SNET_LOG__OUTPUT__TYPE: 'stdout' };
    const version = await runSnetdWith(snetd, ['version', '--json'], { cwd: folder, env });
    assert.equal(version.code, 0, version.stderr);
    const { version: packageVersion } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal((JSON.parse(version.stdout) as { version: string }).version, packageVersion);
    assert.match(version.stdout, /"node":"v24\./);
    await assertInitConfigServe(snetd, folder, env, 'single file');
  });
});
