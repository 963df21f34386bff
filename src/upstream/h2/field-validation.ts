/**
 * Checks of the header fields a service sends (RFC 9113 §8.2, §8.3), matched case by case to what node's
 * nghttp2 client does with them, so switching `upstream_http2_engine` changes nothing for the daemon's clients:
 *
 * - a stream error (the caller resets the stream with PROTOCOL_ERROR): a name with an upper-case letter, a
 *   pseudo-header other than a single `:status` of three digits at the start of a response, a pseudo-header in
 *   trailers, a connection-specific field (connection, keep-alive, proxy-connection, transfer-encoding, upgrade;
 *   `te` other than "trailers"), a response without `:status`;
 * - the field is dropped, the rest kept (nghttp2 "ignores" such fields): a name that is empty or holds a
 *   character outside the RFC 9110 token set, a value with a control character other than HTAB (NUL, CR, LF…),
 *   DEL, or a leading or trailing space or HTAB.
 *
 * What remains is safe to hand to node:http2's `respond()` / `sendTrailers()` on the client-facing side, which
 * throw on an invalid token or connection-specific name (ERR_INVALID_HTTP_TOKEN, ERR_HTTP2_INVALID_CONNECTION_HEADERS)
 * and would pass a NUL or CR in a value on to the client.
 */

/** Per byte of a name: 1 = lower-case token character, 2 = upper-case letter, 0 = not allowed. */
const NAME = new Uint8Array(256);
/** Per byte of a value: 1 = allowed anywhere, 2 = allowed inside only (SP, HTAB), 0 = not allowed. */
const VALUE = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") NAME[c.charCodeAt(0)] = 1;
for (let c = 0x41; c <= 0x5a; c++) NAME[c] = 2;
for (let c = 0x21; c <= 0x7e; c++) VALUE[c] = 1;
for (let c = 0x80; c <= 0xff; c++) VALUE[c] = 1;
VALUE[0x20] = 2;
VALUE[0x09] = 2;

/** 0 = valid, 1 = drop the field, 2 = upper-case letter (stream error). Names are latin1 strings (HPACK output). */
function nameClass(name: string): number {
  const n = name.length;
  if (n === 0) return 1;
  for (let i = 0; i < n; i++) {
    const k = NAME[name.charCodeAt(i) & 0xff] as number;
    if (k !== 1) return k === 2 ? 2 : 1;
  }
  return 0;
}

function valueValid(value: string): boolean {
  const n = value.length;
  if (n === 0) return true;
  if (VALUE[value.charCodeAt(0) & 0xff] !== 1 || VALUE[value.charCodeAt(n - 1) & 0xff] !== 1) return false;
  for (let i = 1; i < n - 1; i++) if (VALUE[value.charCodeAt(i) & 0xff] === 0) return false;
  return true;
}

/** Connection-specific fields (§8.2.2); `te` is handled apart. */
function isConnectionSpecific(name: string): boolean {
  switch (name.length) {
    case 7:
      return name === 'upgrade';
    case 10:
      return name === 'connection' || name === 'keep-alive';
    case 16:
      return name === 'proxy-connection';
    case 17:
      return name === 'transfer-encoding';
    default:
      return false;
  }
}

/**
 * Checks a decoded field list (flat `name, value, …`) of a response (`trailers` false: `:status` first, once,
 * three digits) or of trailers (no pseudo-header). Fields to drop are removed from `list` in place. Returns
 * undefined when the list may be used, else why the stream must be reset. One pass over the names and values.
 */
export function checkResponseFields(list: string[], trailers: boolean): string | undefined {
  let regular = false;
  let status = false;
  let out = 0;
  const n = list.length;
  for (let i = 0; i < n; i += 2) {
    const name = list[i] as string;
    const value = list[i + 1] as string;
    if (name.charCodeAt(0) === 58 /* ':' */) {
      if (trailers) return `pseudo-header ${name} in trailers`;
      if (regular) return `pseudo-header ${name} after a regular header`;
      if (name !== ':status') return `response pseudo-header ${name}`;
      if (status) return 'a second :status';
      if (value.length !== 3 || !isDigit(value, 0) || !isDigit(value, 1) || !isDigit(value, 2)) return `:status "${value}" is not three digits`;
      status = true;
    } else {
      regular = true;
      const kind = nameClass(name);
      if (kind === 2) return `upper-case header name "${name}"`;
      if (isConnectionSpecific(name)) return `connection-specific header ${name}`;
      if (name === 'te' && value.toLowerCase() !== 'trailers') return `te "${value}" (only "trailers" is allowed)`;
      if (kind === 1 || !valueValid(value)) continue;
    }
    if (out !== i) {
      list[out] = name;
      list[out + 1] = value;
    }
    out += 2;
  }
  if (!trailers && !status) return 'a response without :status';
  if (out !== n) list.length = out;
  return undefined;
}

/**
 * The `content-length` of a checked response header list (RFC 9113 §8.1.1): -1 when there is none, -2 when it
 * is not a decimal number or appears more than once (a malformed response, as nghttp2 judges it).
 */
export function contentLengthOf(list: readonly string[]): number {
  let found = -1;
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i] as string;
    if (name.length !== 14 || name !== 'content-length') continue;
    if (found !== -1) return -2;
    const value = list[i + 1] as string;
    if (value.length === 0) return -2;
    for (let j = 0; j < value.length; j++) if (!isDigit(value, j)) return -2;
    found = Number(value);
  }
  return found;
}

function isDigit(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 48 && c <= 57;
}
