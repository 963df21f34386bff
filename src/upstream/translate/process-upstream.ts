import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { SnetError } from '../../errors/index.ts';
import type { Logger } from '../../shared/index.ts';
import type { CallOutcome, Upstream, UpstreamCall } from '../call.ts';
import { cancelledCallError } from '../service-request.ts';
import type { CompiledProtos } from './compiled-protos.ts';
import { createSlots } from './process-slots.ts';
import { readSingleRequest, simpleMethodName } from './single-request.ts';
import { unimplemented } from './unimplemented.ts';

/** Options of {@link createProcessUpstream}. */
export interface ProcessUpstreamOptions {
  /** `executable_path`: run once per call, with the method's simple name as its one argument, no shell. */
  readonly executablePath: string;
  /** Processes running at once (`process_max_running`). */
  readonly maxRunning: number;
  /** Calls waiting for a slot before RESOURCE_EXHAUSTED (`process_max_queued`). */
  readonly maxQueued: number;
  /** Largest reply (standard output) accepted, in bytes (`max_message_size_in_mb`). */
  readonly maxMessageBytes: number;
  /** The service protos when the metadata names them: a method they do not declare answers UNIMPLEMENTED. */
  readonly protos: () => CompiledProtos | undefined;
}

/** How much of a process's standard error goes to the log per call (its last bytes). */
const STDERR_TAIL_BYTES = 8 << 10;

const okOutcome: CallOutcome = { code: 0, message: '' };

/** The `process` upstream with its slot counters, for tests. */
export interface ProcessUpstream extends Upstream {
  stats(): { readonly running: number; readonly queued: number };
}

/**
 * A per-call executable behind the gRPC front (Go `handler/grpc.go: grpcToProcess`), without the reference's
 * traps: the process starts first and both pipes stream (the reference writes all of stdin before starting it
 * and hangs above the 64 KiB pipe buffer); standard output is the reply, standard error goes to the log (its
 * last 8 KiB); a non-zero exit answers INTERNAL naming the exit code; at the deadline (or when the client cancels)
 * the whole process group is killed; at most `maxRunning` processes run, `maxQueued` calls wait, more are refused
 * with RESOURCE_EXHAUSTED. Each call runs in a process group of its own (the executable is its leader), so
 * children it starts die with it.
 */
export function createProcessUpstream(deps: { logger: Logger }, options: ProcessUpstreamOptions): ProcessUpstream {
  const log = deps.logger.child({ component: 'process-service', executable: options.executablePath });
  const slots = createSlots(options.maxRunning, options.maxQueued, 'process');
  const running = new Set<ChildProcess>();
  let closed = false;
  const program = basename(options.executablePath);
  return {
    async invoke(call: UpstreamCall): Promise<CallOutcome> {
      const request = await readSingleRequest(call, 'process');
      const protos = options.protos();
      if (protos !== undefined && protos.method(call.method) === undefined) throw unimplemented(call.method, protos);
      const release = await slots.acquire(call.signal);
      try {
        if (closed) throw new SnetError('DAEMON_SHUTTING_DOWN', 'the daemon is shutting down');
        const reply = await runOnce(call, request);
        call.response.writeMessage(reply);
        return okOutcome;
      } finally {
        release();
      }
    },
    isReachable: () =>
      access(options.executablePath, constants.X_OK).then(
        () => true,
        () => false,
      ),
    close() {
      closed = true;
      for (const child of running) killGroup(child);
      return Promise.resolve();
    },
    stats: () => slots.stats(),
  };

  function runOnce(call: UpstreamCall, request: Uint8Array): Promise<Uint8Array> {
    const method = simpleMethodName(call.method);
    return new Promise<Uint8Array>((resolve, reject) => {
      // detached: the child leads a new process group (setsid), so one kill(-pid) reaches everything it started.
      const child = spawn(options.executablePath, [method], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], shell: false });
      running.add(child);
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      let stderrTail = Buffer.alloc(0);
      let stderrBytes = 0;
      let failure: Error | undefined;
      let exited = false;
      let settled = false;
      const finish = (error: Error | undefined, reply?: Uint8Array): void => {
        if (settled) return;
        settled = true;
        running.delete(child);
        call.signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve(reply as Uint8Array);
        else reject(error);
      };
      const stop = (error: Error): void => {
        failure ??= error;
        killGroup(child);
        // An exited (reaped) child whose pipes a runaway grandchild still holds: do not wait for them.
        if (exited) {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish(failure);
        }
      };
      const onAbort = (): void => stop(cancelledCallError(call.signal.reason));
      call.signal.addEventListener('abort', onAbort, { once: true });

      child.on('error', (error: NodeJS.ErrnoException) => {
        // Spawn failures (ENOENT, EACCES) come here; 'close' follows.
        failure ??= new SnetError('UPSTREAM_FAILED', `the process service ${program} could not start: ${error.code ?? error.message}`, {
          hint: 'Check executable_path: the file must exist and be executable by the daemon user.',
          cause: error,
        });
        // Without a pid nothing started: no 'exit' will come.
        if (child.pid === undefined) finish(failure);
      });
      // The process may exit without reading its input: EPIPE on stdin is not the call's failure, its exit code is.
      child.stdin?.on('error', (error) => log.debug({ err: error, method }, 'the process did not read all of its input'));
      child.stdin?.end(request);
      child.stdout?.on('data', (chunk: Buffer) => {
        stdoutBytes += chunk.byteLength;
        if (stdoutBytes > options.maxMessageBytes) {
          stop(
            new SnetError('UPSTREAM_FAILED', `the process service ${program} wrote more than ${options.maxMessageBytes} bytes for ${method}`, {
              hint: 'Raise max_message_size_in_mb, or make the process answer less.',
            }),
          );
          return;
        }
        stdout.push(chunk);
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderrBytes += chunk.byteLength;
        stderrTail = Buffer.concat([stderrTail, chunk]);
        if (stderrTail.byteLength > STDERR_TAIL_BYTES) stderrTail = stderrTail.subarray(stderrTail.byteLength - STDERR_TAIL_BYTES);
      });
      child.on('exit', () => {
        exited = true;
        // Children the executable left behind in its group go with it: per-call work ends with the call.
        killGroup(child);
        if (failure !== undefined) stop(failure);
      });
      child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
        const logFields = { method, pid: child.pid, exitCode: code, signal, stderrBytes, ...(stderrBytes === 0 ? {} : { stderr: stderrTail.toString('utf8') }) };
        if (failure === undefined && code !== 0) {
          failure = new SnetError(
            'UPSTREAM_FAILED',
            code === null ? `the process service ${program} was killed by ${signal ?? 'a signal'} (${method})` : `the process service ${program} exited with code ${code} (${method})`,
            { hint: 'Read the daemon log: it holds the end of the standard error of the process.' },
          );
        }
        if (failure === undefined) {
          if (stderrBytes > 0) log.info(logFields, 'process service wrote to standard error');
          finish(undefined, stdout.length === 1 ? stdout[0] : Buffer.concat(stdout, stdoutBytes));
        } else {
          log.warn({ ...logFields, reason: failure.message }, 'process service call failed');
          finish(failure);
        }
      });
    });
  }
}

/** SIGKILL to the child's whole process group; nothing when it is already gone. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is empty already.
  }
}
