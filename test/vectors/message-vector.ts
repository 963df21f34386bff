// Shared by the vector tests and scripts/generate-vectors.ts: the JSON shape of a vector and the
// mapping from its `kind` to the builder under test. Integers are decimal strings, bytes are hex.
import {
  buildChannelStateMessage,
  buildClaimMessage,
  buildConfigurationMessage,
  buildFreeCallMessage,
  buildFreeCallTokenBodyMessage,
  buildFreeCallTokenRequestMessage,
  buildLegacyFreeCallMessage,
  buildListInProgressMessage,
  buildListUnclaimedMessage,
  buildMeteringMessage,
  buildStartClaimForMultipleChannelsMessage,
  buildStartClaimMessage,
  buildTokenRequestMessage,
  buildTrainingMessage,
  type ConfigurationMethod,
} from '../../src/blockchain/signatures/index.ts';

export type MessageKind =
  | 'claim'
  | 'channelState'
  | 'listUnclaimed'
  | 'listInProgress'
  | 'startClaim'
  | 'startClaimForMultipleChannels'
  | 'freeCallTokenRequest'
  | 'freeCallTokenBody'
  | 'freeCall'
  | 'legacyFreeCall'
  | 'tokenRequest'
  | 'configuration'
  | 'training'
  | 'metering';

/** One vector: a message (kind + fields) and what must come out of it. Optional parts are checked when present. */
export interface MessageVector {
  readonly name: string;
  /** Where the expected values come from (reference test, client capture, hand-made, or generator). */
  readonly source: string;
  readonly kind: MessageKind;
  readonly fields: Readonly<Record<string, string | readonly string[]>>;
  /** Expected message bytes (hex, no 0x). */
  readonly message?: string;
  /** Expected keccak256(message) (hex). */
  readonly keccak?: string;
  /** Expected EIP-191 digest keccak256(prefix32 ‖ keccak(message)) (hex). */
  readonly personalHash?: string;
  /** A signature over personalHash (hex, 65 bytes) … */
  readonly signature?: string;
  /** … and the EIP-55 address it must recover to. */
  readonly signer?: string;
  /** When set, signing personalHash with this key must reproduce `signature` byte for byte (RFC 6979). */
  readonly privateKey?: string;
}

/** A signature over a digest that recovery must reject, with the error code it must give. */
export interface RejectionVector {
  readonly name: string;
  readonly source: string;
  readonly digest: string;
  readonly signature: string;
  readonly error: 'SIGNATURE_LENGTH' | 'SIGNATURE_RECOVERY_ID' | 'SIGNATURE_UNRECOVERABLE';
}

/** A file of vectors. */
export interface VectorFile {
  readonly description: string;
  readonly messages: readonly MessageVector[];
  readonly recoveries?: readonly { readonly name: string; readonly source: string; readonly digest: string; readonly signature: string; readonly signer: string }[];
  readonly rejections?: readonly RejectionVector[];
}

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/^0x/, ''), 'hex'));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function str(fields: MessageVector['fields'], key: string): string {
  const value = fields[key];
  if (typeof value !== 'string') throw new Error(`vector field ${key} missing or not a string`);
  return value;
}

function int(fields: MessageVector['fields'], key: string): bigint {
  return BigInt(str(fields, key));
}

/** Builds the message of a vector with the production builder. */
export function buildVectorMessage(vector: Pick<MessageVector, 'kind' | 'fields'>): Uint8Array {
  const f = vector.fields;
  switch (vector.kind) {
    case 'claim':
      return buildClaimMessage({ mpeAddress: str(f, 'mpeAddress'), channelId: int(f, 'channelId'), nonce: int(f, 'nonce'), amount: int(f, 'amount') });
    case 'channelState':
      return buildChannelStateMessage({ mpeAddress: str(f, 'mpeAddress'), channelId: int(f, 'channelId'), currentBlock: int(f, 'currentBlock') });
    case 'listUnclaimed':
      return buildListUnclaimedMessage({ mpeAddress: str(f, 'mpeAddress'), currentBlock: int(f, 'currentBlock') });
    case 'listInProgress':
      return buildListInProgressMessage({ mpeAddress: str(f, 'mpeAddress'), currentBlock: int(f, 'currentBlock') });
    case 'startClaim':
      return buildStartClaimMessage({ mpeAddress: str(f, 'mpeAddress'), channelId: int(f, 'channelId'), nonce: int(f, 'nonce') });
    case 'startClaimForMultipleChannels': {
      const ids = f['channelIds'];
      if (!Array.isArray(ids)) throw new Error('vector field channelIds must be an array');
      return buildStartClaimForMultipleChannelsMessage({
        mpeAddress: str(f, 'mpeAddress'),
        channelIds: ids.map((id: string) => BigInt(id)),
        currentBlock: int(f, 'currentBlock'),
      });
    }
    case 'freeCallTokenRequest':
      return buildFreeCallTokenRequestMessage({
        address: str(f, 'address'),
        userId: str(f, 'userId'),
        organizationId: str(f, 'organizationId'),
        serviceId: str(f, 'serviceId'),
        groupId: str(f, 'groupId'),
        currentBlock: int(f, 'currentBlock'),
      });
    case 'freeCallTokenBody':
      return buildFreeCallTokenBodyMessage({
        organizationId: str(f, 'organizationId'),
        groupName: str(f, 'groupName'),
        userAddress: str(f, 'userAddress'),
        userId: str(f, 'userId'),
        expiryBlock: int(f, 'expiryBlock'),
      });
    case 'freeCall':
      return buildFreeCallMessage({
        address: str(f, 'address'),
        userId: str(f, 'userId'),
        organizationId: str(f, 'organizationId'),
        serviceId: str(f, 'serviceId'),
        groupId: str(f, 'groupId'),
        currentBlock: int(f, 'currentBlock'),
        token: hexToBytes(str(f, 'token')),
      });
    case 'legacyFreeCall':
      return buildLegacyFreeCallMessage({
        userId: str(f, 'userId'),
        organizationId: str(f, 'organizationId'),
        serviceId: str(f, 'serviceId'),
        groupId: str(f, 'groupId'),
        currentBlock: int(f, 'currentBlock'),
        token: hexToBytes(str(f, 'token')),
      });
    case 'tokenRequest':
      return buildTokenRequestMessage({ claimSignature: hexToBytes(str(f, 'claimSignature')), currentBlock: int(f, 'currentBlock') });
    case 'configuration':
      return buildConfigurationMessage({ method: str(f, 'method') as ConfigurationMethod, currentBlock: int(f, 'currentBlock') });
    case 'training':
      return buildTrainingMessage({ message: str(f, 'message'), signerAddress: str(f, 'signerAddress'), currentBlock: int(f, 'currentBlock') });
    case 'metering':
      return buildMeteringMessage({
        username: str(f, 'username'),
        organizationId: str(f, 'organizationId'),
        serviceId: str(f, 'serviceId'),
        groupId: str(f, 'groupId'),
        currentBlock: int(f, 'currentBlock'),
      });
  }
}
