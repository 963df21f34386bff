import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeChannelState, decodeClaimRecord, encodeChannelState, encodeClaimRecord, settleExpired, type ChannelState } from './channel-state.ts';

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

describe('encodeChannelState() / decodeChannelState()', () => {
  it('behavior: round-trips every field, bigints beyond 2^64 included', () => {
    assert.deepEqual(decodeChannelState(encodeChannelState(state)), state);
    const plain = { ...state, signature: undefined, pending: undefined };
    assert.deepEqual(decodeChannelState(encodeChannelState(plain)), plain);
  });

  it('behavior: the bytes are exactly JSON.stringify of the v1 document (stored records stay readable both ways)', () => {
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
