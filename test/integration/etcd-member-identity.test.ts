// The local etcd supervisor accepts only its own member on its client URL (real etcd 3.4 members,
// Debian etcd-server). Another etcd on that URL (Debian's on 2379, another test's member on a "free"
// port) must never become the daemon's channel store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEtcdServerSupervisor, createEtcdStore } from '../../src/storage/index.ts';
import type { EtcdServerSupervisor, EtcdServerSupervisorOptions } from '../../src/storage/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { isSnetError } from '../../src/errors/index.ts';
import { ensureEtcdInstalled, startEtcd } from '../harness/etcd.ts';
import { freePort, isProcessAlive } from '../harness/ports.ts';

const logger = createSilentLogger();
const dirs: string[] = [];
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);
const text = (value: Uint8Array | undefined): string => new TextDecoder().decode(value);

async function memberOptions(name: string, clientUrl?: string): Promise<EtcdServerSupervisorOptions> {
  const dir = mkdtempSync(join(tmpdir(), 'snetd-etcd-identity-'));
  dirs.push(dir);
  const peerUrl = `http://127.0.0.1:${await freePort()}`;
  return {
    name,
    dataDir: join(dir, 'data'),
    clientUrl: clientUrl ?? `http://127.0.0.1:${await freePort()}`,
    peerUrl,
    initialCluster: `${name}=${peerUrl}`,
    token: `token-${name}`,
    logDir: dir,
    startupTimeoutMs: 20_000,
    logger,
  };
}

