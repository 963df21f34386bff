import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { buildStoragePrefixes, createMemoryStore, type AtomicStore } from '../../storage/index.ts';
import { createFreeCallCounters } from '../free-call/free-call-counters.ts';
import { decodeFreeCallState, encodeFreeCallState, type FreeCallState } from '../free-call/free-call-state.ts';
import { decodePrepaidUsage, encodePrepaidUsage, prepaidUsageKey, type PrepaidUsage } from '../prepaid/prepaid-usage.ts';
import { channelKeyLayout } from './go-channel-keys.ts';
import { goUsageKeyLayout, signerHexOfSentAddress, type GoFreeCallKeyParts, type GoPrepaidKind } from './go-usage-keys.ts';
import { exportUsageToGo, importUsageFromGo, type GoUsageMigrationOptions } from './go-usage-migration.ts';
import { goFreeCallUserDataCodec, goPrePaidDataCodec } from './go-values.ts';

const identity = { network: 'sepolia', organizationId: 'my-org', groupIdBase64: 'EoFm/N3nvaXpf6ew8jJbIPVghE5NXfYupFF7PkRmVyGQ=', mpeAddress: '0x5e592F9b1d303183d963635f895f0f0C48284f4e' };
const goPrefixes = buildStoragePrefixes({ ...identity, root: '' });
const ours = buildStoragePrefixes(identity);
const ids = { organizationId: identity.organizationId, serviceId: 'calc', groupIdBase64: identity.groupIdBase64 };
const options: GoUsageMigrationOptions = { goBasePrefix: goPrefixes.base, goMpePrefix: goPrefixes.mpe, basePrefix: ours.base, mpePrefix: ours.mpe, ...ids, now: () => 1_000_000 };
const goKeys = goUsageKeyLayout(goPrefixes.base, ids);

const WALLET = '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23';
const BACKEND = '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF';
const hexOf = (address: string): string => signerHexOfSentAddress(address) as string;
const encoder = new TextEncoder();

const putGoCounter = (store: AtomicStore, parts: GoFreeCallKeyParts, made: number, serviceId = ids.serviceId): Promise<void> =>
  store.put(
    goUsageKeyLayout(goPrefixes.base, { ...ids, serviceId }).freeCallKey(parts),
    goFreeCallUserDataCodec.encode({ address: parts.address, userId: parts.userId, freeCallsMade: BigInt(made), organizationId: ids.organizationId, serviceId, groupId: ids.groupIdBase64 }),
  );
const goCounter = async (store: AtomicStore, parts: GoFreeCallKeyParts): Promise<bigint | undefined> => {
  const bytes = await store.get(goKeys.freeCallKey(parts));
  return bytes === undefined ? undefined : goFreeCallUserDataCodec.decode(bytes).freeCallsMade;
};
/** A channel record under the MPE prefix of `mpe` (only its presence matters to the prepaid import). */
const putChannel = (store: AtomicStore, mpe: string, channelId: bigint): Promise<void> => store.put(channelKeyLayout(mpe).channelKey(channelId), new Uint8Array([1]));
const putGoPrepaid = async (store: AtomicStore, channelId: bigint, amounts: Partial<Record<GoPrepaidKind, bigint>>): Promise<void> => {
  await putChannel(store, goPrefixes.mpe, channelId);
  for (const [kind, amount] of Object.entries(amounts)) await store.put(goKeys.prepaidKey(channelId, kind as GoPrepaidKind), goPrePaidDataCodec.encode({ amount }));
};
const goPrepaid = async (store: AtomicStore, channelId: bigint): Promise<Partial<Record<GoPrepaidKind, bigint>>> => {
  const out: Partial<Record<GoPrepaidKind, bigint>> = {};
  for (const kind of ['U', 'P', 'R'] as const) {
    const bytes = await store.get(goKeys.prepaidKey(channelId, kind));
    if (bytes !== undefined) out[kind] = goPrePaidDataCodec.decode(bytes).amount ?? -1n;
  }
  return out;
};

