import { describe, expect, it } from 'vitest';
import { ScrollHold, type HoldClock } from './scrollHold';

/** A manual clock: advance(ms) runs the timers that fall due, in order. */
function manualClock() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: HoldClock & { advance(ms: number): void } = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void timers.delete(h as number),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
  return clock;
}

describe('ScrollHold', () => {
  it('run_atRest_appliesAtOnce', () => {
    const hold = new ScrollHold(250, 5000, manualClock());
    const seen: number[] = [];
    hold.run(() => seen.push(1));
    expect(seen).toEqual([1]);
    expect(hold.busy).toBe(false);
  });

  it('run_whileScrolling_appliesOnlyTheNewestWhenScrollingStops', () => {
    const clock = manualClock();
    const hold = new ScrollHold(250, 5000, clock);
    const seen: number[] = [];
    hold.scrolled();
    hold.run(() => seen.push(1));
    clock.advance(100);
    hold.scrolled();
    hold.run(() => seen.push(2));
    clock.advance(200); // 200 ms after the last scroll event: still scrolling
    expect(seen).toEqual([]);
    expect(hold.busy).toBe(true);
    clock.advance(50);
    expect(seen).toEqual([2]);
    expect(hold.busy).toBe(false);
    hold.run(() => seen.push(3));
    expect(seen).toEqual([2, 3]);
  });

  it('scrolled_forLongerThanMaxHold_appliesTheHeldUpdateMidScroll', () => {
    const clock = manualClock();
    const hold = new ScrollHold(250, 1000, clock);
    const seen: number[] = [];
    hold.scrolled();
    hold.run(() => seen.push(1));
    for (let t = 0; t < 900; t += 16) {
      clock.advance(16);
      hold.scrolled();
    }
    expect(seen).toEqual([]);
    for (let t = 0; t < 200; t += 16) {
      clock.advance(16);
      hold.scrolled();
    }
    expect(seen).toEqual([1]);
    expect(hold.busy).toBe(true);
  });

  it('dispose_dropsTheHeldUpdate', () => {
    const clock = manualClock();
    const hold = new ScrollHold(250, 5000, clock);
    const seen: number[] = [];
    hold.scrolled();
    hold.run(() => seen.push(1));
    hold.dispose();
    clock.advance(1000);
    expect(seen).toEqual([]);
  });

  it('constructor_badTimes_throws', () => {
    expect(() => new ScrollHold(0, 5000)).toThrow(/quietMs 0/);
    expect(() => new ScrollHold(300, 100)).toThrow(/maxHoldMs 100/);
  });
});
