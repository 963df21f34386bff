import type { Readable } from 'node:stream';
import { errorFromUnknown, SnetError } from '../../errors/index.ts';
import { createContextValues, type CallContext, type CallHandler, type CallProtocol } from '../../pipeline/index.ts';
import type { CallOutcome, Metadata } from '../../upstream/index.ts';
import type { Logger } from '../../shared/index.ts';
import { reservedRequestHeaders } from '../grpc/headers.ts';
import { parseTimeout } from '../grpc/parse-timeout.ts';
import { grpcStatusFromError } from '../grpc/status-map.ts';
import type { CallResponse } from './call-response.ts';
import { RequestBody } from './request-body.ts';

/** One call as a protocol adapter hands it to the runner. */
export interface IncomingCall {
  readonly method: string;
  readonly protocol: CallProtocol;
  readonly httpVersion: '1.1' | '2';
  /** Request headers (node's object: lower-case names, pseudo-headers included on HTTP/2). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly remoteAddress: string | undefined;
  /** Request body bytes (already base64-decoded for gRPC-Web text). */
  readonly body: Readable;
  readonly response: CallResponse;
  /** Registers the listener for "the client went away before the call ended". */
  onClientGone(listener: () => void): void;
}

/** Settings of the {@link CallRunner}. */
export interface CallRunnerOptions {
  readonly maxMessageBytes: number;
  /** Deadline when the client sends none, in ms; 0 = none. */
  readonly serviceTimeoutMs: number;
  /** Extra request headers never forwarded to the service (config `forward_payment_headers`). */
  readonly dropMetadata: ReadonlySet<string>;
}

interface ActiveCall {
  readonly controller: AbortController;
  readonly response: CallResponse;
  readonly finish: (outcome: CallOutcome) => void;
}

const cancelledByClient = (): SnetError => new SnetError('REQUEST_CANCELLED', 'the client cancelled the call');

/**
 * Runs calls through the handler chain: builds the {@link CallContext}, arms the deadline, turns
 * a thrown `SnetError` into a status through the one status table, and tracks in-flight calls so
 * the server can drain them on shutdown.
 */
export class CallRunner {
  readonly #logger: Logger;
  readonly #handler: CallHandler;
  readonly #options: CallRunnerOptions;
  readonly #active = new Set<ActiveCall>();
  #handlersRunning = 0;
  #idleWaiters: (() => void)[] = [];
  readonly #closing = new AbortController();

  constructor(logger: Logger, handler: CallHandler, options: CallRunnerOptions) {
    this.#logger = logger;
    this.#handler = handler;
    this.#options = options;
  }

  /** Number of calls in flight. */
  get activeCalls(): number {
    return this.#active.size;
  }

  /**
   * Calls whose handler chain has not returned yet. A call the client cancelled, or whose deadline passed, leaves
   * {@link activeCalls} at once (its status is sent) but stays counted here until its handler returns, e.g. the
   * payment interceptor has released its reservation.
   */
  get handlersRunning(): number {
    return this.#handlersRunning;
  }

