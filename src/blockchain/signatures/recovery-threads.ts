import { Worker } from 'node:worker_threads';
import type { RawRecover, SignatureBackend } from './recover-backends.ts';
import { RECOVERY_INPUT_BYTES, RECOVERY_OUTPUT_BYTES } from './recovery-layout.ts';

/** Options of {@link createRecoveryThreads}. */
export interface RecoveryThreadsOptions {
  /** Worker threads (≥ 1). */
  readonly threads: number;
  /** The backend every worker must load (the main thread's, already self-tested). */
  readonly backend: SignatureBackend;
  /** The main thread's own recovery: answers whatever a worker cannot (failed start, crash, shutdown). */
  readonly inline: RawRecover;
  /** Told once per worker that stops working; recovery then continues on the remaining ones or inline. */
  readonly onProblem: (message: string) => void;
  /** The worker module. @internal For tests of a failing worker. */
  readonly workerUrl?: URL;
}

/** secp256k1 recovery on worker threads, in batches; every request resolves (never rejects). */
export interface RecoveryThreads {
  /** The 65-byte uncompressed key, or `undefined` when none can be recovered (same contract as {@link RawRecover}). */
  recover(digest32: Uint8Array, signature64: Uint8Array, recoveryId: number): Promise<Uint8Array | undefined>;
  /** Stops the workers; requests still in flight are answered inline. */
  close(): Promise<void>;
}

interface Request {
  readonly digest32: Uint8Array;
  readonly signature64: Uint8Array;
  readonly recoveryId: number;
  readonly resolve: (key: Uint8Array | undefined) => void;
}

interface Thread {
  readonly worker: Worker;
  /** The batch this worker is recovering; `undefined` when idle. */
  batch: Request[] | undefined;
  dead: boolean;
  /** Settles once the worker said it is ready, or it is gone: only then may it be terminated. */
  readonly started: Promise<void>;
  markStarted: () => void;
}

// Beside this module: `.ts` when run from source (Node type stripping), `.js` when built into dist/.
const defaultWorkerUrl = new URL(import.meta.url.endsWith('.ts') ? './recovery-worker.ts' : './recovery-worker.js', import.meta.url);

/**
 * Starts `threads` workers. A worker takes everything queued as one batch and has at most one batch at a time;
 * requests queue until the end of the event-loop turn, so a lone call waits for little and busy periods group
 * many calls into one message each way (the etcd group commit's pattern). A worker that fails its start-up self-test, throws or exits is dropped and its
 * batch is recovered inline, so an answer is never lost or wrong because of a thread.
 */
export function createRecoveryThreads(options: RecoveryThreadsOptions): RecoveryThreads {
  const { inline, onProblem } = options;
  let queue: Request[] = [];
  let closed = false;
  const threads: Thread[] = [];

  const answerInline = (requests: readonly Request[]): void => {
    for (const r of requests) r.resolve(inline(r.signature64, r.recoveryId, r.digest32));
  };

  const dispatch = (): void => {
    if (queue.length === 0) return;
    let live = false;
    for (const thread of threads) {
      if (thread.dead) continue;
      live = true;
      if (thread.batch !== undefined) continue;
      const batch = queue;
      queue = [];
      thread.batch = batch;
      const input = new Uint8Array(batch.length * RECOVERY_INPUT_BYTES);
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i] as Request;
        const at = i * RECOVERY_INPUT_BYTES;
        input.set(r.digest32, at);
        input.set(r.signature64, at + 32);
        input[at + 96] = r.recoveryId;
      }
      // Referenced while it has work: a pending answer keeps the process alive, an idle thread does not.
      thread.worker.ref();
      thread.worker.postMessage(input.buffer, [input.buffer]);
      return;
    }
    if (!live) {
      const waiting = queue;
      queue = [];
      answerInline(waiting);
    }
  };

  // Requests wait for the end of the event-loop turn, so calls whose headers arrived in one turn (several
  // streams, several connections) share one message each way instead of one per call.
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    dispatch();
  };

  const drop = (thread: Thread, message: string): void => {
    if (thread.dead) return;
    thread.dead = true;
    thread.markStarted();
    const batch = thread.batch;
    thread.batch = undefined;
    if (!closed) onProblem(message);
    if (batch !== undefined) answerInline(batch);
    dispatch();
  };

  for (let i = 0; i < options.threads; i++) {
    // No inherited node flags: the worker needs none, and some (`--input-type`, `-e`) make it fail to start.
    const worker = new Worker(options.workerUrl ?? defaultWorkerUrl, { workerData: { backend: options.backend }, execArgv: [] });
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const thread: Thread = { worker, batch: undefined, dead: false, started, markStarted };
    threads.push(thread);
    worker.on('message', (message: unknown) => {
      if (message instanceof ArrayBuffer) {
        const batch = thread.batch;
        thread.batch = undefined;
        worker.unref();
        if (batch === undefined) return;
        const keys = new Uint8Array(message);
        if (keys.length !== batch.length * RECOVERY_OUTPUT_BYTES) {
          // Not an answer to this batch (cannot happen with recovery-worker.ts): trust nothing of it.
          answerInline(batch);
          dispatch();
          return;
        }
        for (let j = 0; j < batch.length; j++) {
          const at = j * RECOVERY_OUTPUT_BYTES;
          // A copy: the signer cache keeps keys, which must not pin the whole answer buffer.
          (batch[j] as Request).resolve(keys[at] === 4 ? keys.slice(at, at + RECOVERY_OUTPUT_BYTES) : undefined);
        }
        dispatch();
        return;
      }
      const { ready, failed } = (message ?? {}) as { ready?: unknown; failed?: unknown };
      if (typeof failed === 'string') drop(thread, `a signature recovery thread could not start (${failed}); recovering on the main thread`);
      else if (ready !== undefined) {
        thread.markStarted();
        if (thread.batch === undefined) worker.unref();
      }
    });
    worker.on('error', (error: Error) => drop(thread, `a signature recovery thread failed (${error.message}); recovering on the main thread`));
    worker.on('exit', (code: number) => drop(thread, `a signature recovery thread exited (code ${code}); recovering on the main thread`));
    // Referenced until it is ready: a process (or close()) ending a worker that is still loading the native
    // addon aborts with a N-API error (seen under load). Ready and idle, it no longer keeps the process alive.
  }

  return {
    recover(digest32, signature64, recoveryId) {
      if (closed) return Promise.resolve(inline(signature64, recoveryId, digest32));
      return new Promise((resolve) => {
        queue.push({ digest32, signature64, recoveryId, resolve });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(threads.map((thread) => thread.started));
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
      for (const thread of threads) drop(thread, 'closed');
      const waiting = queue;
      queue = [];
      answerInline(waiting);
    },
  };
}
