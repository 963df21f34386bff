import {
  addressesEqual,
  buildConfigurationMessage,
  hashSignedMessage,
  toChecksumAddress,
  type ConfigurationMethod,
  type SignatureRecoverer,
} from '../../blockchain/index.ts';
import { SnetError } from '../../errors/index.ts';

/** What the configuration service checks a request's `auth` against. */
export interface AdminAuthDeps {
  /** Administrator addresses (`authentication_addresses`), read per request: the list is updatable. */
  admins(): readonly string[];
  /** The chain's current block for the ±drift check; `undefined` with the blockchain disabled (no check, as the reference). */
  readonly blockNumber: (() => Promise<bigint>) | undefined;
  readonly recoverer: SignatureRecoverer;
  /** Allowed |signed block − chain block| (Go `AllowedBlockChainDifference`). @default 5n */
  readonly allowedBlockDrift?: bigint;
}

/** A decoded `CallerAuthentication` (protobufjs plain object), or undefined when the request had none. */
export interface CallerAuthentication {
  readonly signature?: Uint8Array;
  readonly currentBlock?: string | number;
}

/**
 * Checks the M11 signature of a configuration-service request and returns the administrator's address.
 * Order: `auth` present, service enabled, block drift (before any recovery, so an old or future block
 * costs no cryptography), signature, signer listed. Texts of the drift, signature and signer refusals are
 * the reference's (Go `configuration_service/configuration_service.go`); the status codes are ours.
 */
export async function authenticateAdmin(deps: AdminAuthDeps, method: ConfigurationMethod, auth: CallerAuthentication | undefined): Promise<string> {
  if (auth === undefined) {
    throw new SnetError('ADMIN_AUTH_MISSING', `${method}: the request has no auth (signature and current_block)`, {
      hint: 'sign "_' + method + '" ‖ uint256(current block) with an administrator key, e.g. with `snetd admin`',
    });
  }
  const admins = deps.admins();
  if (admins.length === 0) {
    throw new SnetError('ADMIN_DISABLED', 'the configuration service is disabled: authentication_addresses is empty', {
      hint: 'the operator lists administrator addresses in authentication_addresses',
    });
  }
  const currentBlock = BigInt(auth.currentBlock ?? 0);
  if (deps.blockNumber !== undefined) {
    let latest: bigint;
    try {
      latest = await deps.blockNumber();
    } catch (err) {
      throw new SnetError('CHAIN_UNAVAILABLE', 'cannot read the current block to check the request\'s signature', { cause: err, hint: 'retry when the Ethereum node is reachable' });
    }
    const drift = latest > currentBlock ? latest - currentBlock : currentBlock - latest;
    if (drift > (deps.allowedBlockDrift ?? 5n)) {
      throw new SnetError('ADMIN_SIGNATURE_EXPIRED', 'authentication failed as the signature passed has expired', {
        hint: `sign again with the current block (the daemon sees ${latest}, the request says ${currentBlock})`,
      });
    }
  }
  const message = buildConfigurationMessage({ method, currentBlock });
  const recovered = deps.recoverer.recoverAddressBytes(hashSignedMessage(message), auth.signature ?? new Uint8Array(0));
  if (!recovered.ok) throw new SnetError('ADMIN_SIGNATURE_INVALID', recovered.error.message, { hint: 'send a 65-byte Ethereum signature (r ‖ s ‖ v)' });
  const signer = recovered.value;
  if (!admins.some((admin) => addressesEqual(signer, admin))) {
    throw new SnetError('ADMIN_NOT_AUTHORIZED', `unauthorized access, ${toChecksumAddress(signer)} is not authorized`, {
      hint: 'sign with a key whose address is in authentication_addresses',
    });
  }
  return toChecksumAddress(signer);
}
