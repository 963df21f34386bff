/**
 * Parses a Go duration string (`time.ParseDuration`: "100s", "1m30s", "1.5h", "250ms", "0")
 * into milliseconds. Existing snetd configs use this format for service_timeout and the etcd
 * timeouts. Returns undefined for anything Go would reject.
 */
export function parseGoDurationMs(text: string): number | undefined {
  const input = text.trim();
  if (input === '0') return 0;
  const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let sign = 1;
  let position = 0;
  if (input.startsWith('-') || input.startsWith('+')) {
    sign = input.startsWith('-') ? -1 : 1;
    position = 1;
  }
  if (position >= input.length) return undefined;
  let total = 0;
  while (position < input.length) {
    part.lastIndex = position;
    const match = part.exec(input);
    if (match === null) return undefined;
    const [, amount, unit] = match;
    total += Number(amount) * (unitMs[unit as string] ?? Number.NaN);
    position = part.lastIndex;
  }
  return Number.isFinite(total) ? sign * total : undefined;
}
