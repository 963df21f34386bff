type Result<T> = { ok: true; value: T } | { ok: false; error: string };

const unitMs: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000_001 };

/**
 * Parses a `grpc-timeout` value (1–8 digits + unit H/M/S/m/u/n) into milliseconds, as connect-es
 * `parse-timeout.ts` does. `undefined` input → `{ ok: true, value: undefined }`.
 */
export function parseTimeout(value: string | undefined): Result<number | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  const match = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (match === null) return { ok: false, error: `protocol error: invalid grpc-timeout value "${value.slice(0, 20)}"` };
  const amount = Number(match[1]);
  const factor = unitMs[match[2] as string] as number;
  return { ok: true, value: amount * factor };
}
