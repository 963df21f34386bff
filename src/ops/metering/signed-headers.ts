// The headers every metering and notification POST carries (Go metrics/utils.go and metrics/clients.go):
// identity headers plus X-Signature, the metering key's signature over
// "_usage" ‖ username ‖ org ‖ service ‖ group ‖ uint256(block), recovery byte 0/1, standard base64.
// The signing itself comes from app/ (blockchain/), so importing ops loads no chain code: the CLI imports ops
// for its logging checks and must start fast.

/** Who signs: the daemon's identity and the metering key. */
export interface MeteringIdentity {
  readonly daemonId: string;
  readonly organizationId: string;
  readonly serviceId: string;
  /** Payment group id, base64 (as in the metadata). */
  readonly groupId: string;
  /**
   * Signs that message for `username` at `block` with `private_key_for_metering` (recovery byte 0/1,
   * blockchain `buildMeteringMessage` + `signMessage`). Throws a TypeError when the key is not a secp256k1 key.
   */
  readonly signUsage: (username: string, block: bigint) => Uint8Array;
  /** The chain's current block (signed into each request). */
  readonly currentBlock: () => Promise<bigint>;
}

/** Builds the signed headers for one request with `X-username` = `username`. */
export type SignedHeaders = (username: string) => Promise<Record<string, string>>;

/** Creates the header builder; throws a TypeError at start-up when the key is not a secp256k1 key. */
export function createSignedHeaders(identity: MeteringIdentity): SignedHeaders {
  // Fail at start-up, not at the first request (the reference checks pvt_key_for_metering when it starts).
  identity.signUsage('', 0n);
  return async (username) => {
    const block = await identity.currentBlock();
    const signature = identity.signUsage(username, block);
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
