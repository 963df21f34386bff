// A "Go replica" for mixed-fleet tests: it accepts an escrow payment on a channel exactly the way the Go daemon
// touches etcd (Go `escrow/lock.go`, `etcddb/etcddb_client.go`, `escrow/escrow.go`): Lock = Get the lock key, busy
// when `locked`, CAS `unlocked` → `locked` (mod_revision compare) or PutIfAbsent `locked` (create_revision 0), no
// lease; read the gob PaymentChannelData; validate nonce and price; CAS the new gob value; Unlock = CAS
// `locked` → `unlocked`. It does not check signatures (the daemons under test do; this client only has to
// race them on the storage protocol).
import { Etcd3 } from 'etcd3';
import { channelKeyLayout, goPaymentChannelDataCodec, type GoPaymentChannelData } from '../../src/payments/index.ts';

/** Outcome of one payment attempt by the Go replica. */
export type GoReplicaOutcome = 'accepted' | 'busy' | 'no-channel' | 'wrong-nonce' | 'wrong-price' | 'lost-race';

/** The Go replica of one MPE prefix (`<network>/<org>/<group b64>/<MPE>`, the Go daemon's, no root). */
export interface GoReplica {
  pay(channelId: bigint, nonce: bigint, amount: bigint, signature: Uint8Array, price: bigint): Promise<GoReplicaOutcome>;
  /** Takes the channel lock and never gives it back: a Go replica that crashed mid-call. */
  crashWhileLocked(channelId: bigint): Promise<boolean>;
  /** The stored gob value, decoded (or `undefined`). */
  channel(channelId: bigint): Promise<GoPaymentChannelData | undefined>;
  /** The lock key's value, or `undefined` when absent. */
  lockValue(channelId: bigint): Promise<string | undefined>;
  close(): void;
}

export function createGoReplica(endpoint: string, mpePrefix: string): GoReplica {
  const client = new Etcd3({ hosts: [endpoint] });
  const layout = channelKeyLayout(mpePrefix);
  const buf = (text: string): Buffer => Buffer.from(text, 'utf8');

  const lock = async (key: string): Promise<boolean> => {
    const current = (await client.kv.range({ key: buf(key) })).kvs[0];
    if (current?.value.toString() === 'locked') return false;
    const compare =
      current === undefined
        ? { key: buf(key), target: 'Create' as const, result: 'Equal' as const, create_revision: 0 }
        : current.value.toString() === 'unlocked'
          ? { key: buf(key), target: 'Mod' as const, result: 'Equal' as const, mod_revision: current.mod_revision }
          : undefined;
    if (compare === undefined) return false;
    const response = await client.kv.txn({ compare: [compare], success: [{ request_put: { key: buf(key), value: buf('locked') } }], failure: [] });
    return response.succeeded;
  };

  const unlock = async (key: string): Promise<void> => {
    const current = (await client.kv.range({ key: buf(key) })).kvs[0];
    if (current?.value.toString() !== 'locked') return; // Go only logs this
    await client.kv.txn({
      compare: [{ key: buf(key), target: 'Mod', result: 'Equal', mod_revision: current.mod_revision }],
      success: [{ request_put: { key: buf(key), value: buf('unlocked') } }],
      failure: [],
    });
  };

  return {
    async pay(channelId, nonce, amount, signature, price) {
      const lockKey = layout.lockKey(channelId);
      if (!(await lock(lockKey))) return 'busy';
      try {
        const kv = (await client.kv.range({ key: buf(layout.channelKey(channelId)) })).kvs[0];
        if (kv === undefined) return 'no-channel';
        const channel = goPaymentChannelDataCodec.decode(new Uint8Array(kv.value));
        if ((channel.nonce ?? 0n) !== nonce) return 'wrong-nonce';
        if (amount - (channel.authorizedAmount ?? 0n) !== price) return 'wrong-price';
        const next = goPaymentChannelDataCodec.encode({ ...channel, authorizedAmount: amount, signature });
        const swapped = await client.kv.txn({
          compare: [{ key: buf(layout.channelKey(channelId)), target: 'Mod', result: 'Equal', mod_revision: kv.mod_revision }],
          success: [{ request_put: { key: buf(layout.channelKey(channelId)), value: Buffer.from(next) } }],
          failure: [],
        });
        return swapped.succeeded ? 'accepted' : 'lost-race';
      } finally {
        await unlock(lockKey);
      }
    },
    crashWhileLocked: (channelId) => lock(layout.lockKey(channelId)),
    async channel(channelId) {
      const kv = (await client.kv.range({ key: buf(layout.channelKey(channelId)) })).kvs[0];
      return kv === undefined ? undefined : goPaymentChannelDataCodec.decode(new Uint8Array(kv.value));
    },
    async lockValue(channelId) {
      const kv = (await client.kv.range({ key: buf(layout.lockKey(channelId)) })).kvs[0];
      return kv?.value.toString();
    },
    close: () => client.close(),
  };
}
