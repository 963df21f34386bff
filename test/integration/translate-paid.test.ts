// Paid (escrow) calls to jsonrpc, http and process services through the whole daemon: each service is registered
// on the dev chain with its service_type and a proto tarball published to the dev network's IPFS; the daemon
// (startDaemon, blockchain_enabled) loads, CID-checks and compiles those protos at start-up, and the payment
// interceptor wraps the translating upstream exactly as it wraps the gRPC one. The jsonrpc daemon also swaps its
// protos when the metadata is updated on chain (hot reload).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { buildServiceMetadata, createDevActions, createDevClients, DEV_ROLES, publishBytes, publishJson, startDevNetwork, tarFiles, type DevNetwork } from '../../src/devnet/index.ts';
import { isSnetError } from '../../src/errors/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';
import { BlobType, NumbersType, ResultType, startJsonRpcService, startRestService, translateProtoPath, writeProcessService, type TestHttpService } from '../harness/translate-services.ts';

const PRICE = 3n;

/** One unary grpc-js call with protobufjs types; resolves the decoded reply or the error. */
function unary(
  client: grpc.Client,
  path: string,
  types: { input: protobuf.Type; output: protobuf.Type },
  request: Record<string, unknown>,
  metadata: grpc.Metadata,
): Promise<{ reply?: Record<string, unknown>; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (value: Record<string, unknown>) => Buffer.from(types.input.encode(types.input.fromObject(value)).finish()),
      (bytes: Buffer) => types.output.toObject(types.output.decode(bytes), { longs: String }) as Record<string, unknown>,
      request,
      metadata,
      {},
      (error, reply) => resolve(error === null ? (reply === undefined ? {} : { reply }) : { error }),
    );
  });
}

const calc = { input: NumbersType, output: ResultType };
const blobs = { input: BlobType, output: BlobType };

