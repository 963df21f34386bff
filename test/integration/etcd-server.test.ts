// `payment_channel_storage_server` (Go `etcddb/etcddb_server.go`): a config file with that section makes `snetd serve`
// supervise a local etcd member as a child process, and stop it by PID on shutdown.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { ensureEtcdInstalled } from '../harness/etcd.ts';
import { freePort, isProcessAlive } from '../harness/ports.ts';
import { startSnetd, type RunningCli } from '../harness/run-cli.ts';

describe('snetd serve with payment_channel_storage_server', () => {
  let dir: string;
  let daemon: RunningCli;
  let clientPort: number;
  let etcdPid: number;

  before(async () => {
    ensureEtcdInstalled();
    dir = mkdtempSync(join(tmpdir(), 'snetd-etcd-server-'));
    clientPort = await freePort();
    const peerPort = await freePort();
    writeFileSync(
      join(dir, 'snetd.config.json'),
      JSON.stringify({
        blockchain_enabled: false,
        daemon_endpoint: '127.0.0.1:0',
        service_endpoint: `http://127.0.0.1:${await freePort()}`,
        log: { output: { type: ['stdout'] } },
        // As in the reference, the section's presence enables the member (no `enabled` key).
        payment_channel_storage_server: {
          client_port: clientPort,
          peer_port: peerPort,
          cluster: `storage-1=http://127.0.0.1:${peerPort}`,
          data_dir: join(dir, 'etcd-data'),
          log_outputs: [join(dir, 'etcd-server.log')],
          startup_timeout: '30s',
        },
      }),
    );
    daemon = startSnetd(['serve'], { cwd: dir });
    const [, pid] = await daemon.waitFor(/(?=[^\n]*embedded etcd member started)[^\n]*?"pid":(\d+)/);
    etcdPid = Number(pid);
    await daemon.waitFor(/successfully started/);
  });

  after(async () => {
    await daemon.stop();
    if (isProcessAlive(etcdPid)) process.kill(etcdPid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('behavior: the member answers on its client port while the daemon runs', async () => {
    const response = await fetch(`http://127.0.0.1:${clientPort}/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { health: 'true' });
  });

  it('behavior: stopping the daemon stops the member', async () => {
    daemon.child.kill('SIGTERM');
    const [code] = (await once(daemon.child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.equal(isProcessAlive(etcdPid), false);
  });
});
