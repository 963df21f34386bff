// The etcd backend and the local etcd supervisor against a real etcd 3.4 member (Debian etcd-server).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  createEtcdServerSupervisor,
  createEtcdStore,
  createLmdbStore,
  createPrefixedStore,
  exportStore,
  importStore,
} from '../../src/storage/index.ts';
import type { AtomicStore } from '../../src/storage/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { isSnetError } from '../../src/errors/index.ts';
import { runAtomicStoreContract } from '../../src/storage/testing/atomic-store-contract.ts';
import { findFreePort, startEtcd } from '../harness/etcd.ts';
import type { TestEtcd } from '../harness/etcd.ts';

let etcd: TestEtcd | undefined;
let runId = 0;
const logger = createSilentLogger();
const endpoint = (): string => {
  assert.ok(etcd !== undefined, 'etcd was not started');
  return etcd.endpoint;
};
const openStore = (): Promise<AtomicStore> => createEtcdStore({ endpoints: [endpoint()], requestTimeoutMs: 5000, logger });
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string => new TextDecoder().decode(value);

before(async () => {
  etcd = await startEtcd({ name: 'storage-it' });
});
after(async () => {
  await etcd?.stop();
});

runAtomicStoreContract({
  name: 'etcd',
  create: async () => {
    const store = await openStore();
    // Each test gets its own key space of the shared member.
    return { store: createPrefixedStore(store, `contract-${process.pid}-${runId++}/`), close: () => store.close() };
  },
  lockTtlMs: 1000,
  lockExpiryBoundMs: 15_000,
});

describe('etcd store with two replicas', () => {
  it('behavior: concurrent CAS increments from two clients on one key lose and duplicate nothing', async () => {
    const replicas = [await openStore(), await openStore()];
    const key = `replicas-${process.pid}/counter`;
    try {
      assert.equal(await replicas[0]?.putIfAbsent(key, bytes('0')), true);
      const winners: number[] = [];
      let conflicts = 0;
      // 2 replicas × 12 concurrent callers × 4 increments; a caller re-reads after a lost race.
      const caller = async (store: AtomicStore): Promise<void> => {
        for (let done = 0; done < 4; ) {
          const seen = await store.get(key);
          const next = Number(text(seen)) + 1;
          if (await store.compareAndSwap(key, seen, bytes(String(next)))) {
            winners.push(next);
            done++;
          } else {
            conflicts++;
          }
        }
      };
      await Promise.all(replicas.flatMap((store) => Array.from({ length: 12 }, () => caller(store))));
      const final = Number(text(await replicas[1]?.get(key)));
      assert.equal(final, 2 * 12 * 4);
      assert.equal(winners.length, final, 'one successful CAS per increment');
      assert.deepEqual(
        [...winners].sort((a, b) => a - b),
        Array.from({ length: final }, (_, i) => i + 1),
        'every value was written by exactly one CAS',
      );
      assert.ok(conflicts >= 0);
    } finally {
      await Promise.all(replicas.map((store) => store.close()));
    }
  });

  it('behavior: of concurrent putIfAbsent calls from both replicas exactly one wins', async () => {
    const replicas = [await openStore(), await openStore()];
    const key = `replicas-${process.pid}/claim`;
    try {
      const results = await Promise.all(
        replicas.flatMap((store, r) => Array.from({ length: 10 }, (_, i) => store.putIfAbsent(key, bytes(`${r}-${i}`)))),
      );
      assert.equal(results.filter(Boolean).length, 1);
    } finally {
      await Promise.all(replicas.map((store) => store.close()));
    }
  });

  it('behavior: a lock whose holder died without releasing frees itself after the lease TTL', async () => {
    const crashed = await openStore();
    const survivor = await openStore();
    const key = `replicas-${process.pid}/lock/{ID: 7}`;
    try {
      const held = await crashed.acquireLock(key, 1000);
      assert.ok(held !== undefined);
      await crashed.close(); // no release: the lease is left to expire, as after kill -9
      assert.equal(await survivor.acquireLock(key, 30_000), undefined, 'still held right after the crash');
      const deadline = Date.now() + 15_000;
      let taken = await survivor.acquireLock(key, 30_000);
      while (taken === undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        taken = await survivor.acquireLock(key, 30_000);
      }
      assert.ok(taken !== undefined, 'the lock was not freed within 15 s');
      assert.equal(await taken.release(), true);
    } finally {
      await survivor.close();
    }
  });
});

