import { redactUrl } from './redact-url.ts';

/**
 * Secret redaction, in layers (defence in depth):
 * 1. pino `redact` with `buildRedactPaths()`: known secret keys at the top level of every entry and
 *    of child bindings (pino's compiled paths; wildcard paths cost ~100 µs a line, so only depth 0).
 * 2. `redactSecretFields()` (pino `formatters.log`/`formatters.bindings`): the same keys, their
 *    camelCase forms, `*-bin` headers and `pvt_key_*` aliases at any depth of plain objects/arrays.
 * 3. `scrubSecrets()` on every serialised line before any output or hook sees it: 64-hex private
 *    keys, 130-hex signatures, JWTs, credentials in URLs and `password=` text, so free text in
 *    messages and error stacks is covered too.
 */

/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Object keys whose value is a secret (snake_case as in snetd.config.json; camelCase forms are
 * added by {@link secretKeyNames}). Includes the payment and auth metadata headers.
 */
export const SECRET_KEYS: readonly string[] = [
  'private_key_for_free_calls',
  'private_key_for_metering',
  'pvt_key_for_free_calls',
  'pvt_key_for_metering',
  'private_key',
  'token_secret_key',
  'blockchain_provider_api_key',
  'telegram_api_key',
  'api_key',
  'apikey',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'mnemonic',
  'seed',
  'signature',
  'token',
  'auth_token',
  'access_token',
  'refresh_token',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'snet-payment-channel-signature-bin',
  'snet-free-call-auth-token-bin',
  'snet-prepaid-auth-token-bin',
  'snet-free-call-token',
];

function camelCase(key: string): string {
  return key.replace(/[_-]([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** {@link SECRET_KEYS} plus their camelCase forms, without duplicates. */
export function secretKeyNames(): string[] {
  const names = new Set<string>();
  for (const k of SECRET_KEYS) {
    names.add(k);
    names.add(camelCase(k));
  }
  return [...names];
}

/** pino `redact.paths`: every secret key at the top level (bracket notation for header names). */
export function buildRedactPaths(): string[] {
  return secretKeyNames().map((name) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : `["${name}"]`));
}

const SECRET_KEY_SET = new Set<string>(secretKeyNames().flatMap((k) => [k, k.toLowerCase(), k.toUpperCase(), k[0] === undefined ? k : k[0].toUpperCase() + k.slice(1)]));

/** True when a field named `key` holds a secret (exact names, `*-bin` headers, `pvt_key*`/`privateKey*`). */
export function isSecretKey(key: string): boolean {
  if (SECRET_KEY_SET.has(key)) return true;
  if (key.endsWith('-bin') || key.endsWith('-Bin')) return true;
  return key.startsWith('pvt_key') || key.startsWith('pvtKey') || key.startsWith('private_key') || key.startsWith('privateKey');
}

const MAX_WALK_DEPTH = 8;

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_WALK_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = walk(item, depth + 1);
      if (next !== item) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  // 32 bytes (private key) and 65 bytes (signature), the byte forms of the hex rule in scrubSecrets.
  if (ArrayBuffer.isView(value)) return value.byteLength === 32 || value.byteLength === 65 ? REDACTED : value;
  if (!isPlainObject(value)) {
    // Objects that serialise themselves (e.g. grpc-js Metadata: -bin values as Buffers) are walked
    // in their JSON form; Dates and Errors are left to pino.
    const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON !== 'function' || value instanceof Date) return value;
    const json: unknown = toJSON.call(value);
    const next = walk(json, depth + 1);
    return next === json ? value : next;
  }
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    const item = value[key];
    const next = isSecretKey(key) ? (item === undefined || item === null || item === '' ? item : REDACTED) : walk(item, depth + 1);
    if (next !== item) {
      copy ??= { ...value };
      copy[key] = next;
    }
  }
  return copy ?? value;
}

/**
 * Returns `fields` with the value of every secret key (see {@link isSecretKey}) replaced by
 * `[REDACTED]`, at any depth of plain objects and arrays, inside the JSON form of objects with
 * `toJSON` (grpc-js `Metadata`); 32- and 65-byte buffers become `[REDACTED]` too. Other class
 * instances and Errors are left to the other layers. Copy-on-write: the caller's object is never mutated and is returned
 * as is when it holds no secret. Empty values stay empty so "not configured" remains visible.
 */
