import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  addressToBytes,
  buildClaimMessage,
  buildListUnclaimedMessage,
  buildTokenRequestMessage,
  createSignatureRecoverer,
  decodeUint,
  privateKeyToAddress,
  signMessage,
} from '../../blockchain/index.ts';
import {
  createChannelRepository,
  createEscrowPaymentHandler,
  createPrepaidPaymentHandler,
  createPrepaidPlanner,
  createPrepaidTokens,
  createPriceResolver,
  decodePrepaidUsage,
  prepaidUsageKey,
  type ChainChannelView,
  type ChannelReader,
  type ChannelRepository,
  type EscrowPaymentHandler,
} from '../../payments/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { createKeyedMutex, createMemoryStore, type AtomicStore } from '../../storage/index.ts';
import { SnetError } from '../../errors/index.ts';
import { createProviderControlService } from './control-service.ts';
import { encodeReply, escrowTypes } from './escrow-protos.ts';
import { createGetToken } from './token-service.ts';

const MPE = '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E';
const PREFIX = `snetd-ts/1/local/org/G=/${MPE}`;
const CLIENT_KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const OWNER_KEY = '0x0000000000000000000000000000000000000000000000000000000000000002';
const STRANGER_KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const CLIENT = privateKeyToAddress(CLIENT_KEY);
const OWNER = privateKeyToAddress(OWNER_KEY);
const PRICE = 10n;

type Obj = Record<string, unknown>;

