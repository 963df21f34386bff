import { randomBytes } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { toChecksumAddress } from '../../blockchain/index.ts';
import type { Logger } from '../../shared/index.ts';
import { parseFreeCallPaymentHeaders, type HeaderMap } from '../escrow/payment-headers.ts';
import type { AcceptedPayment, PaymentHandler } from '../payment-handler.ts';
import type { FreeCallAllowance } from './free-call-allowance.ts';
import type { FreeCallCounters } from './free-call-counters.ts';
import { freeCallRefusalError } from './free-call-errors.ts';
import { freeCallProtocolOf, parseLegacyFreeCallHeaders, type FreeCallProtocol } from './free-call-headers.ts';
import { isRefusal, type FreeCallVerifier, type VerifiedFreeCall } from './free-call-verifier.ts';

/** A free call accepted and reserved in the user's counter. */
export interface FreeCallReservation extends AcceptedPayment {
  readonly type: 'free-call';
  readonly priceCogs: 0n;
  readonly protocol: FreeCallProtocol;
}

/** Settings of {@link createFreeCallPaymentHandler}. */
export interface FreeCallPaymentHandlerOptions {
  /**
   * How long a reservation holds one of the user's free calls without renewal; a call in flight longer than a
   * third of it is renewed. After a crash the reservation counts as a used call this long after its last renewal.
   * @default 30000
   */
  readonly leaseMs?: number;
}

/** Dependencies of {@link createFreeCallPaymentHandler}. */
export interface FreeCallPaymentHandlerDeps {
  readonly verifier: FreeCallVerifier;
  readonly counters: FreeCallCounters;
  readonly allowance: FreeCallAllowance;
  readonly logger: Logger;
  /** @default Date.now */
  readonly now?: () => number;
}

class Reservation implements FreeCallReservation {
  readonly type = 'free-call';
  readonly priceCogs = 0n;
  readonly protocol: FreeCallProtocol;
  readonly userAddress: string;
  readonly key: string;
  readonly owner: string;
  writtenAtMs: number;
  renewing = false;
  done = false;

  constructor(protocol: FreeCallProtocol, userAddress: string, key: string, owner: string, writtenAtMs: number) {
    this.protocol = protocol;
    this.userAddress = userAddress;
    this.key = key;
    this.owner = owner;
    this.writtenAtMs = writtenAtMs;
  }
}

/**
 * The `free-call` payment type for both protocols (Go `escrow/free_call_payment_handler.go` for v6; the pre-v6
 * daemon's checks for npm snet-sdk 2.0.0): verify the user's signature and the token, then reserve one of the
 * user's free calls in the shared counter (`reserve`); the call counts when the service answers OK (`commit`),
 * not when it fails (`release`). Refusals are `PaymentError`s with the reference's texts.
 */
export function createFreeCallPaymentHandler(deps: FreeCallPaymentHandlerDeps, options: FreeCallPaymentHandlerOptions = {}): PaymentHandler<FreeCallReservation> {
  const { verifier, counters, allowance } = deps;
  const logger = deps.logger.child({ component: 'free-call' });
  const now = deps.now ?? Date.now;
  const leaseMs = options.leaseMs ?? 30_000;
  const ownerPrefix = bytesToHex(randomBytes(8));
  let ownerCounter = 0;

  const live = new Set<Reservation>();
  let sweeper: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  const renew = (r: Reservation): void => {
    r.renewing = true;
    const at = now();
    counters
      .renew(r.key, r.owner, at + leaseMs)
      .then((held) => {
        if (held) r.writtenAtMs = at;
        else live.delete(r);
      })
      .catch((err: unknown) => logger.warn({ err }, 'could not renew a free-call reservation; it counts as used when its lease ends'))
      .finally(() => {
        r.renewing = false;
      });
  };
  const track = (r: Reservation): void => {
    live.add(r);
    if (sweeper === undefined && !closed) {
      sweeper = setInterval(() => {
        const at = now();
        for (const item of live) if (!item.renewing && at - item.writtenAtMs >= leaseMs / 3) renew(item);
      }, Math.max(1, Math.floor(leaseMs / 6)));
      sweeper.unref();
    }
  };

  const verify = async (metadata: HeaderMap): Promise<{ protocol: FreeCallProtocol; call: VerifiedFreeCall }> => {
    const protocol = freeCallProtocolOf(metadata);
    let verified;
    if (protocol === 'v6') {
      const parsed = parseFreeCallPaymentHeaders(metadata);
      if (!parsed.ok) throw parsed.error;
      verified = await verifier.verifyV6(parsed.value);
    } else {
      const parsed = parseLegacyFreeCallHeaders(metadata);
      if (!parsed.ok) throw parsed.error;
      verified = await verifier.verifyLegacy(parsed.value);
    }
    if (isRefusal(verified)) throw freeCallRefusalError(verified);
    return { protocol, call: verified };
  };

  const finish = async (payment: FreeCallReservation, used: boolean): Promise<void> => {
    if (!(payment instanceof Reservation)) throw new TypeError('not a reservation made by this free-call handler');
    if (payment.done) return;
    payment.done = true;
    live.delete(payment);
    try {
      const settled = await counters.settle(payment.key, payment.owner, used);
      if (!settled) logger.warn({ user: payment.userAddress }, `free call ${used ? 'commit' : 'release'}: the reservation had already ended with its lease (counted as used)`);
    } catch (err) {
      logger.error({ err, user: payment.userAddress }, 'a free-call reservation could not be settled; it counts as used when its lease ends');
    }
  };

  return {
    async reserve(metadata) {
      const { protocol, call } = await verify(metadata);
      const allowed = allowance.allowedFor(call.signerHex, call.legacyEmail);
      const owner = `${ownerPrefix}-${(ownerCounter++).toString(36)}`;
      const at = now();
      await counters.reserve(call, allowed, owner, at + leaseMs);
      const reservation = new Reservation(protocol, toChecksumAddress(call.signer), counters.keyOf(call), owner, at);
      track(reservation);
      return reservation;
    },
    commit: (payment) => finish(payment, true),
    release: (payment) => finish(payment, false),
    close() {
      closed = true;
      if (sweeper !== undefined) clearInterval(sweeper);
      sweeper = undefined;
    },
  };
}
