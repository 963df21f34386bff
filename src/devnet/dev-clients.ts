import { createPublicClient, createWalletClient, defineChain, http, type Chain, type PublicClient, type Transport, type WalletClient, type Account } from 'viem';
import { devAccount, type DevAccount } from './accounts.ts';

/** viem clients bound to a dev chain, one wallet per dev account. */
export interface DevClients {
  readonly chain: Chain;
  readonly publicClient: PublicClient<Transport, Chain>;
  /** Wallet of dev account `index` (see DEV_ROLES). */
  wallet(index: number): WalletClient<Transport, Chain, Account>;
  account(index: number): DevAccount;
}

/**
 * Creates viem clients for a local dev chain. Retries are off: Hardhat answers reverts with -32603, which
 * viem would otherwise retry for ~1 s each.
 */
export function createDevClients(rpcUrl: string, chainId: number): DevClients {
  const chain = defineChain({
    id: chainId,
    name: 'snetd-dev',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const transport = http(rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
  const wallets = new Map<number, WalletClient<Transport, Chain, Account>>();
  const accounts = new Map<number, DevAccount>();
  const account = (index: number): DevAccount => {
    let found = accounts.get(index);
    if (found === undefined) {
      found = devAccount(index);
      accounts.set(index, found);
    }
    return found;
  };
  return {
    chain,
    publicClient,
    account,
    wallet: (index) => {
      let found = wallets.get(index);
      if (found === undefined) {
        found = createWalletClient({ account: account(index).account, chain, transport, pollingInterval: 50 });
        wallets.set(index, found);
      }
      return found;
    },
  };
}
