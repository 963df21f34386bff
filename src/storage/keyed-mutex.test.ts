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

describe('createKeyedMutex() acquire/release', () => {
  it('behavior: a free key is taken at once (undefined), a held one queues in arrival order and is handed over on release', async () => {
    const mutex = createKeyedMutex();
    assert.equal(mutex.acquire('k'), undefined);
    assert.equal(mutex.activeKeys, 1);
    const order: string[] = [];
    const second = mutex.acquire('k')?.then(() => order.push('second'));
    const third = mutex.acquire('k')?.then(() => order.push('third'));
    assert.ok(second !== undefined && third !== undefined);
    await tick();
    assert.deepEqual(order, [], 'nobody runs while the key is held');
    mutex.release('k');
    await second;
    assert.deepEqual(order, ['second']);
    mutex.release('k');
    await third;
    assert.deepEqual(order, ['second', 'third']);
    mutex.release('k');
    assert.equal(mutex.activeKeys, 0);
    assert.equal(mutex.acquire('k'), undefined, 'free again');
    mutex.release('k');
  });

  it('behavior: run() and acquire() exclude each other on the same key', async () => {
    const mutex = createKeyedMutex();
    assert.equal(mutex.acquire('k'), undefined);
    let ran = false;
    const job = mutex.run(['k'], () => Promise.resolve((ran = true)));
    await tick();
    assert.equal(ran, false);
    mutex.release('k');
    assert.equal(await job, true);
    assert.equal(mutex.activeKeys, 0);
  });

  it('error: an aborted waiter leaves the queue and the next one still gets the key', async () => {
    const mutex = createKeyedMutex();
    assert.equal(mutex.acquire('k'), undefined);
    const controller = new AbortController();
    const aborted = mutex.acquire('k', controller.signal);
    const next = mutex.acquire('k');
    controller.abort();
    await assert.rejects(aborted ?? Promise.resolve(), { code: 'REQUEST_CANCELLED' });
    mutex.release('k');
    await next;
    mutex.release('k');
    assert.equal(mutex.activeKeys, 0);
    await assert.rejects(
      (async () => {
        assert.equal(mutex.acquire('k'), undefined);
        const c = new AbortController();
        c.abort();
        try {
          await (mutex.acquire('k', c.signal) ?? Promise.resolve());
        } finally {
          mutex.release('k');
        }
      })(),
      { code: 'REQUEST_CANCELLED' },
    );
    assert.equal(mutex.activeKeys, 0);
  });

  it('behavior: a job that throws synchronously releases its key', async () => {
    const mutex = createKeyedMutex();
    await assert.rejects(
      mutex.run(['k'], () => {
        throw new Error('sync boom');
      }),
      /sync boom/,
    );
    assert.equal(mutex.activeKeys, 0);
  });
});
