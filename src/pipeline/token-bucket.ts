/**
 * A token bucket refilled lazily from the clock: no timer, two numbers of state, O(1) per call.
 * Starts full; `perMinute` tokens a minute, never more than `burst` saved up.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  #perMs: number;
  #burst: number;

  constructor(perMinute: number, burst: number, now: number) {
    this.#perMs = perMinute / 60_000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  /** Milliseconds until one token is there (0 = now). */
  waitMs(now: number): number {
    if (now > this.#last) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#perMs);
      this.#last = now;
    }
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#perMs);
  }

  /** Uses one token; call only after `waitMs` answered 0. */
  take(): void {
    this.#tokens -= 1;
  }

  /** New rate and size; tokens saved so far are kept (capped at the new size), so a change is no free burst. */
  resize(perMinute: number, burst: number, now: number): void {
    this.waitMs(now);
    this.#perMs = perMinute / 60_000;
    this.#burst = burst;
    this.#tokens = Math.min(this.#tokens, burst);
  }
}
