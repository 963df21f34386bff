// No silent configuration keys: every key of the schema either takes effect or, when set, produces a
// start-up warning naming it. Enumerates the schema, so a key added later must choose a side.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import { configShape, inactiveKeys, objectShape } from '../../src/config/index.ts';
import { startConfiguredDaemon } from '../harness/configured-daemon.ts';

/**
 * Keys implemented by branches developed in parallel that have not landed yet: accepted without effect until
 * then. Add a key here only with its issue; remove it when the branch is merged (the test then demands the
 * key is read or warned about). Empty: #12, #13 and #14 have landed.
 */
const implementedByParallelBranch = new Set<string>([]);

/** Leaf keys, dotted; a documented-inactive object (e.g. experimental.traffic_split) counts as one key. */
function leafKeys(): string[] {
  const inactive = inactiveKeys();
  const keys: string[] = [];
  const walk = (shape: Record<string, z.ZodType>, prefix: string): void => {
    for (const [name, node] of Object.entries(shape)) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      const nested = objectShape(node);
      if (nested !== undefined && !inactive.has(key)) walk(nested.shape, key);
      else keys.push(key);
    }
  };
  walk(configShape, '');
  return keys;
}

/** The composition root and the CLI: the only code that reads the configuration (the dependency rules enforce it). */
function configReaders(): string {
  const root = join(import.meta.dirname, '..', '..', 'src');
  return ['app', 'cli']
    .flatMap((dir) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => join(root, dir, f)))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

describe('no silent configuration keys', () => {
  const inactive = inactiveKeys();
  const keys = leafKeys();

  it('behavior: every active key is read where the configuration is turned into the daemon (app/, cli/)', () => {
    const readers = configReaders();
    const unread = keys.filter((key) => {
      if (inactive.has(key) || implementedByParallelBranch.has(key)) return false;
      const last = key.slice(key.lastIndexOf('.') + 1);
      return !new RegExp(`\\.${last}\\b|'${key}'`).test(readers);
    });
    assert.deepEqual(unread, [], 'keys neither read nor documented inactive (mark them `unused` with the reason)');
  });

  it('behavior: the parallel-branch list names only schema keys that are not documented inactive', () => {
    for (const key of implementedByParallelBranch) {
      assert.ok(keys.includes(key), `${key} is a schema key`);
      assert.ok(!inactive.has(key), `${key} is not also documented inactive`);
    }
  });

  it('behavior: the daemon warns at start-up naming every inactive key that is set', async () => {
    assert.ok(inactive.size >= 7, 'the inactive keys are found in the schema');
    const values: Record<string, unknown> = { passthrough_enabled: false, 'log.formatter.type': 'json' };
    for (const key of inactive.keys()) values[key] = key === 'experimental.traffic_split' ? { grpc: 7001, http: 7002 } : key.endsWith('enabled') || key.startsWith('experimental.') ? true : 'x';
    const daemon = await startConfiguredDaemon(values);
    try {
      const warned = daemon
        .logs()
        .split('\n')
        .filter((line) => line.includes('has no effect in snetd-ts'))
        .map((line) => (JSON.parse(line) as { key: string }).key);
      assert.deepEqual(warned.sort(), [...inactive.keys()].sort());
    } finally {
      await daemon.stop();
    }
  });

  it('behavior: an inactive key left at its default is not warned about', async () => {
    const daemon = await startConfiguredDaemon({ passthrough_enabled: false });
    try {
      assert.doesNotMatch(daemon.logs(), /has no effect in snetd-ts/);
    } finally {
      await daemon.stop();
    }
  });
});
