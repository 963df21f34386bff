import { mnemonicToAccount, type HDAccount } from 'viem/accounts';
import { bytesToHex, type Address, type Hex } from 'viem';

/**
 * SingularityNET's public test mnemonic (snet-sdk-python `reset_environment.sh`, snet-cli functional tests).
 * Deploying from its account 0 with the nonce layout of `deploy.ts` puts the contracts at the legacy snet
 * "local" addresses. These keys are public: dev chains only.
 */
export const DEV_MNEMONIC = 'gauge enact biology destroy normal tunnel slight slide wide sauce ladder produce';

/** Number of funded accounts the dev chain creates from {@link DEV_MNEMONIC}. */
export const DEV_ACCOUNT_COUNT = 10;

/** A dev-chain account with its (public, dev-only) private key. */
export interface DevAccount {
  readonly address: Address;
  readonly privateKey: Hex;
  readonly account: HDAccount;
}

/** Role of each account index in the dev network. */
export const DEV_ROLES = { deployer: 0, client: 1, owner: 2, signer: 3, thirdParty: 4, spare: 5 } as const;

/** Derives dev account `index` (m/44'/60'/0'/0/index) of {@link DEV_MNEMONIC}. */
export function devAccount(index: number): DevAccount {
  const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
  const key = account.getHdKey().privateKey;
  if (key === null) throw new Error(`no private key for dev account ${index}`);
  return { address: account.address, privateKey: bytesToHex(key), account };
}
