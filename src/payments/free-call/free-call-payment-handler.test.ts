import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hexToBytes } from '@noble/hashes/utils.js';
import { encodePacked, hashMessage, keccak256 } from 'viem';
import { buildLegacyFreeCallTokenMessage, hashSignedMessage, privateKeyToAddress, signMessage } from '../../blockchain/index.ts';
import { PaymentError } from '../payment-error.ts';
import { BLOCK, CLIENT, DAEMON_KEY, DAEMON_SIGNER, freeCallRig, legacyHeaders, rejectionOf, legacyToken, OTHER_KEY, v6Headers, v6Token } from './free-call-test-kit.ts';


void describe('free-call handler (v6)', () => {
  void it('behavior: the hand-made vectors\' token (daemon key 0x…02, expiry 21172800) is accepted with a fresh user signature', async () => {
    const rig = freeCallRig();
    const token = hexToBytes('daaa1bf58a9f35aab3e798cd7fafeb59dc087a0a5c37f3590d98503c3951245d0b0e655b3415cf6d251cb35f012c27b98aa719e6bfa0b58be2ce31b9ecf50e09005f3231313732383030');
    const payment = await rig.handler.reserve(v6Headers({ token }), '/x.S/m');
    assert.equal(payment.userAddress, CLIENT);
    assert.equal(payment.priceCogs, 0n);
    assert.equal(payment.type, 'free-call');
    await rig.handler.commit(payment);
    rig.handler.close();
  });

  void it('behavior: N free calls, then INTERNAL "free call limit has been exceeded"; a failed call is not counted', async () => {
    const rig = freeCallRig({ freeCalls: 2 });
    await rig.handler.release(await rig.handler.reserve(v6Headers(), '/x.S/m'));
    for (let i = 0; i < 2; i++) await rig.handler.commit(await rig.handler.reserve(v6Headers(), '/x.S/m'));
    assert.deepEqual(await rejectionOf(rig.handler.reserve(v6Headers(), '/x.S/m')), {
      code: 'PAYMENT_FREE_CALL_LIMIT',
      message: 'internal error: free call limit has been exceeded, calls made = 2, total free calls eligible = 2',
    });
    rig.handler.close();
  });

  void it('behavior: the user address is normalised: lower-case and checksummed headers share one counter', async () => {
    const rig = freeCallRig({ freeCalls: 1 });
    await rig.handler.commit(await rig.handler.reserve(v6Headers({ address: CLIENT.toLowerCase() }), '/x.S/m'));
    const again = await rejectionOf(rig.handler.reserve(v6Headers({ address: CLIENT }), '/x.S/m'));
    assert.equal(again.code, 'PAYMENT_FREE_CALL_LIMIT');
    rig.handler.close();
  });

  void it('behavior: concurrent calls beyond the allowance get FAILED_PRECONDITION "another transaction on this user"; within it they all pass', async () => {
    const rig = freeCallRig({ freeCalls: 3 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => rig.handler.reserve(v6Headers(), '/x.S/m')));
    const ok = results.filter((r) => r.status === 'fulfilled');
    assert.equal(ok.length, 3);
    for (const r of results) {
      if (r.status === 'rejected') {
        assert.equal((r.reason as PaymentError).code, 'PAYMENT_FREE_CALL_BUSY');
        assert.equal((r.reason as PaymentError).message, `another transaction on this user: {ID:${CLIENT}//my-org/my-svc/EoFmN3nvaXpf6ew8jJbIPVghE5NXfYupFF7PkRmVyGQ=} is in progress`);
      }
    }
    rig.handler.close();
  });

  void it('behavior: a reservation never settled (crash) frees itself after the lease and counts as a used call', async () => {
    const rig = freeCallRig({ freeCalls: 2, leaseMs: 10_000 });
    await rig.handler.reserve(v6Headers(), '/x.S/m'); // never settled: the replica "crashed"
    await rig.handler.reserve(v6Headers(), '/x.S/m');
    assert.equal((await rejectionOf(rig.handler.reserve(v6Headers(), '/x.S/m'))).code, 'PAYMENT_FREE_CALL_BUSY');
    rig.advance(10_001);
    assert.deepEqual(await rejectionOf(rig.handler.reserve(v6Headers(), '/x.S/m')), {
      code: 'PAYMENT_FREE_CALL_LIMIT',
      message: 'internal error: free call limit has been exceeded, calls made = 2, total free calls eligible = 2',
    });
    rig.handler.close();
  });

  void it('behavior: free_calls_per_address overrides metadata (any case), "unlimited" has no limit, 0 falls back to metadata', async () => {
    const unlimited = freeCallRig({ freeCalls: 0, perAddress: { [CLIENT.toUpperCase().replace('0X', '0x')]: 'unlimited' } });
    for (let i = 0; i < 5; i++) await unlimited.handler.commit(await unlimited.handler.reserve(v6Headers(), '/x.S/m'));
    unlimited.handler.close();
    const zero = freeCallRig({ freeCalls: 1, perAddress: { [CLIENT]: 0 } });
    await zero.handler.commit(await zero.handler.reserve(v6Headers(), '/x.S/m'));
    assert.equal((await rejectionOf(zero.handler.reserve(v6Headers(), '/x.S/m'))).code, 'PAYMENT_FREE_CALL_LIMIT');
    zero.handler.close();
  });

  void it('behavior: a repeated token costs one signature recovery per call (the token recovery is remembered)', async () => {
    const rig = freeCallRig({ freeCalls: 10 });
    const token = v6Token(CLIENT, BLOCK + 100n);
    await rig.handler.commit(await rig.handler.reserve(v6Headers({ token }), '/x.S/m'));
    assert.equal(rig.recoveries(), 2);
    await rig.handler.commit(await rig.handler.reserve(v6Headers({ token, block: BLOCK + 1n }), '/x.S/m'));
    assert.equal(rig.recoveries(), 3);
    rig.handler.close();
  });

  void it('error: every refusal with its code and the reference text', async () => {
    const rig = freeCallRig({ allowedUsers: new Set([CLIENT.slice(2).toLowerCase()]) });
    const cases: Array<[string, Record<string, string | undefined>, string, string]> = [
      ['missing address', { ...v6Headers(), 'snet-free-call-user-address': undefined }, 'PAYMENT_HEADER_MISSING', 'missing "snet-free-call-user-address"'],
      ['bad token', { ...v6Headers(), 'snet-free-call-auth-token-bin': Buffer.from('abc').toString('base64') }, 'PAYMENT_HEADER_INVALID', "invalid token: no '_' found"],
      ['short signature', v6Headers({ signature: new Uint8Array(64) }), 'PAYMENT_FREE_CALL_UNAUTHENTICATED', 'sign is not valid: incorrect signature length'],
      [
        'address not the signer',
        v6Headers({ address: DAEMON_SIGNER, token: v6Token(DAEMON_SIGNER, BLOCK + 100n) }),
        'PAYMENT_FREE_CALL_UNAUTHENTICATED',
        `sign is not valid: unauthorized signer: ${DAEMON_SIGNER} not equal ${CLIENT}, maybe invalid signature struct`,
      ],
      ['token of another issuer', v6Headers({ token: v6Token(CLIENT, BLOCK + 100n, '', OTHER_KEY) }), 'PAYMENT_FREE_CALL_UNAUTHENTICATED', 'token sign is not valid'],
      ['token for another user id', v6Headers({ userId: 'x@y', token: v6Token(CLIENT, BLOCK + 100n) }), 'PAYMENT_FREE_CALL_UNAUTHENTICATED', 'token sign is not valid'],
      ['expired token', v6Headers({ token: v6Token(CLIENT, BLOCK - 1n) }), 'PAYMENT_FREE_CALL_EXPIRED', 'internal error: authentication failed as the Free Call Token passed has expired'],
      ['block drift', v6Headers({ block: BLOCK - 6n }), 'PAYMENT_FREE_CALL_EXPIRED', 'internal error: authentication failed as the signature passed has expired'],
      [
        'curation',
        v6Headers({ key: OTHER_KEY, token: v6Token(privateKeyToAddress(OTHER_KEY), BLOCK + 100n) }),
        'PAYMENT_USER_NOT_ALLOWED',
        'you are not Authorized to call this service during curation process',
      ],
    ];
    for (const [name, headers, code, message] of cases) {
      const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
      assert.deepEqual(await rejectionOf(rig.handler.reserve(clean, '/x.S/m')), { code, message }, name);
    }
    // Nothing was counted by any refusal.
    assert.equal((await rig.counters.read(rig.counters.keyOf({ signerHex: CLIENT.slice(2).toLowerCase(), userId: '' }))).made, 0);
    rig.handler.close();
  });
});

