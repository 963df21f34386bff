// Reads the server name (SNI) and the offered ALPN protocols from the raw bytes of a TLS ClientHello, before
// OpenSSL sees them. Node lets a server pick the certificate by server name only (SNICallback runs before the
// ALPN callback in TLS 1.2), but a TLS-ALPN-01 validation must get the challenge certificate on the same name
// that normal clients reach with the real one: only the offered `acme-tls/1` tells them apart (RFC 8737).

/** What the listener needs from a ClientHello. */
export interface ClientHelloInfo {
  /** The first host name of the server_name extension, lower-cased; undefined when absent. */
  readonly serverName: string | undefined;
  /** The protocols of the ALPN extension, in the client's order; empty when absent. */
  readonly alpnProtocols: readonly string[];
}

const recordHeaderBytes = 5;
const handshakeRecord = 22;
const clientHelloMessage = 1;
const serverNameExtension = 0;
const alpnExtension = 16;
/** TLS records carry at most 2^14 bytes of plaintext (RFC 8446 §5.1); a larger length is not TLS. */
const maxRecordBytes = 1 << 14;

/** A bounds-checked reader: every read past the end throws, which the parser turns into "not a ClientHello". */
class Cursor {
  readonly #data: Buffer;
  #at: number;
  readonly #end: number;

  constructor(data: Buffer, start = 0, end = data.length) {
    this.#data = data;
    this.#at = start;
    this.#end = end;
  }

  get remaining(): number {
    return this.#end - this.#at;
  }

  #take(n: number): number {
    if (n > this.remaining) throw new RangeError('truncated');
    const at = this.#at;
    this.#at += n;
    return at;
  }

  u8(): number {
    return this.#data[this.#take(1)] as number;
  }

  u16(): number {
    return this.#data.readUInt16BE(this.#take(2));
  }

  skip(n: number): void {
    this.#take(n);
  }

  /** A sub-reader over the next `n` bytes (a length-prefixed vector). */
  vector(n: number): Cursor {
    const at = this.#take(n);
    return new Cursor(this.#data, at, at + n);
  }

  text(n: number): string {
    const at = this.#take(n);
    return this.#data.toString('latin1', at, at + n);
  }
}

/**
 * Parses the ClientHello at the start of `data` (possibly split over several handshake records).
 * Returns 'incomplete' while more bytes are needed, undefined when the bytes are not a TLS ClientHello.
 */
export function parseClientHello(data: Buffer): ClientHelloInfo | 'incomplete' | undefined {
  const fragments: Buffer[] = [];
  let handshakeBytes = 0;
  let offset = 0;
  while (offset + recordHeaderBytes <= data.length) {
    const recordLength = data.readUInt16BE(offset + 3);
    if (data[offset] !== handshakeRecord || recordLength > maxRecordBytes) return undefined;
    if (offset + recordHeaderBytes + recordLength > data.length) return 'incomplete';
    fragments.push(data.subarray(offset + recordHeaderBytes, offset + recordHeaderBytes + recordLength));
    handshakeBytes += recordLength;
    offset += recordHeaderBytes + recordLength;
    const handshake = fragments.length === 1 ? (fragments[0] as Buffer) : Buffer.concat(fragments, handshakeBytes);
    if (handshake.length < 4) continue;
    if (handshake[0] !== clientHelloMessage) return undefined;
    const messageLength = handshake.readUIntBE(1, 3);
    if (handshake.length < 4 + messageLength) continue;
    try {
      return readClientHelloBody(new Cursor(handshake, 4, 4 + messageLength));
    } catch {
      return undefined;
    }
  }
  return data.length > 0 && data[0] !== handshakeRecord ? undefined : 'incomplete';
}

function readClientHelloBody(body: Cursor): ClientHelloInfo {
  body.skip(2 + 32); // legacy_version, random
  body.skip(body.u8()); // legacy_session_id
  body.skip(body.u16()); // cipher_suites
  body.skip(body.u8()); // legacy_compression_methods
  let serverName: string | undefined;
  const alpnProtocols: string[] = [];
  if (body.remaining === 0) return { serverName, alpnProtocols };
  const extensions = body.vector(body.u16());
  while (extensions.remaining > 0) {
    const type = extensions.u16();
    const extension = extensions.vector(extensions.u16());
    if (type === serverNameExtension && serverName === undefined) {
      const names = extension.vector(extension.u16());
      while (names.remaining > 0 && serverName === undefined) {
        const nameType = names.u8();
        const name = names.text(names.u16());
        if (nameType === 0) serverName = name.toLowerCase();
      }
    } else if (type === alpnExtension && alpnProtocols.length === 0) {
      const protocols = extension.vector(extension.u16());
      while (protocols.remaining > 0) alpnProtocols.push(protocols.text(protocols.u8()));
    }
  }
  return { serverName, alpnProtocols };
}
