import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  buildChannelStateMessage,
  buildClaimMessage,
  buildListInProgressMessage,
  buildListUnclaimedMessage,
  buildStartClaimForMultipleChannelsMessage,
  buildStartClaimMessage,
  createSignatureRecoverer,
  decodeUint,
  encodeUint256,
  privateKeyToAddress,
  signMessage,
} from '../../blockchain/index.ts';
import {
  createChannelRepository,
  createEscrowPaymentHandler,
  createPriceResolver,
  type ChainChannelView,
  type ChannelReader,
  type ChannelRepository,
  type EscrowPaymentHandler,
} from '../../payments/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { createMemoryStore } from '../../storage/index.ts';
import { encodeReply, escrowTypes } from './escrow-protos.ts';
import { createProviderControlService, type ProviderControlService } from './control-service.ts';
import { createGetChannelState, getChannelStatePath } from './state-service.ts';
import { registerDisabledEscrowServices } from './disabled-services.ts';
import { createServiceRegistry } from '../../pipeline/index.ts';

const MPE = '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E';
const CLIENT_KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const OWNER_KEY = '0x0000000000000000000000000000000000000000000000000000000000000002';
const STRANGER_KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const CLIENT = privateKeyToAddress(CLIENT_KEY);
const OWNER = privateKeyToAddress(OWNER_KEY);
const GROUP = new Uint8Array(32).fill(7);

type Obj = Record<string, unknown>;
const decode = (type: keyof typeof escrowTypes, bytes: Uint8Array): Obj => {
  const t = escrowTypes[type];
  return t.toObject(t.decode(bytes), { longs: String, arrays: true });
};
const num = (value: unknown): bigint => decodeUint(value as Uint8Array);