const counters = (store: AtomicStore): ReturnType<typeof createFreeCallCounters> => createFreeCallCounters({ store }, { basePrefix: ours.base, ...ids, now: () => 1_000_000 });
const ourKey = (store: AtomicStore, address: string, userId = ''): string => counters(store).keyOf({ signerHex: hexOf(address), userId });
const putOurCounter = (store: AtomicStore, address: string, state: FreeCallState, userId = ''): Promise<void> => store.put(ourKey(store, address, userId), encodeFreeCallState(state));
const ourCounter = async (store: AtomicStore, address: string, userId = ''): Promise<FreeCallState | undefined> => {
  const key = ourKey(store, address, userId);
  const bytes = await store.get(key);
  return bytes === undefined ? undefined : decodeFreeCallState(key, bytes);
};
const putOurUsage = async (store: AtomicStore, channelId: bigint, usage: PrepaidUsage): Promise<void> => {
  await putChannel(store, ours.mpe, channelId);
  await store.put(prepaidUsageKey(ours.mpe, channelId), encodePrepaidUsage(usage));
};
const ourUsage = async (store: AtomicStore, channelId: bigint): Promise<PrepaidUsage | undefined> => {
  const bytes = await store.get(prepaidUsageKey(ours.mpe, channelId));
  return bytes === undefined ? undefined : decodePrepaidUsage(bytes);
};

void describe('goUsageKeyLayout()', () => {
  void it('builds and parses the Go keys, the group id with its "/" included', () => {
    const parts = { address: WALLET, userId: 'a/b@example.com' };
    const key = goKeys.freeCallKey(parts);
    assert.equal(key, `sepolia/my-org/${ids.groupIdBase64}//free-call-user/storage/{ID:${WALLET}/a/b@example.com/my-org/calc/${ids.groupIdBase64}}`);
    assert.deepEqual(goKeys.parseFreeCallKey(key), parts);
    assert.equal(goKeys.freeCallLockKey(parts), `sepolia/my-org/${ids.groupIdBase64}//freecall/lock/{ID:${WALLET}/a/b@example.com/my-org/calc/${ids.groupIdBase64}}`);
    assert.equal(goKeys.parseFreeCallKey(`${goKeys.freeCallPrefix}{ID:user@example.com/my-org/calc/${ids.groupIdBase64}}`), 'pre-v6');
    assert.equal(goKeys.parseFreeCallKey(`${goKeys.freeCallPrefix}{ID:${WALLET}//my-org/other/${ids.groupIdBase64}}`), undefined);
    assert.equal(goKeys.prepaidKey(11n, 'P'), `sepolia/my-org/${ids.groupIdBase64}//PrePaid/storage/{ID:11/P}`);
    assert.deepEqual(goKeys.parsePrepaidKey(goKeys.prepaidKey(11n, 'R')), { channelId: 11n, kind: 'R' });
    assert.equal(goKeys.parsePrepaidKey(`${goKeys.prepaidPrefix}{ID:11/X}`), undefined);
  });

  void it('reads a sent address as Go HexToAddress does for the signature check', () => {
    assert.equal(signerHexOfSentAddress(WALLET), WALLET.slice(2).toLowerCase());
    assert.equal(signerHexOfSentAddress(WALLET.slice(2).toUpperCase()), WALLET.slice(2).toLowerCase());
    assert.equal(signerHexOfSentAddress('0x1234'), undefined);
  });
});

