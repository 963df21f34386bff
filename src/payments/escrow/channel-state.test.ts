import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  channelStateHead,
  decodeChannelState,
  decodeClaimRecord,
  encodeChannelState,
  encodeChannelStateAfterHead,
  encodeClaimRecord,
  settleExpired,
  type ChannelState,
} from './channel-state.ts';

const state: ChannelState = {
  channelId: 42n,
  nonce: 3n,
  sender: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
  signer: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
  recipient: '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF',
  groupId: `0x${'ab'.repeat(32)}`,
  fullAmount: 2n ** 200n,
  expiration: 123456789n,
  authorizedAmount: 2n ** 70n + 1n,
  signature: new Uint8Array(65).fill(9),
  pending: { previousAmount: 5n, previousSignature: undefined, leaseUntilMs: 1700000000000, owner: 'a1b2' },
};

// The v1 encoder as first written: an object in this key order through JSON.stringify.
const reference = (s: ChannelState): string => {
  const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;
  const doc: Record<string, unknown> = {
    v: 1,
    channelId: s.channelId.toString(),
    nonce: s.nonce.toString(),
    sender: s.sender,
    signer: s.signer,
    recipient: s.recipient,
    groupId: s.groupId,
    fullAmount: s.fullAmount.toString(),
    expiration: s.expiration.toString(),
    authorizedAmount: s.authorizedAmount.toString(),
  };
  if (s.signature !== undefined) doc['signature'] = hex(s.signature);
  if (s.pending !== undefined) {
    const p = s.pending;
    doc['pending'] = {
      previousAmount: p.previousAmount.toString(),
      ...(p.previousSignature === undefined ? {} : { previousSignature: hex(p.previousSignature) }),
      leaseUntilMs: p.leaseUntilMs,
      owner: p.owner,
    };
  }
  return JSON.stringify(doc);
};

const uint256 = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n });
const bytes = fc.option(fc.uint8Array({ minLength: 0, maxLength: 70 }), { nil: undefined });
const arbitraryState: fc.Arbitrary<ChannelState> = fc.record({
  channelId: uint256,
  nonce: uint256,
  sender: fc.constant(state.sender),
  signer: fc.constant(state.signer),
  recipient: fc.constant(state.recipient),
  groupId: fc.constant(state.groupId),
  fullAmount: uint256,
  expiration: uint256,
  authorizedAmount: uint256,
  signature: bytes,
  pending: fc.option(
    fc.record({
      previousAmount: uint256,
      previousSignature: bytes,
      leaseUntilMs: fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.double({ min: 0, max: 1e15, noNaN: true })),
      owner: fc.oneof(fc.stringMatching(/^[0-9a-f]{1,64}$/), fc.string(), fc.string({ unit: 'grapheme' })),
    }),
    { nil: undefined },
  ),
});

describe('encodeChannelState() / decodeChannelState()', () => {
  it('behavior: any record encodes to exactly JSON.stringify of the v1 document, from a head of the same channel view too', () => {
    fc.assert(
      fc.property(arbitraryState, arbitraryState, (a, b) => {
        const expected = reference(a);
        assert.equal(Buffer.from(encodeChannelState(a)).toString(), expected);
        // A head made from another record with the same fixed fields (what the payment path reuses).
        const sameView: ChannelState = { ...b, channelId: a.channelId, nonce: a.nonce, fullAmount: a.fullAmount, expiration: a.expiration };
        assert.equal(Buffer.from(encodeChannelStateAfterHead(channelStateHead(sameView), a)).toString(), expected);
      }),
      { numRuns: 300 },
    );
  });

  it('behavior: round-trips every field, bigints beyond 2^64 included', () => {
    assert.deepEqual(decodeChannelState(encodeChannelState(state)), state);
    const plain = { ...state, signature: undefined, pending: undefined };
    assert.deepEqual(decodeChannelState(encodeChannelState(plain)), plain);
  });

  it('behavior: the bytes are exactly JSON.stringify of the v1 document (stored records stay readable both ways)', () => {
    const signature = Uint8Array.from({ length: 65 }, (_, i) => (i * 37) & 0xff);
    const cases: ChannelState[] = [
      state,
      { ...state, signature: undefined, pending: undefined },
      { ...state, signature: signature.subarray(0, 65), pending: undefined },
      { ...state, pending: { previousAmount: 0n, previousSignature: new Uint8Array(new ArrayBuffer(80), 7, 65).fill(0xfe), leaseUntilMs: 1.5, owner: 'ff' } },
      { ...state, channelId: 0n, nonce: 0n, authorizedAmount: 0n, signature: new Uint8Array(0) },
    ];
    for (const c of cases) assert.equal(Buffer.from(encodeChannelState(c)).toString(), reference(c));
  });

  it('behavior: writes versioned JSON with decimal strings', () => {
    const doc = JSON.parse(Buffer.from(encodeChannelState(state)).toString()) as Record<string, unknown>;
    assert.equal(doc['v'], 1);
    assert.equal(doc['fullAmount'], (2n ** 200n).toString());
  });

  it('error: refuses other versions, malformed numbers and non-JSON with STORAGE_CORRUPT', () => {
    const doc = JSON.parse(Buffer.from(encodeChannelState(state)).toString()) as Record<string, unknown>;
    for (const bad of [{ ...doc, v: 2 }, { ...doc, nonce: '-1' }, { ...doc, nonce: '010' }, { ...doc, sender: 'x' }, { ...doc, pending: 'x' }, ['x'], null]) {
      assert.throws(() => decodeChannelState(Buffer.from(JSON.stringify(bad))), { code: 'STORAGE_CORRUPT' });
    }
    assert.throws(() => decodeChannelState(Buffer.from('{')), { code: 'STORAGE_CORRUPT' });
  });

  it('behavior: a claim record round-trips', () => {
    const claim = { channelId: 1n, nonce: 2n, amount: 3n, signature: new Uint8Array(65).fill(1) };
    assert.deepEqual(decodeClaimRecord(encodeClaimRecord(claim)), claim);
  });
});

describe('settleExpired()', () => {
  it('behavior: keeps a live reservation and drops an expired one (it counts as accepted)', () => {
    assert.equal(settleExpired(state, 1699999999999), state);
    const settled = settleExpired(state, 1700000000000);
    assert.equal(settled.pending, undefined);
    assert.equal(settled.authorizedAmount, state.authorizedAmount);
  });
});
