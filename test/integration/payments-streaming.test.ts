// Paid streaming calls: the reservation is held for the whole stream and committed when the service ends it
// with OK; a stream the service fails is free. The test service echoes the metadata it received, so the
// snet-user-address / snet-daemon-debug headers the daemon sets are checked at the service.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { buildChannelStateMessage, decodeUint, signMessage } from '../../src/blockchain/index.ts';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { getChannelStatePath } from '../../src/services/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { createTestClient, startTestService, type EchoRequest, type EchoResponse, type TestService } from '../harness/grpc-test-service.ts';
import { callEscrowService, currentBlock, escrowMetadata, escrowTypes, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

const PRICE = 11n;

function serverStream(client: grpc.Client, request: EchoRequest, metadata: grpc.Metadata): Promise<{ responses: EchoResponse[]; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const responses: EchoResponse[] = [];
    let error: grpc.ServiceError | undefined;
    const call = (client as unknown as { ServerStream(r: EchoRequest, m: grpc.Metadata): grpc.ClientReadableStream<EchoResponse> }).ServerStream(request, metadata);
    call.on('data', (r: EchoResponse) => responses.push(r));
    call.on('error', (e: grpc.ServiceError) => (error = e));
    call.on('status', () => setImmediate(() => resolve(error === undefined ? { responses } : { responses, error })));
  });
}

function bidi(client: grpc.Client, requests: EchoRequest[], metadata: grpc.Metadata): Promise<{ responses: EchoResponse[]; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const responses: EchoResponse[] = [];
    let error: grpc.ServiceError | undefined;
    const call = (client as unknown as { Bidi(m: grpc.Metadata): grpc.ClientDuplexStream<EchoRequest, EchoResponse> }).Bidi(metadata);
    call.on('data', (r: EchoResponse) => responses.push(r));
    call.on('error', (e: grpc.ServiceError) => (error = e));
    call.on('status', () => setImmediate(() => resolve(error === undefined ? { responses } : { responses, error })));
    for (const request of requests) call.write(request);
    call.end();
  });
}

void describe('paid streaming calls', () => {
  let net: DevNetwork;
  let service: TestService;
  let paid: PaidDaemon;
  let client: grpc.Client;
  let control: grpc.Client;

  before(async () => {
    [net, service] = await Promise.all([startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE }), startTestService()]);
    paid = await startPaidDaemon(net, { service_endpoint: `http://127.0.0.1:${service.port}` });
    client = createTestClient(paid.target);
    control = new grpc.Client(paid.target, grpc.credentials.createInsecure());
  });

  after(async () => {
    client.close();
    control.close();
    await paid.stop();
    await Promise.all([service.stop(), net.stop()]);
  });

  const pay = (amount: bigint): grpc.Metadata => escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount });
  const signedAmount = async (): Promise<bigint | undefined> => {
    const block = await currentBlock(net);
    const { reply, error } = await callEscrowService(control, getChannelStatePath, escrowTypes.ChannelStateRequest, escrowTypes.ChannelStateReply, {
      channelId: Uint8Array.of(Number(net.channel.id)),
      currentBlock: block.toString(),
      signature: signMessage(net.client.privateKey, buildChannelStateMessage({ mpeAddress: net.contracts.mpe, channelId: net.channel.id, currentBlock: block })),
    });
    assert.equal(error, undefined, error?.message);
    const value = reply?.['currentSignedAmount'];
    return value instanceof Uint8Array ? decodeUint(value) : undefined;
  };

  void it('behavior: the service sees the checksummed sender; a paid server stream delivers every message', async () => {
    const unary = await new Promise<{ response?: EchoResponse; error?: grpc.ServiceError }>((resolve) => {
      (client as unknown as { Unary(r: EchoRequest, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r?: EchoResponse) => void): void }).Unary({ text: 'u' }, pay(PRICE), (e, r) =>
        resolve(e === null ? (r === undefined ? {} : { response: r }) : { error: e }),
      );
    });
    assert.equal(unary.error, undefined, unary.error?.message);
    assert.equal(unary.response?.metadata['snet-user-address'], net.client.address);
    assert.equal(unary.response?.metadata['snet-daemon-debug'], 'streamIntercept');
    const { responses, error } = await serverStream(client, { text: 'hi', repeat: 3 }, pay(PRICE * 2n));
    assert.equal(error, undefined, error?.message);
    assert.equal(responses.length, 3);
    assert.equal(await signedAmount(), PRICE * 2n);
  });

  void it('behavior: a paid bidi stream is charged once; a stream the service fails is free', async () => {
    const ok = await bidi(client, [{ text: 'a' }, { text: 'b' }], pay(PRICE * 3n));
    assert.equal(ok.error, undefined, ok.error?.message);
    assert.equal(ok.responses.length, 2);
    assert.equal(await signedAmount(), PRICE * 3n);
    const failed = await serverStream(client, { text: 'x', repeat: 2, failCode: grpc.status.ABORTED, failMessage: 'nope' }, pay(PRICE * 4n));
    assert.equal(failed.error?.code, grpc.status.ABORTED);
    assert.equal(await signedAmount(), PRICE * 3n);
    const retried = await serverStream(client, { text: 'x', repeat: 1 }, pay(PRICE * 4n));
    assert.equal(retried.error, undefined);
    assert.equal(await signedAmount(), PRICE * 4n);
  });
});
