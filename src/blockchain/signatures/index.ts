// Signed messages of the snetd payment protocol: byte builders (README.md), the hash that is
// signed (EIP-191), recovery and signing helpers. Pure and stateless apart from the recoverer,
// which is created once at start-up. Test vectors: test/vectors/README.md.
export { keccak256 } from './keccak.ts';
export { ETH_SIGNED_MESSAGE_PREFIX_32, hashPersonalMessage32, hashSignedMessage } from './signed-message-hash.ts';
export {
  addressToBytes,
  addressesEqual,
  isHexAddress,
  parseAddress,
  toChecksumAddress,
  type AddressInput,
} from './address.ts';
export { MAX_UINT256, decodeUint, encodeAddress, encodeString, encodeUint256 } from './packed-encoding.ts';
export { buildClaimMessage, type ClaimMessageFields } from './claim-message.ts';
export { buildChannelStateMessage, type ChannelStateMessageFields } from './channel-state-message.ts';
export {
  buildListInProgressMessage,
  buildListUnclaimedMessage,
  buildStartClaimForMultipleChannelsMessage,
  buildStartClaimMessage,
  type PaymentsListMessageFields,
  type StartClaimForMultipleChannelsMessageFields,
  type StartClaimMessageFields,
} from './control-messages.ts';
export {
  buildFreeCallMessage,
  buildFreeCallTokenBodyMessage,
  buildFreeCallTokenRequestMessage,
  buildLegacyFreeCallMessage,
  buildLegacyFreeCallTokenMessage,
  type FreeCallMessageFields,
  type FreeCallTokenBodyMessageFields,
  type FreeCallTokenRequestMessageFields,
  type LegacyFreeCallMessageFields,
  type LegacyFreeCallTokenMessageFields,
} from './free-call-messages.ts';
export { encodeFreeCallToken, parseFreeCallToken, type FreeCallToken, type FreeCallTokenResult } from './free-call-token.ts';
export { buildTokenRequestMessage, type TokenRequestMessageFields } from './token-request-message.ts';
export { buildConfigurationMessage, type ConfigurationMessageFields, type ConfigurationMethod } from './configuration-message.ts';
export { buildTrainingMessage, type TrainingMessageFields } from './training-message.ts';
export { buildMeteringMessage, type MeteringMessageFields } from './metering-message.ts';
export {
  createSignatureRecoverer,
  publicKeyToAddressBytes,
  type RecoverResult,
  type SignatureBackend,
  type SignatureRecoverer,
  type SignatureRecovererOptions,
  type SignatureRecoveryError,
} from './signature-recoverer.ts';
export { privateKeyToAddress, signDigest, signMessage, type PrivateKeyInput, type SignOptions } from './sign-message.ts';
