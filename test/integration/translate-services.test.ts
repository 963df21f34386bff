// Request translation through the daemon's transport with real services: a JSON-RPC server and a REST server
// (node:http on 127.0.0.1) and a shell script for the process type, called over gRPC (HTTP/2) and gRPC-Web
// (HTTP/1.1) with protobuf and JSON messages, on every success and error path.
import assert from 'node:assert/strict';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Logger } from '../../src/shared/index.ts';
import { compileProtos, createJsonRpcUpstream, createProcessUpstream, createRestUpstream, type CompiledProtos, type ProcessUpstream } from '../../src/upstream/index.ts';
import { frame, parseFrames, rawHttp2Request } from '../harness/raw-grpc.ts';
import { startTestDaemon, type TestDaemon } from '../harness/transport-daemon.ts';
import {
  BlobType,
  NumbersType,
  ResultType,
  startJsonRpcService,
  startRestService,
  translateProtoSource,
  writeProcessService,
  type TestHttpService,
} from '../harness/translate-services.ts';

interface Answer {
  readonly code: number;
  readonly message: string;
  readonly messages: Buffer[];
}

const MAX = 4 << 20;

/** One call over gRPC (h2c); `messages` are framed one after the other in the request body. */
async function grpcCall(port: number, path: string, messages: readonly Uint8Array[], options: { json?: boolean; timeout?: string } = {}): Promise<Answer> {
  const response = await rawHttp2Request(
    port,
    {
      ':path': path,
      'content-type': options.json === true ? 'application/grpc+json' : 'application/grpc',
      te: 'trailers',
      ...(options.timeout === undefined ? {} : { 'grpc-timeout': options.timeout }),
    },
    Buffer.concat(messages.map((m) => frame(m))),
  );
  const status = response.trailers['grpc-status'] ?? response.headers['grpc-status'];
  const message = response.trailers['grpc-message'] ?? response.headers['grpc-message'] ?? '';
  return { code: Number(status), message: decodeURIComponent(String(message)), messages: parseFrames(response.body).messages };
}

/** One unary call over gRPC-Web (HTTP/1.1, binary body). */
async function webCall(port: number, path: string, message: Uint8Array, json = false): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': json ? 'application/grpc-web+json' : 'application/grpc-web+proto', 'x-grpc-web': '1' },
    body: frame(message),
  });
  const parsed = parseFrames(Buffer.from(await response.arrayBuffer()));
  const status = parsed.trailers?.['grpc-status'] ?? response.headers.get('grpc-status');
  const text = parsed.trailers?.['grpc-message'] ?? response.headers.get('grpc-message') ?? '';
  return { code: Number(status), message: decodeURIComponent(text), messages: parsed.messages };
}