void describe('importUsageFromGo()', () => {
  let goStore: AtomicStore;
  let store: AtomicStore;
  beforeEach(() => {
    goStore = createMemoryStore();
    store = createMemoryStore();
  });

  void it('adds up the spellings of one signer, keeps users and services apart, and a rerun changes nothing', async () => {
    await putGoCounter(goStore, { address: WALLET, userId: '' }, 2);
    await putGoCounter(goStore, { address: WALLET.toLowerCase(), userId: '' }, 1); // Go counted this spelling apart
    await putGoCounter(goStore, { address: BACKEND, userId: 'alice@example.com' }, 4);
    await putGoCounter(goStore, { address: BACKEND, userId: '' }, 9, 'other-service');
    await goStore.put(`${goKeys.freeCallPrefix}{ID:bob@example.com/my-org/calc/${ids.groupIdBase64}}`, goFreeCallUserDataCodec.encode({ address: '', userId: 'bob@example.com', freeCallsMade: 3n, organizationId: '', serviceId: '', groupId: '' }));

    const report = await importUsageFromGo(goStore, store, options);
    assert.deepEqual(
      report.freeCalls.map((c) => [c.address, c.userId, c.action, c.made]),
      [
        [`${goKeys.freeCallPrefix}{ID:bob@example.com/my-org/calc/${ids.groupIdBase64}}`, '', 'pre-v6', undefined],
        [BACKEND, 'alice@example.com', 'copied', 4],
        [WALLET, '', 'copied', 3],
      ],
    );
    assert.equal(report.freeCallsMade, 7);
    assert.deepEqual(await ourCounter(store, WALLET), { made: 3, pending: [] });
    assert.deepEqual(await ourCounter(store, BACKEND, 'alice@example.com'), { made: 4, pending: [] });
    assert.equal(await ourCounter(store, BACKEND), undefined, "another service's counter is not ours");

    const again = await importUsageFromGo(goStore, store, options);
    assert.deepEqual(again.freeCalls.map((c) => c.action).sort(), ['pre-v6', 'unchanged', 'unchanged']);
  });

  void it('never lowers a count snetd-ts holds; keeps reservations of calls in flight on top of the Go count', async () => {
    await putGoCounter(goStore, { address: WALLET, userId: '' }, 2);
    await putGoCounter(goStore, { address: BACKEND, userId: '' }, 5);
    await putOurCounter(store, WALLET, { made: 4, pending: [] });
    await putOurCounter(store, BACKEND, { made: 1, pending: [{ owner: 'x', leaseUntilMs: 2_000_000 }, { owner: 'y', leaseUntilMs: 10 }] });
    const report = await importUsageFromGo(goStore, store, options);
    const byAddress = new Map(report.freeCalls.map((c) => [c.address, c]));
    assert.equal(byAddress.get(WALLET)?.action, 'kept-higher');
    assert.equal(byAddress.get(WALLET)?.targetMade, 4);
    assert.equal(byAddress.get(BACKEND)?.action, 'raised');
    assert.deepEqual(await ourCounter(store, WALLET), { made: 4, pending: [] });
    // The expired reservation became a used call (2), below Go's 5: the count is 5, the live reservation stays.
    assert.deepEqual(await ourCounter(store, BACKEND), { made: 5, pending: [{ owner: 'x', leaseUntilMs: 2_000_000 }] });
  });

  void it('skips a user whose Go lock is "locked" unless told otherwise, then counts the call Go was serving; a dry run writes nothing', async () => {
    const parts = { address: WALLET, userId: '' };
    await putGoCounter(goStore, parts, 2);
    await goStore.put(goKeys.freeCallLockKey(parts), encoder.encode('locked'));
    const skipped = await importUsageFromGo(goStore, store, options);
    assert.equal(skipped.freeCalls[0]?.action, 'skipped-locked');
    assert.equal(await ourCounter(store, WALLET), undefined);

    const dry = await importUsageFromGo(goStore, store, { ...options, includeLocked: true, dryRun: true });
    assert.deepEqual([dry.freeCalls[0]?.action, dry.freeCalls[0]?.made], ['copied', 3]);
    assert.equal(await ourCounter(store, WALLET), undefined);

    await importUsageFromGo(goStore, store, { ...options, includeLocked: true });
    assert.deepEqual(await ourCounter(store, WALLET), { made: 3, pending: [] });
    await goStore.put(goKeys.freeCallLockKey(parts), encoder.encode('unlocked'));
    assert.equal((await importUsageFromGo(goStore, store, options)).freeCalls[0]?.action, 'kept-higher');
  });

  void it('reports unreadable counters and carries on', async () => {
    await goStore.put(goKeys.freeCallKey({ address: WALLET, userId: '' }), new Uint8Array([1, 2, 3]));
    await putGoCounter(goStore, { address: '0xnot-an-address', userId: '' }, 1);
    await putGoCounter(goStore, { address: BACKEND, userId: '' }, 1);
    const report = await importUsageFromGo(goStore, store, options);
    assert.deepEqual(report.freeCalls.map((c) => c.action).sort(), ['copied', 'unreadable', 'unreadable']);
    assert.ok(report.freeCalls.some((c) => /"0xnot-an-address" is not an address/.test(c.detail ?? '')));
  });

  void it('takes prepaid usage net of refunds, merges with ours without lowering either amount, and reruns unchanged', async () => {
    await putGoPrepaid(goStore, 11n, { P: 100n, U: 70n, R: 20n });
    await putGoPrepaid(goStore, 12n, { P: 40n, U: 10n });
    await putGoPrepaid(goStore, 13n, { P: 10n, U: 5n });
    await putGoPrepaid(goStore, 14n, { P: 10n, U: 30n }); // Go would never write this
    await putOurUsage(store, 12n, { planned: 50n, used: 5n, op: 'ab' });
    await putOurUsage(store, 13n, { planned: 20n, used: 15n });

    const report = await importUsageFromGo(goStore, store, options);
    assert.deepEqual(report.prepaid.map((p) => [p.channelId, p.action, p.planned, p.used]), [
      [11n, 'copied', 100n, 50n],
      [12n, 'raised', 40n, 10n],
      [13n, 'kept-higher', 10n, 5n],
      [14n, 'unreadable', 10n, 30n],
    ]);
    assert.deepEqual(await ourUsage(store, 11n), { planned: 100n, used: 50n, op: undefined });
    assert.deepEqual(await ourUsage(store, 12n), { planned: 50n, used: 10n, op: 'ab' });
    assert.deepEqual(await ourUsage(store, 13n), { planned: 20n, used: 15n, op: undefined });
    assert.equal(await ourUsage(store, 14n), undefined);
    assert.deepEqual([report.prepaidPlanned, report.prepaidUsed], [150n, 65n]);

    const again = await importUsageFromGo(goStore, store, options);
    assert.deepEqual(again.prepaid.map((p) => p.action), ['unchanged', 'kept-higher', 'kept-higher', 'unreadable']);
  });

  void it('leaves alone Go prepaid amounts of a channel no side stores under this MPE (Go prepaid keys name no contract)', async () => {
    await putGoPrepaid(goStore, 21n, { P: 100n, U: 70n });
    await putGoPrepaid(goStore, 22n, { P: 50n, U: 10n });
    await putGoPrepaid(goStore, 23n, { P: 50n, U: 20n });
    await goStore.delete(channelKeyLayout(goPrefixes.mpe).channelKey(22n));
    await goStore.delete(channelKeyLayout(goPrefixes.mpe).channelKey(23n));
    await putChannel(store, ours.mpe, 23n); // imported before, or served by snetd-ts since
    const report = await importUsageFromGo(goStore, store, options);
    assert.deepEqual(report.prepaid.map((p) => [p.channelId, p.action]), [[21n, 'copied'], [22n, 'no-channel'], [23n, 'copied']]);
    assert.equal(await ourUsage(store, 22n), undefined);
  });

  void it('reports a record that changed between read and write and leaves the other writer\'s value', async () => {
    await putGoPrepaid(goStore, 11n, { P: 100n, U: 70n });
    await putGoCounter(goStore, { address: WALLET, userId: '' }, 2);
    const racing: AtomicStore = {
      ...store,
      get: async (key, callOptions) => {
        const value = await store.get(key, callOptions);
        if (key.includes('prepaid')) await putOurUsage(store, 11n, { planned: 100n, used: 90n });
        else await putOurCounter(store, WALLET, { made: 1, pending: [] });
        return value;
      },
    };
    const report = await importUsageFromGo(goStore, racing, options);
    assert.deepEqual([report.freeCalls[0]?.action, report.prepaid[0]?.action], ['changed-meanwhile', 'changed-meanwhile']);
    assert.deepEqual(await ourUsage(store, 11n), { planned: 100n, used: 90n, op: undefined });
    assert.deepEqual((await importUsageFromGo(goStore, store, options)).freeCalls[0]?.action, 'raised');
  });
});

