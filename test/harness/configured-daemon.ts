// A real daemon (startDaemon, in-process) built from config values as `snetd serve` builds it, with
// blockchain disabled unless the values say otherwise; its log lines are kept for assertions.
import { Writable } from 'node:stream';
import { startDaemon, type RunningDaemon } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';

/** A started daemon and what it logged. */
export interface ConfiguredDaemon {
  readonly daemon: RunningDaemon;
  readonly target: string;
  readonly logs: () => string;
  stop(): Promise<void>;
}

/** Starts the daemon on 127.0.0.1:0 from `values` (dotted keys as `--set` flags; logs to stdout only, captured). */
export async function startConfiguredDaemon(values: Readonly<Record<string, unknown>>): Promise<ConfiguredDaemon> {
  const loaded = loadConfig({
    env: {},
    flags: Object.entries({ blockchain_enabled: false, daemon_endpoint: '127.0.0.1:0', 'log.output.type': 'stdout', ...values }).map(([key, value]) => ({ key, value, flag: `--set ${key}` })),
  });
  let logText = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logText += chunk.toString();
      callback();
    },
  });
  const daemon = await startDaemon(loaded, { version: 'test', stdout: sink, stderr: sink });
  return { daemon, target: `127.0.0.1:${daemon.address.port}`, logs: () => logText, stop: () => daemon.stop() };
}
