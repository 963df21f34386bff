/** Readers for a hook's raw `log.<name>` section: values may come as strings from env/flags. */

/** The setting as a trimmed string; numbers are stringified, anything else is `''`. */
export function settingString(settings: Readonly<Record<string, unknown>>, key: string): string {
  const v = settings[key];
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return '';
}

/** The setting as a safe integer, or `undefined` when missing or not an integer. */
export function settingInteger(settings: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const v = settings[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The setting as a boolean (`true`/`false`, also as strings); `fallback` when missing. */
export function settingBoolean(settings: Readonly<Record<string, unknown>>, key: string, fallback: boolean): boolean {
  const v = settings[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return fallback;
}
