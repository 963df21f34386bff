import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { SnetError } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';

/**
 * Options of {@link createEtcdServerSupervisor}, the fields of config `payment_channel_storage_server`
 * (spec proxy-and-operations.md §6.1) once `app/` has resolved them.
 */
export interface EtcdServerSupervisorOptions {
  /** Path of the etcd binary. @default /usr/bin/etcd, else /usr/local/bin/etcd, else `etcd` on PATH */
  readonly etcdBinary?: string;
  /** Member name (`id`). */
  readonly name: string;
  readonly dataDir: string;
  /** `scheme://host:client_port`, listened on and advertised; only `http` is supported. */
  readonly clientUrl: string;
  /** `scheme://host:peer_port`, listened on and advertised. */
  readonly peerUrl: string;
  /** `name=peerURL,…` (`cluster`). */
  readonly initialCluster: string;
  /** Initial cluster token (`token`). */
  readonly token: string;
  /** etcd's own log goes to `<logDir>/etcd-<name>.log` (appended). */
  readonly logDir: string;
  /** etcd `--log-level`. @default info */
  readonly logLevel?: string;
  /** How long to wait for `/health` to report healthy (`startup_timeout`). */
  readonly startupTimeoutMs: number;
  readonly logger: Logger;
  /** Called when the member exits on its own after a successful start (it is not restarted). */
  readonly onUnexpectedExit?: (exit: { code: number | null; signal: NodeJS.Signals | null }) => void;
}

/** A supervised local etcd member. */
export interface EtcdServerSupervisor {
  /**
   * Starts the member and resolves once its `/health` says healthy. Rejects with
   * STORAGE_ETCD_NOT_INSTALLED (no binary) or STORAGE_SERVER_FAILED (exited early or not healthy within
   * `startupTimeoutMs`: the process is stopped, the message names the log file and its last lines).
   */
  start(): Promise<void>;
  /** Stops the member by PID: SIGTERM, then SIGKILL after 10 s. Resolves when it has exited. */
  stop(): Promise<void>;
  /** PID of the running member, `undefined` when not running. */
  readonly pid: number | undefined;
  readonly clientUrl: string;
  readonly logFile: string;
}

const installHint =
  'Install etcd (Debian/Ubuntu: `apt-get install etcd-server`, or `bash scripts/ensure-system-packages.sh etcd-server`), ' +
  'set the binary path, or remove payment_channel_storage_server and point payment_channel_storage_client.endpoints at an external etcd.';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function resolveBinary(explicit: string | undefined): string {
  if (explicit !== undefined) {
    if (!isExecutable(explicit)) {
      throw new SnetError('STORAGE_ETCD_NOT_INSTALLED', `the etcd binary ${explicit} does not exist or is not executable`, {
        hint: installHint,
        details: { etcdBinary: explicit },
      });
    }
    return explicit;
  }
  // No PATH parsing here (no process.env outside config/): spawn resolves a bare `etcd` itself.
  return ['/usr/bin/etcd', '/usr/local/bin/etcd'].find(isExecutable) ?? 'etcd';
}

/**
 * Supervises a local etcd member as a child process (DECISIONS ops 17; the Go daemon embeds etcd
 * in-process). It is started once and never restarted: an unexpected exit is logged and reported
 * through `onUnexpectedExit`. The store still connects through the configured client endpoints.
 */
