// The example calculator as the three translated service types of `snetd dev --service-type`: a JSON-RPC 2.0
// server, a REST server (both node:http on 127.0.0.1) and a per-call executable. The daemon translates the
// clients' protobuf Numbers into what each expects, so `snetd dev call add 2 3` works against every one.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../shared/index.ts';

/** Service types `snetd dev` can put behind the daemon. */
export const DEV_SERVICE_TYPES = ['grpc', 'jsonrpc', 'http', 'process'] as const;
export type DevServiceType = (typeof DEV_SERVICE_TYPES)[number];

/** A running translated example service and the config keys that point the daemon at it. */
export interface TranslatedExample {
  /** `service_endpoint` or `executable_path`, and the heartbeat keys that probe the service itself. */
  readonly daemonConfig: Readonly<Record<string, string>>;
  /** What the printed summary calls the service's address. */
  readonly location: string;
  stop(): Promise<void>;
}

type Calculation = { readonly value: number } | { readonly error: string };

function calculate(method: string, params: unknown): Calculation {
  const { a = 0, b = 0 } = (params ?? {}) as { a?: number; b?: number };
  switch (method) {
    case 'add':
      return { value: a + b };
    case 'sub':
      return { value: a - b };
    case 'mul':
      return { value: a * b };
    case 'div':
      return b === 0 ? { error: 'division by zero' } : { value: a / b };
    default:
      return { error: `unknown method ${method}` };
  }
}

/**
 * Starts the JSON-RPC (`POST /rpc`, JSON-RPC 2.0; errors as JSON-RPC errors) or REST (`POST /calculator/<method>`;
 * errors as HTTP 400) calculator on 127.0.0.1, with `GET /health` for the daemon's `http` heartbeat, or writes the process one: a Node script that reads a protobuf
 * `Numbers` on standard input and writes a `Result` on standard output (division by zero: a message on standard
 * error and exit code 1).
 */
export async function startTranslatedExample(deps: { readonly logger: Logger }, type: Exclude<DevServiceType, 'grpc'>, options: { readonly port?: number } = {}): Promise<TranslatedExample> {
  const log = deps.logger.child({ component: 'devnet-example-service', serviceType: type });
  if (type === 'process') {
    const dir = await mkdtemp(join(tmpdir(), 'snetd-dev-process-'));
    const path = join(dir, 'calculator.mjs');
    await writeFile(path, processScript());
    await chmod(path, 0o755);
    log.info({ executable: path }, 'example process service written');
    return { daemonConfig: { executable_path: path }, location: path, stop: () => rm(dir, { recursive: true, force: true }) };
  }
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // An empty or broken body computes with a = b = 0.
      }
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (request.method === 'GET' && path === '/health') {
        // The daemon's `http` heartbeat: 200 with a body while the server runs.
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('ok\n');
        return;
      }
      let status = 200;
      let answer: unknown;
      if (type === 'jsonrpc') {
        const result = calculate(String(body['method']), body['params']);
        answer = 'error' in result ? { jsonrpc: '2.0', error: { code: -32000, message: result.error }, id: body['id'] } : { jsonrpc: '2.0', result, id: body['id'] };
      } else {
        const result = calculate(path.slice(path.lastIndexOf('/') + 1), body);
        if ('error' in result) status = 400;
        answer = result;
      }
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  const endpoint = type === 'jsonrpc' ? `http://127.0.0.1:${port}/rpc` : `http://127.0.0.1:${port}/calculator`;
  log.info({ endpoint }, 'example service started');
  return {
    daemonConfig: { service_endpoint: endpoint, service_heartbeat_type: 'http', heartbeat_endpoint: `http://127.0.0.1:${port}/health` },
    location: endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The process example: plain JavaScript for the running Node binary, protobuf by hand (two float fields). */
function processScript(): string {
  return `#!${process.execPath}
// snetd dev example process service: example_service.Calculator, one call per run. argv[2] is the method,
// standard input a protobuf Numbers { float a = 1; float b = 2; }, standard output a Result { float value = 1; }.
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks);
  const numbers = { a: 0, b: 0 };
  for (let i = 0; i < input.length; ) {
    const tag = input[i++];
    if (tag === 0x0d || tag === 0x15) {
      numbers[tag === 0x0d ? 'a' : 'b'] = input.readFloatLE(i);
      i += 4;
    } else {
      process.stderr.write('unexpected field tag ' + tag + '\\n');
      process.exit(2);
    }
  }
  const { a, b } = numbers;
  const method = process.argv[2];
  const ops = { add: () => a + b, sub: () => a - b, mul: () => a * b, div: () => a / b };
  if (!(method in ops)) {
    process.stderr.write('unknown method ' + method + '\\n');
    process.exit(2);
  }
  if (method === 'div' && b === 0) {
    process.stderr.write('division by zero\\n');
    process.exit(1);
  }
  const out = Buffer.alloc(5);
  out[0] = 0x0d;
  out.writeFloatLE(ops[method](), 1);
  process.stdout.write(out);
});
`;
}
