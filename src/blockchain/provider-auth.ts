/**
 * HTTP headers for `blockchain_provider_api_key`, following the Go daemon (`blockchain/ethereum_client.go`):
 * a key that looks like a JWT (three non-empty dot-separated parts) → `Authorization: Bearer <key>`;
 * otherwise an Infura endpoint → `Authorization: Basic base64(":" + key)`; otherwise Bearer. No key → no header.
 */
export function providerAuthHeaders(endpoint: string, apiKey: string | undefined): Record<string, string> {
  if (apiKey === undefined || apiKey === '') return {};
  const parts = apiKey.split('.');
  const looksLikeJwt = parts.length === 3 && parts.every((part) => part !== '');
  if (!looksLikeJwt && endpoint.toLowerCase().includes('infura')) {
    return { Authorization: `Basic ${Buffer.from(`:${apiKey}`).toString('base64')}` };
  }
  return { Authorization: `Bearer ${apiKey}` };
}

/**
 * A log-safe form of an RPC URL: scheme, host and port only. Provider URLs carry API keys in the path
 * (`/v3/<key>`) or in userinfo, and neither may reach a log line.
 */
export function redactRpcUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hasMore = parsed.pathname.length > 1 || parsed.search !== '' || parsed.username !== '';
    return `${parsed.protocol}//${parsed.host}${hasMore ? '/…' : ''}`;
  } catch {
    return '<invalid url>';
  }
}
