/**
 * Backends of the translation bench: a JSON-RPC 2.0 echo server (`result` = `params`) and a REST echo server
 * (the answer is the request body), node:http on 127.0.0.1. Prints `{"jsonrpc":N,"rest":M}` once listening.
 */
import http from 'node:http';

function start(answer: (body: Buffer) => string): Promise<number> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(answer(Buffer.concat(chunks)));
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

const jsonrpc = await start((body) => {
  const request = JSON.parse(body.toString('utf8')) as { params?: unknown; id?: unknown };
  return JSON.stringify({ jsonrpc: '2.0', result: request.params, id: request.id });
});
const rest = await start((body) => body.toString('utf8'));
process.stdout.write(`${JSON.stringify({ jsonrpc, rest })}\n`);
process.on('SIGTERM', () => process.exit(0));
