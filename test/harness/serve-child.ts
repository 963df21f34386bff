// A paid daemon as a real `snetd serve` child process (for kill -9 tests): the dev network's settings plus
// overrides as `--set` flags, stdout logging, a free port; and a SIGKILL by PID that waits for the exit.
import { once } from 'node:events';
import type { DevNetwork } from '../../src/devnet/index.ts';
import { startSnetd, type RunningCli } from './run-cli.ts';

/** A started `snetd serve` child and its gRPC target (`127.0.0.1:<port>`). */
export interface ServeChild {
  readonly cli: RunningCli;
  readonly target: string;
  /** SIGKILL by PID (no shutdown of any kind) and wait until the process is gone. */
  kill(): Promise<void>;
}

/** Starts `snetd serve` on the dev network's config with `overrides` (string values, as `--set key=value`). */
export async function startServeChild(net: DevNetwork, overrides: Readonly<Record<string, string>>): Promise<ServeChild> {
  const settings: Record<string, string> = {
    ...Object.fromEntries(Object.entries(net.daemonConfig).map(([k, v]) => [k, String(v)])),
    daemon_endpoint: '127.0.0.1:0',
    'log.output.type': 'stdout',
    ...overrides,
  };
  const cli = startSnetd(['serve', ...Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`])]);
  try {
    const [, port] = (await cli.waitFor(/"address":"127\.0\.0\.1:(\d+)"/)) as unknown as [string, string];
    return {
      cli,
      target: `127.0.0.1:${port}`,
      async kill() {
        const exited = once(cli.child, 'exit');
        process.kill(cli.child.pid as number, 'SIGKILL');
        await exited;
      },
    };
  } catch (err) {
    await cli.stop();
    throw err;
  }
}
