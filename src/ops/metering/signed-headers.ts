// The headers every metering and notification POST carries (Go metrics/utils.go and metrics/clients.go):
// identity headers plus X-Signature, the metering key's signature over
// "_usage" ‖ username ‖ org ‖ service ‖ group ‖ uint256(block), recovery byte 0/1, standard base64.
import { buildMeteringMessage, signMessage } from '../../blockchain/index.ts';

/** Who signs: the daemon's identity and the metering key. */
export interface MeteringIdentity {
  readonly daemonId: string;
  readonly organizationId: string;
  readonly serviceId: string;
  /** Payment group id, base64 (as in the metadata). */
  readonly groupId: string;
  /** `private_key_for_metering`, hex. Never logged. */
  readonly privateKey: string;
  /** The chain's current block (signed into each request). */
  readonly currentBlock: () => Promise<bigint>;
}

/** Builds the signed headers for one request with `X-username` = `username`. */
export type SignedHeaders = (username: string) => Promise<Record<string, string>>;

/** Creates the header builder; throws a TypeError at start-up when the key is not a secp256k1 key. */
export function createSignedHeaders(identity: MeteringIdentity): SignedHeaders {
  // Fail at start-up, not at the first request (the reference checks pvt_key_for_metering when it starts).
  signMessage(identity.privateKey, new Uint8Array(1), { recoveryByte: 'raw' });
  return async (username) => {
    const block = await identity.currentBlock();
    const message = buildMeteringMessage({ username, organizationId: identity.organizationId, serviceId: identity.serviceId, groupId: identity.groupId, currentBlock: block });
    const signature = signMessage(identity.privateKey, message, { recoveryByte: 'raw' });
    return {
      'content-type': 'application/json',
      'x-daemonid': identity.daemonId,
      // The reference never registers with its monitoring service, so the token is always empty.
      'x-token': '',
      'x-username': username,
      'x-organizationid': identity.organizationId,
      'x-groupid': identity.groupId,
      'x-serviceid': identity.serviceId,
      'x-currentblocknumber': block.toString(),
      'x-signature': Buffer.from(signature).toString('base64'),
    };
  };
}
