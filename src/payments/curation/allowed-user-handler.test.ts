import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildClaimMessage, createSignatureRecoverer, privateKeyToAddress, signMessage } from '../../blockchain/index.ts';
import { SnetError } from '../../errors/index.ts';
import { createAllowedUserHandler } from './allowed-user-handler.ts';

const MPE = '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E';
const ALLOWED_KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const OTHER_KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';

function headers(key: string, extra: Record<string, string> = {}): Record<string, string> {
  const signature = signMessage(key, buildClaimMessage({ mpeAddress: MPE, channelId: 3n, nonce: 0n, amount: 7n }));
  return {
    'snet-payment-channel-id': '3',
    'snet-payment-channel-nonce': '0',
    'snet-payment-channel-amount': '7',
    'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64'),
    'snet-payment-mpe-address': MPE,
    ...extra,
  };
}

const refusal = (code: string, message: string) => (err: unknown) => {
  assert.ok(err instanceof SnetError);
  assert.equal(err.code, code);
  assert.equal(err.message, message);
  return true;
};

void describe('createAllowedUserHandler() (blockchain off, allowed_user_flag on)', () => {
  const recoverer = createSignatureRecoverer({ threads: 0 });
  after(() => recoverer.close());
  const handler = createAllowedUserHandler({ recoverer }, { allowedUsers: [privateKeyToAddress(ALLOWED_KEY).toLowerCase()] });

  void it('behavior: an allowed signer is served free, with its address for the service', async () => {
    const accepted = await handler.reserve(headers(ALLOWED_KEY), '/p.S/m');
    assert.equal(accepted.userAddress, privateKeyToAddress(ALLOWED_KEY));
    assert.equal(accepted.priceCogs, 0n);
    await handler.commit(accepted);
  });

  void it('error: another signer, a bad signature and a bad MPE header are refused with their texts', async () => {
    await assert.rejects(handler.reserve(headers(OTHER_KEY), '/p.S/m'), refusal('PAYMENT_USER_NOT_ALLOWED', 'you are not Authorized to call this service during curation process'));
    await assert.rejects(
      handler.reserve(headers(ALLOWED_KEY, { 'snet-payment-channel-signature-bin': Buffer.from(new Uint8Array(64)).toString('base64') }), '/p.S/m'),
      refusal('PAYMENT_SIGNATURE_INVALID', 'payment signature is not valid'),
    );
    await assert.rejects(
      handler.reserve(headers(ALLOWED_KEY, { 'snet-payment-mpe-address': 'nope' }), '/p.S/m'),
      refusal('PAYMENT_HEADER_INVALID', 'Address is not a valid Hex address "snet-payment-mpe-address": nope'),
    );
    const missing = headers(ALLOWED_KEY);
    delete missing['snet-payment-mpe-address'];
    await assert.rejects(handler.reserve(missing, '/p.S/m'), refusal('PAYMENT_HEADER_MISSING', 'missing "snet-payment-mpe-address"'));
  });
});
