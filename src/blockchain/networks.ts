import { readFileSync } from 'node:fs';
import { getAddress, isAddress, type Address } from 'viem';
import { SnetError } from '../errors/index.ts';
import { readContractPackageJson } from './contracts/artifacts.ts';

/** Network names snetd-ts knows (`blockchain_network_selected`). */
export type NetworkName = 'main' | 'sepolia' | 'local';

/** Which deployment of the contracts packages to use on a public network (platform-contracts 2.x layout). */
export interface ContractDeployment {
  /** @default 'FET' */
  readonly token?: 'FET' | 'AGIX';
  /** `prod` on main; `demo` on sepolia (the Registry the Go daemon uses there). */
  readonly stage?: 'prod' | 'dev' | 'demo';
}

/** Explicit values that win over the network table (config keys in brackets). */
export interface NetworkOverrides {
  /** [`ethereum_json_rpc_http_endpoint`] */
  readonly rpcHttpUrl?: string;
  /** [`ethereum_json_rpc_ws_endpoint`] */
  readonly rpcWsUrl?: string;
  /** [`registry_address_key`] */
  readonly registryAddress?: string;
  /** MPE address; normally it comes from the service metadata `mpe_address`. */
  readonly mpeAddress?: string;
  /** ERC-20 token whose balance gates free calls (FET on main/sepolia, from FetchToken.json; AGIX on local). */
  readonly tokenAddress?: string;
  /** Chain id the RPC endpoint must report (checked by the chain client). */
  readonly chainId?: number;
  /** A JSON deploy file written by `snetd dev` (`{chainId, registry, mpe, token, rpcUrl?}`); used for `local`. */
  readonly deployFile?: string;
  readonly deployment?: ContractDeployment;
}

/** A network with everything the chain client needs. */
export interface ResolvedNetwork {
  readonly name: NetworkName;
  readonly chainId: number;
  readonly rpcHttpUrl: string;
  readonly rpcWsUrl: string | undefined;
  readonly registryAddress: Address;
  /** From overrides or the contracts package; service metadata `mpe_address` is what the daemon uses. */
  readonly mpeAddress: Address | undefined;
  readonly tokenAddress: Address | undefined;
}

/** The legacy snet "local" addresses, which `snetd dev` reproduces (docs/differences.md). */
const LOCAL_DEFAULTS = {
  registry: '0x4E74FefA82E83E0964f0D9f53c68e03f7298a8b2',
  mpe: '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E',
  token: '0x6E5F20669177F5bDf3703EC5eA9c4d4Fe3aAbd14',
} as const;

const TABLE: Record<NetworkName, { chainId: number; rpcHttpUrl: string | undefined; defaultStage: 'prod' | 'demo' | undefined }> = {
  main: { chainId: 1, rpcHttpUrl: undefined, defaultStage: 'prod' },
  sepolia: { chainId: 11155111, rpcHttpUrl: undefined, defaultStage: 'demo' },
  local: { chainId: 31337, rpcHttpUrl: 'http://127.0.0.1:8545', defaultStage: undefined },
};

/** Names accepted by {@link resolveNetwork}. */
export const NETWORK_NAMES: readonly NetworkName[] = ['main', 'sepolia', 'local'];

/**
 * Looks up an address in a contracts-package `networks/*.json`. Handles both formats: platform-contracts 2.x
 * nests `{chainId: {FET|AGIX: {prod|dev|demo: {address}}}}`; 1.x and the token package are flat truffle
 * `{chainId: {address}}`.
 */
export function lookupPackageAddress(networks: unknown, chainId: number, deployment: Required<ContractDeployment>): Address | undefined {
  const entry = (networks as Record<string, unknown> | null)?.[String(chainId)] as Record<string, unknown> | undefined;
  if (entry === undefined) return undefined;
  if (typeof entry['address'] === 'string') return getAddress(entry['address']);
  const staged = (entry[deployment.token] as Record<string, { address?: unknown } | undefined> | undefined)?.[deployment.stage];
  return typeof staged?.address === 'string' ? getAddress(staged.address) : undefined;
}

function checkedAddress(value: string, what: string): Address {
  if (!isAddress(value, { strict: false })) {
    throw new SnetError('CHAIN_NETWORK_UNKNOWN', `${what} "${value}" is not a hex address`, {
      hint: 'Give a 0x-prefixed 20-byte hex address.',
    });
  }
  return getAddress(value);
}

