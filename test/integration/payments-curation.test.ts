// Curation (allowed_user_flag) through the real daemon (startDaemon, real sockets, grpc-js client and service):
// with the blockchain off only allowed signers reach the service, free, and the service sees who they are;
// with the blockchain on (dev chain) a paying signer outside the list is refused before anything is stored.
// Also: every service of a daemon-owned package (escrow.*) is answered by the daemon, never forwarded.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { startDaemon, type RunningDaemon } from '../../src/app/index.ts';
import { privateKeyToAddress } from '../../src/blockchain/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { createTestClient, startTestService, type EchoResponse, type TestService } from '../harness/grpc-test-service.ts';
import { createCalculatorClient, escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

const MPE = '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E';
const ALLOWED_KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const OTHER_KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';

function unary(client: ReturnType<typeof createTestClient>, metadata: grpc.Metadata): Promise<{ value?: EchoResponse; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    (client['unary'] as unknown as (r: object, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, v: EchoResponse) => void) => void)({ text: 'hi' }, metadata, (error, value) =>
      resolve(error === null ? { value } : { error }),
    );
  });
}

function curatedMetadata(key: string, spoofedUser?: string): grpc.Metadata {
  const metadata = escrowMetadata({ privateKey: key, mpe: MPE, channelId: 3n, nonce: 0n, amount: 7n });
  metadata.set('snet-payment-mpe-address', MPE);
  if (spoofedUser !== undefined) metadata.set('snet-user-address', spoofedUser);
  return metadata;
}

void describe('curation with the blockchain off (allowed_user_flag)', () => {
  let service: TestService;
  let daemon: RunningDaemon;
  let client: ReturnType<typeof createTestClient>;
  let forwarded = 0;

  before(async () => {
    service = await startTestService();
    service.events.on('call', () => forwarded++);
    const values = {
      blockchain_enabled: false,
      daemon_endpoint: '127.0.0.1:0',
      service_endpoint: `http://127.0.0.1:${service.port}`,
      allowed_user_flag: true,
      allowed_user_addresses: [privateKeyToAddress(ALLOWED_KEY).toLowerCase()],
      'log.output.type': 'stdout',
    };
    const loaded = loadConfig({ env: {}, flags: Object.entries(values).map(([key, value]) => ({ key, value, flag: `--set ${key}` })) });
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    daemon = await startDaemon(loaded, { version: 'test', stdout: sink, stderr: sink });
    client = createTestClient(`127.0.0.1:${daemon.address.port}`);
  });

  after(async () => {
    client.close();
    await daemon.stop();
    await service.stop();
  });

  void it('behavior: an allowed signer is served and the service sees its address, not the one the client claims', async () => {
    const { value, error } = await unary(client, curatedMetadata(ALLOWED_KEY, '0x000000000000000000000000000000000000dEaD'));
    assert.equal(error, undefined);
    assert.equal(value?.metadata['snet-user-address'], privateKeyToAddress(ALLOWED_KEY));
  });

  void it('error: a signer outside the list is PERMISSION_DENIED with the reference text and never reaches the service', async () => {
    const before = forwarded;
    const { error } = await unary(client, curatedMetadata(OTHER_KEY));
    assert.equal(error?.code, grpc.status.PERMISSION_DENIED);
    assert.equal(error?.details, 'you are not Authorized to call this service during curation process');
    const missing = curatedMetadata(ALLOWED_KEY);
    missing.remove('snet-payment-mpe-address');
    const noMpe = await unary(client, missing);
    assert.equal(noMpe.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(noMpe.error?.details, 'missing "snet-payment-mpe-address"');
    assert.equal(forwarded, before);
  });

  void it('behavior: an unknown service of the daemon-owned escrow package is UNIMPLEMENTED from the daemon, not forwarded', async () => {
    const before = forwarded;
    const raw = new grpc.Client(`127.0.0.1:${daemon.address.port}`, grpc.credentials.createInsecure());
    try {
      const error = await new Promise<grpc.ServiceError | null>((resolve) => {
        raw.makeUnaryRequest('/escrow.TrainingStateService/Get', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (e) => resolve(e));
      });
      assert.equal(error?.code, grpc.status.UNIMPLEMENTED);
      assert.equal(error?.details, 'method Get not implemented');
    } finally {
      raw.close();
    }
    assert.equal(forwarded, before);
  });
});

void describe('curation and payment types with the blockchain on (dev chain)', () => {
  let net: DevNetwork;
  let paid: PaidDaemon;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: 2n });
    // The dev client pays, but only the owner is on the list.
    paid = await startPaidDaemon(net, { allowed_user_flag: true, allowed_user_addresses: [net.owner.address] });
  });

  after(async () => {
    await paid?.stop();
    await net?.stop();
  });

  void it('error: a paying signer outside allowed_user_addresses is PERMISSION_DENIED and nothing is stored', async () => {
    const calculator = createCalculatorClient(paid.target, net.serviceProtoFile);
    try {
      const refused = await calculator.call('add', 1, 2, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: 2n }));
      assert.equal(refused.error?.code, grpc.status.PERMISSION_DENIED);
      assert.equal(refused.error?.details, 'you are not Authorized to call this service during curation process');
    } finally {
      calculator.close();
    }
    await paid.stop();
    // The same channel and amount are accepted once the client is on the list: the refusal stored nothing.
    paid = await startPaidDaemon(net, { allowed_user_flag: true, allowed_user_addresses: [net.owner.address, net.client.address] });
    const again = createCalculatorClient(paid.target, net.serviceProtoFile);
    try {
      const ok = await again.call('add', 1, 2, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: 2n }));
      assert.equal(ok.value, 3);
    } finally {
      again.close();
    }
  });

  void it('error: train-call is UNIMPLEMENTED (no training API) and an unknown type INVALID_ARGUMENT, before any check', async () => {
    const calculator = createCalculatorClient(paid.target, net.serviceProtoFile);
    try {
      const metadata = escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: 4n });
      metadata.set('snet-payment-type', 'train-call');
      const training = await calculator.call('add', 1, 2, metadata);
      assert.equal(training.error?.code, grpc.status.UNIMPLEMENTED);
      assert.match(training.error?.details ?? '', /^payment type "train-call" is not implemented: this daemon does not offer the training API/);
      metadata.set('snet-payment-type', 'bitcoin');
      const unknown = await calculator.call('add', 1, 2, metadata);
      assert.equal(unknown.error?.code, grpc.status.INVALID_ARGUMENT);
      assert.equal(unknown.error?.details, 'unexpected "snet-payment-type", value: "bitcoin"');
    } finally {
      calculator.close();
    }
  });
});
