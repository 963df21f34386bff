/**
 * Packs files into an uncompressed POSIX ustar archive, the format snet-cli publishes as a service's
 * `service_api_source` (a tar of the .proto files). Names must be ASCII and shorter than 100 bytes.
 */
export function tarFiles(files: readonly { readonly name: string; readonly content: Uint8Array }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const file of files) {
    const header = new Uint8Array(512);
    const put = (offset: number, length: number, text: string): void => {
      header.set(new TextEncoder().encode(text).subarray(0, length), offset);
    };
    const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, '0')}\0`;
    put(0, 100, file.name);
    put(100, 8, octal(0o644, 8));
    put(108, 8, octal(0, 8));
    put(116, 8, octal(0, 8));
    put(124, 12, octal(file.content.length, 12));
    put(136, 12, octal(0, 12));
    put(148, 8, '        ');
    put(156, 1, '0');
    put(257, 6, 'ustar\0');
    put(263, 2, '00');
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    put(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(header, file.content, new Uint8Array((512 - (file.content.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}
