// Starts a real, throwaway etcd member for tests (built on the product's supervisor).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEtcdServerSupervisor } from '../../src/storage/index.ts';
import type { EtcdServerSupervisor } from '../../src/storage/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { isSnetError } from '../../src/errors/index.ts';
import type { Logger } from '../../src/shared/index.ts';

/** A running test etcd member. */
export interface TestEtcd {
  /** Client endpoint, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  readonly supervisor: EtcdServerSupervisor;
  readonly dataDir: string;
  /** Stops the member by PID and deletes its data directory. */
  stop(): Promise<void>;
}

/** Installs the Debian `etcd-server` package when it is missing (no-op when present). */
export function ensureEtcdInstalled(): void {
  const script = resolve(import.meta.dirname, '../../scripts/ensure-system-packages.sh');
  execFileSync('bash', [script, 'etcd-server'], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** A TCP port that was free a moment ago on 127.0.0.1 (etcd cannot listen on port 0). */
export { freePort as findFreePort } from './ports.ts';
import { freePort as findFreePort } from './ports.ts';

/** Options of {@link startEtcd}. */
export interface StartEtcdOptions {
  /** Member name. @default test-etcd */
  readonly name?: string;
  readonly logger?: Logger;
  /** Picks each client/peer port; tests of the retry hand out taken ports. @default findFreePort */
  readonly pickPort?: () => Promise<number>;
}

/** Start attempts before giving up when the "free" ports keep being taken by someone else. */
const maxPortAttempts = 5;

/**
 * True when a start failed only because the ports were taken between {@link findFreePort} and etcd's
 * bind (another test's child got them first): our child died of "address in use", or another etcd
 * answered on the client URL. Such a start is retried on new ports; any other failure is not.
 */
function isPortTaken(error: unknown): boolean {
  return (
    isSnetError(error, 'STORAGE_SERVER_FOREIGN_ETCD') ||
    (isSnetError(error, 'STORAGE_SERVER_FAILED') && error.details?.['addressInUse'] === true)
  );
}

/**
 * Starts etcd on free 127.0.0.1 ports with a temporary data directory and waits until healthy (the
 * supervisor checks the member answering is this one). When the ports were taken meanwhile it picks new
 * ones and starts again, up to 5 times: this retries port allocation, not a test. Call `stop()` in teardown.
 */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<TestEtcd> {
  ensureEtcdInstalled();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEtcdOnFreePorts(options);
    } catch (error) {
      if (attempt >= maxPortAttempts || !isPortTaken(error)) throw error;
    }
  }
}

async function startEtcdOnFreePorts(options: StartEtcdOptions): Promise<TestEtcd> {
  const name = options.name ?? 'test-etcd';
  const pickPort = options.pickPort ?? findFreePort;
  const dataDir = mkdtempSync(join(tmpdir(), 'snetd-etcd-'));
  const clientPort = await pickPort();
  let peerPort = await pickPort();
  while (peerPort === clientPort) peerPort = await pickPort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const supervisor = createEtcdServerSupervisor({
    name,
    dataDir: join(dataDir, 'data'),
    clientUrl,
    peerUrl,
    initialCluster: `${name}=${peerUrl}`,
    token: `token-${clientPort}`,
    logDir: dataDir,
    startupTimeoutMs: 30_000,
    logger: options.logger ?? createSilentLogger(),
  });
  try {
    await supervisor.start();
  } catch (error) {
    // A failed start stops its child by PID; make sure, so no member outlives a failed attempt.
    await supervisor.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: clientUrl,
    supervisor,
    dataDir,
    async stop() {
      await supervisor.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
