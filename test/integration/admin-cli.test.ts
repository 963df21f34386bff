// `snetd admin` as an operator runs it: the real executable, a key file, a running daemon (in-process,
// blockchain disabled so the signed block is 0) with that key's address in authentication_addresses.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { privateKeyToAddress } from '../../src/blockchain/index.ts';
import { startConfiguredDaemon, type ConfiguredDaemon } from '../harness/configured-daemon.ts';
import { runSnetd } from '../harness/run-cli.ts';

const adminKey = '44'.repeat(32);
const strangerKey = '55'.repeat(32);

describe('snetd admin', () => {
  let dir: string;
  let daemon: ConfiguredDaemon;
  const admin = (args: string[], key = 'admin.key'): ReturnType<typeof runSnetd> =>
    runSnetd(['admin', ...args, '--key-file', join(dir, key), '--daemon', daemon.target, '--set', 'blockchain_enabled=false'], { cwd: dir });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-admin-'));
    writeFileSync(join(dir, 'admin.key'), `${adminKey}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'stranger.key'), strangerKey, { mode: 0o600 });
    daemon = await startConfiguredDaemon({ passthrough_enabled: false, authentication_addresses: privateKeyToAddress(`0x${adminKey}`) });
  });
  after(async () => {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('behavior: status, stop, start, set and get', async () => {
    assert.deepEqual(await admin(['status']).then((r) => [r.code, r.stdout]), [0, 'IDLE\n']);
    assert.deepEqual(await admin(['stop']).then((r) => [r.code, r.stdout]), [0, 'HAS_STOPPED_PROCESSING_REQUESTS\n']);
    assert.deepEqual(await admin(['status']).then((r) => [r.code, r.stdout]), [0, 'HAS_STOPPED_PROCESSING_REQUESTS\n']);
    assert.deepEqual(await admin(['start']).then((r) => [r.code, r.stdout]), [0, 'REQUEST_IN_PROGRESS\n']);
    const set = await admin(['set', 'rate_limit_per_minute=90', 'log.level=debug']);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'rate_limit_per_minute = 90\nlog.level = debug\n');
    const get = await admin(['get']);
    assert.match(get.stdout, /^rate_limit_per_minute = 90$/m);
    assert.match(get.stdout, /^token_secret_key = \[hidden\]$/m);
  });

  it('error: a key that is not an admin, a restart-only key and a missing key file fail with the reason', async () => {
    const stranger = await admin(['stop'], 'stranger.key');
    assert.notEqual(stranger.code, 0);
    assert.match(stranger.stderr, /PERMISSION_DENIED: unauthorized access, 0x[0-9a-fA-F]{40} is not authorized/);
    assert.ok(!stranger.stderr.includes(strangerKey) && !stranger.stdout.includes(strangerKey), 'the key is never printed');
    const restart = await admin(['set', 'daemon_endpoint=127.0.0.1:1']);
    assert.notEqual(restart.code, 0);
    assert.match(restart.stderr, /daemon_endpoint: needs a restart/);
    const missing = await admin(['status'], 'nope.key');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /cannot read the key file/);
  });
});