interface DeployFile {
  chainId?: unknown;
  registry?: unknown;
  mpe?: unknown;
  token?: unknown;
  rpcUrl?: unknown;
}

function readDeployFile(path: string): DeployFile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DeployFile;
  } catch (cause) {
    throw new SnetError('CHAIN_NETWORK_UNKNOWN', `cannot read the dev deploy file ${path}`, {
      hint: 'Start the dev network (snetd dev) first, or give the contract addresses explicitly.',
      cause,
    });
  }
}

/**
 * Resolves a network name plus explicit overrides into RPC URLs, chain id and contract addresses.
 * Explicit values win; then the deploy file (local); then the network table and the npm contracts
 * package. Unlike the Go daemon, `local` works (chain id 31337, the legacy local addresses that
 * `snetd dev` deploys). Throws `CHAIN_NETWORK_UNKNOWN` for unknown names or when the public networks
 * lack an RPC URL (we do not ship a provider key).
 */
export function resolveNetwork(name: string, overrides: NetworkOverrides = {}): ResolvedNetwork {
  const known = NETWORK_NAMES.find((n) => n === name.toLowerCase());
  if (known === undefined) {
    throw new SnetError('CHAIN_NETWORK_UNKNOWN', `unknown blockchain network "${name}"`, {
      hint: `Set blockchain_network_selected to one of: ${NETWORK_NAMES.join(', ')}.`,
    });
  }
  const row = TABLE[known];
  const deploy = overrides.deployFile === undefined ? {} : readDeployFile(overrides.deployFile);
  const fromDeploy = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const chainId = overrides.chainId ?? (typeof deploy.chainId === 'number' ? deploy.chainId : row.chainId);
  const rpcHttpUrl = nonEmpty(overrides.rpcHttpUrl) ?? fromDeploy(deploy.rpcUrl) ?? row.rpcHttpUrl;
  if (rpcHttpUrl === undefined) {
    throw new SnetError('CHAIN_NETWORK_UNKNOWN', `network "${known}" needs an Ethereum JSON-RPC endpoint`, {
      hint: 'Set ethereum_json_rpc_http_endpoint to your provider URL (Infura, Alchemy, your own node) and blockchain_provider_api_key if it needs one.',
    });
  }
  const stage = overrides.deployment?.stage ?? row.defaultStage ?? 'prod';
  const deployment: Required<ContractDeployment> = { token: overrides.deployment?.token ?? 'FET', stage };
  const pkg = (contract: 'Registry' | 'MultiPartyEscrow' | 'SingularityNetToken' | 'FetchToken'): Address | undefined =>
    known === 'local' ? undefined : lookupPackageAddress(readContractPackageJson(contract, 'networks'), chainId, deployment);
  const pick = (explicit: string | undefined, deployValue: unknown, localDefault: Address, contract: 'Registry' | 'MultiPartyEscrow' | 'SingularityNetToken' | 'FetchToken', what: string): Address | undefined => {
    const text = nonEmpty(explicit) ?? fromDeploy(deployValue);
    if (text !== undefined) return checkedAddress(text, what);
    return known === 'local' ? localDefault : pkg(contract);
  };
  const registryAddress = pick(overrides.registryAddress, deploy.registry, LOCAL_DEFAULTS.registry, 'Registry', 'registry_address_key');
  if (registryAddress === undefined) {
    throw new SnetError('CHAIN_NETWORK_UNKNOWN', `no Registry address known for network "${known}" (chain id ${chainId})`, {
      hint: 'Set registry_address_key to the Registry contract address of that chain.',
    });
  }
  return {
    name: known,
    chainId,
    rpcHttpUrl,
    rpcWsUrl: nonEmpty(overrides.rpcWsUrl),
    registryAddress,
    mpeAddress: pick(overrides.mpeAddress, deploy.mpe, LOCAL_DEFAULTS.mpe, 'MultiPartyEscrow', 'MPE address'),
    tokenAddress: pick(overrides.tokenAddress, deploy.token, LOCAL_DEFAULTS.token, deployment.token === 'AGIX' ? 'SingularityNetToken' : 'FetchToken', 'token address'),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
