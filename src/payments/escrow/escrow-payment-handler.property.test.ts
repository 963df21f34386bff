import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildClaimMessage, createSignatureRecoverer, privateKeyToAddress, signMessage } from '../../blockchain/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { createMemoryStore } from '../../storage/index.ts';
import { createPriceResolver } from '../pricing/index.ts';
import { createChannelRepository } from './channel-repository.ts';
import { createEscrowPaymentHandler } from './escrow-payment-handler.ts';

const MPE = '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E';
const KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const CLIENT = privateKeyToAddress(KEY);
const RECIPIENT = '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF';
const PRICE = 3n;
const recoverer = createSignatureRecoverer();

type Op = { kind: 'call'; serviceOk: boolean; copies: number } | { kind: 'replay'; pick: number; copies: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('call' as const), serviceOk: fc.boolean(), copies: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('replay' as const), pick: fc.nat(), copies: fc.integer({ min: 1, max: 4 }) }),
);

describe('escrow handler books (property)', () => {
  it('behavior: for any mix of calls, failed calls and concurrent replays, stored amount = sum of accepted prices, each payment at most once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const store = createMemoryStore();
        const chain = {
          getChannel: () => Promise.resolve({ nonce: 0n, sender: CLIENT, signer: CLIENT, recipient: RECIPIENT, groupId: `0x${'07'.repeat(32)}`, value: 10n ** 6n, expiration: 10n ** 9n }),
          getBlockNumber: () => Promise.resolve(1n),
        };
        const repository = createChannelRepository({ store, chain }, { mpePrefix: `p/${MPE}`, groupId: new Uint8Array(32).fill(7), recipient: RECIPIENT });
        const handler = createEscrowPaymentHandler(
          { repository, chain, recoverer, logger: createSilentLogger() },
          { mpeAddress: MPE, expirationThresholdBlocks: 10n, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }) },
        );
        const signed: Record<string, string>[] = [];
        const acceptedTimes = new Map<string, number>();
        let books = 0n;
        let clientAmount = 0n; // what the client believes is authorised (it learns from OK answers)
        const attempt = async (headers: Record<string, string>, serviceOk: boolean): Promise<void> => {
          let r;
          try {
            r = await handler.reserve(headers, '/a.B/c');
          } catch {
            return;
          }
          if (serviceOk) {
            await handler.commit(r);
            books += r.priceCogs;
            const amount = headers['snet-payment-channel-amount'] as string;
            acceptedTimes.set(amount, (acceptedTimes.get(amount) ?? 0) + 1);
            clientAmount = BigInt(amount);
          } else {
            await handler.release(r);
          }
        };
        for (const op of ops) {
          let headers: Record<string, string>;
          let serviceOk = true;
          if (op.kind === 'call' || signed.length === 0) {
            const amount = clientAmount + PRICE;
            headers = {
              'snet-payment-channel-id': '1',
              'snet-payment-channel-nonce': '0',
              'snet-payment-channel-amount': amount.toString(),
              'snet-payment-channel-signature-bin': Buffer.from(signMessage(KEY, buildClaimMessage({ mpeAddress: MPE, channelId: 1n, nonce: 0n, amount }))).toString('base64'),
            };
            signed.push(headers);
            serviceOk = op.kind === 'call' ? op.serviceOk : true;
          } else {
            headers = signed[op.pick % signed.length] as Record<string, string>;
          }
          await Promise.all(Array.from({ length: op.copies }, () => attempt(headers, serviceOk)));
        }
        const stored = await repository.readStored(1n);
        assert.equal(stored?.state.authorizedAmount ?? 0n, books);
        assert.equal(stored?.state.pending, undefined);
        for (const [amount, times] of acceptedTimes) assert.equal(times, 1, `payment ${amount} accepted ${times} times`);
      }),
      { numRuns: 40 },
    );
  });
});
