import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { text as readAll } from 'node:stream/consumers';
import { createMemoryStore } from './memory-store.ts';
import { exportStore, importStore } from './export-import.ts';

const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);
const lines = (...items: unknown[]): Readable => Readable.from([items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join('\n')]);
const header = (keys?: number) => ({ format: 'snetd-ts-store-export', version: 1, prefix: '', ...(keys === undefined ? {} : { keys }) });

async function exportToString(store: ReturnType<typeof createMemoryStore>, prefix: string): Promise<string> {
  const sink = new PassThrough();
  const collected = readAll(sink);
  await exportStore(store, prefix, sink);
  sink.end();
  return collected;
}

describe('exportStore() / importStore()', () => {
  it('behavior: round-trips every byte value under the prefix and leaves locks out', async () => {
    const source = createMemoryStore();
    await source.put('net/org/G=/a', bytes('alpha'));
    await source.put('net/org/G=/b', new Uint8Array([0, 255, 10, 13]));
    await source.put('net/org/G=/empty', new Uint8Array());
    await source.put('other/x', bytes('outside'));
    await source.acquireLock('net/org/G=/lock', 60_000);
    const dump = await exportToString(source, 'net/org/G=/');
    const [first] = dump.split('\n');
    assert.deepEqual({ ...JSON.parse(first ?? '{}'), exportedAt: 'x' }, { format: 'snetd-ts-store-export', version: 1, prefix: 'net/org/G=/', keys: 3, exportedAt: 'x' });

    const target = createMemoryStore();
    const result = await importStore(target, Readable.from([dump]));
    assert.deepEqual(result, { imported: 3, unchanged: 0, overwritten: [] });
    assert.deepEqual(
      (await target.getByPrefix('')).map((entry) => [entry.key, [...entry.value]]),
      [
        ['net/org/G=/a', [...bytes('alpha')]],
        ['net/org/G=/b', [0, 255, 10, 13]],
        ['net/org/G=/empty', []],
      ],
    );
    assert.deepEqual(await importStore(target, Readable.from([dump])), { imported: 0, unchanged: 3, overwritten: [] }, 're-import is a no-op');
  });

  it('error: differing existing keys refuse the whole import unless forced', async () => {
    const target = createMemoryStore();
    await target.put('k1', bytes('mine'));
    const file = () => lines(header(2), { key: 'k1', value: Buffer.from('theirs').toString('base64') }, { key: 'k2', value: 'AA==' });
    await assert.rejects(importStore(target, file()), (error: unknown) => {
      assert.equal((error as { code?: string }).code, 'STORAGE_CONFLICT');
      assert.match((error as Error).message, /k1/);
      return true;
    });
    assert.equal(await target.get('k2'), undefined, 'nothing was written');
    const forced = await importStore(target, file(), { force: true });
    assert.deepEqual(forced, { imported: 1, unchanged: 0, overwritten: ['k1'] });
    assert.deepEqual(await target.get('k1'), bytes('theirs'));
  });

  it('error: malformed files fail with STORAGE_CORRUPT naming the line and change nothing', async () => {
    const cases: Array<[Readable, RegExp]> = [
      [lines(''), /empty/],
      [lines({ format: 'other', version: 1 }), /line 1: the header/],
      [lines({ format: 'snetd-ts-store-export', version: 2 }), /unsupported export version 2/],
      [lines(header(), '{not json'), /line 2: not valid JSON/],
      [lines(header(), '[1]'), /line 2: not a JSON object/],
      [lines(header(), { key: 'a', value: 'not base64!' }), /line 2: the value of "a" is not base64/],
      [lines(header(), { key: '', value: '' }), /line 2: storage key must be a non-empty string/],
      [lines(header(), { key: 'a', value: '' }, { key: 'a', value: '' }), /line 3: key "a" appears twice/],
      [lines(header(3), { key: 'a', value: '' }), /announces 3 keys but the file holds 1/],
      [lines(header(), { key: 'a', value: 5 }), /string "key" and "value"/],
    ];
    const target = createMemoryStore();
    for (const [input, message] of cases) {
      await assert.rejects(importStore(target, input), (error: unknown) => {
        assert.equal((error as { code?: string }).code, 'STORAGE_CORRUPT');
        assert.match((error as Error).message, message);
        return true;
      });
    }
    assert.deepEqual(await target.getByPrefix(''), []);
  });

  it('behavior: a __proto__ key is stored as a plain key, not merged into an object', async () => {
    const target = createMemoryStore();
    await importStore(target, lines(header(1), '{"key":"__proto__","value":"AQ==","__proto__":{"polluted":true}}'));
    assert.deepEqual(await target.get('__proto__'), new Uint8Array([1]));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});
