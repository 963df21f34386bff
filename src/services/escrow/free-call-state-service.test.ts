import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFreeCallMessage, buildFreeCallTokenBodyMessage, buildFreeCallTokenRequestMessage, buildLegacyFreeCallMessage, hashSignedMessage, createSignatureRecoverer, privateKeyToAddress, signMessage } from '../../blockchain/index.ts';
import type { FreeCallLimitSetting } from '../../payments/index.ts';
import { BLOCK, CLIENT, CLIENT_KEY, DAEMON_KEY, DAEMON_SIGNER, freeCallRig, IDS, legacyToken, OTHER_KEY, rejectionOf } from '../../payments/free-call/free-call-test-kit.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { encodeReply } from './escrow-protos.ts';
import { freeCallTypes, isPreV6FreeCallStateRequest } from './free-call-protos.ts';
import { createFreeCallStateService } from './free-call-state-service.ts';

type Obj = Record<string, unknown>;
const decode = (type: keyof typeof freeCallTypes, bytes: Uint8Array): Obj => freeCallTypes[type].toObject(freeCallTypes[type].decode(bytes), { longs: String, defaults: true });

function serviceRig(options: { key?: string | undefined; freeCalls?: number; perAddress?: Record<string, FreeCallLimitSetting>; balance?: bigint; minBalance?: bigint; trusted?: string[]; allowedUsers?: Set<string> } = {}) {
  const rig = freeCallRig({ freeCalls: options.freeCalls ?? 2, perAddress: options.perAddress ?? {} });
  const key = 'key' in options ? options.key : DAEMON_KEY;
  const service = createFreeCallStateService(
    {
      verifier: rig.verifier,
      counters: rig.counters,
      allowance: rig.allowance,
      recoverer: createSignatureRecoverer({ prefer: 'js' }),
      chain: rig.chain,
      balanceOf: () => Promise.resolve(options.balance ?? 10n ** 30n),
      logger: createSilentLogger(),
    },
    {
      ...IDS,
      signingKey: key,
      signingAddress: key === undefined ? undefined : privateKeyToAddress(key),
      signerAddress: () => DAEMON_SIGNER,
      trustedSigners: new Set((options.trusted ?? []).map((a) => a.slice(2).toLowerCase())),
      minBalance: options.minBalance ?? 10n,
      allowedUsers: options.allowedUsers,
    },
  );
  return { rig, service };
}

function tokenRequest(args: { key?: string; address?: string; userId?: string; block?: bigint; lifetime?: bigint } = {}): Uint8Array {
  const key = args.key ?? CLIENT_KEY;
  const address = args.address ?? privateKeyToAddress(key);
  const block = args.block ?? BLOCK;
  const userId = args.userId ?? '';
  const signature = signMessage(key, buildFreeCallTokenRequestMessage({ address, userId, organizationId: IDS.organizationId, serviceId: IDS.serviceId, groupId: IDS.groupIdBase64, currentBlock: block }));
  return encodeReply(freeCallTypes.GetFreeCallTokenRequest, {
    address,
    signature,
    currentBlock: block.toString(),
    ...(userId === '' ? {} : { userId }),
    ...(args.lifetime === undefined ? {} : { tokenLifetimeInBlocks: args.lifetime.toString() }),
  });
}

function stateRequest(token: Uint8Array, key = CLIENT_KEY): Uint8Array {
  const address = privateKeyToAddress(key);
  const signature = signMessage(key, buildFreeCallMessage({ address, userId: '', organizationId: IDS.organizationId, serviceId: IDS.serviceId, groupId: IDS.groupIdBase64, currentBlock: BLOCK, token }));
  return encodeReply(freeCallTypes.FreeCallStateRequest, { address, freeCallToken: token, signature, currentBlock: BLOCK.toString() });
}

