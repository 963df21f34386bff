// A daemon (startDaemon, in-process) with the blockchain off, for metrics/heartbeat/alert tests: config from
// flags-style overrides, logs captured in memory.
import { Writable } from 'node:stream';
import { startDaemon, type RunningDaemon } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';

/** The value of one sample line `name{labels} value` (labels as printed, in order), or undefined. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Starts the daemon on 127.0.0.1:0 with `overrides` (config keys, dotted for nesting). */
export async function startMonitoredDaemon(overrides: Record<string, unknown>): Promise<{ daemon: RunningDaemon; logs: () => string }> {
  let logs = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs += chunk.toString();
      callback();
    },
  });
  const values: Record<string, unknown> = { blockchain_enabled: false, daemon_endpoint: '127.0.0.1:0', 'log.output.type': 'stdout', ...overrides };
  const loaded = loadConfig({ env: {}, flags: Object.entries(values).map(([key, value]) => ({ key, value, flag: `--set ${key}` })) });
  const daemon = await startDaemon(loaded, { version: 'metrics-test', stdout: sink, stderr: sink });
  return { daemon, logs: () => logs };
}