describe('createEtcdStore() start-up', () => {
  it('error: an unreachable endpoint fails the start with STORAGE_UNAVAILABLE naming it', async () => {
    const deadPort = await findFreePort();
    const dead = `http://127.0.0.1:${deadPort}`;
    await assert.rejects(
      createEtcdStore({ endpoints: [endpoint(), dead], dialTimeoutMs: 500, requestTimeoutMs: 500, logger }),
      (error: unknown) => {
        assert.ok(isSnetError(error, 'STORAGE_UNAVAILABLE'));
        assert.match(error.message, new RegExp(`etcd endpoint http://127\\.0\\.0\\.1:${deadPort} is not healthy`));
        assert.ok(error.hint !== undefined);
        return true;
      },
    );
  });

  it('error: mixed http and https endpoints are refused', async () => {
    await assert.rejects(createEtcdStore({ endpoints: ['http://127.0.0.1:1', 'https://127.0.0.1:2'], logger }), {
      code: 'STORAGE_UNAVAILABLE',
    });
  });

  it('error: unreadable TLS files fail with STORAGE_TLS_INVALID', async () => {
    await assert.rejects(
      createEtcdStore({ endpoints: ['https://127.0.0.1:1'], tls: { caFile: '/nonexistent/ca.pem' }, logger }),
      { code: 'STORAGE_TLS_INVALID' },
    );
  });
});

