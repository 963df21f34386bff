import { Transform, type TransformCallback } from 'node:stream';
import { SnetError } from '../../errors/index.ts';

/**
 * Decodes a gRPC-Web text (base64) request body as it streams. Input is cut in 4-character groups
 * so chunk boundaries never split a group; padding may appear between groups (clients encode each
 * message separately, PROTOCOL-WEB.md). Whitespace is ignored; other bad input fails the stream.
 */
export function createBase64Decoder(): Transform {
  let carry = '';
  const decode = (text: string, final: boolean): Buffer | SnetError => {
    const all = carry + text.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/=]*$/.test(all)) return new SnetError('REQUEST_MALFORMED', 'gRPC-Web text body is not base64');
    const usable = final ? all.length : all.length - (all.length % 4);
    carry = all.slice(usable);
    const parts: Buffer[] = [];
    // Padding can end a group in the middle of the body: decode group runs separately.
    let start = 0;
    for (let i = 0; i < usable; i += 4) {
      if (all.charCodeAt(i + 3) === 61 /* = */) {
        parts.push(Buffer.from(all.slice(start, i + 4), 'base64'));
        start = i + 4;
      }
    }
    if (start < usable) parts.push(Buffer.from(all.slice(start, usable), 'base64'));
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      const out = decode(chunk.toString('latin1'), false);
      if (out instanceof SnetError) callback(out);
      else callback(null, out.byteLength === 0 ? undefined : out);
    },
    flush(callback: TransformCallback) {
      const out = decode('', true);
      if (out instanceof SnetError) callback(out);
      else callback(null, out.byteLength === 0 ? undefined : out);
    },
  });
}

/**
 * Base64 for a streamed gRPC-Web text response: bytes are encoded in 3-byte groups and the rest
 * carried to the next write, so the client sees one continuous base64 text until `flush`.
 */
export class Base64Encoder {
  #carry: Buffer | undefined;

  encode(chunk: Uint8Array): Buffer {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#carry !== undefined) {
      bytes = Buffer.concat([this.#carry, bytes]);
      this.#carry = undefined;
    }
    const usable = bytes.length - (bytes.length % 3);
    if (usable < bytes.length) this.#carry = Buffer.from(bytes.subarray(usable));
    return Buffer.from(bytes.subarray(0, usable).toString('base64'), 'latin1');
  }

  flush(): Buffer {
    const carry = this.#carry;
    this.#carry = undefined;
    return carry === undefined ? Buffer.alloc(0) : Buffer.from(carry.toString('base64'), 'latin1');
  }
}
