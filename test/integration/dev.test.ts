// `snetd dev` from a user's point of view: one command brings the network up, `snetd dev call`
// makes a call through the daemon, Ctrl-C stops everything it started.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSnetd, type RunningCli } from '../harness/run-cli.ts';
import { assertTwoPaidDevCalls } from '../harness/dev-calls.ts';
import { freePort, isProcessAlive as isAlive } from '../harness/ports.ts';

describe('snetd dev', () => {
  let dir: string;
  let dev: RunningCli;
  let chainPid: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-dev-'));
    dev = startSnetd(['dev', '--data-dir', join(dir, 'dev'), '--port', String(await freePort())], { cwd: dir });
    const [, pid] = await dev.waitFor(/dev chain started[^\n]*"pid":(\d+)/);
    chainPid = Number(pid);
    await dev.waitFor(/Try a call:/);
  });

  after(async () => {
    await dev.stop();
    if (isAlive(chainPid)) process.kill(chainPid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('behavior: `snetd dev call` makes paid calls through the daemon, one price more each time', async () => {
    await assertTwoPaidDevCalls(join(dir, 'dev'), dir);
  });

  it('behavior: SIGINT stops the daemon and every child process', async () => {
    dev.child.kill('SIGINT');
    const [code] = (await once(dev.child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.equal(isAlive(chainPid), false, 'the dev chain process is gone');
  });
});
