// One log line per call (an access log): what was called, how it was paid, how it ended, where
// the time went and how many bytes moved. Built only when it is on (`log.access`, or the debug
// level): a daemon that does not log calls pays nothing per call for it.
import { errorFromUnknown } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';
import type { ByteSink, RequestMessages, ResponseWriter } from '../upstream/index.ts';
import type { CallContext } from './call-context.ts';
import { createContextKey } from './context-values.ts';
import type { Interceptor } from './interceptor.ts';
import { paymentInfoKey } from './payment-info.ts';

/** When the service hop started and ended (hrtime ns), set by the service timer. */
const serviceTimeKey = createContextKey<{ start: bigint; end: bigint | undefined } | undefined>(undefined, { description: 'service hop time' });

/** gRPC frame prefix: a message of n bytes is n + 5 on the wire. */
const framePrefixBytes = 5;

/** The access log's two interceptors. */
export interface AccessLog {
  /** Outermost, around the router: sees every call, the daemon's own services included. */
  readonly outer: Interceptor;
  /** Innermost, in front of the service: measures the service hop alone. */
  readonly serviceTimer: Interceptor;
}

function countingRequest(request: RequestMessages, add: (bytes: number) => void): RequestMessages {
  return {
    encoding: request.encoding,
    first: () => request.first(),
    pipeFrames(sink: ByteSink) {
      return request.pipeFrames({
        write(chunk) {
          add(chunk.byteLength);
          return sink.write(chunk);
        },
        end: () => sink.end(),
        once: (event, listener) => sink.once(event, listener),
        get writableLength() {
          return sink.writableLength;
        },
      });
    },
    async *messages() {
      for await (const message of request.messages()) {
        add(message.byteLength + framePrefixBytes);
        yield message;
      }
    },
  };
}

function countingResponse(response: ResponseWriter, add: (bytes: number) => void): ResponseWriter {
  return {
    setHeaders: (headers) => response.setHeaders(headers),
    addHeaderList: (headers) => response.addHeaderList(headers),
    writeFrames(chunk) {
      add(chunk.byteLength);
      return response.writeFrames(chunk);
    },
    writeMessage(message) {
      add(message.byteLength + framePrefixBytes);
      return response.writeMessage(message);
    },
    onDrain: (listener) => response.onDrain(listener),
  };
}

function header(ctx: CallContext, name: string): string | undefined {
  const value = ctx.requestMetadata[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/** Nanoseconds as milliseconds with µs precision. */
function ms(ns: bigint): number {
  return Number(ns / 1000n) / 1000;
}

/**
 * Builds the access log writing at `level` through `logger`. A line holds method, protocol, client
 * address, payment type and channel id (from the payment headers; never the signature, token or
 * amount), the price (the accepted payment, `paymentInfoKey`), the gRPC status (or the daemon's error code when
 * the call failed inside it), the time spent in the daemon and in the service, and the bytes
 * received and sent (gRPC frames, after compression).
 */
export function createAccessLog(logger: Logger, level: 'info' | 'debug'): AccessLog {
  const write = level === 'info' ? logger.info.bind(logger) : logger.debug.bind(logger);
  const outer: Interceptor = (next) => async (ctx) => {
    const start = process.hrtime.bigint();
    let bytesIn = 0;
    let bytesOut = 0;
    const counted: CallContext = {
      ...ctx,
      request: countingRequest(ctx.request, (bytes) => (bytesIn += bytes)),
      response: countingResponse(ctx.response, (bytes) => (bytesOut += bytes)),
    };
    let status: number | string = 'unknown';
    try {
      const outcome = await next(counted);
      status = outcome.code;
      return outcome;
    } catch (error) {
      status = errorFromUnknown(error, 'call').code;
      throw error;
    } finally {
      const end = process.hrtime.bigint();
      const service = ctx.values.get(serviceTimeKey);
      const serviceNs = service === undefined ? 0n : (service.end ?? end) - service.start;
      // The accepted payment (set by the payment interceptor); a refused or unpaid call shows what the client sent.
      const payment = ctx.values.get(paymentInfoKey);
      write(
        {
          method: ctx.method,
          protocol: ctx.protocol,
          remote: ctx.remoteAddress,
          payment: payment?.type ?? header(ctx, 'snet-payment-type') ?? 'none',
          channel: payment?.channelId?.toString() ?? header(ctx, 'snet-payment-channel-id'),
          priceCogs: payment?.priceCogs.toString(),
          status,
          daemonMs: ms(end - start - serviceNs),
          serviceMs: service === undefined ? undefined : ms(serviceNs),
          bytesIn,
          bytesOut,
        },
        'call',
      );
    }
  };
  const serviceTimer: Interceptor = (next) => async (ctx) => {
    const timing: { start: bigint; end: bigint | undefined } = { start: process.hrtime.bigint(), end: undefined };
    ctx.values.set(serviceTimeKey, timing);
    try {
      return await next(ctx);
    } finally {
      timing.end = process.hrtime.bigint();
    }
  };
  return { outer, serviceTimer };
}
