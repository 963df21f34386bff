// Runs the real `snetd` executable (bin/snetd.js on the pinned Node 24) as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/index.ts';

const bin = new URL('../../bin/snetd.js', import.meta.url).pathname;

/** Result of a finished CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `snetd <args>` to completion in `cwd` with extra `env`. */
export async function runSnetd(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return runSnetdWith(undefined, args, options);
}

/** Runs `executable <args>` (an installed `snetd`, started as a shell would), or the checkout's bin on this Node when undefined. */
export async function runSnetdWith(executable: string | undefined, args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const child = spawn(executable ?? process.execPath, executable === undefined ? [bin, ...args] : args, {
    cwd: options.cwd,
    env: { ...cleanEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
}

/** The parent's environment without SNET_* variables, so tests control every config source. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('SNET_')) env[key] = value;
  }
  return env;
}

/** A long-running `snetd` child; `output` accumulates stdout+stderr. */
export interface RunningCli {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves when `pattern` appears in the output (rejects if the process exits first). */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Sends SIGTERM and waits for exit; SIGKILL by PID if it does not exit in `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts `snetd <args>` and returns a handle; the caller must `stop()` it. */
export function startSnetd(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; bin?: string } = {}): RunningCli {
  const child = spawn(options.bin ?? process.execPath, options.bin === undefined ? [bin, ...args] : args, { cwd: options.cwd, env: { ...cleanEnv(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = once(child, 'exit') as Promise<[number | null]>;
  return {
    child,
    output: () => text,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(text);
          if (match !== null) {
            waiters.delete(check);
            resolve(match);
          }
        };
        waiters.add(check);
        check();
        exited.then(
          () => {
            if (waiters.delete(check)) reject(new Error(`snetd exited before printing ${pattern}:\n${text}`));
          },
          reject,
        );
      });
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      }, graceMs);
      const [code] = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs the CLI in this process (`runCli`, empty environment); `out` is stdout and stderr interleaved. */
export async function runCliInProcess(args: readonly string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out += chunk.toString();
      callback();
    },
  });
  const code = await runCli(args, { env: {}, stdout: sink, stderr: sink });
  return { code, out };
}
