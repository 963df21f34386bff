// The walk of an operator with a fresh snetd executable (installed from the tarball, or the single-file
// release): `init`, `config` and `serve` in an empty folder, and one call through the daemon.
import assert from 'node:assert/strict';
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { runSnetdWith, startSnetd } from './run-cli.ts';
import { createTestClient, type EchoResponse } from './grpc-test-service.ts';

/** `env` must turn the blockchain off and point SNET_SERVICE_ENDPOINT at a test service (SNET_DAEMON_ENDPOINT port 0). */
export async function assertInitConfigServe(snetd: string, folder: string, env: Record<string, string>, text: string): Promise<void> {
  const init = await runSnetdWith(snetd, ['init'], { cwd: folder, env });
  assert.equal(init.code, 0, init.stderr);
  const config = await runSnetdWith(snetd, ['config'], { cwd: folder, env });
  assert.equal(config.code, 0, config.stderr);
  assert.match(config.stdout, /Configuration OK \(file snetd.config.json\)/);

  const daemon = startSnetd(['serve'], { cwd: folder, env, bin: snetd });
  try {
    const [, port] = await daemon.waitFor(/(?=[^\n]*successfully started)[^\n]*?127\.0\.0\.1:(\d+)/);
    const client = createTestClient(`127.0.0.1:${port}`);
    const reply = await new Promise<EchoResponse>((resolve, reject) => {
      (client['unary'] as unknown as (r: object, m: Metadata, cb: (e: ServiceError | null, v: EchoResponse) => void) => void)({ text }, new Metadata(), (error, value) =>
        error === null ? resolve(value) : reject(error),
      );
    }).finally(() => client.close());
    assert.equal(reply.text, text);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
}
