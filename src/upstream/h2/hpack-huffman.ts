import { huffmanCode } from './hpack-tables.ts';

/**
 * HPACK Huffman decoding (RFC 7541 §5.2) with a bit-by-bit binary tree built once from the
 * Appendix B code. Node n's children are tree[2n] (bit 0) and tree[2n+1] (bit 1): > 0 is the next
 * node, < 0 is -(symbol + 1), 0 is "no such code".
 */
const tree = new Int32Array(2 * 512);
{
  let nodes = 1;
  for (let symbol = 0; symbol < 257; symbol++) {
    const bits = huffmanCode[2 * symbol] as number;
    const code = huffmanCode[2 * symbol + 1] as number;
    let node = 0;
    for (let b = bits - 1; b >= 0; b--) {
      const slot = 2 * node + ((code >>> b) & 1);
      if (b === 0) {
        tree[slot] = -(symbol + 1);
        break;
      }
      if (tree[slot] === 0) tree[slot] = nodes++;
      node = tree[slot] as number;
    }
  }
}

let scratch = Buffer.allocUnsafe(4096);

/**
 * Decodes the Huffman string in `buf[start, end)` as latin1 text. Returns `undefined` on an invalid
 * code, an EOS symbol inside the string, or padding that is longer than 7 bits or not all ones
 * (§5.2: each is a decoding error).
 */
export function decodeHuffman(buf: Uint8Array, start: number, end: number): string | undefined {
  // The shortest code is 5 bits: at most 8/5 output bytes per input byte.
  const bound = Math.ceil(((end - start) * 8) / 5);
  if (bound > scratch.length) scratch = Buffer.allocUnsafe(bound);
  const out = scratch;
  let node = 0;
  let length = 0;
  let bitsSinceSymbol = 0;
  let allOnes = true;
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    for (let b = 7; b >= 0; b--) {
      const bit = (byte >>> b) & 1;
      const next = tree[2 * node + bit] as number;
      bitsSinceSymbol++;
      if (bit === 0) allOnes = false;
      if (next < 0) {
        const symbol = -next - 1;
        if (symbol === 256) return undefined;
        out[length++] = symbol;
        node = 0;
        bitsSinceSymbol = 0;
        allOnes = true;
      } else if (next === 0) {
        return undefined;
      } else {
        node = next;
      }
    }
  }
  if (bitsSinceSymbol > 7 || !allOnes) return undefined;
  return out.toString('latin1', 0, length);
}
