// How a marketplace checks a metering (or signed notification) request: recover the signer of
// "_usage" ‖ X-username ‖ X-Organizationid ‖ X-Serviceid ‖ X-Groupid ‖ uint256(X-Currentblocknumber) from X-Signature.
import type { IncomingHttpHeaders } from 'node:http';
import { bytesToHex, recoverMessageAddress } from 'viem';
import { buildMeteringMessage, keccak256 } from '../../src/blockchain/index.ts';

/** The address that signed a request with these headers. */
export async function meteringSignerOf(h: IncomingHttpHeaders): Promise<string> {
  const message = buildMeteringMessage({
    username: String(h['x-username']),
    organizationId: String(h['x-organizationid']),
    serviceId: String(h['x-serviceid']),
    groupId: String(h['x-groupid']),
    currentBlock: BigInt(String(h['x-currentblocknumber'] ?? '0')),
  });
  return recoverMessageAddress({ message: { raw: keccak256(message) }, signature: bytesToHex(Buffer.from(String(h['x-signature']), 'base64')) });
}