describe('createEtcdServerSupervisor()', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const baseOptions = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snetd-etcd-sup-'));
    dirs.push(dir);
    const peerUrl = `http://127.0.0.1:${await findFreePort()}`;
    return {
      name: 'sup',
      dataDir: join(dir, 'data'),
      clientUrl: `http://127.0.0.1:${await findFreePort()}`,
      peerUrl,
      initialCluster: `sup=${peerUrl}`,
      token: 'sup-token',
      logDir: dir,
      startupTimeoutMs: 20_000,
      logger,
    };
  };

  it('error: a missing etcd binary fails with STORAGE_ETCD_NOT_INSTALLED and the install hint', async () => {
    const supervisor = createEtcdServerSupervisor({ ...(await baseOptions()), etcdBinary: '/nonexistent/etcd' });
    await assert.rejects(supervisor.start(), (error: unknown) => {
      assert.ok(isSnetError(error, 'STORAGE_ETCD_NOT_INSTALLED'));
      assert.match(error.hint ?? '', /apt-get install etcd-server/);
      return true;
    });
    assert.equal(supervisor.pid, undefined);
  });

  it('error: a client port in use fails with STORAGE_SERVER_FAILED quoting the etcd log', async () => {
    // A foreign server holds the port; it accepts the health probes but never answers them.
    const blocker = createServer();
    const sockets = new Set<Socket>();
    blocker.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const address = blocker.address();
    assert.ok(address !== null && typeof address !== 'string');
    try {
      const options = await baseOptions();
      const supervisor = createEtcdServerSupervisor({ ...options, clientUrl: `http://127.0.0.1:${address.port}` });
      await assert.rejects(supervisor.start(), (error: unknown) => {
        assert.ok(isSnetError(error, 'STORAGE_SERVER_FAILED'));
        assert.match(error.message, /exited during start-up/);
        assert.match(error.message, /address already in use/);
        return true;
      });
      assert.equal(supervisor.pid, undefined);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => blocker.close(() => done()));
    }
  });

  it('behavior: a member killed with SIGKILL is reported, not restarted, and keeps acknowledged writes', async () => {
    let reported: (exit: { code: number | null; signal: NodeJS.Signals | null }) => void = () => undefined;
    const exitReported = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => (reported = done));
    const options = await baseOptions();
    const supervisor = createEtcdServerSupervisor({ ...options, onUnexpectedExit: (exit) => reported(exit) });
    await supervisor.start();
    const pid = supervisor.pid;
    assert.ok(pid !== undefined);
    const restarted = createEtcdServerSupervisor(options);
    try {
      const store = await createEtcdStore({ endpoints: [options.clientUrl], logger });
      const acknowledged = await Promise.all(Array.from({ length: 50 }, (_, i) => store.putIfAbsent(`paid/${i}`, bytes(String(i)))));
      assert.ok(acknowledged.every(Boolean));
      process.kill(pid, 'SIGKILL');
      assert.deepEqual(await exitReported, { code: null, signal: 'SIGKILL' });
      assert.equal(supervisor.pid, undefined);
      await store.close();
      await restarted.start();
      const reopened = await createEtcdStore({ endpoints: [options.clientUrl], logger });
      assert.equal((await reopened.getByPrefix('paid/')).length, 50, 'every acknowledged write survived kill -9');
      await reopened.close();
    } finally {
      await supervisor.stop();
      await restarted.stop();
    }
  });

  it('behavior: data survives a member restart; a store reports STORAGE_UNAVAILABLE while it is down and recovers', async () => {
    const options = await baseOptions();
    const first = createEtcdServerSupervisor(options);
    await first.start();
    const pid = first.pid;
    assert.ok(pid !== undefined);
    const store = await createEtcdStore({ endpoints: [options.clientUrl], requestTimeoutMs: 1000, logger });
    const second = createEtcdServerSupervisor(options);
    try {
      await store.put('persist', bytes('yes'));
      await first.stop();
      assert.equal(first.pid, undefined);
      assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the member process is gone');
      await assert.rejects(store.compareAndSwap('persist', bytes('yes'), bytes('no')), (error: unknown) => {
        assert.ok(isSnetError(error) && (error.code === 'STORAGE_UNAVAILABLE' || error.code === 'STORAGE_TIMEOUT'), String(error));
        assert.match(error.message, /may or may not have been applied/);
        return true;
      });
      await second.start();
      // The same client reconnects by itself (grpc backoff, etcd3 circuit breaker): poll with a bound.
      const deadline = Date.now() + 30_000;
      let value: string | undefined;
      while (value === undefined && Date.now() < deadline) {
        value = await store.get('persist').then(
          (found) => text(found),
          () => undefined,
        );
        if (value === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(value, 'yes');
    } finally {
      await store.close();
      await second.stop();
    }
  });
});