describe('escrow services', () => {
  let chainChannels: Map<bigint, ChainChannelView>;
  let block: bigint;
  let repository: ChannelRepository;
  let handler: EscrowPaymentHandler;
  let getChannelState: (request: Uint8Array) => Promise<Uint8Array>;
  let control: ProviderControlService;

  beforeEach(() => {
    chainChannels = new Map([[1n, { nonce: 0n, sender: CLIENT, signer: CLIENT, recipient: OWNER, groupId: `0x${'07'.repeat(32)}`, value: 1000n, expiration: 100_000n }]]);
    block = 500n;
    const chain: ChannelReader = { getChannel: (id) => Promise.resolve(chainChannels.get(id)), getBlockNumber: () => Promise.resolve(block) };
    const store = createMemoryStore();
    repository = createChannelRepository({ store, chain }, { mpePrefix: `snetd-ts/1/local/org/G=/${MPE}`, groupId: GROUP, recipient: OWNER });
    const recoverer = createSignatureRecoverer();
    const logger = createSilentLogger();
    handler = createEscrowPaymentHandler(
      { repository, chain, recoverer, logger },
      { mpeAddress: MPE, expirationThresholdBlocks: 100n, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: 10n }) },
    );
    getChannelState = createGetChannelState({ repository, chain, recoverer, logger }, { mpeAddress: MPE, paymentAddress: OWNER });
    control = createProviderControlService({ repository, chain, recoverer, logger }, { mpeAddress: MPE, paymentAddress: OWNER });
  });

  const pay = async (nonce: bigint, amount: bigint): Promise<void> => {
    const signature = signMessage(CLIENT_KEY, buildClaimMessage({ mpeAddress: MPE, channelId: 1n, nonce, amount }));
    const r = await handler.reserve(
      {
        'snet-payment-channel-id': '1',
        'snet-payment-channel-nonce': nonce.toString(),
        'snet-payment-channel-amount': amount.toString(),
        'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64'),
      },
      '/x.Y/z',
    );
    await handler.commit(r);
  };

  const stateRequest = (key: string, currentBlock = block): Uint8Array =>
    encodeReply(escrowTypes.ChannelStateRequest, {
      channelId: Uint8Array.of(1), // 1 byte: any length is allowed (the npm SDK sends 4)
      currentBlock: currentBlock.toString(),
      signature: signMessage(key, buildChannelStateMessage({ mpeAddress: MPE, channelId: 1n, currentBlock })),
    });

  const listRequest = (build: typeof buildListUnclaimedMessage, key = OWNER_KEY, mpe = MPE): Uint8Array =>
    encodeReply(escrowTypes.GetPaymentsListRequest, { mpeAddress: mpe, currentBlock: block.toString(), signature: signMessage(key, build({ mpeAddress: MPE, currentBlock: block })) });

  const startClaimRequest = (nonce: bigint, key = OWNER_KEY): Uint8Array =>
    encodeReply(escrowTypes.StartClaimRequest, { mpeAddress: MPE, channelId: Uint8Array.of(1), signature: signMessage(key, buildStartClaimMessage({ mpeAddress: MPE, channelId: 1n, nonce })) });

  it('behavior: GetChannelState answers the nonce alone before any payment, then amount and signature', async () => {
    const empty = decode('ChannelStateReply', await getChannelState(stateRequest(CLIENT_KEY)));
    assert.equal(num(empty['currentNonce']), 0n);
    assert.equal(empty['currentSignedAmount'], undefined);
    await pay(0n, 10n);
    const reply = decode('ChannelStateReply', await getChannelState(stateRequest(CLIENT_KEY)));
    assert.equal((reply['currentNonce'] as Uint8Array).length, 32);
    assert.equal(num(reply['currentSignedAmount']), 10n);
    assert.equal((reply['currentSignature'] as Uint8Array).length, 65);
  });

  it('behavior: while a call is in flight GetChannelState and GetListUnclaimed report the committed amount', async () => {
    await pay(0n, 10n);
    const signature = signMessage(CLIENT_KEY, buildClaimMessage({ mpeAddress: MPE, channelId: 1n, nonce: 0n, amount: 20n }));
    const r = await handler.reserve(
      {
        'snet-payment-channel-id': '1',
        'snet-payment-channel-nonce': '0',
        'snet-payment-channel-amount': '20',
        'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64'),
      },
      '/x.Y/z',
    );
    const during = decode('ChannelStateReply', await getChannelState(stateRequest(CLIENT_KEY)));
    assert.equal(num(during['currentSignedAmount']), 10n);
    const listed = decode('PaymentsListReply', await control.getListUnclaimed(listRequest(buildListUnclaimedMessage)));
    assert.equal(num((listed['payments'] as Obj[])[0]?.['signedAmount']), 10n);
    await assert.rejects(control.startClaim(startClaimRequest(0n)), { message: 'another transaction on channel: {ID: 1} is in progress' });
    await handler.commit(r);
    const afterCommit = decode('ChannelStateReply', await getChannelState(stateRequest(CLIENT_KEY)));
    assert.equal(num(afterCommit['currentSignedAmount']), 20n);
  });

  it('error: GetChannelState refuses strangers and stale blocks with the reference texts', async () => {
    await assert.rejects(getChannelState(stateRequest(STRANGER_KEY)), { code: 'PAYMENT_SERVICE_REJECTED', message: 'only channel signer/sender/receiver can get latest channel state' });
    await assert.rejects(getChannelState(stateRequest(CLIENT_KEY, block - 6n)), { message: 'authentication failed as the signature passed has expired' });
    await getChannelState(stateRequest(OWNER_KEY, block + 5n)); // the recipient may ask; 5 blocks is allowed
    await assert.rejects(getChannelState(Uint8Array.of(0xff)), { code: 'PAYMENT_SERVICE_REJECTED' });
  });

  it('behavior: the claim flow — list, start, old-nonce pair in GetChannelState, in-progress list, sweep after the chain claim', async () => {
    await pay(0n, 10n);
    await pay(0n, 20n);
    const unclaimed = decode('PaymentsListReply', await control.getListUnclaimed(listRequest(buildListUnclaimedMessage)));
    const [entry] = unclaimed['payments'] as Obj[];
    assert.deepEqual([num(entry?.['channelId']), num(entry?.['channelNonce']), num(entry?.['signedAmount'])], [1n, 0n, 20n]);
    assert.equal(entry?.['signature'], undefined, 'GetListUnclaimed leaves signatures out');

    const started = decode('PaymentReply', await control.startClaim(startClaimRequest(0n)));
    assert.deepEqual([num(started['channelNonce']), num(started['signedAmount'])], [0n, 20n]);
    const claimSignature = started['signature'] as Uint8Array;
    assert.equal(claimSignature.length, 65);

    // Before the claim lands: our nonce 1, chain nonce 0 → the old nonce's pair is reported.
    const state = decode('ChannelStateReply', await getChannelState(stateRequest(CLIENT_KEY)));
    assert.equal(num(state['currentNonce']), 1n);
    assert.equal(state['currentSignedAmount'], undefined);
    assert.equal(num(state['oldNonceSignedAmount']), 20n);
    await pay(1n, 10n);
    const after = decode('ChannelStateReply', await getChannelState(stateRequest(CLIENT_KEY)));
    assert.deepEqual([num(after['currentNonce']), num(after['currentSignedAmount']), num(after['oldNonceSignedAmount'])], [1n, 10n, 20n]);

    const inProgress = decode('PaymentsListReply', await control.getListInProgress(listRequest(buildListInProgressMessage)));
    assert.equal((inProgress['payments'] as Obj[]).length, 1);

    // The owner's channelClaim lands: chain nonce 1, value 980.
    chainChannels.set(1n, { ...(chainChannels.get(1n) as ChainChannelView), nonce: 1n, value: 980n });
    const swept = decode('PaymentsListReply', await control.getListInProgress(listRequest(buildListInProgressMessage)));
    assert.equal((swept['payments'] as Obj[] | undefined)?.length ?? 0, 0);
    const settled = decode('ChannelStateReply', await getChannelState(stateRequest(CLIENT_KEY)));
    assert.deepEqual([num(settled['currentNonce']), num(settled['currentSignedAmount'])], [1n, 10n]);
    assert.equal(settled['oldNonceSignedAmount'], undefined);
    await pay(1n, 20n);
  });

  it('behavior: StartClaimForMultipleChannels claims each channel in request order', async () => {
    await pay(0n, 10n);
    const request = encodeReply(escrowTypes.StartMultipleClaimRequest, {
      mpeAddress: MPE,
      channelIds: ['1'],
      currentBlock: block.toString(),
      signature: signMessage(OWNER_KEY, buildStartClaimForMultipleChannelsMessage({ mpeAddress: MPE, channelIds: [1n], currentBlock: block })),
    });
    const reply = decode('PaymentsListReply', await control.startClaimForMultipleChannels(request));
    assert.equal(num((reply['payments'] as Obj[])[0]?.['signedAmount']), 10n);
    await assert.rejects(control.startClaimForMultipleChannels(request), { message: 'authorized amount is zero , hence nothing to claim on the channel Id: 1' });
  });

  it('error: control methods refuse another MPE, another signer, and empty claims', async () => {
    await assert.rejects(control.getListUnclaimed(listRequest(buildListUnclaimedMessage, OWNER_KEY, '0x0000000000000000000000000000000000000001')), {
      message: 'the mpeAddress: 0x0000000000000000000000000000000000000001 passed does not match to what has been registered',
    });
    await assert.rejects(control.getListUnclaimed(listRequest(buildListUnclaimedMessage, CLIENT_KEY)), {
      message: `the address: ${CLIENT} does not match to what has been expected / registered`,
    });
    await assert.rejects(control.startClaim(startClaimRequest(0n)), { message: 'authorized amount is zero , hence nothing to claim on the channel Id: 1' });
    assert.equal(encodeUint256(1n).length, 32);
  });

  it('behavior: with the blockchain disabled the escrow services answer empty replies', async () => {
    const registry = createServiceRegistry();
    registerDisabledEscrowServices(registry);
    const written: Uint8Array[] = [];
    const handler = registry.lookup(getChannelStatePath);
    assert.ok(handler !== undefined);
    const outcome = await handler({
      method: getChannelStatePath,
      request: { first: () => Promise.resolve(new Uint8Array(0)) },
      response: { writeMessage: (m: Uint8Array) => written.push(m) },
    } as never);
    assert.equal(outcome.code, 0);
    assert.deepEqual(written, [new Uint8Array(0)]);
    assert.ok(registry.lookup('/escrow.ProviderControlService/StartClaim') !== undefined);
  });
});
