import { parseAbi } from 'viem';

/**
 * The part of the MultiPartyEscrow ABI the daemon reads, as typed `const` fragments.
 * `abi.test.ts` checks every fragment against the ABI shipped in `singularitynet-platform-contracts`,
 * so these cannot drift from the deployed contract.
 */
export const mpeAbi = parseAbi([
  'function channels(uint256) view returns (uint256 nonce, address sender, address signer, address recipient, bytes32 groupId, uint256 value, uint256 expiration)',
  'function balances(address) view returns (uint256)',
  'function nextChannelId() view returns (uint256)',
  'function token() view returns (address)',
  'event ChannelOpen(uint256 channelId, uint256 nonce, address indexed sender, address signer, address indexed recipient, bytes32 indexed groupId, uint256 amount, uint256 expiration)',
  'event ChannelClaim(uint256 indexed channelId, uint256 nonce, address indexed recipient, uint256 claimAmount, uint256 plannedAmount, uint256 sendBackAmount, uint256 keepAmount)',
  'event ChannelSenderClaim(uint256 indexed channelId, uint256 nonce, uint256 claimAmount)',
  'event ChannelExtend(uint256 indexed channelId, uint256 newExpiration)',
  'event ChannelAddFunds(uint256 indexed channelId, uint256 additionalFunds)',
]);

/** The part of the Registry ABI the daemon reads (checked against the npm ABI like {@link mpeAbi}). */
export const registryAbi = parseAbi([
  'function getOrganizationById(bytes32 orgId) view returns (bool found, bytes32 id, bytes orgMetadataURI, address owner, address[] members, bytes32[] serviceIds)',
  'function getServiceRegistrationById(bytes32 orgId, bytes32 serviceId) view returns (bool found, bytes32 id, bytes metadataURI)',
  'function listOrganizations() view returns (bytes32[] orgIds)',
  'event OrganizationCreated(bytes32 indexed orgId)',
  'event OrganizationModified(bytes32 indexed orgId)',
  'event OrganizationDeleted(bytes32 indexed orgId)',
  'event ServiceCreated(bytes32 indexed orgId, bytes32 indexed serviceId, bytes metadataURI)',
  'event ServiceMetadataModified(bytes32 indexed orgId, bytes32 indexed serviceId, bytes metadataURI)',
  'event ServiceDeleted(bytes32 indexed orgId, bytes32 indexed serviceId)',
]);
