import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createQueuedHook } from './queued-hook.ts';
import type { LogEntry } from './log-hook.ts';

function entry(message: string): LogEntry {
  return { level: 'ERROR', levelName: 'error', time: new Date(0), ts: '', message, fields: {} };
}

describe('createQueuedHook()', () => {
  it('behavior: delivers in order, one at a time, and flush waits for the queue', async () => {
    const sent: string[] = [];
    let inFlight = 0;
    const hook = createQueuedHook({
      name: 'h', levels: new Set(['ERROR']), report: () => undefined,
      send: async (e) => { inFlight++; assert.equal(inFlight, 1); await Promise.resolve(); sent.push(e.message); inFlight--; },
    });
    for (const m of ['a', 'b', 'c']) hook.handle(entry(m));
    await hook.flush?.();
    assert.deepEqual(sent, ['a', 'b', 'c']);
    await hook.close();
  });

  it('behavior: a full queue drops entries and reports once; a failing send is reported once', async () => {
    const reports: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const hook = createQueuedHook({
      name: 'h', levels: new Set(['ERROR']), limits: { maxQueue: 2 },
      report: (m) => reports.push(m),
      send: async () => { await gate; throw new Error('smtp down'); },
    });
    for (let i = 0; i < 6; i++) hook.handle(entry(String(i)));
    // first entry is in flight, two wait, three are dropped
    assert.deepEqual(reports, ['log hook "h" queue is full (2); entries are dropped and counted']);
    release();
    await hook.flush?.();
    assert.equal(reports.length, 2);
    assert.match(reports[1] ?? '', /could not deliver an entry/);
    await hook.close();
    assert.equal(reports.at(-1), 'log hook "h" closed');
  });

  it('behavior: the rate limit holds entries beyond the burst in the queue instead of sending them', async () => {
    const sent: string[] = [];
    const hook = createQueuedHook({
      name: 'h', levels: new Set(['ERROR']), limits: { maxPerMinute: 2, closeTimeoutMs: 1 }, report: () => undefined,
      send: (e) => { sent.push(e.message); return Promise.resolve(); },
    });
    for (let i = 0; i < 5; i++) hook.handle(entry(String(i)));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sent, ['0', '1'], 'burst of maxPerMinute (2), the rest waits for tokens');
    await hook.close();
    assert.deepEqual(sent, ['0', '1']);
  });
});