export function redactSecretFields<T extends object>(fields: T): T {
  return walk(fields, 0) as T;
}

// password=..., api_key=... in free text (DSNs, query strings and error messages of other libraries).
// Only `=`: "invalid token: expired" must stay readable.
const TEXT_SECRET_ASSIGNMENT = /\b(password|passwd|pwd|secret|token|api[_-]?key|private[_-]?key)(\s*=\s*)(?!\[REDACTED\])([^\s&",;\\]+)/gi;

// A 0x-prefixed 32-byte value under a `...hash`/`txid` key is a transaction or block hash: keep it,
// operators need it to find claims on a block explorer.
const HASH_KEY_BEFORE = /(?:hash|hashes|txid|root)"\s*:\s*"$/i;

const IS_HEX = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') IS_HEX[c.charCodeAt(0)] = 1;

function isHexAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c < 128 && IS_HEX[c] === 1;
}

/** Replaces the hex runs at `hits` (start/end pairs) by `[REDACTED]`, with a `0x` in front if any. */
function replaceHexRuns(line: string, hits: readonly number[]): string {
  let out = '';
  let copied = 0;
  for (let k = 0; k < hits.length; k += 2) {
    const i = hits[k] ?? 0;
    const j = hits[k + 1] ?? 0;
    const has0x = i >= 2 && line.charCodeAt(i - 1) === 120 /* x */ && line.charCodeAt(i - 2) === 48 /* 0 */ && !isHexAt(line, i - 3);
    const start = has0x ? i - 2 : i;
    if (has0x && j - i === 64 && HASH_KEY_BEFORE.test(line.slice(Math.max(0, start - 24), start))) continue;
    out += line.slice(copied, start) + REDACTED;
    copied = j;
  }
  return copied === 0 ? line : out + line.slice(copied);
}

const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+/g;

const URL_IN_TEXT = /\b[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s"'<>\\]+/g;

/**
 * Returns `line` (a serialised JSON log line, or any text) with secrets replaced by `[REDACTED]`:
 * hex runs of exactly 64 (32-byte private key) or 130 (65-byte signature) digits with an optional
 * `0x` (longer runs such as calldata and shorter ones such as addresses stay; 0x-hashes under a
 * `…hash` key stay), credentials in URLs, `password=`-style text and JWTs. Pure and never throws;
 * returns the same string when nothing matched. The regex passes run only when their marker
 * (`://`, `=`, `eyJ`) is in the line: most lines need none.
 */
export function scrubSecrets(line: string): string {
  const hits = findKeyLengthHexRuns(line);
  let out = hits === undefined ? line : replaceHexRuns(line, hits);
  if (out.includes('://')) out = out.replace(URL_IN_TEXT, redactUrl);
  if (out.includes('=')) out = out.replace(TEXT_SECRET_ASSIGNMENT, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
  if (out.includes('eyJ')) out = out.replace(JWT, REDACTED);
  return out;
}

const MIN_RUN = 64;

/**
 * Start/end pairs of hex runs of exactly 64 or 130 digits. Skip-scan: a run of 64+ covering
 * position `i + 63` is needed, so a non-hex character there skips 64 positions at once; typical
 * lines are checked in a fraction of their length (a plain regex costs ~10x more).
 */
function findKeyLengthHexRuns(line: string): number[] | undefined {
  const n = line.length;
  let hits: number[] | undefined;
  // Invariant: `i` is 0 or just after a non-hex character, so a run starting at `i` starts there.
  let i = 0;
  while (i + MIN_RUN <= n) {
    const p = i + MIN_RUN - 1;
    if (!isHexAt(line, p)) {
      i = p + 1;
      continue;
    }
    let k = p - 1;
    while (k >= i && isHexAt(line, k)) k--;
    if (k >= i) {
      i = k + 1;
      continue;
    }
    let e = p + 1;
    while (e < n && isHexAt(line, e)) e++;
    const len = e - i;
    if (len === 64 || len === 130) (hits ??= []).push(i, e);
    i = e + 1;
  }
  return hits;
}
