import type { AtomicStore, StoreCallOptions, StoreCondition, StoreOperation } from './atomic-store.ts';
import { assertValidValue } from './store-validation.ts';

type Transaction = (conditions: readonly StoreCondition[], operations: readonly StoreOperation[], options?: StoreCallOptions) => Promise<boolean>;

/**
 * `put`, `putIfAbsent` and `compareAndSwap` expressed as one-key transactions, so every backend gets
 * them with exactly the transaction's atomicity and error semantics.
 */
export function transactionWrites(transaction: Transaction): Pick<AtomicStore, 'put' | 'putIfAbsent' | 'compareAndSwap'> {
  return {
    async put(key, value, callOptions) {
      assertValidValue(value);
      await transaction([], [{ kind: 'put', key, value }], callOptions);
    },
    async putIfAbsent(key, value, callOptions) {
      assertValidValue(value);
      return transaction([{ kind: 'absent', key }], [{ kind: 'put', key, value }], callOptions);
    },
    async compareAndSwap(key, expected, next, callOptions) {
      assertValidValue(next);
      const condition: StoreCondition = expected === undefined ? { kind: 'absent', key } : { kind: 'equals', key, value: expected };
      return transaction([condition], [{ kind: 'put', key, value: next }], callOptions);
    },
  };
}