function preV6StateRequest(email: string, expiry: bigint): Uint8Array {
  const token = legacyToken(email, CLIENT, expiry);
  const signature = signMessage(CLIENT_KEY, buildLegacyFreeCallMessage({ userId: email, organizationId: IDS.organizationId, serviceId: IDS.serviceId, groupId: IDS.groupIdBase64, currentBlock: BLOCK, token }));
  return encodeReply(freeCallTypes.PreV6FreeCallStateRequest, { userId: email, tokenForFreeCall: token, tokenExpiryDateBlock: expiry.toString(), signature, currentBlock: BLOCK.toString() });
}


void describe('escrow.FreeCallStateService', () => {
  void it('behavior: GetFreeCallToken issues sig(M8) ‖ "_" ‖ expiry with v ∈ {0,1}; lifetime capped at 172800, 0 allowed', async () => {
    const { service } = serviceRig();
    const reply = decode('FreeCallToken', await service.getFreeCallToken(tokenRequest()));
    assert.equal(reply['tokenExpirationBlock'], (BLOCK + 172_800n).toString());
    const token = reply['token'] as Uint8Array;
    assert.equal(reply['tokenHex'], Buffer.from(token).toString('hex'));
    const signature = token.subarray(0, 65);
    assert.ok(signature[64] === 0 || signature[64] === 1);
    assert.equal(Buffer.from(token.subarray(65)).toString(), `_${BLOCK + 172_800n}`);
    const body = buildFreeCallTokenBodyMessage({ organizationId: IDS.organizationId, groupName: IDS.groupName, userAddress: CLIENT, userId: '', expiryBlock: BLOCK + 172_800n });
    const recovered = createSignatureRecoverer({ prefer: 'js' }).recoverSigner(hashSignedMessage(body), signature);
    assert.deepEqual(recovered, { ok: true, value: DAEMON_SIGNER });
    assert.equal(decode('FreeCallToken', await service.getFreeCallToken(tokenRequest({ lifetime: 10n })))['tokenExpirationBlock'], (BLOCK + 10n).toString());
    assert.equal(decode('FreeCallToken', await service.getFreeCallToken(tokenRequest({ lifetime: 0n })))['tokenExpirationBlock'], BLOCK.toString());
    assert.equal(decode('FreeCallToken', await service.getFreeCallToken(tokenRequest({ lifetime: 172_801n })))['tokenExpirationBlock'], (BLOCK + 172_800n).toString());
  });

  void it('behavior: GetFreeCallsAvailable counts down in the v6 layout; "unlimited" reports 99999999', async () => {
    const { rig, service } = serviceRig();
    const token = decode('FreeCallToken', await service.getFreeCallToken(tokenRequest()))['token'] as Uint8Array;
    assert.equal(decode('FreeCallStateReply', await service.getFreeCallsAvailable(stateRequest(token)))['freeCallsAvailable'], '2');
    const key = rig.counters.keyOf({ signerHex: CLIENT.slice(2).toLowerCase(), userId: '' });
    await rig.counters.reserve({ signerHex: CLIENT.slice(2).toLowerCase(), userId: '' }, 2, 'o', Date.now() + 60_000);
    await rig.counters.settle(key, 'o', true);
    assert.equal(decode('FreeCallStateReply', await service.getFreeCallsAvailable(stateRequest(token)))['freeCallsAvailable'], '1');
    const unlimited = serviceRig({ perAddress: { [CLIENT]: 'infinity' } });
    assert.equal(decode('FreeCallStateReply', await unlimited.service.getFreeCallsAvailable(stateRequest(token)))['freeCallsAvailable'], '99999999');
  });

  void it('behavior: a pre-v6 request (field 3 a varint) gets the pre-v6 reply {user_id, free_calls_available}', async () => {
    const { service } = serviceRig();
    const request = preV6StateRequest('user@example.com', BLOCK + 100n);
    assert.equal(isPreV6FreeCallStateRequest(request), true);
    assert.deepEqual(decode('PreV6FreeCallStateReply', await service.getFreeCallsAvailable(request)), { userId: 'user@example.com', freeCallsAvailable: '2' });
  });

  void it('behavior: free calls not configured here (no key / key of another address / no allowance) → 0 in both layouts and a token that grants nothing', async () => {
    for (const rig of [serviceRig({ key: undefined }), serviceRig({ key: OTHER_KEY }), serviceRig({ freeCalls: 0 })]) {
      assert.equal(rig.service.configured(), false);
      const token = decode('FreeCallToken', await rig.service.getFreeCallToken(tokenRequest()))['token'] as Uint8Array;
      assert.deepEqual([...token.subarray(0, 65)], new Array<number>(65).fill(0));
      assert.equal(decode('FreeCallStateReply', await rig.service.getFreeCallsAvailable(stateRequest(token)))['freeCallsAvailable'], '0');
      assert.deepEqual(decode('PreV6FreeCallStateReply', await rig.service.getFreeCallsAvailable(preV6StateRequest('a@b', BLOCK + 1n))), { userId: 'a@b', freeCallsAvailable: '0' });
    }
  });

  void it('behavior: a trusted signer may ask for a token with a user_id', async () => {
    const { service } = serviceRig({ trusted: [CLIENT], balance: 0n });
    const reply = decode('FreeCallToken', await service.getFreeCallToken(tokenRequest({ userId: 'alice@example.com' })));
    assert.equal(reply['tokenExpirationBlock'], (BLOCK + 172_800n).toString());
  });

  void it('error: every refusal of GetFreeCallToken / GetFreeCallsAvailable with its code and the reference text', async () => {
    const { service } = serviceRig({ allowedUsers: new Set([CLIENT.slice(2).toLowerCase(), privateKeyToAddress(OTHER_KEY).slice(2).toLowerCase()]) });
    const badSig = encodeReply(freeCallTypes.GetFreeCallTokenRequest, { address: CLIENT, signature: new Uint8Array(10), currentBlock: BLOCK.toString() });
    assert.deepEqual(await rejectionOf(service.getFreeCallToken(badSig)), { code: 'PAYMENT_SERVICE_REJECTED', message: 'incorrect signature length' });
    const other = privateKeyToAddress(OTHER_KEY);
    assert.deepEqual(await rejectionOf(service.getFreeCallToken(tokenRequest({ address: other }))), {
      code: 'PAYMENT_SERVICE_REJECTED',
      message: `invalid signer, ${other} (from request) is not equal to ${CLIENT} (signer)`,
    });
    assert.deepEqual(await rejectionOf(service.getFreeCallToken(tokenRequest({ block: BLOCK + 6n }))), { code: 'PAYMENT_SERVICE_REJECTED', message: 'authentication failed as the signature passed has expired' });
    assert.deepEqual(await rejectionOf(service.getFreeCallToken(tokenRequest({ userId: 'x@y' }))), {
      code: 'PAYMENT_SERVICE_REJECTED',
      message: 'your address is not trusted by this service provider, the use of user_id is not allowed',
    });
    const poor = serviceRig({ balance: 10n * 10n ** 18n - 1n });
    assert.deepEqual(await rejectionOf(poor.service.getFreeCallToken(tokenRequest())), {
      code: 'PAYMENT_FREE_CALL_BALANCE_TOO_LOW',
      message: 'you must have at least 10 FET (ASI) in your balance to use free calls',
    });
    const curated = serviceRig({ allowedUsers: new Set([privateKeyToAddress(OTHER_KEY).slice(2).toLowerCase()]) });
    assert.deepEqual(await rejectionOf(curated.service.getFreeCallToken(tokenRequest())), {
      code: 'PAYMENT_USER_NOT_ALLOWED',
      message: 'you are not Authorized to call this service during curation process',
    });
    assert.deepEqual(await rejectionOf(service.getFreeCallsAvailable(stateRequest(new Uint8Array([1, 2])))), { code: 'PAYMENT_SERVICE_REJECTED', message: "no '_' found" });
    const foreign = new Uint8Array([...signMessage(OTHER_KEY, new Uint8Array([1])).map((b, i) => (i === 64 ? b - 27 : b)), ...Buffer.from(`_${BLOCK + 5n}`)]);
    assert.deepEqual(await rejectionOf(service.getFreeCallsAvailable(stateRequest(foreign))), { code: 'PAYMENT_SERVICE_REJECTED', message: 'token sign is not valid' });
  });
});
