/**
 * Holds back data updates while a list scrolls. The node list's polls (every 5 s: 10,000 nodes
 * filtered, sorted and every row on screen re-rendered) and live merges (every second) are not what
 * the user is looking at mid-scroll, and each one landing in a scroll frame made that frame long on
 * a busy machine (docs/benchmarks.md, bench ui attribution). While scrolling (from a scroll event
 * until `quietMs` after the last one) `run` keeps only the newest update and applies it when the
 * scrolling stops; a list kept scrolling still takes one at least every `maxHoldMs`, so what it shows
 * is never more than that late.
 */
export interface HoldClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: HoldClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class ScrollHold {
  private timer: unknown = undefined;
  private pending: (() => void) | null = null;
  /** When the oldest update still held arrived. */
  private heldSince = 0;
  private scrolling = false;

  constructor(
    readonly quietMs = 250,
    readonly maxHoldMs = 5000,
    private readonly clock: HoldClock = realClock,
  ) {
    if (!(quietMs > 0) || !(maxHoldMs >= quietMs)) {
      throw new Error(`ScrollHold: quietMs ${quietMs}, maxHoldMs ${maxHoldMs} (expected: 0 < quietMs <= maxHoldMs)`);
    }
  }

  /** True from a scroll event until quietMs after the last one. */
  get busy(): boolean {
    return this.scrolling;
  }

  /** To be called on every scroll event of the list. */
  scrolled(): void {
    this.scrolling = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.settle(), this.quietMs);
    // Scrolling that never stops still gets the data, at most maxHoldMs late.
    if (this.pending && this.clock.now() - this.heldSince >= this.maxHoldMs) this.flush();
  }

  /** Runs `update` now when the list is at rest, else once it stops (only the newest update runs). */
  run(update: () => void): void {
    if (!this.scrolling) {
      update();
      return;
    }
    if (!this.pending) this.heldSince = this.clock.now();
    this.pending = update;
  }

  /** Forgets a held update and the timer (the list unmounts). */
  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = null;
    this.scrolling = false;
  }

  private settle(): void {
    this.timer = undefined;
    this.scrolling = false;
    this.flush();
  }

  private flush(): void {
    const p = this.pending;
    this.pending = null;
    p?.();
  }
}
