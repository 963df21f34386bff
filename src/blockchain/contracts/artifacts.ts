import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Abi, Hex } from 'viem';

/** A contract as shipped by the SingularityNET npm packages: its full ABI and its creation bytecode. */
export interface ContractArtifact {
  readonly abi: Abi;
  /** Creation (deployable) bytecode; see src/blockchain/README.md for why FetchToken is not offered. */
  readonly bytecode: Hex;
}

/** The contracts snetd-ts knows, keyed by the file name used in the npm packages. */
export type ContractName = 'MultiPartyEscrow' | 'Registry' | 'SingularityNetToken' | 'FetchToken';

const packageOf: Record<ContractName, string> = {
  MultiPartyEscrow: 'singularitynet-platform-contracts',
  Registry: 'singularitynet-platform-contracts',
  SingularityNetToken: 'singularitynet-token-contracts',
  FetchToken: 'singularitynet-token-contracts',
};

const require = createRequire(import.meta.url);

/** Reads a JSON file of a contracts package by path (the packages have no `exports`). */
export function readContractPackageJson(contract: ContractName, folder: 'abi' | 'bytecode' | 'networks'): unknown {
  const file = require.resolve(`${packageOf[contract]}/${folder}/${contract}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/**
 * FetchToken is not offered: its npm "bytecode" is runtime code only and cannot be deployed;
 * its ABI and addresses are read with {@link readContractPackageJson}.
 *
 * Loads a contract's full ABI and creation bytecode from the npm packages
 * (`singularitynet-platform-contracts`, `singularitynet-token-contracts`). Throws when a file is missing.
 */
export function loadContractArtifact(contract: Exclude<ContractName, 'FetchToken'>): ContractArtifact {
  const abi = readContractPackageJson(contract, 'abi') as Abi;
  const bytecode = readContractPackageJson(contract, 'bytecode');
  if (typeof bytecode !== 'string' || !bytecode.startsWith('0x')) {
    throw new Error(`bytecode of ${contract} in its npm package is not a 0x string`);
  }
  return { abi, bytecode: bytecode as Hex };
}
