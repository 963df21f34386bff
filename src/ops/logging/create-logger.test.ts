import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createBuiltInHookRegistry, createLogger } from './create-logger.ts';
import { DEFAULT_LOGGING_OPTIONS, type LoggingOptions } from './logging-options.ts';
import type { LogEntry } from './hooks/log-hook.ts';
import { isSnetError } from '../../errors/index.ts';

const CONTEXT = { organizationId: 'o', serviceId: 's', network: 'n', version: 'v' };
const NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 600));

function sink(): { stream: PassThrough; lines: () => string[]; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, lines: () => chunks.join('').split('\n').filter((l) => l !== ''), text: () => chunks.join('') };
}

function opts(patch: Partial<Omit<LoggingOptions, 'output'>> & { output?: Partial<LoggingOptions['output']> } = {}): LoggingOptions {
  return {
    ...DEFAULT_LOGGING_OPTIONS,
    ...patch,
    output: { ...DEFAULT_LOGGING_OPTIONS.output, type: ['stdout'], ...patch.output },
  };
}

describe('createLogger()', () => {
  it('behavior: text lines are time, LEVEL, message and JSON fields, tab-separated', async () => {
    const out = sink();
    const h = createLogger(opts(), CONTEXT, { stdout: out.stream, now: () => NOW });
    h.logger.info({ channelId: '5' }, 'claim sent');
    h.logger.warn({}, 'no fields');
    await h.close();
    assert.deepEqual(out.lines(), ['2026-01-02T03:04:05.6Z\tINFO\tclaim sent\t{"channelId":"5"}', '2026-01-02T03:04:05.6Z\tWARN\tno fields']);
  });

  it('behavior: json lines use the zap keys level/ts/msg and child bindings', async () => {
    const out = sink();
    const h = createLogger(opts({ formatter: { type: 'json', timestampFormat: '2006-01-02 15:04:05 MST' }, timezone: 'America/New_York' }), CONTEXT, { stdout: out.stream, now: () => NOW });
    h.logger.child({ component: 'payments' }).error({ n: 1 }, 'boom');
    await h.close();
    assert.deepEqual(out.lines().map((l) => JSON.parse(l) as unknown), [{ level: 'ERROR', ts: '2026-01-01 22:04:05 EST', component: 'payments', n: 1, msg: 'boom' }]);
  });

  it('behavior: a key bound again by a nested child appears once, the inner value winning; other bindings stay', async () => {
    const out = sink();
    const h = createLogger(opts({ formatter: { type: 'json', timestampFormat: '2006-01-02 15:04:05 MST' } }), CONTEXT, { stdout: out.stream, now: () => NOW });
    const payments = h.logger.child({ component: 'payments', group: 'default_group' });
    payments.child({ component: 'storage', backend: 'lmdb' }).child({ path: '/x' }).info({}, 'opened');
    payments.info({}, 'outer');
    await h.close();
    const lines = out.lines();
    assert.equal(lines[0]?.match(/"component"/g)?.length, 1, lines[0]);
    assert.deepEqual(lines.map((l) => JSON.parse(l) as Record<string, unknown>).map(({ level: _l, ts: _t, ...rest }) => rest), [
      { component: 'storage', group: 'default_group', backend: 'lmdb', path: '/x', msg: 'opened' },
      { component: 'payments', group: 'default_group', msg: 'outer' },
    ]);
  });

  it('behavior: the level filters, and panic means fatal', async () => {
    const out = sink();
    const h = createLogger(opts({ level: 'panic' }), CONTEXT, { stdout: out.stream, now: () => NOW });
    h.logger.error({}, 'hidden');
    h.logger.fatal({}, 'shown');
    await h.close();
    assert.deepEqual(out.lines().map((l) => l.split('\t')[1]), ['FATAL']);
  });

  it('behavior: custom hook types from the per-logger registry get redacted entries', async () => {
    const entries: LogEntry[] = [];
    const registry = createBuiltInHookRegistry();
    registry.registerLogHookType('memory', (config) => ({
      name: config.name,
      levels: new Set(['ERROR']),
      handle: (e) => entries.push(e),
      close: () => Promise.resolve(),
    }));
    const h = createLogger(opts({ hooks: [{ name: 'mem', type: 'memory', levels: ['error'], settings: {} }] }), CONTEXT, {
      stdout: sink().stream, now: () => NOW, hookRegistry: registry,
    });
    h.logger.info({}, 'not for hooks');
    h.logger.error({ password: 'hunter2', nested: { token: 'abc' } }, 'failed');
    await h.close();
    assert.equal(entries.length, 1);
    assert.deepEqual({ ...entries[0] }, {
      level: 'ERROR', levelName: 'error', time: NOW, ts: '2026-01-02T03:04:05.6Z', message: 'failed',
      fields: { password: '[REDACTED]', nested: { token: '[REDACTED]' } },
    });
  });

  it('behavior: never throws into callers (circular objects, odd arguments)', async () => {
    const out = sink();
    const err = sink();
    const h = createLogger(opts(), CONTEXT, { stdout: out.stream, stderr: err.stream, now: () => NOW });
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    assert.doesNotThrow(() => h.logger.info(circular, 'circular'));
    const hostile = { get boom(): string { throw new Error('getter exploded'); } };
    assert.doesNotThrow(() => h.logger.info(hostile, 'hostile'));
    assert.doesNotThrow(() => h.logger.child(hostile).info({}, 'hostile child'));
    await h.close();
    // The hostile entry is dropped; the child falls back to its parent logger.
    assert.deepEqual(out.lines().map((l) => l.split('\t')[2]), ['circular', 'hostile child']);
    assert.match(err.text(), /^snetd: logging: building a log line failed: getter exploded \(reported once\)\n/);
    assert.doesNotThrow(() => h.logger.info({}, 'after close'));
  });

  it('error: every bad option is listed in one LOG_SETUP_FAILED', () => {
    const bad = opts({ level: 'loud' as LoggingOptions['level'], timezone: 'Mars/Base', formatter: { type: 'xml' as 'json', timestampFormat: '' }, output: { type: ['file', 'syslog' as 'file'], filePattern: './x.%q.log' } });
    assert.throws(() => createLogger(bad, CONTEXT), (e: unknown) => {
      assert.ok(isSnetError(e, 'LOG_SETUP_FAILED'));
      assert.equal(e.message, 'invalid log configuration: wrong string for level: loud; unknown log.timezone: Mars/Base; unsupported log formatter type: xml; unsupported log output type: syslog; invalid placeholder found in pattern: %q');
      return true;
    });
  });
});