void describe('paid calls to jsonrpc, http and process services (dev chain, protos from IPFS)', () => {
  let net: DevNetwork;
  let dir: string;
  let jsonRpc: TestHttpService;
  let rest: TestHttpService;
  let protoUri: string;
  const daemons: PaidDaemon[] = [];
  const clients: grpc.Client[] = [];

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE });
    dir = await mkdtemp(join(tmpdir(), 'snetd-translate-paid-'));
    [jsonRpc, rest] = await Promise.all([startJsonRpcService(), startRestService()]);
    protoUri = (await publishBytes(net.ipfsUrl, tarFiles([{ name: 'translate.proto', content: await readFile(translateProtoPath) }]), 'protos.tar')).uri;
  });

  after(async () => {
    for (const client of clients) client.close();
    for (const daemon of daemons) await daemon.stop();
    await Promise.all([jsonRpc.close(), rest.close()]);
    await net.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const actions = (): ReturnType<typeof createDevActions> => createDevActions(createDevClients(net.rpcUrl, net.chainId), net.contracts);

  /** Registers `serviceId` with `serviceType` and the given protos, starts a daemon for it and a client. */
  const serve = async (serviceId: string, serviceType: string, overrides: Record<string, unknown>): Promise<{ paid: PaidDaemon; client: grpc.Client }> => {
    const metadata = await publishJson(
      net.ipfsUrl,
      buildServiceMetadata({ mpeAddress: net.contracts.mpe, groupName: net.groupName, groupIdBase64: net.groupId.base64, endpoints: ['http://127.0.0.1:7000'], priceCogs: PRICE, serviceApiSource: protoUri, serviceType }),
    );
    await actions().createService({ ownerIndex: DEV_ROLES.owner, orgId: net.orgId, serviceId, metadataUri: metadata.uri });
    const paid = await startPaidDaemon(net, { service_id: serviceId, ...overrides });
    daemons.push(paid);
    const client = new grpc.Client(paid.target, grpc.credentials.createInsecure());
    clients.push(client);
    return { paid, client };
  };

  const pay = (amount: bigint): grpc.Metadata => escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount });

  void it('behavior: jsonrpc: a paid call is translated and committed; a failed one costs nothing; metadata reload swaps the protos', async () => {
    const { paid, client } = await serve('jsonrpc-service', 'jsonrpc', { service_endpoint: `${jsonRpc.url}/rpc`, 'payment_channel_storage_client.hot_reload': true });
    const unpaid = await unary(client, '/translate.test.Calc/add', calc, { a: 1, b: 2 }, new grpc.Metadata());
    assert.equal(unpaid.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(jsonRpc.seen.length, 0, 'an unpaid call never reaches the service');

    const first = await unary(client, '/translate.test.Calc/add', calc, { a: 1, b: 2 }, pay(PRICE));
    assert.equal(first.error, undefined, first.error?.message);
    assert.equal(first.reply?.['value'], 3);
    // The reservation was committed: the same signed amount does not pay a second call.
    const replayed = await unary(client, '/translate.test.Calc/add', calc, { a: 1, b: 2 }, pay(PRICE));
    assert.equal(replayed.error?.code, grpc.status.UNAUTHENTICATED);
    // A JSON-RPC error is released, not charged: the next amount is still 2 × price.
    const failed = await unary(client, '/translate.test.Calc/fail', calc, {}, pay(2n * PRICE));
    assert.equal(failed.error?.code, grpc.status.INTERNAL);
    assert.equal((await unary(client, '/translate.test.Calc/add', calc, { a: 2, b: 2 }, pay(2n * PRICE))).reply?.['value'], 4);

    // `mul` is not in the published protos yet; new protos that declare it arrive with the next metadata.
    const before = await unary(client, '/translate.test.Calc/mul', calc, { a: 2, b: 5 }, pay(3n * PRICE));
    assert.equal(before.error?.code, grpc.status.UNIMPLEMENTED);
    const source = (await readFile(translateProtoPath, 'utf8')).replace('rpc add(Numbers) returns (Result) {}', 'rpc add(Numbers) returns (Result) {}\n  rpc mul(Numbers) returns (Result) {}');
    const v2 = (await publishBytes(net.ipfsUrl, tarFiles([{ name: 'translate.proto', content: Buffer.from(source) }]), 'protos.tar')).uri;
    const metadata = await publishJson(
      net.ipfsUrl,
      buildServiceMetadata({ mpeAddress: net.contracts.mpe, groupName: net.groupName, groupIdBase64: net.groupId.base64, endpoints: ['http://127.0.0.1:7000'], priceCogs: PRICE, serviceApiSource: v2, serviceType: 'jsonrpc' }),
    );
    const swapped = paid.waitForLog(new RegExp(`"protos":"${v2}"`), { newOnly: true });
    await actions().updateService({ ownerIndex: DEV_ROLES.owner, orgId: net.orgId, serviceId: 'jsonrpc-service', metadataUri: metadata.uri });
    await swapped;
    const after = await unary(client, '/translate.test.Calc/mul', calc, { a: 2, b: 5 }, pay(3n * PRICE));
    assert.equal(after.error, undefined, after.error?.message);
    assert.equal(after.reply?.['value'], 10);

    // Dynamic pricing calls estimate methods over gRPC: refused at start-up for a translated service.
    await assert.rejects(
      startPaidDaemon(net, { service_id: 'jsonrpc-service', service_endpoint: `${jsonRpc.url}/rpc`, enable_dynamic_pricing: true }),
      (e) => isSnetError(e, 'CONFIG_UNSUPPORTED') && /enable_dynamic_pricing/.test(e.message),
    );
  });

  void it('behavior: http (REST): a paid call is translated with the service credentials and committed', async () => {
    const { client } = await serve('rest-service', 'http', {
      service_endpoint: `${rest.url}/api`,
      service_credentials: [{ key: 'api_key', value: 'rest-secret-123', location: 'query' }],
    });
    const answer = await unary(client, '/translate.test.Calc/add', calc, { a: 5, b: 6, big_count: '42' }, pay(PRICE));
    assert.equal(answer.error, undefined, answer.error?.message);
    assert.deepEqual(answer.reply, { value: 11, big_count: '42', op_name: 'add' });
    assert.equal(rest.seen.at(-1)?.url, '/api/add?api_key=rest-secret-123');
    const replayed = await unary(client, '/translate.test.Calc/add', calc, { a: 5, b: 6 }, pay(PRICE));
    assert.equal(replayed.error?.code, grpc.status.UNAUTHENTICATED);
    assert.doesNotMatch(daemons.at(-1)?.logs() ?? '', /rest-secret-123/, 'the credential never reaches the log');
  });

  void it('behavior: process: a paid call runs the executable and is committed; a non-zero exit is not charged', async () => {
    const executable = await writeProcessService(dir);
    // No heartbeat keys (the dev network's point at its gRPC example): the process probe below is the one tested.
    const { client } = await serve('process-service', 'process', { executable_path: executable, process_max_running: 2, service_heartbeat_type: '', heartbeat_endpoint: '' });
    const data = Buffer.from('paid bytes');
    const answer = await unary(client, '/translate.test.Blobs/echo', blobs, { data }, pay(PRICE));
    assert.equal(answer.error, undefined, answer.error?.message);
    assert.deepEqual(Buffer.from(answer.reply?.['data'] as Uint8Array), data);
    const crashed = await unary(client, '/translate.test.Blobs/crash', blobs, { data }, pay(2n * PRICE));
    assert.equal(crashed.error?.code, grpc.status.INTERNAL);
    assert.match(crashed.error?.details ?? '', /exited with code 3/);
    const next = await unary(client, '/translate.test.Blobs/echo', blobs, { data }, pay(2n * PRICE));
    assert.equal(next.error, undefined, next.error?.message);
    // No port to probe: the daemon's health check says SERVING while the executable can run.
    const health = await new Promise<Buffer | undefined>((resolve) => {
      client.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (error, reply) => resolve(error === null ? reply : undefined));
    });
    assert.deepEqual(health, Buffer.from([0x08, 0x01]));
    // Without executable_path the daemon does not start.
    await assert.rejects(startPaidDaemon(net, { service_id: 'process-service' }), (e) => isSnetError(e, 'CONFIG_INVALID') && /executable_path is not set/.test(e.message));
  });

  void it('error: an http service whose metadata names no protos stops the start-up', async () => {
    const metadata = await publishJson(
      net.ipfsUrl,
      buildServiceMetadata({ mpeAddress: net.contracts.mpe, groupName: net.groupName, groupIdBase64: net.groupId.base64, endpoints: ['http://127.0.0.1:7000'], priceCogs: PRICE, serviceType: 'http' }),
    );
    await actions().createService({ ownerIndex: DEV_ROLES.owner, orgId: net.orgId, serviceId: 'rest-without-protos', metadataUri: metadata.uri });
    await assert.rejects(
      startPaidDaemon(net, { service_id: 'rest-without-protos', service_endpoint: `${rest.url}/api` }),
      (e) => isSnetError(e, 'METADATA_INVALID') && /names no proto tarball/.test(e.message),
    );
  });
});
