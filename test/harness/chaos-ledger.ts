/**
 * Client-side books of the chaos test (test/integration/chaos.test.ts). Every payment is (channel, level): the
 * cumulative amount `level × price`, so the daemon's stored amount of a channel is `K × price` where levels 1..K
 * are exactly the payments it accepted (the price check `amount − authorised == price` makes the chain
 * contiguous, and a level's signature is deterministic, so all sends of one level are the same payment).
 *
 * Each send is classified by what the client could observe:
 * - `accepted`: the client saw status OK;
 * - `refused`: the daemon cannot have kept it (a status other than OK with no cancel/deadline/disconnect by the
 *   client, or a call the service never answers OK: `fail`, `headers-fail`, `hang`, a truncated or aborted first
 *   message);
 * - `unknown`: the client cancelled, its deadline passed or its connection went while the service could still
 *   answer OK, so the daemon may have committed it.
 */

/** A seeded PRNG (mulberry32): the same seed gives the same sequence. */
export function createRandom(seed: number): { next(): number; int(below: number): number; pick<T>(items: readonly T[]): T; chance(p: number): boolean } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number): number => Math.floor(next() * below);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    chance: (p) => next() < p,
  };
}

export type PaymentOutcome = 'accepted' | 'refused' | 'unknown';

/** One send of a payment and what the client made of it. */
export interface PaymentSend {
  readonly channel: number;
  readonly level: bigint;
  readonly outcome: PaymentOutcome;
  /** What happened, for failure messages: op id, kind, status. */
  readonly note: string;
}

/** The verdict on one channel. */
export interface ChannelBooks {
  /** Levels the stored amount covers. */
  readonly storedLevels: bigint;
  /** Levels with an OK the client saw. */
  readonly acceptedLevels: number;
  /** Levels counted by the daemon that the client could only classify as unknown. */
  readonly unknownCounted: number;
  /** Levels whose sends were all unknown and that the daemon did not count. */
  readonly unknownNotCounted: number;
  /** Every problem found (empty when the books add up). */
  readonly violations: string[];
}

/** The client's books: every payment send, per channel. */
export class PaymentLedger {
  readonly #sends: PaymentSend[] = [];

  record(send: PaymentSend): void {
    this.#sends.push(send);
  }

  sends(channel?: number): readonly PaymentSend[] {
    return channel === undefined ? this.#sends : this.#sends.filter((s) => s.channel === channel);
  }

  /**
   * Checks one channel against the amount the daemon stored: `stored == price × K`; every level the client saw
   * accepted is ≤ K and was accepted once; every level 1..K has a send that was accepted or unknown (a refused
   * payment is never counted) and, when `serviceAnsweredOk` is given, a call the service answered OK.
   */
  check(channel: number, storedAmount: bigint, priceCogs: bigint, serviceAnsweredOk?: (level: bigint) => boolean): ChannelBooks {
    const violations: string[] = [];
    const sends = this.sends(channel);
    if (storedAmount % priceCogs !== 0n) violations.push(`stored amount ${storedAmount} is not a multiple of the price ${priceCogs}`);
    const storedLevels = storedAmount / priceCogs;
    const byLevel = new Map<bigint, PaymentSend[]>();
    for (const send of sends) {
      const list = byLevel.get(send.level) ?? [];
      list.push(send);
      byLevel.set(send.level, list);
    }
    let acceptedLevels = 0;
    let unknownCounted = 0;
    let unknownNotCounted = 0;
    for (const [level, list] of byLevel) {
      const accepted = list.filter((s) => s.outcome === 'accepted');
      const unknown = list.filter((s) => s.outcome === 'unknown');
      if (accepted.length > 1) violations.push(`level ${level} accepted ${accepted.length} times: ${accepted.map((s) => s.note).join('; ')}`);
      if (accepted.length > 0) {
        acceptedLevels++;
        if (level > storedLevels) violations.push(`level ${level} was answered OK but the daemon stored only ${storedLevels} levels (payment lost): ${accepted[0]?.note}`);
      } else if (unknown.length > 0) {
        if (level <= storedLevels) unknownCounted++;
        else unknownNotCounted++;
      } else if (level <= storedLevels) {
        violations.push(`level ${level} is counted but every send of it was refused: ${list.map((s) => s.note).join('; ')}`);
      }
    }
    for (let level = 1n; level <= storedLevels; level++) {
      if (!byLevel.has(level)) violations.push(`level ${level} is counted but was never sent`);
      else if (serviceAnsweredOk !== undefined && !serviceAnsweredOk(level)) violations.push(`level ${level} is counted but the service never answered OK to it`);
    }
    return { storedLevels, acceptedLevels, unknownCounted, unknownNotCounted, violations };
  }
}
