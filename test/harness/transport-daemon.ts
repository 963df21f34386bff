/**
 * Starts the daemon's transport on 127.0.0.1:0 in front of a service, wired as src/app does:
 * registry (health) + router + interceptors around the gRPC upstream (or echo mode).
 */
import { createSilentLogger } from '../../src/shared/index.ts';
import { createDaemonServer, type DaemonServer, type HttpRoutes, type TransportOptions } from '../../src/transport/index.ts';
import { applyInterceptors, createEchoHandler, createRouter, createServiceRegistry, createUpstreamHandler, type Interceptor } from '../../src/pipeline/index.ts';
import { createBuiltinGrpcUpstream, createGrpcUpstream, type Upstream } from '../../src/upstream/index.ts';
import { createUpstreamHealthProbe, registerHealthService, type HealthProbe } from '../../src/services/index.ts';

export interface TestDaemon {
  readonly port: number;
  readonly target: string;
  readonly server: DaemonServer;
  readonly upstream: Upstream | undefined;
  close(deadlineMs?: number): Promise<void>;
}

export interface TestDaemonOptions {
  /** `service_endpoint`; absent = echo mode. */
  readonly serviceEndpoint?: string;
  readonly serviceCa?: Buffer;
  readonly interceptors?: readonly Interceptor[];
  readonly transport?: Partial<TransportOptions>;
  readonly httpRoutes?: HttpRoutes;
  readonly healthProbe?: HealthProbe;
  readonly watchIntervalMs?: number;
  /** HTTP/2 engine of the service hop (`upstream_http2_engine`). @default the one set by {@link useUpstreamEngine}, else 'builtin' (the daemon's default) */
  readonly upstreamEngine?: UpstreamEngine;
  /** `upstream_connections` (builtin engine only). @default 1 */
  readonly upstreamConnections?: number;
  /** An upstream built by the test (a jsonrpc, http or process one); wins over `serviceEndpoint`. Closed by `close()`. */
  readonly upstream?: Upstream;
}

export type UpstreamEngine = 'nghttp2' | 'builtin';
let defaultEngine: UpstreamEngine = 'builtin';

/**
 * Sets the service-hop engine of every later {@link startTestDaemon} in this test process: a test
 * file that sets 'nghttp2' and then imports the transport scenario files runs them all on node:http2
 * (test/integration/transport-nghttp2-upstream.test.ts); by default they run on the built-in client.
 */
export function useUpstreamEngine(engine: UpstreamEngine): void {
  defaultEngine = engine;
}

export async function startTestDaemon(options: TestDaemonOptions = {}): Promise<TestDaemon> {
  const logger = createSilentLogger();
  const upstream =
    options.upstream ??
    (options.serviceEndpoint === undefined
      ? undefined
      : (options.upstreamEngine ?? defaultEngine) === 'builtin'
        ? createBuiltinGrpcUpstream(
            { logger },
            { endpoint: options.serviceEndpoint, connections: options.upstreamConnections ?? 1, ...(options.serviceCa === undefined ? {} : { ca: options.serviceCa }) },
          )
        : createGrpcUpstream({ logger }, { endpoint: options.serviceEndpoint, ...(options.serviceCa === undefined ? {} : { ca: options.serviceCa }) }));
  const registry = createServiceRegistry();
  const probe = options.healthProbe ?? (upstream === undefined ? { check: () => Promise.resolve('SERVING' as const) } : createUpstreamHealthProbe(upstream, 1000));
  registerHealthService(registry, probe, options.watchIntervalMs === undefined ? {} : { watchIntervalMs: options.watchIntervalMs });
  const inner = upstream === undefined ? createEchoHandler() : createUpstreamHandler(upstream);
  const handler = createRouter({ registry, fallback: applyInterceptors(inner, options.interceptors ?? []) });
  const server = createDaemonServer(
    { logger, handler, httpRoutes: options.httpRoutes ?? {} },
    { host: '127.0.0.1', port: 0, maxMessageBytes: 4 << 20, ...options.transport },
  );
  const { port } = await server.listen();
  return {
    port,
    target: `127.0.0.1:${port}`,
    server,
    upstream,
    close: async (deadlineMs = 2000) => {
      await server.close(deadlineMs);
      await upstream?.close();
    },
  };
}
