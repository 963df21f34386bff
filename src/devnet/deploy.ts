import { getAddress, type Address, type Hex } from 'viem';
import { loadContractArtifact } from '../blockchain/index.ts';
import { DEV_ROLES } from './accounts.ts';
import type { DevClients } from './dev-clients.ts';

/** Addresses of the contracts deployed on a dev chain (checksummed). */
export interface DevContracts {
  readonly token: Address;
  readonly mpe: Address;
  readonly registry: Address;
  /** Block of the last deployment transaction (a safe `fromBlock` for event scans). */
  readonly deployBlock: bigint;
}

/**
 * The addresses {@link deployContracts} produces on a fresh chain: the legacy snet "local" addresses
 * (snet-daemon `resources/blockchain_network_config.json`, snet-cli/sdk functional tests).
 */
export const LEGACY_LOCAL_ADDRESSES = {
  token: '0x6E5F20669177F5bDf3703EC5eA9c4d4Fe3aAbd14',
  mpe: '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E',
  registry: '0x4E74FefA82E83E0964f0D9f53c68e03f7298a8b2',
} as const satisfies Record<string, Address>;

/**
 * Deploys SingularityNetToken ("SingularityNET Token", "AGIX"), MultiPartyEscrow(token) and Registry from
 * the npm creation bytecode, from dev account 0. On a fresh chain the nonce layout of the old truffle
 * migrations (nonces 0, 1 and 4 burnt by 0-value self-transfers) gives {@link LEGACY_LOCAL_ADDRESSES}.
 */
export async function deployContracts(clients: DevClients): Promise<DevContracts> {
  const deployer = clients.wallet(DEV_ROLES.deployer);
  const { publicClient } = clients;
  const self = deployer.account.address;
  const burnNonce = async (): Promise<void> => {
    const hash = await deployer.sendTransaction({ to: self, value: 0n });
    await publicClient.waitForTransactionReceipt({ hash });
  };
  const deploy = async (name: 'SingularityNetToken' | 'MultiPartyEscrow' | 'Registry', args: readonly unknown[]): Promise<{ address: Address; block: bigint }> => {
    const artifact = loadContractArtifact(name);
    const hash: Hex = await deployer.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success' || receipt.contractAddress == null) throw new Error(`deploying ${name} failed (tx ${hash})`);
    return { address: getAddress(receipt.contractAddress), block: receipt.blockNumber };
  };
  const nonce = await publicClient.getTransactionCount({ address: self });
  if (nonce === 0) {
    await burnNonce();
    await burnNonce();
  }
  const token = await deploy('SingularityNetToken', ['SingularityNET Token', 'AGIX']);
  const mpe = await deploy('MultiPartyEscrow', [token.address]);
  if (nonce === 0) await burnNonce();
  const registry = await deploy('Registry', []);
  return { token: token.address, mpe: mpe.address, registry: registry.address, deployBlock: registry.block };
}
