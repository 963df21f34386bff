/**
 * URL redaction for logs and error messages. Dependency-free on purpose: other domains
 * (blockchain RPC endpoints, IPFS gateways, etcd endpoints) may use it, and it may move to `shared/`.
 */

const REDACTED = '[REDACTED]';

/** Query parameter names whose value is a credential (matched case-insensitively, anywhere in the name). */
const SECRET_PARAM = /key|token|secret|passw|pwd|auth|signature|^sig$|credential|session|access/i;

/** Minimum length of a path segment or query value treated as an API key when it mixes letters and digits. */
const KEY_SEGMENT_MIN_LENGTH = 20;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * True for strings that look like an API key or token: at least 20 characters of `[A-Za-z0-9_:-]`
 * that are a UUID or hold a run of 16+ letters-and-digits with both kinds, e.g. Infura/Alchemy keys,
 * QuickNode tokens, telegram `bot<id>:<token>`. Words (`sendMessage`), slugs (`my-service-name`) and
 * file names (`server.ts:10:5`) do not match.
 */
export function looksLikeApiKey(segment: string): boolean {
  if (segment.length < KEY_SEGMENT_MIN_LENGTH || !/^[A-Za-z0-9_:-]+$/.test(segment)) return false;
  if (UUID.test(segment)) return true;
  return segment.split(/[_:-]/).some((part) => part.length >= 16 && /[0-9]/.test(part) && /[A-Za-z]/.test(part));
}

function redactPath(pathname: string): string {
  if (pathname.length < KEY_SEGMENT_MIN_LENGTH) return pathname;
  return pathname.split('/').map((s) => (looksLikeApiKey(s) ? REDACTED : s)).join('/');
}

function redactQuery(search: string): string {
  if (search === '' || search === '?') return search;
  const pairs = search.slice(1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return looksLikeApiKey(pair) ? REDACTED : pair;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (value === '') return pair;
    return SECRET_PARAM.test(name) || looksLikeApiKey(value) ? `${name}=${REDACTED}` : pair;
  });
  return `?${pairs.join('&')}`;
}

/** Fallback for strings `URL` cannot parse: still hide `scheme://user:pass@`. */
function redactUnparsable(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#@\s]*@/, `$1${REDACTED}@`);
}

/**
 * Returns `url` safe to log: userinfo becomes `[REDACTED]@`, path segments that look like API keys
 * (`https://mainnet.infura.io/v3/<key>` → `.../v3/[REDACTED]`) and credential query values
 * (`?apikey=`, `api_key=`, `token=`, …) become `[REDACTED]`. Never throws; a string that is not a
 * URL is returned with only a userinfo-looking prefix removed.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactUnparsable(url);
  }
  const hasUserinfo = parsed.username !== '' || parsed.password !== '';
  // `host` is empty for opaque URLs (mailto:, data:); keep those as they are, minus userinfo.
  if (parsed.host === '' && !url.includes('//')) return url;
  const path = redactPath(parsed.pathname);
  const query = redactQuery(parsed.search);
  const hash = parsed.hash !== '' && looksLikeApiKey(parsed.hash.slice(1)) ? `#${REDACTED}` : parsed.hash;
  // Unchanged URLs are returned verbatim, so logging does not normalise what the operator wrote.
  if (!hasUserinfo && path === parsed.pathname && query === parsed.search && hash === parsed.hash) return url;
  const userinfo = hasUserinfo ? `${REDACTED}@` : '';
  return `${parsed.protocol}//${userinfo}${parsed.host}${path}${query}${hash}`;
}
