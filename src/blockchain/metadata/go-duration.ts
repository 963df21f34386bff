const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gu;

/**
 * Parses a Go `time.ParseDuration` string ("15s", "1m30s", "500ms", "0") into milliseconds.
 * Returns undefined when the text is not a Go duration. Negative durations are rejected (not meaningful here).
 */
export function parseGoDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (trimmed === '' || !new RegExp(`^(?:${PART.source})+$`, 'u').test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(PART)) total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
  return Number.isFinite(total) ? total : undefined;
}