const numbers = (value: Record<string, unknown>): Uint8Array => NumbersType.encode(NumbersType.fromObject(value)).finish();
const result = (bytes: Uint8Array | undefined): Record<string, unknown> => ResultType.toObject(ResultType.decode(bytes ?? new Uint8Array()), { longs: String });
const blob = (data: Uint8Array): Uint8Array => BlobType.encode(BlobType.fromObject({ data })).finish();
const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));
const parseJson = (bytes: Uint8Array | undefined): Record<string, unknown> => JSON.parse(Buffer.from(bytes ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;

/** A logger that keeps every line (to check what reaches the log and what does not). */
function captureLogger(lines: { level: string; obj: object; msg: string | undefined }[]): Logger {
  const make = (bindings: Record<string, unknown>): Logger => {
    const at =
      (level: string) =>
      (obj: object, msg?: string): void => {
        lines.push({ level, obj: { ...bindings, ...obj }, msg });
      };
    return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: (more) => make({ ...bindings, ...more }) };
  };
  return make({});
}

let protos: CompiledProtos;
before(async () => {
  protos = compileProtos([await translateProtoSource()]);
});

void describe('jsonrpc service type through the daemon', () => {
  let service: TestHttpService;
  let daemon: TestDaemon;
  let jsonDaemon: TestDaemon;

  before(async () => {
    service = await startJsonRpcService();
    const options = { endpoint: `${service.url}/rpc`, protos: () => protos, maxMessageBytes: MAX, userAgent: 'snetd-test' };
    daemon = await startTestDaemon({ upstream: createJsonRpcUpstream({ ...options, encoding: 'proto' }) });
    jsonDaemon = await startTestDaemon({ upstream: createJsonRpcUpstream({ ...options, encoding: 'json' }) });
  });
  after(async () => {
    await daemon.close();
    await jsonDaemon.close();
    await service.close();
  });

  void it('behavior: a protobuf request becomes JSON-RPC 2.0 params (proto names, 64-bit as strings) and the result the reply message', async () => {
    const answer = await grpcCall(daemon.port, '/translate.test.Calc/add', [numbers({ a: 2, b: 3, big_count: '9007199254740993', op_name: 'x' })]);
    assert.equal(answer.code, 0, answer.message);
    assert.deepEqual(result(answer.messages[0]), { value: 5, big_count: '9007199254740993', op_name: 'add' });
    const seen = service.seen.at(-1);
    assert.equal(seen?.url, '/rpc');
    assert.equal(seen?.headers['content-type'], 'application/json');
    const body = seen?.body as Record<string, unknown>;
    assert.equal(body['jsonrpc'], '2.0');
    assert.equal(body['method'], 'add');
    assert.deepEqual(body['params'], { a: 2, b: 3, big_count: '9007199254740993', op_name: 'x' });
    assert.ok(Number.isSafeInteger(body['id']) && (body['id'] as number) >= 0);
  });

  void it('behavior: JSON messages (application/grpc-web+json) pass as JSON; fields the output type lacks are dropped', async () => {
    const answer = await webCall(daemon.port, '/translate.test.Calc/add', json({ a: 1, b: 2 }), true);
    assert.equal(answer.code, 0, answer.message);
    const reply = parseJson(answer.messages[0]);
    assert.equal(reply['value'], 3);
    assert.equal(reply['op_name'], 'add');
    assert.equal(reply['extra'], undefined);
    assert.deepEqual((service.seen.at(-1)?.body as Record<string, unknown>)['params'], { a: 1, b: 2 });
  });

  void it('behavior: metadata encoding json means JSON messages under plain application/grpc (as snet-cli sends them)', async () => {
    const answer = await grpcCall(jsonDaemon.port, '/translate.test.Calc/add', [json({ a: 4, b: 5 })]);
    assert.equal(answer.code, 0, answer.message);
    assert.equal(parseJson(answer.messages[0])['value'], 9);
  });

  void it('error: a JSON-RPC error answers INTERNAL with its message, over gRPC and gRPC-Web', async () => {
    for (const answer of [await grpcCall(daemon.port, '/translate.test.Calc/fail', [numbers({ a: 1 })]), await webCall(daemon.port, '/translate.test.Calc/fail', numbers({ a: 1 }))]) {
      assert.equal(answer.code, 13);
      assert.match(answer.message, /json-rpc error from fail: division by zero/);
      assert.equal(answer.messages.length, 0);
    }
  });

  void it('error: a non-2xx answer is UNAVAILABLE naming the status; a null result, a non-JSON answer INTERNAL', async () => {
    const down = await grpcCall(daemon.port, '/translate.test.Calc/down', [numbers({})]);
    assert.equal(down.code, 14);
    assert.match(down.message, /HTTP 503 to down: service overloaded/);
    const nothing = await grpcCall(daemon.port, '/translate.test.Calc/nothing', [numbers({})]);
    assert.equal(nothing.code, 13);
    assert.match(nothing.message, /result is null/);
    const garbage = await grpcCall(daemon.port, '/translate.test.Calc/garbage', [numbers({})]);
    assert.equal(garbage.code, 13);
    assert.match(garbage.message, /not JSON/);
  });

  void it('error: a method the protos lack is UNIMPLEMENTED naming it; undecodable messages and client streams INVALID_ARGUMENT', async () => {
    const unknown = await grpcCall(daemon.port, '/translate.test.Calc/nope', [numbers({})]);
    assert.equal(unknown.code, 12);
    assert.match(unknown.message, /\/translate\.test\.Calc\/nope/);
    const badProto = await grpcCall(daemon.port, '/translate.test.Calc/add', [Buffer.from([0x0a, 0xff, 0xff])]);
    assert.equal(badProto.code, 3);
    assert.match(badProto.message, /not a valid translate\.test\.Numbers/);
    const badJson = await grpcCall(daemon.port, '/translate.test.Calc/add', [Buffer.from('{nope')], { json: true });
    assert.equal(badJson.code, 3);
    assert.match(badJson.message, /not JSON/);
    const stream = await grpcCall(daemon.port, '/translate.test.Calc/add', [numbers({ a: 1 }), numbers({ a: 2 })]);
    assert.equal(stream.code, 3);
    assert.match(stream.message, /takes one request message; the client sent more/);
    const none = await grpcCall(daemon.port, '/translate.test.Calc/add', []);
    assert.equal(none.code, 3);
  });

  void it('error: a service that is not listening answers UNAVAILABLE', async () => {
    const gone = await startJsonRpcService();
    await gone.close();
    const orphan = await startTestDaemon({ upstream: createJsonRpcUpstream({ endpoint: gone.url, encoding: 'proto', protos: () => protos, maxMessageBytes: MAX, userAgent: 't' }) });
    try {
      const answer = await grpcCall(orphan.port, '/translate.test.Calc/add', [numbers({})]);
      assert.equal(answer.code, 14);
      assert.match(answer.message, /ECONNREFUSED/);
    } finally {
      await orphan.close();
    }
  });
});

void describe('http (REST) service type through the daemon', () => {
  let service: TestHttpService;
  let daemon: TestDaemon;

  before(async () => {
    service = await startRestService();
    daemon = await startTestDaemon({
      upstream: createRestUpstream({
        endpoint: `${service.url}/api`,
        encoding: 'proto',
        protos: () => protos,
        credentials: [
          { key: 'api_key', value: 'k1', location: 'query' },
          { key: 'X-Token', value: 't1', location: 'header' },
          { key: 'ignored', value: 5, location: 'header' },
          { key: 'tenant', value: { id: 7 }, location: 'body' },
        ],
        maxMessageBytes: MAX,
        userAgent: 'snetd-test',
      }),
    });
  });
  after(async () => {
    await daemon.close();
    await service.close();
  });

  void it('behavior: the input message as JSON with proto names is POSTed to <endpoint>/<method> with the credentials applied', async () => {
    const answer = await grpcCall(daemon.port, '/translate.test.Calc/add', [numbers({ a: 2, b: 3, big_count: '5', op_name: 'x' })]);
    assert.equal(answer.code, 0, answer.message);
    assert.deepEqual(result(answer.messages[0]), { value: 5, big_count: '5', op_name: 'add' });
    const seen = service.seen.at(-1);
    assert.equal(seen?.url, '/api/add?api_key=k1');
    assert.equal(seen?.headers['x-token'], 't1');
    assert.equal(seen?.headers['ignored'], undefined);
    assert.deepEqual(seen?.body, { a: 2, b: 3, big_count: '5', op_name: 'x', tenant: { id: 7 } });
  });

  void it('behavior: gRPC-Web with JSON messages (camelCase input accepted), JSON reply without unknown fields', async () => {
    const answer = await webCall(daemon.port, '/translate.test.Calc/add', json({ a: 1.5, b: 1, opName: 'camel', unknown: 1 }), true);
    assert.equal(answer.code, 0, answer.message);
    const reply = parseJson(answer.messages[0]);
    assert.equal(reply['value'], 2.5);
    assert.equal(reply['extra'], undefined);
    assert.deepEqual(service.seen.at(-1)?.body, { a: 1.5, b: 1, op_name: 'camel', tenant: { id: 7 } });
  });

  void it('error: non-2xx is UNAVAILABLE; a non-JSON answer or one that does not fit the output type INTERNAL; unknown method UNIMPLEMENTED', async () => {
    const down = await webCall(daemon.port, '/translate.test.Calc/down', numbers({}));
    assert.equal(down.code, 14);
    assert.match(down.message, /HTTP 503 to down/);
    const garbage = await grpcCall(daemon.port, '/translate.test.Calc/garbage', [numbers({})]);
    assert.equal(garbage.code, 13);
    assert.match(garbage.message, /not JSON/);
    const misfit = await grpcCall(daemon.port, '/translate.test.Calc/nothing', [numbers({})]);
    assert.equal(misfit.code, 13);
    assert.match(misfit.message, /does not fit translate\.test\.Result/);
    const array = await grpcCall(daemon.port, '/translate.test.Calc/fail', [numbers({})]);
    assert.equal(array.code, 13);
    const unknown = await grpcCall(daemon.port, '/translate.test.Other/add2', [numbers({})]);
    assert.equal(unknown.code, 12);
    const stream = await grpcCall(daemon.port, '/translate.test.Calc/add', [numbers({}), numbers({})]);
    assert.equal(stream.code, 3);
  });
});

void describe('process service type through the daemon', () => {
  let dir: string;
  let executable: string;
  let daemon: TestDaemon;
  let upstream: ProcessUpstream;
  const lines: { level: string; obj: object; msg: string | undefined }[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'snetd-process-'));
    executable = await writeProcessService(dir);
    upstream = createProcessUpstream({ logger: captureLogger(lines) }, { executablePath: executable, maxRunning: 4, maxQueued: 64, maxMessageBytes: MAX, protos: () => protos });
    daemon = await startTestDaemon({ upstream });
  });
  after(async () => {
    await daemon.close();
    await rm(dir, { recursive: true, force: true });
  });

  void it('behavior: the request bytes go to stdin and stdout is the reply, over gRPC and gRPC-Web, protobuf and JSON', async () => {
    const message = blob(Buffer.from('hello'));
    const viaGrpc = await grpcCall(daemon.port, '/translate.test.Blobs/echo', [message]);
    assert.equal(viaGrpc.code, 0, viaGrpc.message);
    assert.deepEqual(viaGrpc.messages[0], Buffer.from(message));
    const viaWeb = await webCall(daemon.port, '/translate.test.Blobs/echo', message);
    assert.equal(viaWeb.code, 0, viaWeb.message);
    assert.deepEqual(viaWeb.messages[0], Buffer.from(message));
    const viaJson = await webCall(daemon.port, '/translate.test.Calc/add', json({ a: 1 }), true);
    assert.equal(viaJson.code, 0, viaJson.message);
    assert.deepEqual(parseJson(viaJson.messages[0]), { a: 1 });
  });

  void it('behavior: a 1 MiB request and its 1 MiB echo stream through both pipes (the reference hangs above 64 KiB)', async () => {
    const data = Buffer.alloc(1 << 20);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const message = blob(data);
    const answer = await grpcCall(daemon.port, '/translate.test.Blobs/echo', [message]);
    assert.equal(answer.code, 0, answer.message);
    assert.equal(answer.messages[0]?.byteLength, message.byteLength);
    assert.ok(answer.messages[0]?.equals(Buffer.from(message)));
    const big = await grpcCall(daemon.port, '/translate.test.Blobs/big', [blob(Buffer.from('x'))]);
    assert.equal(big.code, 0, big.message);
    assert.equal(big.messages[0]?.byteLength, 1 << 20);
  });

  void it('behavior: a process that never reads its 1 MiB input still answers', async () => {
    const answer = await grpcCall(daemon.port, '/translate.test.Blobs/ignore', [blob(Buffer.alloc(1 << 20, 1))]);
    assert.equal(answer.code, 0, answer.message);
    assert.equal(answer.messages[0]?.toString(), 'ok');
  });

  void it('error: a non-zero exit is INTERNAL naming the exit code; stderr goes to the log, not to the client', async () => {
    const answer = await grpcCall(daemon.port, '/translate.test.Blobs/crash', [blob(Buffer.from('x'))]);
    assert.equal(answer.code, 13);
    assert.match(answer.message, /exited with code 3/);
    assert.doesNotMatch(answer.message, /failure details/);
    const logged = lines.find((line) => line.msg === 'process service call failed');
    assert.match(String((logged?.obj as { stderr?: unknown } | undefined)?.stderr), /secret-free failure details/);
    assert.equal((logged?.obj as { exitCode?: unknown } | undefined)?.exitCode, 3);
  });

  void it('error: a process that never exits is killed with its children at the deadline (DEADLINE_EXCEEDED, nothing left)', async () => {
    const answer = await grpcCall(daemon.port, '/translate.test.Blobs/hang', [blob(Buffer.from('x'))], { timeout: '400m' });
    assert.equal(answer.code, 4);
    const pid = Number((await readFile(join(dir, 'hang.pid'), 'utf8')).trim());
    assert.ok(pid > 0);
    // The kill is asynchronous: wait (bounded) until no live process of the call's group remains.
    let left: number[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      left = await liveGroupMembers(pid);
      if (left.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(left, [], 'processes of the call group still alive');
    assert.equal(upstream.stats().running, 0);
  });

  void it('behavior: 50 concurrent calls all succeed and never more than the cap (4) run at once', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => grpcCall(daemon.port, '/translate.test.Blobs/slow', [blob(Buffer.from('x'))])));
    for (const answer of answers) assert.equal(answer.code, 0, answer.message);
    const counts = answers.map((answer) => Number(answer.messages[0]?.toString()));
    assert.ok(Math.max(...counts) <= 4, `at most 4 at once, saw ${Math.max(...counts)}`);
    assert.ok(Math.max(...counts) >= 2, 'calls did run concurrently');
    assert.deepEqual(upstream.stats(), { running: 0, queued: 0 });
  });

  void it('error: with every slot busy and the queue full, a call is RESOURCE_EXHAUSTED; the others still succeed', async () => {
    const tight = await startTestDaemon({
      upstream: createProcessUpstream({ logger: captureLogger([]) }, { executablePath: executable, maxRunning: 1, maxQueued: 1, maxMessageBytes: MAX, protos: () => undefined }),
    });
    try {
      const answers = await Promise.all(Array.from({ length: 3 }, () => grpcCall(tight.port, '/translate.test.Blobs/slow', [blob(Buffer.from('x'))])));
      const codes = answers.map((a) => a.code).sort();
      assert.deepEqual(codes, [0, 0, 8]);
      assert.match(answers.find((a) => a.code === 8)?.message ?? '', /all 1 process slots are busy/);
    } finally {
      await tight.close();
    }
  });

  void it('error: a client stream, an unknown method and a missing executable', async () => {
    const stream = await grpcCall(daemon.port, '/translate.test.Blobs/echo', [blob(Buffer.from('a')), blob(Buffer.from('b'))]);
    assert.equal(stream.code, 3);
    const unknown = await grpcCall(daemon.port, '/translate.test.Blobs/format_disk', [blob(Buffer.from('a'))]);
    assert.equal(unknown.code, 12);
    const missing = await startTestDaemon({
      upstream: createProcessUpstream({ logger: captureLogger([]) }, { executablePath: join(dir, 'absent'), maxRunning: 1, maxQueued: 1, maxMessageBytes: MAX, protos: () => undefined }),
    });
    try {
      const answer = await grpcCall(missing.port, '/translate.test.Blobs/echo', [blob(Buffer.from('a'))]);
      assert.equal(answer.code, 13);
      assert.match(answer.message, /could not start: ENOENT/);
    } finally {
      await missing.close();
    }
  });
});

/** PIDs of live (not zombie) processes whose process group is `pgid`, from /proc. */
async function liveGroupMembers(pgid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised command: state, ppid, pgrp.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(entry));
  }
  return out;
}