  run(call: IncomingCall): void {
    const headers = call.headers;
    const response = call.response;
    if (this.#closing.signal.aborted) {
      response.finish(this.#statusOf(new SnetError('DAEMON_SHUTTING_DOWN', 'the daemon is shutting down and accepts no new calls')));
      return;
    }
    const rawTimeout = headers['grpc-timeout'];
    const timeout = parseTimeout(typeof rawTimeout === 'string' ? rawTimeout : undefined);
    if (!timeout.ok) {
      response.finish({ code: 13, message: timeout.error });
      return;
    }
    const timeoutMs = timeout.value ?? (this.#options.serviceTimeoutMs > 0 ? this.#options.serviceTimeoutMs : undefined);
    const rawEncoding = headers['grpc-encoding'];
    const encoding = typeof rawEncoding === 'string' && rawEncoding !== '' ? rawEncoding : 'identity';

    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (outcome: CallOutcome): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      this.#active.delete(active);
      try {
        response.finish(outcome);
      } catch (error) {
        // The client vanished between the check and the write; nothing is left to tell it.
        this.#logger.debug({ err: error, method: call.method }, 'could not send the call status');
      }
      this.#notifyIdle();
    };
    const active: ActiveCall = { controller, response, finish };
    this.#active.add(active);

    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const error = new SnetError('REQUEST_TIMEOUT', `deadline of ${timeoutMs} ms exceeded`);
        controller.abort(error);
        finish(this.#statusOf(error));
      }, timeoutMs);
    }
    call.onClientGone(() => {
      if (done) return;
      const error = cancelledByClient();
      controller.abort(error);
      finish(this.#statusOf(error));
    });

    const ctx: CallContext = {
      method: call.method,
      protocol: call.protocol,
      httpVersion: call.httpVersion,
      requestMetadata: headers as CallContext['requestMetadata'],
      remoteAddress: call.remoteAddress,
      signal: controller.signal,
      closing: this.#closing.signal,
      deadline: timeoutMs === undefined ? undefined : Date.now() + timeoutMs,
      values: createContextValues(),
      upstreamMetadata: this.#upstreamMetadata(headers),
      request: new RequestBody(call.body, encoding, this.#options.maxMessageBytes),
      response,
    };
    let pending: Promise<CallOutcome>;
    try {
      pending = this.#handler(ctx);
    } catch (error) {
      pending = Promise.reject(errorFromUnknown(error, 'call'));
    }
    this.#handlersRunning++;
    pending.then(
      (outcome) => {
        this.#handlersRunning--;
        finish(outcome);
        this.#notifyIdle();
      },
      (error: unknown) => {
        this.#handlersRunning--;
        // After an abort the handler's own error is a consequence; the abort reason is the status.
        if (!done) finish(this.#statusOf(controller.signal.aborted ? controller.signal.reason : error));
        this.#notifyIdle();
      },
    );
  }

  /** Wakes {@link idle} waiters once no call is in flight and no handler still settles. */
  #notifyIdle(): void {
    if (this.#active.size !== 0 || this.#handlersRunning !== 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  #upstreamMetadata(headers: IncomingCall['headers']): Metadata {
    const out: Metadata = Object.create(null) as Metadata;
    const drop = this.#options.dropMetadata;
    for (const key in headers) {
      if (key.charCodeAt(0) === 58 /* ':' */ || reservedRequestHeaders.has(key) || drop.has(key)) continue;
      const value = headers[key];
      if (value !== undefined) out[key] = value;
    }
    return out;
  }

  #statusOf(error: unknown): CallOutcome {
    const snet = errorFromUnknown(error, 'call');
    if (snet.code === 'INTERNAL') this.#logger.error({ err: snet.cause ?? snet }, 'call failed inside the daemon');
    return grpcStatusFromError(snet);
  }

  /** Response bytes queued for slow clients, over all calls in flight. */
  responseBufferedBytes(): number {
    let total = 0;
    for (const active of this.#active) total += active.response.bufferedBytes();
    return total;
  }

  /** Stops taking new calls (they get UNAVAILABLE). */
  startClosing(): void {
    this.#closing.abort(new SnetError('DAEMON_SHUTTING_DOWN', 'the daemon is shutting down'));
  }

  /**
   * Resolves when no call is in flight and every handler has returned: a call the client cancelled has its status
   * sent at once, but its payment release is still being written (shutdown must not close storage under it).
   */
  idle(): Promise<void> {
    if (this.#active.size === 0 && this.#handlersRunning === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Ends every call in flight with UNAVAILABLE (shutdown deadline reached). */
  abortAll(): void {
    const error = new SnetError('DAEMON_SHUTTING_DOWN', 'the daemon stopped before the call ended');
    for (const active of [...this.#active]) {
      active.controller.abort(error);
      active.finish(this.#statusOf(error));
    }
  }
}