describe('export / import between LMDB and etcd', () => {
  it('behavior: LMDB → file → etcd → file → LMDB keeps every key and byte, and no lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snetd-migrate-'));
    const prefix = `migrate-${process.pid}/sepolia/org/G+/=/0xMPE//payment-channel/storage/`;
    const lmdb = createLmdbStore({ path: join(dir, 'source.mdb'), logger });
    const etcdStore = await openStore();
    const back = createLmdbStore({ path: join(dir, 'back.mdb'), logger });
    try {
      const expected = new Map<string, Uint8Array>();
      for (let id = 0; id < 50; id++) {
        const value = new Uint8Array(Buffer.from(JSON.stringify({ v: 1, nonce: String(id), amount: String(10n ** 20n + BigInt(id)) })));
        expected.set(`${prefix}{ID: ${id}}`, value);
        await lmdb.put(`${prefix}{ID: ${id}}`, value);
      }
      expected.set(`${prefix}binary`, new Uint8Array([0, 1, 254, 255]));
      await lmdb.put(`${prefix}binary`, new Uint8Array([0, 1, 254, 255]));
      await lmdb.acquireLock(`${prefix}lock/{ID: 1}`, 60_000);

      const first = join(dir, 'first.jsonl');
      const out = createWriteStream(first);
      assert.deepEqual(await exportStore(lmdb, prefix, out), { exported: 51, skippedLocks: 1 });
      out.end();
      await finished(out);
      assert.deepEqual(await importStore(etcdStore, createReadStream(first)), { imported: 51, unchanged: 0, overwritten: [] });

      const second = join(dir, 'second.jsonl');
      const out2 = createWriteStream(second);
      assert.equal((await exportStore(etcdStore, prefix, out2)).exported, 51);
      out2.end();
      await finished(out2);
      await importStore(back, createReadStream(second));

      for (const store of [etcdStore, back]) {
        const entries = await store.getByPrefix(prefix);
        assert.equal(entries.length, expected.size);
        for (const entry of entries) assert.deepEqual(entry.value, expected.get(entry.key), entry.key);
      }
    } finally {
      await Promise.all([lmdb.close(), etcdStore.close(), back.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('etcd over mutual TLS', () => {
  let dir: string | undefined;
  let member: ChildProcess | undefined;
  let tlsEndpoint = '';
  const file = (name: string): string => join(dir ?? '', name);

  before(async () => {
    execFileSync('bash', [resolve(import.meta.dirname, '../../scripts/ensure-system-packages.sh'), 'openssl', 'etcd-server']);
    dir = mkdtempSync(join(tmpdir(), 'snetd-etcd-tls-'));
    const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=snetd-test-ca');
    writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
    for (const name of ['server', 'client', 'stranger']) {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
      const [caCert, caKey] = name === 'stranger' ? ['stranger-ca.pem', 'stranger-ca.key'] : ['ca.pem', 'ca.key'];
      if (name === 'stranger') {
        openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '2', '-subj', '/CN=other-ca');
      }
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', 'san.ext');
    }
    const clientPort = await findFreePort();
    const peerPort = await findFreePort();
    tlsEndpoint = `https://127.0.0.1:${clientPort}`;
    member = spawn(
      '/usr/bin/etcd',
      [
        '--name', 'tls', '--data-dir', file('data'),
        '--listen-client-urls', tlsEndpoint, '--advertise-client-urls', tlsEndpoint,
        '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
        '--initial-cluster', `tls=http://127.0.0.1:${peerPort}`,
        '--cert-file', file('server.pem'), '--key-file', file('server.key'),
        '--trusted-ca-file', file('ca.pem'), '--client-cert-auth',
        '--logger', 'zap', '--log-outputs', 'stderr',
      ],
      { stdio: 'ignore' },
    );
  });
  after(async () => {
    if (member !== undefined && member.exitCode === null && member.signalCode === null) {
      const exited = once(member, 'exit');
      member.kill('SIGTERM');
      await exited;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const tls = () => ({ caFile: file('ca.pem'), certFile: file('client.pem'), keyFile: file('client.key') });

  it('behavior: connects with the payment_channel_*_path files and performs CAS', async () => {
    // The member needs a moment to listen; retry the start-up probe with a bound.
    const deadline = Date.now() + 20_000;
    let store: AtomicStore | undefined;
    while (store === undefined) {
      try {
        store = await createEtcdStore({ endpoints: [tlsEndpoint], tls: tls(), dialTimeoutMs: 1000, requestTimeoutMs: 1000, logger });
      } catch (error) {
        if (Date.now() > deadline || member?.exitCode !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    try {
      assert.equal(await store.putIfAbsent('tls/k', bytes('1')), true);
      assert.equal(await store.compareAndSwap('tls/k', bytes('1'), bytes('2')), true);
      assert.equal(text(await store.get('tls/k')), '2');
    } finally {
      await store.close();
    }
  });

  it('error: a client certificate from another CA is refused at start-up with STORAGE_UNAVAILABLE', async () => {
    await assert.rejects(
      createEtcdStore({
        endpoints: [tlsEndpoint],
        tls: { caFile: file('ca.pem'), certFile: file('stranger.pem'), keyFile: file('stranger.key') },
        dialTimeoutMs: 1000,
        requestTimeoutMs: 1000,
        logger,
      }),
      { code: 'STORAGE_UNAVAILABLE' },
    );
  });

  it('error: a certificate without its key is refused with STORAGE_TLS_INVALID', async () => {
    await assert.rejects(
      createEtcdStore({ endpoints: [tlsEndpoint], tls: { caFile: file('ca.pem'), certFile: file('client.pem') }, logger }),
      { code: 'STORAGE_TLS_INVALID' },
    );
  });
});
