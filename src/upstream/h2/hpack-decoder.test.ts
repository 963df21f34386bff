import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HpackDecoder } from './hpack-decoder.ts';
import { writeIndexedField, writeLiteralField } from './hpack-encoder.ts';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const pairs = (list: string[]): [string, string][] => {
  const out: [string, string][] = [];
  for (let i = 0; i < list.length; i += 2) out.push([list[i] as string, list[i + 1] as string]);
  return out;
};

interface Step {
  readonly block: string;
  readonly headers: [string, string][];
  readonly table: [string, string][];
  readonly tableBytes: number;
}

function runSeries(tableSize: number, steps: readonly Step[]): void {
  const decoder = new HpackDecoder(tableSize);
  for (const step of steps) {
    const block = hex(step.block);
    const out: string[] = [];
    assert.equal(decoder.decode(block, 0, block.length, out), undefined);
    assert.deepEqual(pairs(out), step.headers);
    assert.deepEqual(decoder.tableEntries(), step.table);
    assert.equal(decoder.tableBytes, step.tableBytes);
  }
}

// RFC 7541 Appendix C.3 / C.4: three requests on one connection (4096-byte table).
const request1: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']];
const request2: [string, string][] = [...request1, ['cache-control', 'no-cache']];
const request3: [string, string][] = [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']];
const requestTables: [string, string][][] = [
  [[':authority', 'www.example.com']],
  [['cache-control', 'no-cache'], [':authority', 'www.example.com']],
  [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']],
];

// RFC 7541 Appendix C.5 / C.6: three responses with a 256-byte table (evictions).
const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const date2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const response1: [string, string][] = [[':status', '302'], ['cache-control', 'private'], ['date', date1], ['location', 'https://www.example.com']];
const response2: [string, string][] = [[':status', '307'], ['cache-control', 'private'], ['date', date1], ['location', 'https://www.example.com']];
const response3: [string, string][] = [[':status', '200'], ['cache-control', 'private'], ['date', date2], ['location', 'https://www.example.com'], ['content-encoding', 'gzip'], ['set-cookie', cookie]];
const responseTables: [string, string][][] = [
  [['location', 'https://www.example.com'], ['date', date1], ['cache-control', 'private'], [':status', '302']],
  [[':status', '307'], ['location', 'https://www.example.com'], ['date', date1], ['cache-control', 'private']],
  [['set-cookie', cookie], ['content-encoding', 'gzip'], ['date', date2]],
];

describe('HpackDecoder', () => {
  it('behavior: RFC 7541 C.3 requests without Huffman', () => {
    runSeries(4096, [
      { block: '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', headers: request1, table: requestTables[0]!, tableBytes: 57 },
      { block: '8286 84be 5808 6e6f 2d63 6163 6865', headers: request2, table: requestTables[1]!, tableBytes: 110 },
      { block: '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65', headers: request3, table: requestTables[2]!, tableBytes: 164 },
    ]);
  });

  it('behavior: RFC 7541 C.4 requests with Huffman', () => {
    runSeries(4096, [
      { block: '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', headers: request1, table: requestTables[0]!, tableBytes: 57 },
      { block: '8286 84be 5886 a8eb 1064 9cbf', headers: request2, table: requestTables[1]!, tableBytes: 110 },
      { block: '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf', headers: request3, table: requestTables[2]!, tableBytes: 164 },
    ]);
  });

  it('behavior: RFC 7541 C.5 responses without Huffman, with evictions', () => {
    runSeries(256, [
      {
        block: `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
                2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`,
        headers: response1,
        table: responseTables[0]!,
        tableBytes: 222,
      },
      { block: '4803 3330 37c1 c0bf', headers: response2, table: responseTables[1]!, tableBytes: 222 },
      {
        block: `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
                54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
                5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31`,
        headers: response3,
        table: responseTables[2]!,
        tableBytes: 215,
      },
    ]);
  });

  it('behavior: RFC 7541 C.6 responses with Huffman, with evictions', () => {
    runSeries(256, [
      {
        block: `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
                2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
        headers: response1,
        table: responseTables[0]!,
        tableBytes: 222,
      },
      { block: '4883 640e ffc1 c0bf', headers: response2, table: responseTables[1]!, tableBytes: 222 },
      {
        block: `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
                77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
                9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
        headers: response3,
        table: responseTables[2]!,
        tableBytes: 215,
      },
    ]);
  });

  it('behavior: a size update evicts, and is allowed up to the advertised size only', () => {
    const decoder = new HpackDecoder(4096);
    const first = hex('8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d');
    assert.equal(decoder.decode(first, 0, first.length, []), undefined);
    assert.equal(decoder.tableBytes, 57);
    const shrink = Buffer.from([0x20]); // size update to 0
    assert.equal(decoder.decode(shrink, 0, 1, []), undefined);
    assert.equal(decoder.tableBytes, 0);
    const tooBig = Buffer.from([0x3f, 0xe2, 0x1f]); // 31 + 0x62 + (0x1f << 7) = 4097
    assert.equal(new HpackDecoder(4096).decode(tooBig, 0, tooBig.length, []), 'compression');
  });

  it('error: invalid blocks are compression errors', () => {
    const cases = [
      'be', // index 62 with an empty dynamic table
      '80', // index 0
      '0085 ffff ffff ff', // Huffman string that is all EOS prefix beyond 7 bits of padding
      '0003 6162', // string longer than the block
      '82 20', // size update after a field
      '3fff ffff ffff ff', // integer overflow
    ];
    for (const text of cases) {
      const block = hex(text);
      assert.equal(new HpackDecoder().decode(block, 0, block.length, []), 'compression', text);
    }
  });

  it('error: a list above the limit is reported, and the table stays in step', () => {
    const decoder = new HpackDecoder(4096, 100);
    const buf = Buffer.alloc(200);
    // Literal with incremental indexing, new name: 0x40, name, value.
    let off = 0;
    buf[off++] = 0x40;
    buf[off++] = 3;
    off += buf.write('big', off, 'latin1');
    buf[off++] = 80;
    off += buf.write('x'.repeat(80), off, 'latin1');
    const out: string[] = [];
    assert.equal(decoder.decode(buf, 0, off, out), 'too-large');
    assert.deepEqual(out, []);
    assert.equal(decoder.tableBytes, 3 + 80 + 32);
    const next = Buffer.from([0xbe]); // index 62: the entry the oversized block added
    const out2: string[] = [];
    assert.equal(decoder.decode(next, 0, 1, out2), 'too-large');
  });

  it('behavior: decodes what the encoder writes (indexed and literal fields, long values)', () => {
    const buf = Buffer.alloc(2000);
    let off = writeIndexedField(buf, 0, 3);
    off = writeLiteralField(buf, off, ':path', '/pkg.Service/Method');
    off = writeLiteralField(buf, off, 'x-custom', 'v'.repeat(600));
    off = writeLiteralField(buf, off, 'grpc-timeout', '100m');
    const out: string[] = [];
    const decoder = new HpackDecoder();
    assert.equal(decoder.decode(buf, 0, off, out), undefined);
    assert.deepEqual(pairs(out), [[':method', 'POST'], [':path', '/pkg.Service/Method'], ['x-custom', 'v'.repeat(600)], ['grpc-timeout', '100m']]);
    assert.equal(decoder.tableBytes, 0);
  });
});