void describe('free-call handler (pre-v6, npm snet-sdk 2.0.0 headers)', () => {
  void it('vector: the pre-v6 token is the free-call signer\'s signature over e-mail ‖ address(20) ‖ uint256(expiry) (checked with viem)', () => {
    const message = buildLegacyFreeCallTokenMessage({ userId: 'user@example.com', userAddress: CLIENT, expiryBlock: 21172800n });
    const packed = encodePacked(['string', 'address', 'uint256'], ['user@example.com', CLIENT as `0x${string}`, 21172800n]);
    assert.equal(`0x${Buffer.from(message).toString('hex')}`, packed);
    assert.equal(`0x${Buffer.from(hashSignedMessage(message)).toString('hex')}`, hashMessage({ raw: keccak256(packed) }));
    assert.equal(Buffer.from(hashSignedMessage(message)).toString('hex'), '9ab1af775953e2d797e9d66855d41ed5e356f141663a99ba29e263d467562321');
    // RFC 6979 with the free-call key 0x…02 (the vector written in docs/payments.md).
    const token = legacyToken('user@example.com', CLIENT, 21172800n);
    assert.equal(Buffer.from(token).toString('hex'), '8a1347d16651cb585dbcbf93bec5bb333f730d5436c509a1ddcb45db65de1ede05f1b239fb9718597c0a68e2dc21484c38d7e89ebaa0707d60f95c2be1ae07ab1c');
    assert.equal(Buffer.from(token).toString('hex'), Buffer.from(signMessage(DAEMON_KEY, message)).toString('hex'));
  });

  void it('behavior: pre-v6 calls are accepted and share the wallet\'s allowance with v6 calls', async () => {
    const rig = freeCallRig({ freeCalls: 2 });
    const payment = await rig.handler.reserve(legacyHeaders(), '/x.S/m');
    assert.equal(payment.userAddress, CLIENT);
    await rig.handler.commit(payment);
    await rig.handler.commit(await rig.handler.reserve(v6Headers(), '/x.S/m'));
    assert.equal((await rejectionOf(rig.handler.reserve(legacyHeaders(), '/x.S/m'))).code, 'PAYMENT_FREE_CALL_LIMIT');
    rig.handler.close();
  });

  void it('behavior: free_calls_per_address keyed by the pre-v6 e-mail applies to pre-v6 calls', async () => {
    const rig = freeCallRig({ freeCalls: 1, perAddress: { 'User@Example.com': 3 } });
    for (let i = 0; i < 3; i++) await rig.handler.commit(await rig.handler.reserve(legacyHeaders(), '/x.S/m'));
    assert.equal((await rejectionOf(rig.handler.reserve(legacyHeaders(), '/x.S/m'))).message, 'internal error: free call limit has been exceeded, calls made = 3, total free calls eligible = 3');
    rig.handler.close();
  });

  void it('error: refusals of pre-v6 calls', async () => {
    const rig = freeCallRig();
    const noExpiry = { ...legacyHeaders() } as Record<string, string>;
    assert.equal((await rejectionOf(rig.handler.reserve({ ...noExpiry, 'snet-free-call-token-expiry-block': 'x' }, '/x.S/m'))).message, 'incorrect format "snet-free-call-token-expiry-block": "x"');
    assert.deepEqual(await rejectionOf(rig.handler.reserve(legacyHeaders({ token: legacyToken('user@example.com', CLIENT, BLOCK + 100n, OTHER_KEY) }), '/x.S/m')), {
      code: 'PAYMENT_FREE_CALL_UNAUTHENTICATED',
      message: 'token sign is not valid',
    });
    // A token for another e-mail does not verify for this one.
    assert.equal((await rejectionOf(rig.handler.reserve(legacyHeaders({ token: legacyToken('other@example.com', CLIENT, BLOCK + 100n) }), '/x.S/m'))).message, 'token sign is not valid');
    assert.equal((await rejectionOf(rig.handler.reserve(legacyHeaders({ expiry: BLOCK - 1n }), '/x.S/m'))).message, 'internal error: authentication failed as the Free Call Token passed has expired');
    assert.equal((await rejectionOf(rig.handler.reserve(legacyHeaders({ block: BLOCK + 6n }), '/x.S/m'))).message, 'internal error: authentication failed as the signature passed has expired');
    rig.handler.close();
  });
});