void describe('exportUsageToGo()', () => {
  void it('raises every Go spelling of a signer to our count, creates the EIP-55 one when Go has none, never lowers Go', async () => {
    const goStore = createMemoryStore();
    const store = createMemoryStore();
    await putOurCounter(store, WALLET, { made: 4, pending: [{ owner: 'x', leaseUntilMs: 2_000_000 }] }); // the call in flight counts
    await putOurCounter(store, BACKEND, { made: 2, pending: [] }, 'alice@example.com');
    await putOurCounter(store, BACKEND, { made: 1, pending: [] });
    await putGoCounter(goStore, { address: WALLET.toLowerCase(), userId: '' }, 1);
    await putGoCounter(goStore, { address: WALLET.slice(2), userId: '' }, 2);
    await putGoCounter(goStore, { address: BACKEND, userId: '' }, 3);

    const report = await exportUsageToGo(store, goStore, options);
    assert.deepEqual(
      report.freeCalls.map((c) => [c.address, c.userId, c.action, c.made]).sort(),
      [
        [BACKEND, '', 'kept-higher', 1],
        [BACKEND, 'alice@example.com', 'copied', 2],
        [WALLET.slice(2), '', 'raised', 5],
        [WALLET.toLowerCase(), '', 'raised', 5],
      ].sort(),
    );
    assert.equal(await goCounter(goStore, { address: WALLET.toLowerCase(), userId: '' }), 5n);
    assert.equal(await goCounter(goStore, { address: WALLET.slice(2), userId: '' }), 5n);
    assert.equal(await goCounter(goStore, { address: WALLET, userId: '' }), undefined, 'no new spelling beside the ones Go knows');
    assert.equal(await goCounter(goStore, { address: BACKEND, userId: '' }), 3n);
    const alice = await goStore.get(goKeys.freeCallKey({ address: BACKEND, userId: 'alice@example.com' }));
    assert.ok(alice !== undefined);
    assert.deepEqual(goFreeCallUserDataCodec.decode(alice), { address: BACKEND, userId: 'alice@example.com', freeCallsMade: 2n, ...{ organizationId: 'my-org', serviceId: 'calc', groupId: ids.groupIdBase64 } });
    assert.deepEqual((await exportUsageToGo(store, goStore, options)).freeCalls.map((c) => c.action).sort(), ['kept-higher', 'unchanged', 'unchanged', 'unchanged']);
  });

  void it('finds the Go counter of a user id too long for our key by its hash', async () => {
    const goStore = createMemoryStore();
    const store = createMemoryStore();
    const userId = `${'x'.repeat(300)}@example.com`;
    await putGoCounter(goStore, { address: BACKEND, userId }, 2);
    await importUsageFromGo(goStore, store, options);
    await store.put(ourKey(store, BACKEND, userId), encodeFreeCallState({ made: 4, pending: [] }));
    await store.put(ourKey(store, WALLET, userId), encodeFreeCallState({ made: 1, pending: [] })); // Go has no counter of it
    const report = await exportUsageToGo(store, goStore, options);
    assert.deepEqual(report.freeCalls.map((c) => [c.address, c.action]).sort(), [[BACKEND, 'raised'], [WALLET, 'unreadable']].sort());
    assert.equal(await goCounter(goStore, { address: BACKEND, userId }), 4n);
  });

  void it('raises Go prepaid usage keeping refunds, in one transaction; import of the result is unchanged', async () => {
    const goStore = createMemoryStore();
    const store = createMemoryStore();
    await putOurUsage(store, 11n, { planned: 120n, used: 60n });
    await putOurUsage(store, 12n, { planned: 30n, used: 30n });
    await putOurUsage(store, 13n, { planned: 0n, used: 0n });
    await putOurUsage(store, 14n, { planned: 10n, used: 1n });
    await putGoPrepaid(goStore, 11n, { P: 100n, U: 70n, R: 20n });
    await putGoPrepaid(goStore, 14n, { P: 50n, U: 9n });

    const report = await exportUsageToGo(store, goStore, options);
    assert.deepEqual(report.prepaid.map((p) => [p.channelId, p.action]), [[11n, 'raised'], [12n, 'copied'], [13n, 'unchanged'], [14n, 'kept-higher']]);
    assert.deepEqual(await goPrepaid(goStore, 11n), { P: 120n, U: 80n, R: 20n });
    assert.deepEqual(await goPrepaid(goStore, 12n), { P: 30n, U: 30n });
    assert.deepEqual(await goPrepaid(goStore, 13n), {});
    assert.deepEqual(await goPrepaid(goStore, 14n), { P: 50n, U: 9n });

    const again = await exportUsageToGo(store, goStore, options);
    assert.deepEqual(again.prepaid.map((p) => p.action), ['unchanged', 'unchanged', 'unchanged', 'kept-higher']);
    const back = await importUsageFromGo(goStore, store, options);
    assert.deepEqual(back.prepaid.map((p) => [p.channelId, p.action]), [[11n, 'unchanged'], [12n, 'unchanged'], [14n, 'raised']]);
    assert.deepEqual(await ourUsage(store, 14n), { planned: 50n, used: 9n, op: undefined });
  });

  void it('writes nothing when a Go amount changed after it was read', async () => {
    const goStore = createMemoryStore();
    const store = createMemoryStore();
    await putOurUsage(store, 11n, { planned: 120n, used: 60n });
    await putGoPrepaid(goStore, 11n, { P: 100n, U: 50n });
    const racing: AtomicStore = {
      ...goStore,
      getByPrefix: async (prefix, callOptions) => {
        const entries = await goStore.getByPrefix(prefix, callOptions);
        if (prefix === goKeys.prepaidPrefix) await putGoPrepaid(goStore, 11n, { U: 55n }); // a Go replica served a call
        return entries;
      },
    };
    assert.equal((await exportUsageToGo(store, racing, options)).prepaid[0]?.action, 'changed-meanwhile');
    assert.deepEqual(await goPrepaid(goStore, 11n), { P: 100n, U: 55n });
  });
});
