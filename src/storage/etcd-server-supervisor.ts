import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { SnetError } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';

/**
 * Options of {@link createEtcdServerSupervisor}, the fields of config `payment_channel_storage_server`
 * (Go `etcddb/etcddb_conf.go`) once `app/` has resolved them.
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
   * Starts the member and resolves once its `/health` says healthy AND the etcd answering on `clientUrl`
   * is this member (its name and peer URL) while the child still runs. Rejects with
   * STORAGE_ETCD_NOT_INSTALLED (no binary), STORAGE_SERVER_FOREIGN_ETCD (another etcd serves `clientUrl`;
   * details `foreignMember`) or STORAGE_SERVER_FAILED (exited early or not healthy within
   * `startupTimeoutMs`; details `addressInUse` when etcd could not bind a port). The child is stopped
   * on every failure; the message names the log file and its last lines. First, a member of this name and
   * data dir that an earlier supervisor started and never stopped (its daemon was killed with -9; found through
   * `<logDir>/etcd-<name>.pid`) is stopped by PID.
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

/** How long one probe of `/health` or the member list may take. */
const probeTimeoutMs = 1000;

type StartOutcome =
  | { readonly kind: 'ours' }
  | { readonly kind: 'foreign'; readonly member: AnsweringEtcdMember }
  | { readonly kind: 'exited' }
  | { readonly kind: 'timeout' };

/** The etcd member that answered a request: `header.member_id` looked up in its own member list. */
export interface AnsweringEtcdMember {
  /** uint64 member id, as the decimal string etcd's JSON gateway sends. */
  readonly id: string;
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
}

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/**
 * Finds the answering member in the body of etcd's `POST /v3/cluster/member/list` (gRPC gateway JSON:
 * uint64 ids are decimal strings, e.g. `{"header":{"member_id":"8645…"},"members":[{"ID":"8645…",
 * "name":"a","peerURLs":[…],"clientURLs":[…]}]}`, checked against etcd 3.4.23). `undefined` when the body
 * is not that shape or does not list the answering member.
 * @internal exported for tests
 */
export function parseAnsweringMember(body: unknown): AnsweringEtcdMember | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { header, members } = body as { header?: unknown; members?: unknown };
  if (typeof header !== 'object' || header === null || !Array.isArray(members)) return undefined;
  // Ids stay strings: they exceed Number.MAX_SAFE_INTEGER.
  const id = (header as { member_id?: unknown }).member_id;
  if (typeof id !== 'string' || id === '') return undefined;
  for (const member of members as unknown[]) {
    if (typeof member !== 'object' || member === null) continue;
    const entry = member as { ID?: unknown; name?: unknown; peerURLs?: unknown; clientURLs?: unknown };
    if (entry.ID !== id) continue;
    return {
      id,
      name: typeof entry.name === 'string' ? entry.name : '',
      peerUrls: stringList(entry.peerURLs),
      clientUrls: stringList(entry.clientURLs),
    };
  }
  return undefined;
}

/** `scheme://host:port` with WHATWG normalisation (case, default port), so equal URLs compare equal. */
function normalizeUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * True when `member` is the member named `name` that advertises `peerUrl` (etcd stores the advertised
 * peer URLs it was bootstrapped with and republishes its `--name` on every start, before it serves clients).
 * @internal exported for tests
 */
export function isOwnMember(member: AnsweringEtcdMember, name: string, peerUrl: string): boolean {
  const wanted = normalizeUrl(peerUrl);
  return member.name === name && member.peerUrls.some((url) => normalizeUrl(url) === wanted);
}

