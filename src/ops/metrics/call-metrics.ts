// The per-call side of the metrics: two interceptors, one outermost (sees every call, refused ones included,
// and its final status) and one innermost (times the service). Per call: a clock read at each end, a few
// Map lookups and typed-array adds; nothing built from client input becomes a label (label-sets.ts).
import { isSnetError } from '../../errors/index.ts';
import { createContextKey, paymentInfoKey, type CallContext, type CallHandler, type CallOutcome, type Interceptor } from '../../pipeline/index.ts';
import type { DaemonMetrics } from './daemon-metrics.ts';
import { paymentRefusalIndex, paymentTypeIndex, serverErrorStatuses, statusIndex } from './label-sets.ts';

/** How a call ended, for observers beyond the counters (metering). */
export interface CallEnd {
  readonly code: number;
  readonly message: string;
  /** Wall-clock start and end (`Date.now()` ms). */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
}

/** Settings of {@link createCallMetrics}. */
export interface CallMetricsOptions {
  /** Payments are checked (blockchain on): proxied calls are labelled with their payment type. */
  readonly paymentsEnabled: boolean;
  /** True for the daemon's own methods (health, escrow state…), which carry no payment. */
  readonly isDaemonMethod: (path: string) => boolean;
  /** gRPC status code of an error thrown by the chain (the transport's status table). */
  readonly statusOf: (error: unknown) => number;
  /** Called after each call with its end; only set when someone listens (metering), so no object otherwise. */
  readonly onCallEnd?: ((ctx: CallContext, end: CallEnd) => void) | undefined;
}

/** The counting interceptor and the running totals the error-rate alert reads. */
export interface CallMetrics {
  /** Put it outermost (around the router), so that every call is counted; {@link serviceTimer} goes innermost. */
  readonly outer: Interceptor;
  /** Calls ended since start, and how many of them failed on the server side (daemon or service). */
  totals(): { readonly calls: number; readonly serverErrors: number };
}

const serviceSecondsKey = createContextKey(-1, { description: 'service time' });
const paymentTypeHeader = 'snet-payment-type';
const escrowIndex = paymentTypeIndex('escrow');

/** `next(ctx)` as a promise even when `next` throws before returning one (a plain function handler). */
function callNext(next: CallHandler, ctx: CallContext): Promise<CallOutcome> {
  try {
    return next(ctx);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * The innermost interceptor (next to the upstream): the time it measures is the service time, and a call that
 * reached it passed every check (its payment was accepted). Promise handlers, not an async function: an async
 * frame costs a call ~170 B and ~25 ns more (measured on Node 24, bench/README.md).
 */
export const serviceTimer: Interceptor = (next) => (ctx) => {
  const startedAt = performance.now();
  return callNext(next, ctx).then(
    (outcome) => {
      ctx.values.set(serviceSecondsKey, (performance.now() - startedAt) / 1000);
      return outcome;
    },
    (error: unknown) => {
      ctx.values.set(serviceSecondsKey, (performance.now() - startedAt) / 1000);
      throw error;
    },
  );
};

/** Builds the counting interceptor over `metrics`. */
export function createCallMetrics(metrics: DaemonMetrics, options: CallMetricsOptions): CallMetrics {
  const { paymentsEnabled, isDaemonMethod, statusOf, onCallEnd } = options;
  let calls = 0;
  let serverErrors = 0;

  const paymentTypeOf = (ctx: CallContext): number => {
    const facts = ctx.values.get(paymentInfoKey);
    if (facts !== undefined) return paymentTypeIndex(facts.type);
    if (!paymentsEnabled || isDaemonMethod(ctx.method)) return 0;
    // Not yet told by the payment interceptor (refused early): the header, mapped onto the known types.
    const header = ctx.requestMetadata[paymentTypeHeader];
    const value = typeof header === 'string' ? header : header?.[0];
    return value === undefined || value === '' ? escrowIndex : paymentTypeIndex(value);
  };

  const record = (ctx: CallContext, startedAt: number, code: number, errorCode: string | undefined): void => {
    const serviceSeconds = ctx.values.get(serviceSecondsKey);
    const reachedService = serviceSeconds >= 0;
    let method = metrics.methodIndex(ctx.method);
    // A method the service answered (anything but UNIMPLEMENTED) is a real one: learn it, up to the cap.
    if (method === 0 && reachedService && code !== 12) method = metrics.learnMethod(ctx.method);
    const paymentType = paymentTypeOf(ctx);
    metrics.calls.add(metrics.calls.cell(method, paymentType, statusIndex(code)));
    const seconds = (performance.now() - startedAt) / 1000;
    metrics.callSeconds.observe(method, seconds);
    if (reachedService) {
      metrics.serviceSeconds.observe(method, serviceSeconds);
      metrics.overheadSeconds.observe(method, Math.max(0, seconds - serviceSeconds));
    } else {
      metrics.overheadSeconds.observe(method, seconds);
    }
    if (paymentType !== 0) {
      if (errorCode !== undefined && errorCode.startsWith('PAYMENT_')) metrics.payments.add(metrics.payments.cell(paymentType, paymentRefusalIndex(errorCode)));
      else if (reachedService) metrics.payments.add(metrics.payments.cell(paymentType, 0));
      const facts = ctx.values.get(paymentInfoKey);
      if (facts !== undefined && code === 0 && facts.priceCogs > 0n) metrics.earnedCogs.add(paymentType, Number(facts.priceCogs));
    }
    // Storage and chain failures are counted where they happen, per round trip (the payment layer's
    // observeDependency), not per call: a call and the round trip that failed it would count twice.
    calls++;
    if (serverErrorStatuses.has(code)) serverErrors++;
  };

  /** After the call settled: the status the client got, the counters, and the listener. */
  const finish = (ctx: CallContext, startedAt: number, startedAtMs: number, settledCode: number, message: string, errorCode: string | undefined): void => {
    // A cancelled or timed-out call: the client got the abort reason, whatever the handler returned later.
    const code = ctx.signal.aborted ? statusOf(ctx.signal.reason) : settledCode;
    record(ctx, startedAt, code, errorCode);
    if (onCallEnd !== undefined) onCallEnd(ctx, { code, message, startedAtMs, endedAtMs: Date.now() });
  };

  return {
    outer: (next) => (ctx) => {
      const startedAt = performance.now();
      const startedAtMs = onCallEnd === undefined ? 0 : Date.now();
      return callNext(next, ctx).then(
        (outcome) => {
          finish(ctx, startedAt, startedAtMs, outcome.code, outcome.message, undefined);
          return outcome;
        },
        (error: unknown) => {
          const snet = isSnetError(error);
          finish(ctx, startedAt, startedAtMs, statusOf(error), snet ? error.message : '', snet ? error.code : undefined);
          throw error;
        },
      );
    },
    totals: () => ({ calls, serverErrors }),
  };
}
