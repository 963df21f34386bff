// Durability of the embedded LMDB store across kill -9 (issue: "an accepted payment never lost incl. kill -9").
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { createLmdbStore } from '../../src/storage/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';

const storageIndex = resolve(import.meta.dirname, '../../src/storage/index.ts');
const sharedIndex = resolve(import.meta.dirname, '../../src/shared/index.ts');
const root = mkdtempSync(join(tmpdir(), 'snetd-lmdb-kill-'));
after(() => rmSync(root, { recursive: true, force: true }));

// The writer: 8 concurrent workers, each CAS-increments its own counter and records every committed
// value under its own key in the same transaction; a line is printed only after the commit resolved.
const writerSource = `
import { createLmdbStore } from ${JSON.stringify(storageIndex)};
import { createSilentLogger } from ${JSON.stringify(sharedIndex)};
const store = createLmdbStore({ path: process.argv[1], logger: createSilentLogger() });
const enc = (n) => new TextEncoder().encode(String(n));
async function worker(w) {
  for (let i = 1; ; i++) {
    const prev = i === 1 ? undefined : enc(i - 1);
    const ok = await store.transaction(
      [prev === undefined ? { kind: 'absent', key: 'counter/' + w } : { kind: 'equals', key: 'counter/' + w, value: prev }],
      [{ kind: 'put', key: 'counter/' + w, value: enc(i) }, { kind: 'put', key: 'paid/' + w + '/' + i, value: enc(i) }],
    );
    if (!ok) throw new Error('unexpected CAS conflict');
    process.stdout.write('committed ' + w + ' ' + i + '\\n');
  }
}
for (let w = 0; w < 8; w++) worker(w).catch((e) => { console.error(e); process.exit(3); });
`;

describe('LMDB store durability', () => {
  it('behavior: every write reported as committed survives SIGKILL of the writer', async () => {
    const path = join(root, 'state.mdb');
    const child = spawn(process.execPath, ['--input-type=module', '-e', writerSource, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const reported = new Map<number, number>();
    let total = 0;
    try {
      const lines = createInterface({ input: child.stdout });
      for await (const line of lines) {
        const match = /^committed (\d+) (\d+)$/.exec(line);
        assert.ok(match !== null, `unexpected writer output: ${line}`);
        reported.set(Number(match[1]), Number(match[2]));
        if (++total >= 400) break;
      }
    } finally {
      const exited = once(child, 'exit');
      if (child.exitCode === null) child.kill('SIGKILL');
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      assert.equal(code, null, 'the writer must still be running when it is killed');
      assert.equal(signal, 'SIGKILL');
    }
    assert.equal(total, 400);

    const store = createLmdbStore({ path, logger: createSilentLogger() });
    try {
      for (const [worker, last] of reported) {
        const counter = Number(new TextDecoder().decode(await store.get(`counter/${worker}`)));
        assert.ok(counter >= last, `worker ${worker}: reported ${last} committed, store has ${counter}`);
        const paid = await store.getByPrefix(`paid/${worker}/`);
        // Every value up to what the store holds is present exactly once: nothing lost, nothing torn.
        assert.equal(paid.length, counter);
        for (let i = 1; i <= last; i++) assert.ok(await store.get(`paid/${worker}/${i}`), `paid/${worker}/${i} lost`);
      }
      // The reopened store accepts writes (no stale write lock left by the killed process).
      assert.equal(await store.putIfAbsent('after-crash', new Uint8Array([1])), true);
    } finally {
      await store.close();
    }
  });
});
