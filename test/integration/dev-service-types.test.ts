// `snetd dev --service-type jsonrpc|http|process`: the dev network publishes the example Calculator with that
// service_type; the daemon translates `snetd dev call`'s protobuf calls for a JSON-RPC server, a REST server or
// a per-call script, and the paid calls work as with the gRPC example.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSnetd, startSnetd } from '../harness/run-cli.ts';
import { assertTwoPaidDevCalls } from '../harness/dev-calls.ts';
import { freePort, isProcessAlive as isAlive } from '../harness/ports.ts';

describe('snetd dev --service-type', () => {
  for (const type of ['jsonrpc', 'http', 'process'] as const) {
    it(`behavior: ${type}: the example service answers paid \`snetd dev call\`s; SIGINT stops everything`, async () => {
      const dir = mkdtempSync(join(tmpdir(), `snetd-dev-${type}-`));
      const dev = startSnetd(['dev', '--service-type', type, '--data-dir', join(dir, 'dev'), '--port', String(await freePort())], { cwd: dir });
      let chainPid = 0;
      try {
        const [, pid] = await dev.waitFor(/dev chain started[^\n]*"pid":(\d+)/);
        chainPid = Number(pid);
        await dev.waitFor(new RegExp(`service type  ${type}: `));
        await assertTwoPaidDevCalls(join(dir, 'dev'), dir);
        // The heartbeat probes the example itself (GET /health of the JSON-RPC and REST servers; a process service is
        // up while its script can run): Online, not the Warning of a bare TCP connect.
        const [, heartbeatUrl] = dev.output().match(/^Health: +curl (\S+)$/m) ?? [];
        const heartbeat = (await (await fetch(heartbeatUrl ?? '')).json()) as { status: string };
        assert.equal(heartbeat.status, 'Online');
        dev.child.kill('SIGINT');
        const [code] = (await once(dev.child, 'exit')) as [number | null];
        assert.equal(code, 0);
        assert.equal(isAlive(chainPid), false, 'the dev chain process is gone');
      } finally {
        await dev.stop();
        if (chainPid !== 0 && isAlive(chainPid)) process.kill(chainPid, 'SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('error: an unknown service type and a translated type with --free are refused', async () => {
    const unknown = await runSnetd(['dev', '--service-type', 'soap', '--data-dir', join(tmpdir(), 'unused-snetd-dev')]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /--service-type "soap" is not one of grpc, jsonrpc, http, process/);
    const free = await runSnetd(['dev', '--service-type', 'http', '--free', '--data-dir', join(tmpdir(), 'unused-snetd-dev')]);
    assert.notEqual(free.code, 0);
    assert.match(free.stderr, /needs payments on/);
  });
});
