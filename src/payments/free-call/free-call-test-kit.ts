// Test kit of the free-call unit tests: the parties of the hand-made spec-vectors.json (web3 docs client key, daemon free-call key 0x…02),
// a memory store, a chain fake with a settable block, and header builders for both protocols signed for real.
import {
  buildFreeCallMessage,
  buildFreeCallTokenBodyMessage,
  buildLegacyFreeCallMessage,
  buildLegacyFreeCallTokenMessage,
  createSignatureRecoverer,
  encodeFreeCallToken,
  privateKeyToAddress,
  signMessage,
  type SignatureRecoverer,
} from '../../blockchain/index.ts';
import assert from 'node:assert/strict';
import { SnetError } from '../../errors/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { createMemoryStore } from '../../storage/index.ts';
import { createFreeCallAllowance, type FreeCallLimitSetting } from './free-call-allowance.ts';
import { createFreeCallCounters } from './free-call-counters.ts';
import { createFreeCallPaymentHandler } from './free-call-payment-handler.ts';
import { createFreeCallVerifier } from './free-call-verifier.ts';

export const CLIENT_KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
export const CLIENT = privateKeyToAddress(CLIENT_KEY);
export const DAEMON_KEY = `0x${'0'.repeat(63)}2`;
export const DAEMON_SIGNER = privateKeyToAddress(DAEMON_KEY);
export const OTHER_KEY = `0x${'0'.repeat(63)}3`;
export const IDS = { organizationId: 'my-org', serviceId: 'my-svc', groupIdBase64: 'EoFmN3nvaXpf6ew8jJbIPVghE5NXfYupFF7PkRmVyGQ=', groupName: 'default_group' } as const;
export const BLOCK = 21_000_000n;

/** A free-call handler over a memory store, with knobs for the tests. */
export function freeCallRig(options: { freeCalls?: number; perAddress?: Record<string, FreeCallLimitSetting>; allowedUsers?: Set<string>; leaseMs?: number } = {}) {
  let block = BLOCK;
  let nowMs = 1_000_000;
  const chain = { getBlockNumber: () => Promise.resolve(block), peekBlockNumber: () => block };
  const inner = createSignatureRecoverer({ prefer: 'js' });
  let recoveries = 0;
  const recoverer: SignatureRecoverer = {
    ...inner,
    recoverPublicKeyAsync(digest, signature) {
      recoveries++;
      return inner.recoverPublicKeyAsync(digest, signature);
    },
  };
  const store = createMemoryStore();
  const allowance = createFreeCallAllowance(options.perAddress ?? {}, () => options.freeCalls ?? 2);
  const verifier = createFreeCallVerifier({ recoverer, chain }, { ...IDS, signerAddress: () => DAEMON_SIGNER, allowedUsers: options.allowedUsers });
  const counters = createFreeCallCounters({ store }, { basePrefix: 'test/net/my-org/G', ...IDS, now: () => nowMs });
  const handler = createFreeCallPaymentHandler({ verifier, counters, allowance, logger: createSilentLogger(), now: () => nowMs }, { leaseMs: options.leaseMs ?? 30_000 });
  return {
    handler,
    counters,
    allowance,
    verifier,
    recoverer,
    store,
    chain,
    recoveries: () => recoveries,
    setBlock: (b: bigint) => {
      block = b;
    },
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

/** A v6 token the daemon key (or `issuerKey`) issued to `address`. */
export function v6Token(address: string, expiry: bigint, userId = '', issuerKey = DAEMON_KEY): Uint8Array {
  const body = buildFreeCallTokenBodyMessage({ organizationId: IDS.organizationId, groupName: IDS.groupName, userAddress: address, userId, expiryBlock: expiry });
  return encodeFreeCallToken(signMessage(issuerKey, body, { recoveryByte: 'raw' }), expiry);
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** v6 free-call headers signed by `key` (address header `address`, default the key's own). */
export function v6Headers(args: { key?: string; address?: string; userId?: string; block?: bigint; token?: Uint8Array; signature?: Uint8Array } = {}): Record<string, string> {
  const key = args.key ?? CLIENT_KEY;
  const address = args.address ?? privateKeyToAddress(key);
  const block = args.block ?? BLOCK;
  const userId = args.userId ?? '';
  const token = args.token ?? v6Token(address, BLOCK + 100n, userId);
  const signature = args.signature ?? signMessage(key, buildFreeCallMessage({ address, userId, organizationId: IDS.organizationId, serviceId: IDS.serviceId, groupId: IDS.groupIdBase64, currentBlock: block, token }));
  const headers: Record<string, string> = {
    'snet-payment-type': 'free-call',
    'snet-free-call-user-address': address,
    'snet-current-block-number': block.toString(),
    'snet-payment-channel-signature-bin': b64(signature),
    'snet-free-call-auth-token-bin': b64(token),
  };
  if (userId !== '') headers['snet-free-call-user-id'] = userId;
  return headers;
}

/** A pre-v6 token: the free-call signer's signature over e-mail ‖ address ‖ uint256(expiry). */
export function legacyToken(email: string, address: string, expiry: bigint, issuerKey = DAEMON_KEY): Uint8Array {
  return signMessage(issuerKey, buildLegacyFreeCallTokenMessage({ userId: email, userAddress: address, expiryBlock: expiry }));
}

/** Pre-v6 headers as npm snet-sdk 2.0.0 sends them. */
export function legacyHeaders(args: { key?: string; email?: string; block?: bigint; expiry?: bigint; token?: Uint8Array } = {}): Record<string, string> {
  const key = args.key ?? CLIENT_KEY;
  const email = args.email ?? 'user@example.com';
  const block = args.block ?? BLOCK;
  const expiry = args.expiry ?? BLOCK + 100n;
  const token = args.token ?? legacyToken(email, privateKeyToAddress(key), expiry);
  const signature = signMessage(key, buildLegacyFreeCallMessage({ userId: email, organizationId: IDS.organizationId, serviceId: IDS.serviceId, groupId: IDS.groupIdBase64, currentBlock: block, token }));
  return {
    'snet-free-call-auth-token-bin': b64(token),
    'snet-free-call-token-expiry-block': expiry.toString(),
    'snet-payment-type': 'free-call',
    'snet-free-call-user-id': email,
    'snet-current-block-number': block.toString(),
    'snet-payment-channel-signature-bin': b64(signature),
  };
}

/** The code and message a refused promise rejects with (fails the test when it resolves or throws something else). */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SnetError, String(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('expected a refusal');
}
