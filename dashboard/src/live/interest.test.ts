import { describe, expect, it } from 'vitest';
import { MAX_SUBSCRIBED, NodeInterest, subscribeFrame } from './interest';

describe('NodeInterest', () => {
  it('subscribes to the union of what every holder wants, once each, sorted', () => {
    const i = new NodeInterest();
    const list = i.add(['b', 'a', 'c']);
    const detail = i.add(['a', 'z']);
    expect(i.union()).toEqual(['a', 'b', 'c', 'z']);
    i.set(list, ['d']);
    expect(i.union()).toEqual(['a', 'd', 'z']);
    i.remove(detail);
    expect(i.union()).toEqual(['d']);
    i.remove(list);
    expect(i.union()).toEqual([]);
  });

  it('ignores a handle already removed, and stays within the server limit', () => {
    const i = new NodeInterest();
    const h = i.add(['a']);
    i.remove(h);
    i.set(h, ['b']);
    expect(i.union()).toEqual([]);
    i.add(Array.from({ length: MAX_SUBSCRIBED + 5 }, (_, k) => `n${String(k).padStart(5, '0')}`));
    expect(i.union()).toHaveLength(MAX_SUBSCRIBED);
  });
});

describe('subscribeFrame', () => {
  it('is the message the server reads', () => {
    expect(subscribeFrame(['a', 'b'])).toBe('{"type":"subscribe","nodes":["a","b"]}');
    expect(subscribeFrame([])).toBe('{"type":"subscribe","nodes":[]}');
  });
});
