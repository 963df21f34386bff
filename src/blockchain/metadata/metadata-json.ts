/**
 * Parses metadata JSON keeping integers exact: an integer literal outside Number's safe range becomes a
 * bigint (token amounts in cogs reach 10^18+). Uses the reviver's `context.source` (Node ≥ 21).
 * Throws SyntaxError on invalid JSON.
 */
export function parseJsonExact(input: string | Uint8Array): unknown {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/u.test(context.source)) {
      return BigInt(context.source);
    }
    return value;
  }) as unknown;
}
