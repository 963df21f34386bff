// Test harness: a real local IPFS endpoint (kubo RPC subset + /ipfs/ gateway) on 127.0.0.1:0, for tests
// that need metadata or proto tarballs without a chain. Same server `snetd dev` runs (src/devnet).
import { publishJson, startIpfsServer, type IpfsServer } from '../../src/devnet/index.ts';
import { createSilentLogger, type Logger } from '../../src/shared/index.ts';

export type { IpfsServer };
export { publishJson };

/** Start an in-process IPFS endpoint; call `stop()` in teardown. */
export function startTestIpfs(options: { readonly logger?: Logger } = {}): Promise<IpfsServer> {
  return startIpfsServer({ logger: options.logger ?? createSilentLogger() });
}
