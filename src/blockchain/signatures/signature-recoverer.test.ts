import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildClaimMessage } from './claim-message.ts';
import { createSignatureRecoverer, publicKeyToAddressBytes } from './signature-recoverer.ts';
import { privateKeyToAddress, signDigest, signMessage } from './sign-message.ts';
import { hashSignedMessage } from './signed-message-hash.ts';

const native = createSignatureRecoverer({ prefer: 'native', requireNative: true });
const js = createSignatureRecoverer({ prefer: 'js' });
// secp256k1 group order: private keys are 1..n-1.
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

void describe('createSignatureRecoverer()', () => {
  void it('args: prefers native by default and loads the prebuilt addon here', () => {
    const recoverer = createSignatureRecoverer();
    assert.equal(recoverer.backend, 'native');
    assert.equal(recoverer.fallbackReason, undefined);
  });
  void it('args: prefer js gives the @noble/curves backend with no fallback reason', () => {
    assert.equal(js.backend, 'js');
    assert.equal(js.fallbackReason, undefined);
  });
  void it('error: a digest that is not 32 bytes is a caller bug and throws', () => {
    assert.throws(() => native.recoverAddressBytes(new Uint8Array(31), new Uint8Array(65)), RangeError);
    assert.throws(() => js.recoverSigner(new Uint8Array(33), new Uint8Array(65)), RangeError);
  });
  void it('error: the reference texts are kept (free calls pass them to the client)', () => {
    const digest = new Uint8Array(32);
    assert.deepEqual(native.recoverSigner(digest, new Uint8Array(64)), {
      ok: false,
      error: { code: 'SIGNATURE_LENGTH', message: 'incorrect signature length' },
    });
    assert.deepEqual(js.recoverSigner(digest, new Uint8Array(65)), {
      ok: false,
      error: { code: 'SIGNATURE_UNRECOVERABLE', message: 'incorrect signature data' },
    });
    for (const backend of [native, js]) {
      assert.deepEqual(backend.recoverPublicKey(digest, new Uint8Array(64)), backend.recoverAddressBytes(digest, new Uint8Array(64)));
      assert.deepEqual(backend.recoverPublicKey(digest, new Uint8Array(65).fill(5)), { ok: false, error: { code: 'SIGNATURE_RECOVERY_ID', message: 'incorrect signature data' } });
      assert.deepEqual(backend.recoverPublicKey(digest, new Uint8Array(65)), backend.recoverAddressBytes(digest, new Uint8Array(65)));
    }
  });
  void it('behavior: does not modify the signature it is given', () => {
    const signature = signMessage(`0x${'01'.padStart(64, '0')}`, new Uint8Array([1, 2, 3]));
    const copy = Uint8Array.from(signature);
    native.recoverAddressBytes(hashSignedMessage(new Uint8Array([1, 2, 3])), signature);
    js.recoverAddressBytes(hashSignedMessage(new Uint8Array([1, 2, 3])), signature);
    assert.deepEqual(signature, copy);
  });
});

void describe('signMessage() + recovery (property, both backends agree)', () => {
  void it('behavior: any key, any claim, v as 27/28 or 0/1 recovers the key address on both backends', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: N - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        fc.boolean(),
        (key, channelId, nonce, amount, raw) => {
          const privateKey = key.toString(16).padStart(64, '0');
          const message = buildClaimMessage({ mpeAddress: '0x5e592F9b1d303183d963635f895f0f0C48284f4e', channelId, nonce, amount });
          const signature = signMessage(privateKey, message, { recoveryByte: raw ? 'raw' : 'eth' });
          assert.ok(raw ? signature[64] === 0 || signature[64] === 1 : signature[64] === 27 || signature[64] === 28);
          const expected = { ok: true, value: privateKeyToAddress(privateKey) };
          const digest = hashSignedMessage(message);
          assert.deepEqual(native.recoverSigner(digest, signature), expected);
          assert.deepEqual(js.recoverSigner(digest, signature), expected);
          // The public key step: both backends give the same 65-byte key, and it hashes to the same address.
          const nativeKey = native.recoverPublicKey(digest, signature);
          const jsKey = js.recoverPublicKey(digest, signature);
          assert.ok(nativeKey.ok && jsKey.ok);
          assert.equal(nativeKey.value.length, 65);
          assert.deepEqual(nativeKey.value, jsKey.value);
          assert.deepEqual(publicKeyToAddressBytes(nativeKey.value), native.recoverAddressBytes(digest, signature).ok ? (native.recoverAddressBytes(digest, signature) as { value: Uint8Array }).value : undefined);
        },
      ),
      { numRuns: 40 },
    );
  });
  void it('behavior: flipping one bit of the message changes the recovered address (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), (message, bit) => {
        const key = `0x${'42'.repeat(32)}`;
        const signature = signMessage(key, message);
        const tampered = Uint8Array.from(message);
        const index = bit % (tampered.length * 8);
        tampered[index >> 3] = (tampered[index >> 3] as number) ^ (1 << (index & 7));
        const result = native.recoverSigner(hashSignedMessage(tampered), signature);
        assert.ok(!result.ok || result.value !== privateKeyToAddress(key));
      }),
      { numRuns: 50 },
    );
  });
});

void describe('signDigest()', () => {
  void it('error: rejects an invalid private key and a digest that is not 32 bytes', () => {
    assert.throws(() => signDigest(`0x${'00'.repeat(32)}`, new Uint8Array(32)), TypeError);
    assert.throws(() => signDigest(`0x${N.toString(16)}`, new Uint8Array(32)), TypeError);
    assert.throws(() => signDigest(`0x${'01'.repeat(32)}`, new Uint8Array(31)), RangeError);
  });
  void it('behavior: the key 0x…02 gives the daemon free-call address of the hand-made vectors in spec-vectors.json', () => {
    assert.equal(privateKeyToAddress(`0x${'2'.padStart(64, '0')}`), '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF');
  });
});
