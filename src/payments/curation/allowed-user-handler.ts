import { addressToBytes, buildClaimMessage, hashSignedMessage, toChecksumAddress, type SignatureRecoverer } from '../../blockchain/index.ts';
import type { AcceptedPayment, PaymentHandler } from '../payment-handler.ts';
import { signatureInvalidError, userNotAllowedError } from '../payment-error.ts';
import { parseEscrowPaymentHeaders, parseMpeAddressHeader } from '../escrow/payment-headers.ts';

/** Settings of {@link createAllowedUserHandler}. */
export interface AllowedUserHandlerOptions {
  /** `allowed_user_addresses`: the only signers served (compared as 20 bytes). */
  readonly allowedUsers: readonly string[];
}

/**
 * The curation handler of a daemon with the blockchain off and `allowed_user_flag` on (Go
 * `escrow/allowed_user_payment_handler.go`): the escrow headers plus `snet-payment-mpe-address` are signed by
 * the client as for a paid call (the claim message over that MPE address); the call is served when the signer
 * is an allowed user. Nothing is stored or charged: there is no chain to check a channel against. Unlike the
 * reference, the recovered signer is passed to the service as `snet-user-address` (so a client cannot pose as
 * an allowed user to the service), and refusals are UNAUTHENTICATED / PERMISSION_DENIED instead of INTERNAL.
 */
export function createAllowedUserHandler(deps: { readonly recoverer: SignatureRecoverer }, options: AllowedUserHandlerOptions): PaymentHandler {
  const allowed = options.allowedUsers.map((address) => addressToBytes(address));
  const done = (): Promise<void> => Promise.resolve();
  return {
    reserve(metadata) {
      const payment = parseEscrowPaymentHeaders(metadata);
      if (!payment.ok) return Promise.reject(payment.error);
      const mpe = parseMpeAddressHeader(metadata);
      if (!mpe.ok) return Promise.reject(mpe.error);
      const { channelId, nonce, amount, signature } = payment.value;
      const digest = hashSignedMessage(buildClaimMessage({ mpeAddress: mpe.value, channelId, nonce, amount }));
      const signer = deps.recoverer.recoverAddressBytes(digest, signature);
      if (!signer.ok) return Promise.reject(signatureInvalidError(signer.error.message));
      const signerBytes = signer.value;
      if (!allowed.some((address) => address.length === signerBytes.length && address.every((byte, i) => byte === signerBytes[i]))) {
        return Promise.reject(userNotAllowedError(toChecksumAddress(signerBytes)));
      }
      const accepted: AcceptedPayment = { type: 'escrow', userAddress: toChecksumAddress(signerBytes), priceCogs: 0n };
      return Promise.resolve(accepted);
    },
    commit: done,
    release: done,
    close: () => undefined,
  };
}