/** Asks whatever answers on `clientUrl` which etcd member it is; `undefined` when no etcd answers. */
async function askMember(clientUrl: string, timeoutMs: number): Promise<AnsweringEtcdMember | undefined> {
  try {
    const response = await fetch(new URL('/v3/cluster/member/list', clientUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return parseAnsweringMember(await response.json());
  } catch {
    // refused, timed out, or not JSON: not an etcd we can identify
    return undefined;
  }
}

/**
 * The PID in `pidFile` when it is a running etcd member of `dataDir` named `name`: one a previous daemon started
 * and left running when it was killed without stopping it (kill -9). etcd locks its data dir, so a live process
 * with these arguments is that member and no other. `undefined` otherwise (no file, exited, a reused PID).
 * @internal exported for tests
 */
export function leftoverMemberPid(pidFile: string, dataDir: string, name: string): number | undefined {
  let pid: number;
  let argv: string[];
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1 || !isRunning(pid)) return undefined;
    argv = readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
  const valueOf = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at < 0 ? undefined : argv[at + 1];
  };
  return valueOf('--data-dir') === dataDir && valueOf('--name') === name ? pid : undefined;
}

/** True while `pid` runs (not exited, not a zombie waiting to be reaped). Linux /proc. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after 10 s; resolves once `pid` no longer runs (or 12 s passed). */
async function stopByPid(pid: number): Promise<void> {
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const started = Date.now();
  let killed = false;
  while (isRunning(pid) && Date.now() - started < 12_000) {
    if (!killed && Date.now() - started >= 10_000) {
      killed = true;
      signal('SIGKILL');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const describeMember = (member: AnsweringEtcdMember): string =>
  `"${member.name}" (id ${member.id}, peer URLs ${member.peerUrls.join(', ') || 'none'})`;

/**
 * Supervises a local etcd member as a child process (docs/operations.md; the Go daemon embeds etcd
 * in-process). It is started once and never restarted: an unexpected exit is logged and reported
 * through `onUnexpectedExit`. The store still connects through the configured client endpoints.
 */
export function createEtcdServerSupervisor(options: EtcdServerSupervisorOptions): EtcdServerSupervisor {
  const logger = options.logger.child({ component: 'storage', etcdMember: options.name });
  const logFile = join(options.logDir, `etcd-${options.name}.log`);
  // The running member's PID, so that a daemon started after one killed with -9 can stop the member it left.
  const pidFile = join(options.logDir, `etcd-${options.name}.pid`);
  let child: ChildProcess | undefined;
  let exitPromise: Promise<void> | undefined;
  let stopping = false;
  let recentOutput = '';

  const tail = (): string => recentOutput.trim().split('\n').slice(-5).join('\n');

  const isHealthy = async (): Promise<boolean> => {
    try {
      const response = await fetch(new URL('/health', options.clientUrl), { signal: AbortSignal.timeout(probeTimeoutMs) });
      const body = (await response.json()) as { health?: unknown };
      return response.ok && (body.health === true || body.health === 'true');
    } catch {
      return false; // not listening yet
    }
  };

  // Healthy is not enough: any etcd on clientUrl answers /health (Debian's etcd-server on 2379, or a
  // test's member on a "free" port another test took first), and our child then dies of "address
  // already in use" while we would keep channel state in a store nobody supervises.
  const waitReady = async (deadline: number, exited: () => boolean): Promise<StartOutcome> => {
    while (Date.now() < deadline) {
      if (exited()) return { kind: 'exited' };
      if (await isHealthy()) {
        const member = await askMember(options.clientUrl, probeTimeoutMs);
        if (member !== undefined) {
          if (!isOwnMember(member, options.name, options.peerUrl)) return { kind: 'foreign', member };
          // Checked after the answer, so a child that died of "address in use" meanwhile is never accepted.
          return exited() ? { kind: 'exited' } : { kind: 'ours' };
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return exited() ? { kind: 'exited' } : { kind: 'timeout' };
  };

  const foreignError = (member: AnsweringEtcdMember, outcome: string): SnetError => {
    const sameName = member.name === options.name;
    return new SnetError(
      'STORAGE_SERVER_FOREIGN_ETCD',
      isOwnMember(member, options.name, options.peerUrl)
        ? `${options.clientUrl} is already served by an etcd this daemon did not start: member ${describeMember(member)} ` +
            `has the name and peer URL of the local member of payment_channel_storage_server; ${outcome}`
        : `${options.clientUrl} is served by another etcd: member ${describeMember(member)}, not the local member "${options.name}" ` +
            `(peer URL ${options.peerUrl}) of payment_channel_storage_server; ${outcome}`,
      {
        hint:
          'Set payment_channel_storage_server.client_port and peer_port to free ports, or stop the other etcd ' +
          "(Debian's etcd-server listens on 127.0.0.1:2379: systemctl stop etcd), or, to keep channel state in that etcd, " +
          `remove payment_channel_storage_server and list ${options.clientUrl} in payment_channel_storage_client.endpoints.` +
          (sameName
            ? ' A member of the same name may be a copy of this member left running by an earlier daemon (stop it by its PID), ' +
              'or this data_dir was created with another host/peer_port: etcd keeps the peer URL a member was created with.'
            : ''),
        details: {
          clientUrl: options.clientUrl,
          peerUrl: options.peerUrl,
          logFile,
          foreignMember: { id: member.id, name: member.name, peerUrls: member.peerUrls, clientUrls: member.clientUrls },
        },
      },
    );
  };

  /** Removes the PID file when it names `pid` (a failed start leaves the file of the member it found alone). */
  const forgetPid = (pid: number | undefined): void => {
    try {
      if (pid !== undefined && readFileSync(pidFile, 'utf8').trim() === String(pid)) rmSync(pidFile, { force: true });
    } catch {
      // no file
    }
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
    forgetPid(running.pid);
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
      const leftover = leftoverMemberPid(pidFile, options.dataDir, options.name);
      if (leftover !== undefined) {
        logger.warn({ pid: leftover, dataDir: options.dataDir }, 'the local etcd member of an earlier daemon (stopped without stopping it, e.g. kill -9) still runs on this data dir; stopping it by PID');
        await stopByPid(leftover);
      }
      // An etcd still answering here cannot be ours (ours is not started yet): refuse before spawning, so even a
      // copy of this very member that is not the one in the PID file (e.g. started by hand) is caught.
      const occupant = await askMember(options.clientUrl, probeTimeoutMs);
      if (occupant !== undefined) throw foreignError(occupant, 'the local member was not started.');
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
      // exitCode/signalCode are set on 'exit', before 'close' waits for the output pipes.
      const exited = (): boolean => spawnError !== undefined || spawned.exitCode !== null || spawned.signalCode !== null;

      const outcome = await waitReady(Date.now() + options.startupTimeoutMs, exited);
      if (spawnError !== undefined) {
        child = undefined;
        if (spawnError.code === 'ENOENT') {
          throw new SnetError('STORAGE_ETCD_NOT_INSTALLED', `no etcd binary found (tried ${binary})`, { hint: installHint, cause: spawnError });
        }
        throw new SnetError('STORAGE_SERVER_FAILED', `cannot start etcd (${binary}): ${spawnError.message}`, { cause: spawnError });
      }
      if (outcome.kind === 'foreign') {
        await stop();
        throw foreignError(outcome.member, `the local member was stopped; its log: ${logFile}`);
      }
      if (outcome.kind !== 'ours') {
        await stop();
        if (outcome.kind === 'exited') {
          // Say who holds the port when an etcd does (the usual reason our member could not bind it).
          const occupantNow = await askMember(options.clientUrl, probeTimeoutMs);
          if (occupantNow !== undefined) {
            throw foreignError(occupantNow, `the local member exited (code ${String(exitInfo?.code)}); see ${logFile}:\n${tail()}`);
          }
        }
        throw new SnetError(
          'STORAGE_SERVER_FAILED',
          outcome.kind === 'exited'
            ? `local etcd member ${options.name} exited during start-up (code ${String(exitInfo?.code)}); see ${logFile}:\n${tail()}`
            : `etcd server took too long to start: ${options.name} (not healthy within ${options.startupTimeoutMs} ms); see ${logFile}:\n${tail()}`,
          {
            hint: 'Check that the client and peer ports are free, the data_dir is writable, and the cluster settings match.',
            details: { logFile, clientUrl: options.clientUrl, addressInUse: /address already in use/.test(recentOutput) },
          },
        );
      }
      ready = true;
      writeFileSync(pidFile, `${String(spawned.pid)}\n`);
      logger.info({ pid: spawned.pid, clientUrl: options.clientUrl, logFile }, 'local etcd member healthy');
    },
    stop,
  };
}