/** PIDs of running processes whose argv holds `--name <name>` (etcd members of that name). */
function pidsOfMember(name: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const at = argv.indexOf('--name');
      if (at >= 0 && argv[at + 1] === name) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** A stand-in etcd binary: records its PID, resumes the frozen member `resumePid`, then runs `then`. */
function wrapperBinary(dir: string, resumePid: number, then: string): { binary: string; pidFile: string } {
  const pidFile = join(dir, 'child.pid');
  const binary = join(dir, 'etcd-wrapper.sh');
  writeFileSync(binary, `#!/bin/sh\necho $$ > '${pidFile}'\nkill -CONT ${String(resumePid)}\nexec ${then}\n`, { mode: 0o755 });
  return { binary, pidFile };
}

async function memberList(clientUrl: string): Promise<{ header: { member_id: string }; members: { ID: string; name: string }[] }> {
  const response = await fetch(new URL('/v3/cluster/member/list', clientUrl), { method: 'POST', body: '{}' });
  assert.equal(response.status, 200);
  return (await response.json()) as { header: { member_id: string }; members: { ID: string; name: string }[] };
}

describe('createEtcdServerSupervisor(): the member answering is the one it started', () => {
  let a: EtcdServerSupervisor;
  let aOptions: EtcdServerSupervisorOptions;
  let aPid: number;
  let aId: string;

  before(async () => {
    ensureEtcdInstalled();
    aOptions = await memberOptions('identity-a');
    a = createEtcdServerSupervisor(aOptions);
    await a.start();
    assert.ok(a.pid !== undefined);
    aPid = a.pid;
    const store = await createEtcdStore({ endpoints: [aOptions.clientUrl], logger });
    await store.put('a/owned', bytes('by-a'));
    await store.close();
    aId = (await memberList(aOptions.clientUrl)).header.member_id;
  });

  after(async () => {
    if (isProcessAlive(aPid)) process.kill(aPid, 'SIGCONT');
    await a.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Member A still runs as the same process, answers as itself and keeps its data. */
  async function assertAUntouched(): Promise<void> {
    assert.equal(a.pid, aPid);
    assert.ok(isProcessAlive(aPid));
    const list = await memberList(aOptions.clientUrl);
    assert.equal(list.header.member_id, aId);
    assert.deepEqual(list.members.map((member) => member.name), ['identity-a']);
    const store = await createEtcdStore({ endpoints: [aOptions.clientUrl], logger });
    try {
      assert.equal(text(await store.get('a/owned')), 'by-a');
      assert.deepEqual((await store.getByPrefix('')).map((entry) => entry.key), ['a/owned']);
    } finally {
      await store.close();
    }
  }

  it('behavior: a member on free ports starts, answers as itself and is stopped by PID', async () => {
    const options = await memberOptions('identity-c');
    const c = createEtcdServerSupervisor(options);
    await c.start();
    const pid = c.pid;
    assert.ok(pid !== undefined && isProcessAlive(pid));
    const list = await memberList(options.clientUrl);
    assert.deepEqual(list.members.find((member) => member.ID === list.header.member_id)?.name, 'identity-c');
    await c.stop();
    assert.equal(c.pid, undefined);
    assert.equal(isProcessAlive(pid), false);
  });

  it("error: a member configured with another etcd's client URL is refused with STORAGE_SERVER_FOREIGN_ETCD; nothing is started", async () => {
    const options = await memberOptions('identity-b', aOptions.clientUrl);
    const b = createEtcdServerSupervisor(options);
    try {
      await assert.rejects(b.start(), (error: unknown) => {
        assert.ok(isSnetError(error, 'STORAGE_SERVER_FOREIGN_ETCD'), String(error));
        assert.equal(
          error.message,
          `${aOptions.clientUrl} is served by another etcd: member "identity-a" (id ${aId}, peer URLs ${aOptions.peerUrl}), ` +
            `not the local member "identity-b" (peer URL ${options.peerUrl}) of payment_channel_storage_server; the local member was not started.`,
        );
        assert.match(error.hint ?? '', /client_port and peer_port to free ports/);
        assert.match(error.hint ?? '', /stop the other etcd/);
        assert.match(error.hint ?? '', new RegExp(`list ${aOptions.clientUrl} in payment_channel_storage_client\\.endpoints`));
        assert.deepEqual(error.details?.['foreignMember'], {
          id: aId,
          name: 'identity-a',
          peerUrls: [aOptions.peerUrl],
          clientUrls: [aOptions.clientUrl],
        });
        return true;
      });
    } finally {
      await b.stop(); // a regression that accepts B must not leave its child running
    }
    assert.equal(b.pid, undefined);
    assert.deepEqual(pidsOfMember('identity-b'), [], 'no etcd named identity-b runs');
    assert.equal(existsSync(options.dataDir), false, 'no data_dir was created');
    await assertAUntouched();
  });

  it('error: a copy of the same member (same name and peer URL) that this supervisor did not start is refused', async () => {
    const b = createEtcdServerSupervisor({ ...aOptions, dataDir: join(aOptions.logDir, 'copy-data') });
    try {
      await assert.rejects(b.start(), (error: unknown) => {
        assert.ok(isSnetError(error, 'STORAGE_SERVER_FOREIGN_ETCD'), String(error));
        assert.equal(
          error.message,
          `${aOptions.clientUrl} is already served by an etcd this daemon did not start: member "identity-a" (id ${aId}, ` +
            `peer URLs ${aOptions.peerUrl}) has the name and peer URL of the local member of payment_channel_storage_server; ` +
            'the local member was not started.',
        );
        assert.match(error.hint ?? '', /left running by an earlier daemon/);
        return true;
      });
    } finally {
      await b.stop(); // a regression that accepts B must not leave its child running
    }
    assert.equal(b.pid, undefined);
    assert.deepEqual(pidsOfMember('identity-a'), [aPid], 'only A runs under its name');
    await assertAUntouched();
  });

  /**
   * Starts member `name` on A's client URL through a stand-in binary that resumes A (frozen for B's pre-start
   * check) and then runs `then`; B's start must be refused as `check` says. Returns the PID B's child had, once
   * B was stopped, after checking that child is gone and A is untouched.
   */
  async function refusedBesideA(name: string, then: string, check: (error: Error & { message: string }, b: EtcdServerSupervisor, options: EtcdServerSupervisorOptions) => void): Promise<number> {
    const options = await memberOptions(name, aOptions.clientUrl);
    const { binary, pidFile } = wrapperBinary(options.logDir, aPid, then);
    const b = createEtcdServerSupervisor({ ...options, etcdBinary: binary });
    process.kill(aPid, 'SIGSTOP');
    try {
      await assert.rejects(b.start(), (error: unknown) => {
        assert.ok(isSnetError(error, 'STORAGE_SERVER_FOREIGN_ETCD'), String(error));
        check(error, b, options);
        return true;
      });
    } finally {
      await b.stop(); // a regression that accepts B must not leave its child running
    }
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(childPid > 0);
    assert.equal(isProcessAlive(childPid), false, `our child ${String(childPid)} was stopped`);
    assert.equal(b.pid, undefined);
    await assertAUntouched();
    return childPid;
  }

  it('error: another etcd that starts answering after the pre-start check is refused, and our still-running child is stopped by PID', async () => {
    // A is frozen during B's pre-start check (the probe times out), and the stand-in binary resumes it
    // and stays alive: a child that has not bound its ports yet while another etcd answers.
    await refusedBesideA('identity-b2', 'sleep 600', (error, b, options) => {
      assert.equal(
        error.message,
        `${aOptions.clientUrl} is served by another etcd: member "identity-a" (id ${aId}, peer URLs ${aOptions.peerUrl}), ` +
          `not the local member "identity-b2" (peer URL ${options.peerUrl}) of payment_channel_storage_server; ` +
          `the local member was stopped; its log: ${b.logFile}`,
      );
    });
  });

  it('error: our member dying of "address already in use" while another etcd answers is never accepted', async () => {
    await refusedBesideA('identity-b3', '/usr/bin/etcd "$@"', (error) => {
      // Whether the foreign answer or our child's exit is seen first, the answer names the other etcd.
      assert.match(error.message, /is served by another etcd: member "identity-a"/);
      assert.match(error.message, /the local member (was stopped|exited)/);
    });
    assert.deepEqual(pidsOfMember('identity-b3'), []);
  });

  it('behavior: the test harness starts again on new ports when its ports were taken (by an etcd, or by any listener)', async () => {
    // A listener that accepts and never answers (the harness's probes of it time out).
    const blocker = createServer();
    const sockets = new Set<Socket>();
    blocker.on('connection', (socket) => sockets.add(socket));
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const blockedPort = (blocker.address() as AddressInfo).port;
    const aPort = Number(new URL(aOptions.clientUrl).port);
    // Client ports of the first two attempts: A's (another etcd answers), then the plain listener's.
    const taken = [aPort, blockedPort];
    let picks = 0;
    const pickPort = async (): Promise<number> => (picks++ % 2 === 0 ? taken.shift() : undefined) ?? freePort();
    const etcd = await startEtcd({ name: 'identity-retry', pickPort });
    try {
      assert.deepEqual(taken, [], 'both taken ports were tried');
      assert.ok(!etcd.endpoint.endsWith(`:${String(aPort)}`) && !etcd.endpoint.endsWith(`:${String(blockedPort)}`));
      const list = await memberList(etcd.endpoint);
      assert.equal(list.members.find((member) => member.ID === list.header.member_id)?.name, 'identity-retry');
      assert.deepEqual(pidsOfMember('identity-retry'), [etcd.supervisor.pid], 'failed attempts left no member running');
    } finally {
      await etcd.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => blocker.close(() => done()));
    }
    assert.deepEqual(pidsOfMember('identity-retry'), []);
    await assertAUntouched();
  });

  it('behavior: a daemon killed with -9 leaves its member running; the next start stops that member by PID and starts on the same data', async () => {
    const options = await memberOptions('identity-orphan');
    // The first "daemon": a node process running the supervisor, killed with SIGKILL once its member is healthy.
    const script = [
      `import { createEtcdServerSupervisor } from ${JSON.stringify(new URL('../../src/storage/index.ts', import.meta.url).href)};`,
      `import { createSilentLogger } from ${JSON.stringify(new URL('../../src/shared/index.ts', import.meta.url).href)};`,
      `const s = createEtcdServerSupervisor({ ...JSON.parse(process.argv[1]), logger: createSilentLogger() });`,
      `await s.start();`,
      `process.stdout.write(String(s.pid) + '\\n');`,
      `setInterval(() => {}, 1000);`,
    ].join('\n');
    const { logger: _logger, ...plain } = options;
    const daemon = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(plain)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let orphanPid: number;
    try {
      const exited = once(daemon, 'exit').then(([code]) => {
        throw new Error(`the first daemon exited (code ${String(code)}) before its member was healthy`);
      });
      exited.catch(() => {}); // the kill below ends it too, after the race is decided
      const [line] = (await Promise.race([once(daemon.stdout, 'data'), exited])) as [Buffer];
      orphanPid = Number(line.toString().trim());
      assert.ok(Number.isInteger(orphanPid) && isProcessAlive(orphanPid), `member ${line.toString()}`);
      const store = await createEtcdStore({ endpoints: [options.clientUrl], logger });
      await store.put('orphan/key', bytes('kept'));
      await store.close();
    } finally {
      daemon.kill('SIGKILL');
    }
    await once(daemon, 'exit');
    assert.ok(isProcessAlive(orphanPid), 'the member outlived its daemon');

    const next = createEtcdServerSupervisor(options);
    try {
      await next.start();
      assert.ok(next.pid !== undefined && next.pid !== orphanPid);
      assert.deepEqual(pidsOfMember('identity-orphan'), [next.pid], 'the leftover member was stopped');
      const store = await createEtcdStore({ endpoints: [options.clientUrl], logger });
      try {
        assert.equal(text(await store.get('orphan/key')), 'kept', 'same data dir, same channel state');
      } finally {
        await store.close();
      }
    } finally {
      await next.stop();
      // A regression that does not stop the leftover member must not leave it running after the test.
      if (isProcessAlive(orphanPid)) process.kill(orphanPid, 'SIGKILL');
    }
    assert.deepEqual(pidsOfMember('identity-orphan'), []);
    assert.equal(existsSync(join(options.logDir, 'etcd-identity-orphan.pid')), false, 'the PID file goes with the member');
    await assertAUntouched();
  });
});
