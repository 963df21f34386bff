import { SnetError } from '../errors/index.ts';
import type { CallOutcome } from '../upstream/index.ts';
import type { CallContext } from './call-context.ts';
import { applyInterceptors, type CallHandler, type Interceptor } from './interceptor.ts';

/** A daemon-owned unary method: request message bytes in, response message bytes out (encode them yourself). */
export type UnaryMethod = (request: Uint8Array, ctx: CallContext) => Promise<Uint8Array>;

/** Sends one response message; resolves when the client can take more (backpressure), rejects when the call ended. */
export type SendMessage = (message: Uint8Array) => Promise<void>;

/** A daemon-owned server-streaming method. Resolving ends the call with OK. */
export type ServerStreamingMethod = (request: Uint8Array, ctx: CallContext, send: SendMessage) => Promise<void>;

/** A daemon-owned client- or bidi-streaming method. Resolving ends the call with OK. */
export type StreamingMethod = (requests: AsyncIterable<Uint8Array>, ctx: CallContext, send: SendMessage) => Promise<void>;

/** Per-method registration options. */
export interface MethodOptions {
  /** Interceptors for this method only (daemon services skip the payment chain). @default [] */
  readonly interceptors?: readonly Interceptor[];
}

/**
 * The daemon's own gRPC methods, keyed by full path (`/grpc.health.v1.Health/Check`). They are
 * served on the daemon's port and never proxied. The proto packages of registered services are the
 * daemon's (`escrow`, `grpc.health.v1`, …): any other method or service of such a package answers
 * UNIMPLEMENTED instead of reaching the AI service (the reference registers these services on its own
 * gRPC server, Go `snetd/cmd/serve.go`, so the AI service never sees them either).
 */
export interface ServiceRegistry {
  registerUnary(path: string, method: UnaryMethod, options?: MethodOptions): void;
  registerServerStreaming(path: string, method: ServerStreamingMethod, options?: MethodOptions): void;
  registerStreaming(path: string, method: StreamingMethod, options?: MethodOptions): void;
  /** The handler for `path`; `undefined` when neither the method nor its package is the daemon's. */
  lookup(path: string): CallHandler | undefined;
  /** Paths registered so far (metrics label them by name). */
  paths(): string[];
}

const okOutcome: CallOutcome = { code: 0, message: '' };

/** Creates an empty {@link ServiceRegistry}. Throws on a malformed path or a duplicate registration (start-up bugs). */
export function createServiceRegistry(): ServiceRegistry {
  const methods = new Map<string, CallHandler>();
  /** Proto packages of the registered services (`escrow` of `escrow.TokenService`). */
  const packages = new Set<string>();

  const add = (path: string, handler: CallHandler, options: MethodOptions | undefined): void => {
    const match = /^\/([^/]+)\/[^/]+$/.exec(path);
    if (match === null) throw new Error(`service registry: "${path}" is not a /package.Service/Method path`);
    if (methods.has(path)) throw new Error(`service registry: "${path}" is registered twice`);
    methods.set(path, applyInterceptors(handler, options?.interceptors ?? []));
    packages.add(packageOf(match[1] as string));
  };

  return {
    registerUnary(path, method, options) {
      add(
        path,
        async (ctx) => {
          const request = await requireFirst(ctx);
          const response = await method(request, ctx);
          ctx.response.writeMessage(response);
          return okOutcome;
        },
        options,
      );
    },
    registerServerStreaming(path, method, options) {
      add(
        path,
        async (ctx) => {
          const request = await requireFirst(ctx);
          await method(request, ctx, createSender(ctx));
          return okOutcome;
        },
        options,
      );
    },
    registerStreaming(path, method, options) {
      add(
        path,
        async (ctx) => {
          await method(ctx.request.messages(), ctx, createSender(ctx));
          return okOutcome;
        },
        options,
      );
    },
    paths: () => [...methods.keys()],
    lookup(path) {
      const handler = methods.get(path);
      if (handler !== undefined) return handler;
      const slash = path.indexOf('/', 1);
      if (slash === -1 || !packages.has(packageOf(path.slice(1, slash)))) return undefined;
      return unimplemented;
    },
  };
}

/** `escrow` of `escrow.TokenService`, `grpc.health.v1` of `grpc.health.v1.Health`, '' for a service with no package. */
function packageOf(service: string): string {
  const dot = service.lastIndexOf('.');
  return dot === -1 ? '' : service.slice(0, dot);
}

const unimplemented: CallHandler = (ctx) =>
  Promise.reject(new SnetError('METHOD_UNIMPLEMENTED', `method ${ctx.method.slice(ctx.method.lastIndexOf('/') + 1)} not implemented`));

async function requireFirst(ctx: CallContext): Promise<Uint8Array> {
  const first = await ctx.request.first();
  if (first === undefined) throw new SnetError('REQUEST_MALFORMED', `${ctx.method} expects one request message and got none`);
  return first;
}

function createSender(ctx: CallContext): SendMessage {
  return (message) => {
    if (ctx.signal.aborted) return Promise.reject(ctx.signal.reason as Error);
    if (ctx.response.writeMessage(message)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(ctx.signal.reason as Error);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      ctx.response.onDrain(() => {
        ctx.signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  };
}
