import { secretKeyPattern } from './schema.ts';

/** True for keys whose values must never be shown (private keys, secrets, passwords). */
export function isSecretKey(key: string): boolean {
  return secretKeyPattern.test(key.toLowerCase());
}

/**
 * A value as it may appear in an error or a generated file: secrets become `[hidden, N chars]`;
 * URLs lose userinfo, query values and long path segments (API keys, as in Infura's /v3/<key>).
 */
export function showValue(key: string, value: unknown, sensitiveUrl = false): string {
  if (isSecretKey(key) && value !== undefined && value !== '') {
    return `[hidden, ${typeof value === 'string' ? value.length : JSON.stringify(value).length} chars]`;
  }
  if (sensitiveUrl && typeof value === 'string') return JSON.stringify(maskUrlText(value));
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function maskUrlText(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.username !== '' || url.password !== '') {
    url.username = '';
    url.password = '';
  }
  url.pathname = url.pathname
    .split('/')
    .map((segment) => (/^[A-Za-z0-9_-]{16,}$/.test(segment) ? '[hidden]' : segment))
    .join('/');
  for (const name of [...url.searchParams.keys()]) url.searchParams.set(name, '[hidden]');
  return url.toString().replaceAll('%5Bhidden%5D', '[hidden]');
}
