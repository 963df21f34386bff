// A gRPC service with dynamically priced methods (test/fixtures/dynamic-pricing/priced_service.proto) on
// grpc-js with pass-through serialisers, so it records the exact request bytes and metadata each method got;
// plus publishing its proto tarball and service metadata on a dev network.
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { buildServiceMetadata, createDevActions, createDevClients, DEV_ROLES, publishJson, tarFiles, type DevNetwork } from '../../src/devnet/index.ts';

const FIXTURES = new URL('../fixtures/dynamic-pricing/', import.meta.url);

/** Cogs per character of `Text.text` that `estimate_write` answers. */
export const COGS_PER_CHARACTER = 3n;

const types = protobuf.parse(
  'syntax = "proto3"; package priced; message Text { string text = 1; } message Reply { string text = 1; } message PriceInCogs { uint64 price = 1; }',
).root;
const Text = types.lookupType('priced.Text');
const Reply = types.lookupType('priced.Reply');
const PriceInCogs = types.lookupType('priced.PriceInCogs');

/** `priced.Text` bytes. */
export function encodeText(text: string): Buffer {
  return Buffer.from(Text.encode(Text.fromObject({ text })).finish());
}

/** One call as the service saw it. */
export interface SeenCall {
  readonly method: string;
  readonly bytes: Buffer;
  readonly metadata: grpc.Metadata;
}

/** The running test service. */
export interface PricedService {
  readonly endpoint: string;
  /** Every call received, in order. */
  readonly calls: SeenCall[];
  stop(): Promise<void>;
}

const raw = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };

/** Starts the priced test service on 127.0.0.1:0 (plaintext). */
export async function startPricedService(): Promise<PricedService> {
  const calls: SeenCall[] = [];
  const server = new grpc.Server();
  const unary = (name: string, answer: (text: string) => Buffer | { code: grpc.status; details: string }) => ({
    definition: { path: `/priced.Writer/${name}`, requestStream: false, responseStream: false, ...raw },
    handler: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      calls.push({ method: `/priced.Writer/${name}`, bytes: call.request, metadata: call.metadata });
      const text = (Text.toObject(Text.decode(call.request)) as { text?: string }).text ?? '';
      const result = answer(text);
      if (Buffer.isBuffer(result)) callback(null, result);
      else callback(result);
    },
  });
  const reply = (text: string): Buffer => Buffer.from(Reply.encode(Reply.fromObject({ text })).finish());
  const methods = {
    write: unary('write', (text) => reply(`wrote ${text}`)),
    estimate_write: unary('estimate_write', (text) => Buffer.from(PriceInCogs.encode(PriceInCogs.fromObject({ price: (BigInt(text.length) * COGS_PER_CHARACTER).toString() })).finish())),
    write_broken: unary('write_broken', (text) => reply(`wrote ${text}`)),
    estimate_fail: unary('estimate_fail', () => ({ code: grpc.status.FAILED_PRECONDITION, details: 'estimator is broken' })),
    echo: unary('echo', (text) => reply(text)),
  };
  server.addService(
    Object.fromEntries(Object.entries(methods).map(([name, m]) => [name, m.definition])),
    Object.fromEntries(Object.entries(methods).map(([name, m]) => [name, m.handler])),
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err === null ? resolve(p) : reject(err))));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())).then(() => server.forceShutdown()),
  };
}

/**
 * Publishes the priced service's proto tarball (priced_service.proto + pricing.proto) to the dev IPFS and
 * points the dev network's service registration at new metadata (fixed price `staticPriceCogs`) naming it.
 * `editProto` rewrites the proto texts first (e.g. to mark another method).
 */
export async function publishPricedService(net: DevNetwork, staticPriceCogs: bigint, editProto: (text: string) => string = (text) => text): Promise<void> {
  const files = await Promise.all(
    ['priced_service.proto', 'pricing.proto'].map(async (name) => ({ name, content: new TextEncoder().encode(editProto(await readFile(new URL(name, FIXTURES), 'utf8'))) })),
  );
  const form = new FormData();
  form.append('file', new Blob([tarFiles(files)]), 'protos.tar');
  const response = await fetch(`${net.ipfsUrl}/api/v0/add`, { method: 'POST', body: form });
  const { Hash } = JSON.parse((await response.text()).trim().split('\n')[0] ?? '{}') as { Hash?: string };
  if (typeof Hash !== 'string') throw new Error('IPFS add of the proto tarball failed');
  const metadata = await publishJson(
    net.ipfsUrl,
    buildServiceMetadata({
      mpeAddress: net.contracts.mpe,
      groupName: net.groupName,
      groupIdBase64: net.groupId.base64,
      endpoints: [net.daemonEndpoint],
      priceCogs: staticPriceCogs,
      serviceApiSource: `ipfs://${Hash}`,
    }),
  );
  await createDevActions(createDevClients(net.rpcUrl, net.chainId), net.contracts).updateService({
    ownerIndex: DEV_ROLES.owner,
    orgId: net.orgId,
    serviceId: net.serviceId,
    metadataUri: metadata.uri,
  });
}

/** A unary call to the daemon with raw bytes; resolves the reply text or the error. */
export function callPriced(client: grpc.Client, method: string, text: string, metadata: grpc.Metadata): Promise<{ text?: string; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/priced.Writer/${method}`,
      (value: string) => encodeText(value),
      (bytes: Buffer) => (Reply.toObject(Reply.decode(bytes)) as { text?: string }).text ?? '',
      text,
      metadata,
      {},
      (error, reply) => resolve(error === null ? { text: reply ?? '' } : { error }),
    );
  });
}
