import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKeyedMutex } from './keyed-mutex.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createKeyedMutex()', () => {
  it('behavior: runs work on one key one at a time, in arrival order', async () => {
    const mutex = createKeyedMutex();
    const order: string[] = [];
    let inside = 0;
    const job = (name: string) =>
      mutex.run(['k'], async () => {
        inside++;
        assert.equal(inside, 1);
        order.push(`start ${name}`);
        await tick();
        order.push(`end ${name}`);
        inside--;
        return name;
      });
    assert.deepEqual(await Promise.all([job('a'), job('b'), job('c')]), ['a', 'b', 'c']);
    assert.deepEqual(order, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.equal(mutex.activeKeys, 0);
  });

  it('behavior: different keys run in parallel; multi-key callers do not deadlock', async () => {
    const mutex = createKeyedMutex();
    let release!: () => void;
    const blocker = mutex.run(['x'], () => new Promise<void>((resolve) => (release = resolve)));
    assert.equal(await mutex.run(['y'], () => Promise.resolve('y')), 'y');
    const both = Promise.all([mutex.run(['x', 'y'], () => Promise.resolve(1)), mutex.run(['y', 'x'], () => Promise.resolve(2))]);
    release();
    await blocker;
    assert.deepEqual(await both, [1, 2]);
  });

  it('behavior: a failing job releases its key', async () => {
    const mutex = createKeyedMutex();
    await assert.rejects(mutex.run(['k'], () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await mutex.run(['k'], () => Promise.resolve('ok')), 'ok');
  });

  it('error: a waiter whose signal aborts leaves the queue with REQUEST_CANCELLED and never runs', async () => {
    const mutex = createKeyedMutex();
    let release!: () => void;
    const holder = mutex.run(['k'], () => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    let ran = false;
    const waiting = mutex.run(['k'], () => Promise.resolve((ran = true)), controller.signal);
    controller.abort();
    await assert.rejects(waiting, { code: 'REQUEST_CANCELLED' });
    release();
    await holder;
    assert.equal(ran, false);
    assert.equal(mutex.activeKeys, 0);
  });
});
