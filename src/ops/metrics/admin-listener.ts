// The optional private listener of `metrics_endpoint`: plain HTTP, GET /metrics (and /heartbeat), so owners
// can keep monitoring off the public daemon port. Loopback unless the owner names another interface.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SnetError } from '../../errors/index.ts';
import type { Logger } from '../../shared/index.ts';

/** One route of the admin listener: a body and its content type. */
export type AdminRoute = () => Promise<{ readonly contentType: string; readonly body: string }>;

/** A started admin listener. */
export interface AdminListener {
  readonly address: { readonly host: string; readonly port: number };
  close(): Promise<void>;
}

/** `metrics_endpoint` → host and port: a bare port binds 127.0.0.1. */
export function parseAdminEndpoint(text: string): { host: string; port: number } {
  if (/^\d{1,5}$/.test(text)) return { host: '127.0.0.1', port: Number(text) };
  const at = text.lastIndexOf(':');
  const host = text.slice(0, at).replace(/^\[|\]$/g, '');
  return { host: host === '' ? '127.0.0.1' : host, port: Number(text.slice(at + 1)) };
}

/** Starts the listener; rejects with LISTEN_FAILED when the port is taken. */
export async function startAdminListener(endpoint: { host: string; port: number }, routes: Readonly<Record<string, AdminRoute>>, logger: Logger): Promise<AdminListener> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    route().then(
      (answer) => res.writeHead(200, { 'content-type': answer.contentType }).end(req.method === 'HEAD' ? undefined : answer.body),
      (error: unknown) => {
        logger.error({ err: error, path }, 'admin route failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error\n');
      },
    );
  });
  server.listen(endpoint.port, endpoint.host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  } catch (error) {
    throw new SnetError('LISTEN_FAILED', `cannot listen on ${endpoint.host}:${endpoint.port} (metrics_endpoint): ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
      hint: 'Pick a free host:port in metrics_endpoint, or leave it empty to serve /metrics on the daemon port only.',
    });
  }
  const address = server.address() as AddressInfo;
  return {
    address: { host: address.address, port: address.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
