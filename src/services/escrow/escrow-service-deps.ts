import {
  addressesEqual,
  hashSignedMessage,
  parseAddress,
  toChecksumAddress,
  type SignatureRecoverer,
} from '../../blockchain/index.ts';
import { serviceRejected, type ChannelReader, type ChannelRepository } from '../../payments/index.ts';
import type { Logger } from '../../shared/index.ts';

/** Dependencies of the escrow services (shared with the payment handler: same repository and chain). */
export interface EscrowServicesDeps {
  readonly repository: ChannelRepository;
  /** Block number for the ±drift check (cached by the chain client) and channel reads. */
  readonly chain: ChannelReader;
  readonly recoverer: SignatureRecoverer;
  readonly logger: Logger;
}

/** Facts of the daemon's group the services check requests against. */
export interface EscrowServicesOptions {
  /** Service metadata `mpe_address`. */
  readonly mpeAddress: string;
  /** Org metadata `payment_address` of the daemon's group: the only signer of the control service. */
  readonly paymentAddress: string;
  /** Allowed |current_block − chain block| for signed requests (Go `AllowedBlockDifference`). @default 5n */
  readonly allowedBlockDrift?: bigint;
}

/** Recovers the signer of `message` (EIP-191 over keccak), or throws the reference's recovery text. */
export function recoverSigner(recoverer: SignatureRecoverer, message: Uint8Array, signature: Uint8Array, failText?: string): Uint8Array {
  const result = recoverer.recoverAddressBytes(hashSignedMessage(message), signature);
  if (!result.ok) throw serviceRejected(failText ?? result.error.message);
  return result.value;
}

/** Rejects a signed request whose block is more than `drift` blocks away from the chain's (Go `escrow/state_service.go`). */
export async function checkBlockDrift(chain: ChannelReader, currentBlock: bigint, drift: bigint): Promise<void> {
  let latest: bigint;
  try {
    latest = await chain.getBlockNumber();
  } catch (err) {
    throw serviceRejected(`unable to read the current block: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  const difference = latest > currentBlock ? latest - currentBlock : currentBlock - latest;
  if (difference > drift) throw serviceRejected('authentication failed as the signature passed has expired');
}

/** The control service's MPE check (`the mpeAddress: <as sent> passed does not match to what has been registered`). */
export function checkMpeAddress(sent: string, mpeAddress: string): void {
  const bytes = parseAddress(sent);
  if (bytes === undefined || !addressesEqual(bytes, mpeAddress)) {
    throw serviceRejected(`the mpeAddress: ${sent} passed does not match to what has been registered`);
  }
}

/** The control service's signer check (`VerifyAddress`). */
export function checkSigner(signer: Uint8Array, expected: string): void {
  if (!addressesEqual(signer, expected)) {
    throw serviceRejected(`the address: ${toChecksumAddress(signer)} does not match to what has been expected / registered`);
  }
}
