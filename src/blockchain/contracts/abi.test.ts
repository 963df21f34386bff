import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mpeAbi, registryAbi } from './abi.ts';
import { loadContractArtifact } from './artifacts.ts';

interface Param {
  readonly type: string;
  readonly name?: string;
  readonly indexed?: boolean;
}
interface Item {
  readonly type: string;
  readonly name?: string;
  readonly inputs?: readonly Param[];
  readonly outputs?: readonly Param[];
}

/** A canonical text of an ABI item: kind, name, parameter types, names and indexed flags. */
function signature(item: Item): string {
  const params = (list: readonly Param[] = []): string =>
    list.map((p) => `${p.type}${p.indexed === true ? ' indexed' : ''} ${p.name ?? ''}`.trim()).join(',');
  return `${item.type} ${item.name ?? ''}(${params(item.inputs)}) -> (${params(item.outputs)})`;
}

function signatures(abi: readonly unknown[]): Set<string> {
  return new Set((abi as Item[]).filter((i) => i.type === 'function' || i.type === 'event').map(signature));
}

void describe('contract ABIs', () => {
  for (const [name, subset] of [
    ['MultiPartyEscrow', mpeAbi],
    ['Registry', registryAbi],
  ] as const) {
    void it(`behavior: every ${name} fragment we use is in the npm ABI`, () => {
      const shipped = signatures(loadContractArtifact(name).abi);
      for (const item of subset) {
        assert.ok(shipped.has(signature(item)), `${signature(item)} is not in the npm ABI`);
      }
    });
  }

  void it('behavior: the npm bytecode is creation code', () => {
    for (const name of ['MultiPartyEscrow', 'Registry', 'SingularityNetToken'] as const) {
      // Solidity creation code starts with the free-memory-pointer setup PUSH1 0x80 PUSH1 0x40 MSTORE.
      assert.ok(loadContractArtifact(name).bytecode.startsWith('0x60806040'), name);
    }
  });
});
