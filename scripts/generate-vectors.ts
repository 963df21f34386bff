// Regenerates test/vectors/generated-vectors.json: one signed vector per message family of
// src/blockchain/signatures/README.md (plus metering and the legacy free call), made with viem — an implementation
// independent of src/blockchain/signatures — and a fixed, public dev key, so the expected bytes
// are not produced by the code they test. Deterministic (RFC 6979): running it twice gives the
// same file (test/vectors/generated-vectors.test.ts checks that the committed file is current).
// Usage: ./node_modules/.bin/node scripts/generate-vectors.ts
import { writeFileSync, readFileSync } from 'node:fs';
import { encodePacked, hashMessage, keccak256, recoverAddress, type Hex } from 'viem';
import { privateKeyToAccount, sign } from 'viem/accounts';
import type { MessageKind, MessageVector, RejectionVector, VectorFile } from '../test/vectors/message-vector.ts';

const OUTPUT = new URL('../test/vectors/generated-vectors.json', import.meta.url);
const VIEM_VERSION = (JSON.parse(readFileSync(new URL('../node_modules/viem/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const SOURCE = `scripts/generate-vectors.ts (viem ${VIEM_VERSION} encodePacked + hashMessage + sign, hardhat dev key #0)`;

// Hardhat/anvil account #0: a public, well-known development key. Never holds real funds.
const DEV_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const DEV_ADDRESS = privateKeyToAccount(DEV_KEY).address;
const MPE = '0x5e592F9b1d303183d963635f895f0f0C48284f4e';
const GROUP_ID = 'EoFmN3nvaXpf6ew8jJbIPVghE5NXfYupFF7PkRmVyGQ=';
const MAX_UINT256 = (1n << 256n) - 1n;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n; // secp256k1 group order
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn; // field prime

type Packed = { types: readonly string[]; values: readonly unknown[] };

interface Case {
  name: string;
  kind: MessageKind;
  fields: Record<string, string | string[]>;
  packed: Packed;
}

const hexNo0x = (h: Hex): string => h.slice(2);
const token = `0x${'ab'.repeat(65)}5f${Buffer.from('21172800').toString('hex')}` as Hex;
const claimSig = `0x${'11'.repeat(64)}1b` as Hex;

const cases: Case[] = [
  {
    name: 'claim ch 42 nonce 3 amount 1000',
    kind: 'claim',
    fields: { mpeAddress: MPE, channelId: '42', nonce: '3', amount: '1000' },
    packed: { types: ['string', 'address', 'uint256', 'uint256', 'uint256'], values: ['__MPE_claim_message', MPE, 42n, 3n, 1000n] },
  },
  {
    name: 'claim at the uint256 bounds (channel 0, nonce 0, amount 2^256-1)',
    kind: 'claim',
    fields: { mpeAddress: MPE.toLowerCase(), channelId: '0', nonce: '0', amount: MAX_UINT256.toString() },
    packed: { types: ['string', 'address', 'uint256', 'uint256', 'uint256'], values: ['__MPE_claim_message', MPE, 0n, 0n, MAX_UINT256] },
  },
  {
    name: 'claim with an amount above 2^53 (0.01 FET in cogs)',
    kind: 'claim',
    fields: { mpeAddress: MPE, channelId: '4294967296', nonce: '7', amount: '10000000000000000' },
    packed: { types: ['string', 'address', 'uint256', 'uint256', 'uint256'], values: ['__MPE_claim_message', MPE, 4294967296n, 7n, 10000000000000000n] },
  },
  {
    name: 'channel state ch 42 block 21000000',
    kind: 'channelState',
    fields: { mpeAddress: MPE, channelId: '42', currentBlock: '21000000' },
    packed: { types: ['string', 'address', 'uint256', 'uint256'], values: ['__get_channel_state', MPE, 42n, 21000000n] },
  },
  {
    name: 'list unclaimed block 21000000',
    kind: 'listUnclaimed',
    fields: { mpeAddress: MPE, currentBlock: '21000000' },
    packed: { types: ['string', 'address', 'uint256'], values: ['__list_unclaimed', MPE, 21000000n] },
  },
  {
    name: 'list in progress block 21000000',
    kind: 'listInProgress',
    fields: { mpeAddress: MPE, currentBlock: '21000000' },
    packed: { types: ['string', 'address', 'uint256'], values: ['__list_in_progress', MPE, 21000000n] },
  },
  {
    name: 'start claim ch 42 nonce 3',
    kind: 'startClaim',
    fields: { mpeAddress: MPE, channelId: '42', nonce: '3' },
    packed: { types: ['string', 'address', 'uint256', 'uint256'], values: ['__start_claim', MPE, 42n, 3n] },
  },
  {
    name: 'start claim for multiple channels [42, 7, 100] (signed sorted)',
    kind: 'startClaimForMultipleChannels',
    fields: { mpeAddress: MPE, channelIds: ['42', '7', '100'], currentBlock: '21000000' },
    packed: {
      types: ['string', 'address', 'uint256', 'uint256', 'uint256', 'uint256'],
      values: ['__StartClaimForMultipleChannels_', MPE, 7n, 42n, 100n, 21000000n],
    },
  },
  {
    name: 'free-call token request, marketplace user id',
    kind: 'freeCallTokenRequest',
    fields: { address: DEV_ADDRESS, userId: 'user@example.com', organizationId: 'my-org', serviceId: 'my-svc', groupId: GROUP_ID, currentBlock: '21000000' },
    packed: {
      types: ['string', 'string', 'string', 'string', 'string', 'string', 'uint256'],
      values: ['__prefix_free_trial', DEV_ADDRESS, 'user@example.com', 'my-org', 'my-svc', GROUP_ID, 21000000n],
    },
  },
  {
    name: 'free-call token body, expiry 21172800',
    kind: 'freeCallTokenBody',
    fields: { organizationId: 'my-org', groupName: 'default_group', userAddress: DEV_ADDRESS, userId: '', expiryBlock: '21172800' },
    packed: { types: ['string', 'string', 'address', 'string', 'uint256'], values: ['my-org', 'default_group', DEV_ADDRESS, '', 21172800n] },
  },
  {
    name: 'free call with a token containing 0x5f bytes',
    kind: 'freeCall',
    fields: { address: DEV_ADDRESS.toLowerCase(), userId: '', organizationId: 'my-org', serviceId: 'my-svc', groupId: GROUP_ID, currentBlock: '21000000', token: hexNo0x(token) },
    packed: {
      types: ['string', 'string', 'string', 'string', 'string', 'string', 'uint256', 'bytes'],
      values: ['__prefix_free_trial', DEV_ADDRESS.toLowerCase(), '', 'my-org', 'my-svc', GROUP_ID, 21000000n, token],
    },
  },
  {
    name: 'legacy (pre-v6) free call of the npm snet-sdk',
    kind: 'legacyFreeCall',
    fields: { userId: 'user@example.com', organizationId: 'my-org', serviceId: 'my-svc', groupId: GROUP_ID, currentBlock: '21000000', token: hexNo0x(token) },
    packed: {
      types: ['string', 'string', 'string', 'string', 'string', 'uint256', 'bytes'],
      values: ['__prefix_free_trial', 'user@example.com', 'my-org', 'my-svc', GROUP_ID, 21000000n, token],
    },
  },
  {
    name: 'token service request (claim signature ‖ block)',
    kind: 'tokenRequest',
    fields: { claimSignature: hexNo0x(claimSig), currentBlock: '17' },
    packed: { types: ['bytes', 'uint256'], values: [claimSig, 17n] },
  },
  ...(['GetConfiguration', 'UpdateConfiguration', 'StopProcessingRequests', 'StartProcessingRequests', 'IsDaemonProcessingRequests'] as const).map(
    (method): Case => ({
      name: `configuration _${method}`,
      kind: 'configuration',
      fields: { method, currentBlock: '21000000' },
      packed: { types: ['string', 'uint256'], values: [`_${method}`, 21000000n] },
    }),
  ),
  {
    name: 'training authorization',
    kind: 'training',
    fields: { message: '__create_model', signerAddress: DEV_ADDRESS, currentBlock: '21000000' },
    packed: { types: ['string', 'address', 'uint256'], values: ['__create_model', DEV_ADDRESS, 21000000n] },
  },
  {
    name: 'metering _usage',
    kind: 'metering',
    fields: { username: 'daemon-id', organizationId: 'my-org', serviceId: 'my-svc', groupId: GROUP_ID, currentBlock: '21000000' },
    packed: { types: ['string', 'string', 'string', 'string', 'string', 'uint256'], values: ['_usage', 'daemon-id', 'my-org', 'my-svc', GROUP_ID, 21000000n] },
  },
];

const word = (x: bigint): string => x.toString(16).padStart(64, '0');

// Euler's criterion: is x a valid secp256k1 x-coordinate (does x^3 + 7 have a square root mod p)?
function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}
function isCurveX(x: bigint): boolean {
  return modPow((x * x * x + 7n) % P, (P - 1n) / 2n, P) === 1n;
}

/** Builds the generated vector file in memory (deterministic). */
export async function buildGeneratedVectors(): Promise<VectorFile> {
  const messages: MessageVector[] = [];
  const recoveries: { name: string; source: string; digest: string; signature: string; signer: string }[] = [];
  for (const c of cases) {
    const message = encodePacked(c.packed.types as string[], c.packed.values as unknown[]);
    const inner = keccak256(message);
    const digest = hashMessage({ raw: inner });
    const signature = await sign({ hash: digest, privateKey: DEV_KEY, to: 'hex' });
    const signer = await recoverAddress({ hash: digest, signature });
    if (signer !== DEV_ADDRESS) throw new Error(`viem self-check failed for ${c.name}`);
    messages.push({
      name: c.name,
      source: SOURCE,
      kind: c.kind,
      fields: c.fields,
      message: hexNo0x(message),
      keccak: hexNo0x(inner),
      personalHash: hexNo0x(digest),
      signature: hexNo0x(signature),
      signer,
      privateKey: DEV_KEY,
    });
    // The same signature with v as 0/1 (go-ethereum crypto.Sign style) and its high-s twin: all three recover to the signer.
    const r = BigInt(`0x${signature.slice(2, 66)}`);
    const s = BigInt(`0x${signature.slice(66, 130)}`);
    const v = parseInt(signature.slice(130, 132), 16);
    recoveries.push({ name: `${c.name}, v=${v - 27} (raw recovery id)`, source: SOURCE, digest: hexNo0x(digest), signature: word(r) + word(s) + (v - 27).toString(16).padStart(2, '0'), signer });
    recoveries.push({ name: `${c.name}, high-s twin (n-s, flipped v=${v === 27 ? 28 : 27})`, source: SOURCE, digest: hexNo0x(digest), signature: word(r) + word(N - s) + (v === 27 ? 28 : 27).toString(16), signer });
  }

  // Rejections, built on the first generated signature.
  const base = messages[0];
  if (base?.signature === undefined || base.personalHash === undefined) throw new Error('no base vector');
  const digest = base.personalHash;
  const rHex = base.signature.slice(0, 64);
  const sHex = base.signature.slice(64, 128);
  let badX = 1n;
  while (isCurveX(badX)) badX += 1n;
  const reject = (name: string, signature: string, error: RejectionVector['error']): RejectionVector => ({ name, source: SOURCE, digest, signature, error });
  const rejections: RejectionVector[] = [
    reject('empty signature', '', 'SIGNATURE_LENGTH'),
    reject('64 bytes (v missing)', rHex + sHex, 'SIGNATURE_LENGTH'),
    reject('66 bytes (extra byte)', `${base.signature}00`, 'SIGNATURE_LENGTH'),
    ...[2, 3, 26, 29, 30, 33, 54, 55, 255].map((v) =>
      reject(`v=${v} (only 0, 1, 27, 28 are accepted)`, rHex + sHex + v.toString(16).padStart(2, '0'), 'SIGNATURE_RECOVERY_ID'),
    ),
    reject('r = 0', word(0n) + sHex + '1b', 'SIGNATURE_UNRECOVERABLE'),
    reject('s = 0', rHex + word(0n) + '1b', 'SIGNATURE_UNRECOVERABLE'),
    reject('r = n (out of range)', word(N) + sHex + '1b', 'SIGNATURE_UNRECOVERABLE'),
    reject('s = n (out of range)', rHex + word(N) + '1b', 'SIGNATURE_UNRECOVERABLE'),
    reject('r = 2^256-1', word(MAX_UINT256) + sHex + '1b', 'SIGNATURE_UNRECOVERABLE'),
    reject(`r = ${badX}, not the x of any curve point`, word(badX) + sHex + '1b', 'SIGNATURE_UNRECOVERABLE'),
  ];

  return {
    description:
      'GENERATED by scripts/generate-vectors.ts — do not edit by hand. Message bytes, hashes and signatures come from viem, not from src/. See README.md.',
    messages,
    recoveries,
    rejections,
  };
}

if (import.meta.main) {
  const file = await buildGeneratedVectors();
  writeFileSync(OUTPUT, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`wrote ${file.messages.length} message vectors, ${file.recoveries?.length ?? 0} recovery variants, ${file.rejections?.length ?? 0} rejections to ${OUTPUT.pathname}`);
}
