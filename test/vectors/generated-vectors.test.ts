// The committed generated-vectors.json must be exactly what scripts/generate-vectors.ts produces (viem,
// fixed key, RFC 6979), so nobody can hand-edit an expected value to make a test pass.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildGeneratedVectors } from '../../scripts/generate-vectors.ts';

void describe('test/vectors/generated-vectors.json', () => {
  void it('behavior: is current (rerun scripts/generate-vectors.ts when this fails)', async () => {
    const committed: unknown = JSON.parse(readFileSync(new URL('generated-vectors.json', import.meta.url), 'utf8'));
    assert.deepEqual(committed, JSON.parse(JSON.stringify(await buildGeneratedVectors())));
  });
});
