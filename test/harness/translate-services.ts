// Real services of the three translated types for the request-translation tests: a JSON-RPC 2.0 server and a
// REST server (node:http on 127.0.0.1) and a POSIX shell script for the process type, all answering the methods
// of test/fixtures/translate/translate.proto.
import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const translateProtoPath = fileURLToPath(new URL('../fixtures/translate/translate.proto', import.meta.url));

/** The test proto as the daemon reads it (keepCase: proto field names). */
export async function translateProtoSource(): Promise<{ name: string; content: string }> {
  return { name: 'translate.proto', content: await readFile(translateProtoPath, 'utf8') };
}

const root = new protobuf.Root();
protobuf.parse(readFileSync(translateProtoPath, 'utf8'), root, { keepCase: true });
export const NumbersType = root.lookupType('translate.test.Numbers');
export const ResultType = root.lookupType('translate.test.Result');
export const BlobType = root.lookupType('translate.test.Blob');

/** One request a test server received. */
export interface SeenRequest {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

export interface TestHttpService {
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** The answer of both servers to `method` with `params`: `{status, body}`. */
function answerOf(method: string, params: Record<string, unknown>, jsonRpc: boolean, id: unknown): { status: number; body: string } {
  const reply = (result: unknown): { status: number; body: string } => ({ status: 200, body: JSON.stringify(jsonRpc ? { jsonrpc: '2.0', result, id } : result) });
  switch (method) {
    case 'add':
      // `extra` is not a field of Result: the daemon drops it. camelCase `opName` is protojson's spelling.
      return reply({ value: Number(params['a'] ?? 0) + Number(params['b'] ?? 0), big_count: params['big_count'] ?? '0', opName: 'add', extra: { nested: true } });
    case 'mul':
      return reply({ value: Number(params['a'] ?? 0) * Number(params['b'] ?? 0) });
    case 'fail':
      return jsonRpc ? { status: 200, body: JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'division by zero' }, id }) } : { status: 200, body: '[1,2]' };
    case 'down':
      return { status: 503, body: 'service overloaded, try later' };
    case 'garbage':
      return { status: 200, body: '<html>not json</html>' };
    case 'nothing':
      return jsonRpc ? { status: 200, body: JSON.stringify({ jsonrpc: '2.0', result: null, id }) } : { status: 200, body: '"a JSON string, not an object"' };
    default:
      return jsonRpc ? { status: 200, body: JSON.stringify({ jsonrpc: '2.0', error: { code: -32601, message: `no method ${method}` }, id }) } : { status: 404, body: 'not found' };
  }
}

function listen(handler: (path: string, body: unknown, request: http.IncomingMessage) => { status: number; body: string }): Promise<TestHttpService> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      } catch {
        body = Buffer.concat(chunks).toString('utf8');
      }
      seen.push({ url: request.url ?? '', headers: request.headers, body });
      const answer = handler(new URL(request.url ?? '/', 'http://x').pathname, body, request);
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A JSON-RPC 2.0 server on 127.0.0.1 at `/rpc`. */
export function startJsonRpcService(): Promise<TestHttpService> {
  return listen((_path, body) => {
    const { method, params, id } = (body ?? {}) as { method?: string; params?: Record<string, unknown>; id?: unknown };
    return answerOf(method ?? '', params ?? {}, true, id);
  });
}

/** A REST server on 127.0.0.1: `POST /api/<method>` with a JSON body. */
export function startRestService(): Promise<TestHttpService> {
  return listen((path, body) => {
    if (!path.startsWith('/api/')) return { status: 404, body: 'no such path' };
    return answerOf(path.slice('/api/'.length), (body ?? {}) as Record<string, unknown>, false, undefined);
  });
}

/**
 * Writes the process-type service: a POSIX shell script that takes the method as its argument. `echo` copies
 * stdin to stdout, `ignore` answers without reading stdin, `crash` writes to stderr and exits 3, `hang` writes
 * its pid, starts a child and never exits, `big` answers 1 MiB, `slow` reports how many `slow` calls run at
 * once (one marker file per running call in `dir/running`).
 */
export async function writeProcessService(dir: string): Promise<string> {
  const running = join(dir, 'running');
  await mkdir(running, { recursive: true });
  const path = join(dir, 'service.sh');
  await writeFile(
    path,
    `#!/bin/sh
case "$1" in
  echo|add) exec cat ;;
  ignore) printf 'ok' ;;
  crash) echo "secret-free failure details" >&2; exit 3 ;;
  hang) echo $$ > "${dir}/hang.pid"; sleep 1000 & sleep 1000 ;;
  big) cat > /dev/null; head -c 1048576 /dev/zero ;;
  slow)
    cat > /dev/null
    touch "${running}/$$"
    sleep 0.1
    ls "${running}" | wc -l | tr -d ' \\n'
    rm -f "${running}/$$" ;;
  *) echo "unknown method $1" >&2; exit 64 ;;
esac
`,
  );
  await chmod(path, 0o755);
  return path;
}