export function createEtcdServerSupervisor(options: EtcdServerSupervisorOptions): EtcdServerSupervisor {
  const logger = options.logger.child({ component: 'storage', etcdMember: options.name });
  const logFile = join(options.logDir, `etcd-${options.name}.log`);
  let child: ChildProcess | undefined;
  let exitPromise: Promise<void> | undefined;
  let stopping = false;
  let recentOutput = '';

  const tail = (): string => recentOutput.trim().split('\n').slice(-5).join('\n');

  const waitHealthy = async (deadline: number, exited: () => boolean): Promise<boolean> => {
    const url = new URL('/health', options.clientUrl);
    while (Date.now() < deadline && !exited()) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
        const body = (await response.json()) as { health?: unknown };
        if (response.ok && (body.health === true || body.health === 'true')) return true;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  };

  const stop = async (): Promise<void> => {
    const running = child;
    if (running === undefined || exitPromise === undefined) return;
    stopping = true;
    if (running.exitCode === null && running.signalCode === null) {
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
    }
    await exitPromise;
    child = undefined;
    logger.info({ pid: running.pid }, 'local etcd member stopped');
  };

  return {
    clientUrl: options.clientUrl,
    logFile,
    get pid() {
      return child?.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    async start() {
      if (child !== undefined) throw new SnetError('STORAGE_SERVER_FAILED', `local etcd member ${options.name} is already started`);
      if (!options.clientUrl.startsWith('http://') || !options.peerUrl.startsWith('http://')) {
        throw new SnetError('STORAGE_SERVER_FAILED', `local etcd member ${options.name}: only the http scheme is supported`, {
          hint: 'Set payment_channel_storage_server.scheme to http (the member listens on loopback), or run etcd yourself with TLS.',
        });
      }
      const binary = resolveBinary(options.etcdBinary);
      mkdirSync(options.logDir, { recursive: true });
      mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
      const args = [
        '--name', options.name,
        '--data-dir', options.dataDir,
        '--listen-client-urls', options.clientUrl,
        '--advertise-client-urls', options.clientUrl,
        '--listen-peer-urls', options.peerUrl,
        '--initial-advertise-peer-urls', options.peerUrl,
        '--initial-cluster', options.initialCluster,
        '--initial-cluster-token', options.token,
        '--initial-cluster-state', 'new',
        '--logger', 'zap',
        '--log-outputs', 'stderr',
        '--log-level', options.logLevel ?? 'info',
      ];
      stopping = false;
      recentOutput = '';
      const spawned = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = spawned;
      const onOutput = (chunk: Buffer): void => {
        log.write(chunk);
        recentOutput = (recentOutput + chunk.toString('utf8')).slice(-4096);
      };
      spawned.stdout?.on('data', onOutput);
      spawned.stderr?.on('data', onOutput);

      let ready = false;
      let spawnError: NodeJS.ErrnoException | undefined;
      let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      exitPromise = new Promise<void>((resolve) => {
        spawned.once('error', (error: NodeJS.ErrnoException) => {
          spawnError = error;
          resolve();
        });
        spawned.once('close', (code, signal) => {
          exitInfo = { code, signal };
          log.end();
          if (!stopping && ready) {
            logger.error({ code, signal, logFile }, 'local etcd member exited unexpectedly; it is not restarted');
            options.onUnexpectedExit?.(exitInfo);
          }
          resolve();
        });
      });

      const healthy = await waitHealthy(Date.now() + options.startupTimeoutMs, () => spawnError !== undefined || exitInfo !== undefined);
      if (spawnError !== undefined) {
        child = undefined;
        if (spawnError.code === 'ENOENT') {
          throw new SnetError('STORAGE_ETCD_NOT_INSTALLED', `no etcd binary found (tried ${binary})`, { hint: installHint, cause: spawnError });
        }
        throw new SnetError('STORAGE_SERVER_FAILED', `cannot start etcd (${binary}): ${spawnError.message}`, { cause: spawnError });
      }
      if (!healthy) {
        const early = exitInfo !== undefined;
        await stop();
        throw new SnetError(
          'STORAGE_SERVER_FAILED',
          early
            ? `local etcd member ${options.name} exited during start-up (code ${String(exitInfo?.code)}); see ${logFile}:\n${tail()}`
            : `etcd server took too long to start: ${options.name} (not healthy within ${options.startupTimeoutMs} ms); see ${logFile}:\n${tail()}`,
          {
            hint: 'Check that the client and peer ports are free, the data_dir is writable, and the cluster settings match.',
            details: { logFile, clientUrl: options.clientUrl },
          },
        );
      }
      ready = true;
      logger.info({ pid: spawned.pid, clientUrl: options.clientUrl, logFile }, 'local etcd member healthy');
    },
    stop,
  };
}
