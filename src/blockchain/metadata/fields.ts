import { getAddress, isAddress, zeroAddress, type Address, type Hex } from 'viem';
import { z } from 'zod';

/** Collects metadata problems so that all of them are reported at once. */
export class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(path === '' ? message : `${path}: ${message}`);
  }
  addZod(issues: readonly z.core.$ZodIssue[], prefix = ''): void {
    for (const issue of issues) this.add(formatPath(prefix, issue.path), issue.message);
  }
}

/** `groups[0].payment.payment_address` style paths. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out;
}

/** A non-negative integer amount given as a JSON number, a bigint (exact parse) or a decimal string. */
export const amountSchema = z.union([
  z.bigint().nonnegative(),
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  z.string().regex(/^\d+$/u, 'expected a decimal integer'),
]);

/** Converts a value accepted by {@link amountSchema} to bigint. */
export function toBigInt(value: bigint | number | string): bigint {
  return BigInt(value);
}

/** A 32-byte payment group id decoded from its base64 metadata form. */
export interface GroupId {
  readonly bytes: Uint8Array;
  readonly hex: Hex;
  readonly base64: string;
}

/** Decodes a base64 group id; adds a problem and returns undefined unless it is exactly 32 bytes. */
export function decodeGroupId(value: string, path: string, problems: Problems): GroupId | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/u.test(value)) {
    problems.add(path, `"${value}" is not base64`);
    return undefined;
  }
  const bytes = new Uint8Array(Buffer.from(value, 'base64'));
  if (bytes.length !== 32) {
    problems.add(path, `decodes to ${bytes.length} bytes, a group id is 32 bytes (base64 of 32 bytes)`);
    return undefined;
  }
  return { bytes, hex: `0x${Buffer.from(bytes).toString('hex')}`, base64: Buffer.from(bytes).toString('base64') };
}

/** Checksums an address; adds a problem for malformed (or, with `nonZero`, zero) addresses. */
export function checkAddress(value: string, path: string, problems: Problems, nonZero = false): Address | undefined {
  if (!isAddress(value, { strict: false })) {
    problems.add(path, `"${value}" is not a hex address`);
    return undefined;
  }
  const address = getAddress(value);
  if (nonZero && address === zeroAddress) {
    problems.add(path, 'is the zero address');
    return undefined;
  }
  return address;
}