describe('escrow.TokenService/GetToken', () => {
  let chainChannels: Map<bigint, ChainChannelView>;
  let block: bigint;
  let failChain: boolean;
  let store: AtomicStore;
  let repository: ChannelRepository;
  let escrow: EscrowPaymentHandler;
  let getToken: (request: Uint8Array) => Promise<Uint8Array>;
  const tokens = createPrepaidTokens({ secret: 's'.repeat(32), expiryMinutes: 60, organizationId: 'org', groupIdBase64: 'G=' });
  const recoverer = createSignatureRecoverer();
  const logger = createSilentLogger();

  beforeEach(() => {
    chainChannels = new Map([[1n, { nonce: 0n, sender: CLIENT, signer: CLIENT, recipient: OWNER, groupId: `0x${'07'.repeat(32)}`, value: 1000n, expiration: 100_000n }]]);
    block = 500n;
    failChain = false;
    const chain: ChannelReader = {
      getChannel: (id) => (failChain ? Promise.reject(new SnetError('CHAIN_UNAVAILABLE', 'node down')) : Promise.resolve(chainChannels.get(id))),
      getBlockNumber: () => Promise.resolve(block),
    };
    store = createMemoryStore();
    const mutex = createKeyedMutex();
    repository = createChannelRepository({ store, chain, mutex }, { mpePrefix: PREFIX, groupId: new Uint8Array(32).fill(7), recipient: OWNER });
    escrow = createEscrowPaymentHandler({ repository, chain, recoverer, logger }, { mpeAddress: MPE, expirationThresholdBlocks: 100n, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }) });
    const planner = createPrepaidPlanner({ store, repository, chain, recoverer }, { mpeAddress: MPE, expirationThresholdBlocks: 100n });
    getToken = createGetToken({ repository, chain, recoverer, logger, planner, tokens }, { mpeAddress: MPE, paymentAddress: OWNER });
  });

  const request = (fields: { amount: bigint; nonce?: bigint; channelId?: bigint; key?: string; claimKey?: string; currentBlock?: bigint; claimSignature?: Uint8Array }): Uint8Array => {
    const channelId = fields.channelId ?? 1n;
    const nonce = fields.nonce ?? 0n;
    const currentBlock = fields.currentBlock ?? block;
    const claimSignature = fields.claimSignature ?? signMessage(fields.claimKey ?? CLIENT_KEY, buildClaimMessage({ mpeAddress: MPE, channelId, nonce, amount: fields.amount }));
    return encodeReply(escrowTypes.TokenRequest, {
      channelId: channelId.toString(),
      currentNonce: nonce.toString(),
      signedAmount: fields.amount.toString(),
      signature: signMessage(fields.key ?? CLIENT_KEY, buildTokenRequestMessage({ claimSignature, currentBlock })),
      currentBlock: currentBlock.toString(),
      claimSignature,
    });
  };
  const reply = async (bytes: Uint8Array): Promise<Obj> => {
    const t = escrowTypes.TokenReply;
    return t.toObject(t.decode(await getToken(bytes)), { longs: String, defaults: true });
  };
  const usage = async (): Promise<{ planned: bigint; used: bigint } | undefined> => {
    const bytes = await store.get(prepaidUsageKey(PREFIX, 1n));
    if (bytes === undefined) return undefined;
    const { planned, used } = decodePrepaidUsage(bytes);
    return { planned, used };
  };
  const payEscrow = async (amount: bigint): Promise<void> => {
    const signature = signMessage(CLIENT_KEY, buildClaimMessage({ mpeAddress: MPE, channelId: 1n, nonce: 0n, amount }));
    const r = await escrow.reserve(
      { 'snet-payment-channel-id': '1', 'snet-payment-channel-nonce': '0', 'snet-payment-channel-amount': amount.toString(), 'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64') },
      '/x.Y/z',
    );
    await escrow.commit(r);
  };

  it('behavior: plans the signed amount, stores it on the channel like an escrow payment (claimable), and returns a token for it', async () => {
    const answer = await reply(request({ amount: 30n }));
    assert.deepEqual({ ...answer, token: undefined }, { channelId: '1', token: undefined, plannedAmount: '30', usedAmount: '0' });
    assert.deepEqual(tokens.verify(answer['token'] as string, 1n), { ok: true, userAddress: CLIENT });
    const stored = await repository.readStored(1n);
    assert.equal(stored?.state.authorizedAmount, 30n);
    assert.equal(stored?.state.signature?.length, 65);
    assert.deepEqual(await usage(), { planned: 30n, used: 0n });
    // The provider sees it among the unclaimed amounts.
    const control = createProviderControlService({ repository, chain: { getChannel: (id) => Promise.resolve(chainChannels.get(id)), getBlockNumber: () => Promise.resolve(block) }, recoverer, logger }, { mpeAddress: MPE, paymentAddress: OWNER });
    const listed = escrowTypes.PaymentsListReply.toObject(
      escrowTypes.PaymentsListReply.decode(
        await control.getListUnclaimed(encodeReply(escrowTypes.GetPaymentsListRequest, { mpeAddress: MPE, currentBlock: block.toString(), signature: signMessage(OWNER_KEY, buildListUnclaimedMessage({ mpeAddress: MPE, currentBlock: block })) })),
      ),
    ) as { payments: Obj[] };
    assert.equal(decodeUint(listed.payments[0]?.['signedAmount'] as Uint8Array), 30n);
  });

  it('behavior: the same amount again renews the token without planning more; a higher amount plans the difference; usage shows', async () => {
    await reply(request({ amount: 30n }));
    const handler = createPrepaidPaymentHandler({ store, mutex: createKeyedMutex(), tokens, logger }, { mpePrefix: PREFIX, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }) });
    await handler.reserve({ 'snet-payment-type': 'prepaid-call', 'snet-payment-channel-id': '1', 'snet-prepaid-auth-token-bin': Buffer.from(tokens.issue(1n, CLIENT)).toString('base64') }, '/x.Y/z');
    const renewed = await reply(request({ amount: 30n }));
    assert.deepEqual([renewed['plannedAmount'], renewed['usedAmount']], ['30', '10']);
    const more = await reply(request({ amount: 50n }));
    assert.deepEqual([more['plannedAmount'], more['usedAmount']], ['50', '10']);
  });

  it('behavior: a channel used with escrow switches to prepaid (no planned record = 0); escrow continues above the new amount', async () => {
    await payEscrow(10n);
    await payEscrow(20n);
    const first = await reply(request({ amount: 20n })); // what the npm SDK asks first: its current signed amount
    assert.deepEqual([first['plannedAmount'], first['usedAmount']], ['0', '0']);
    const planned = await reply(request({ amount: 50n }));
    assert.deepEqual([planned['plannedAmount'], planned['usedAmount']], ['30', '0']);
    await payEscrow(60n);
    assert.equal((await repository.readStored(1n))?.state.authorizedAmount, 60n);
  });

  it('behavior: the recipient may ask for a token (the reference allows signer, sender or recipient)', async () => {
    const answer = await reply(request({ amount: 30n, key: OWNER_KEY }));
    assert.deepEqual(tokens.verify(answer['token'] as string, 1n), { ok: true, userAddress: OWNER });
  });

  it('error: every refusal answers the reference text (UNKNOWN) and changes nothing', async () => {
    await payEscrow(10n);
    const cases: Array<[Uint8Array, string]> = [
      [request({ amount: 30n, channelId: 9n }), 'channel is not found, channelId: 9'],
      [request({ amount: 5n }), 'signed amount for token request needs to be greater than last signed amount'],
      [request({ amount: 1001n }), 'signed amount for token request cannot be greater than full amount in channel'],
      [encodeReply(escrowTypes.TokenRequest, { channelId: '1', signedAmount: '30', signature: new Uint8Array(3) }), 'incorrect signature'],
      [request({ amount: 30n, key: STRANGER_KEY }), 'only channel signer/sender/receiver can get a Valid Token'],
      [request({ amount: 30n, currentBlock: block - 6n }), 'authentication failed as the signature passed has expired'],
      [request({ amount: 30n, nonce: 1n }), 'incorrect payment channel nonce, latest: 0, sent: 1'],
      [request({ amount: 30n, claimSignature: new Uint8Array(65) }), 'payment signature is not valid'],
      [request({ amount: 30n, claimKey: STRANGER_KEY }), 'payment is not signed by channel signer/sender'],
      [Uint8Array.of(0xff), 'grpc: error unmarshalling request: index out of range: 1 + 1 > 1'],
    ];
    for (const [bytes, message] of cases) await assert.rejects(getToken(bytes), { code: 'PAYMENT_SERVICE_REJECTED', message });
    block = 99_950n;
    await assert.rejects(getToken(request({ amount: 30n })), { message: 'payment channel is near to be expired, expiration time: 100000, current block: 99950, expiration threshold: 100' });
    assert.equal((await repository.readStored(1n))?.state.authorizedAmount, 10n);
    assert.equal(await usage(), undefined);
  });

  it('error: refused while an escrow call holds the channel (its amount may still be released)', async () => {
    const signature = signMessage(CLIENT_KEY, buildClaimMessage({ mpeAddress: MPE, channelId: 1n, nonce: 0n, amount: 10n }));
    const inFlight = await escrow.reserve(
      { 'snet-payment-channel-id': '1', 'snet-payment-channel-nonce': '0', 'snet-payment-channel-amount': '10', 'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64') },
      '/x.Y/z',
    );
    await assert.rejects(getToken(request({ amount: 40n })), { code: 'PAYMENT_SERVICE_REJECTED', message: 'another transaction on channel: {ID: 1} is in progress' });
    await escrow.release(inFlight);
    assert.deepEqual(await reply(request({ amount: 40n })).then((r) => r['plannedAmount']), '40');
  });

  it('error: curation (allowed_user_flag): a claim signer not on the allow-list gets the reference text, nothing planned', async () => {
    const chain: ChannelReader = { getChannel: (id) => Promise.resolve(chainChannels.get(id)), getBlockNumber: () => Promise.resolve(block) };
    const curated = createPrepaidPlanner({ store, repository, chain, recoverer }, { mpeAddress: MPE, expirationThresholdBlocks: 100n, allowedSigners: [addressToBytes(OWNER)] });
    const getCurated = createGetToken({ repository, chain, recoverer, logger, planner: curated, tokens }, { mpeAddress: MPE, paymentAddress: OWNER });
    await assert.rejects(getCurated(request({ amount: 30n })), { code: 'PAYMENT_SERVICE_REJECTED', message: 'you are not Authorized to call this service during curation process' });
    assert.equal(await usage(), undefined);
    const allowed = createPrepaidPlanner({ store, repository, chain, recoverer }, { mpeAddress: MPE, expirationThresholdBlocks: 100n, allowedSigners: [addressToBytes(CLIENT)] });
    await createGetToken({ repository, chain, recoverer, logger, planner: allowed, tokens }, { mpeAddress: MPE, paymentAddress: OWNER })(request({ amount: 30n }));
    assert.deepEqual(await usage(), { planned: 30n, used: 0n });
  });

  it('error: a chain failure on a channel never seen is reported, nothing stored', async () => {
    failChain = true;
    await assert.rejects(getToken(request({ amount: 30n })), { code: 'PAYMENT_SERVICE_REJECTED', message: /^error:payment channel error: node down was seen on retrieving details of channelID:1$/ });
  });

  it('behavior: concurrent GetToken and prepaid calls on one channel: planned is the sum of increments, never lost', async () => {
    const handler = createPrepaidPaymentHandler({ store, mutex: createKeyedMutex(), tokens, logger }, { mpePrefix: PREFIX, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }) });
    await reply(request({ amount: 100n }));
    const headers = { 'snet-payment-type': 'prepaid-call', 'snet-payment-channel-id': '1', 'snet-prepaid-auth-token-bin': Buffer.from(tokens.issue(1n, CLIENT)).toString('base64') };
    const calls = Array.from({ length: 8 }, () => handler.reserve(headers, '/x.Y/z'));
    const planning = reply(request({ amount: 200n }));
    await Promise.all([...calls, planning]);
    assert.deepEqual(await usage(), { planned: 200n, used: 80n });
  });
});
