import { describe, expect, it } from 'vitest';
import { backoffDelay, liveUrl } from './LiveProvider';

describe('liveUrl', () => {
  it('matches the page protocol and escapes the token', () => {
    expect(liveUrl({ protocol: 'https:', host: 'mon.example:8443' }, 'a.b+c')).toBe('wss://mon.example:8443/api/v1/live?token=a.b%2Bc&subscribe=none');
    expect(liveUrl({ protocol: 'http:', host: 'localhost:9090' }, 'x')).toBe('ws://localhost:9090/api/v1/live?token=x&subscribe=none');
  });
});

describe('backoffDelay', () => {
  it('doubles from 1 s up to 30 s', () => {
    const noJitter = () => 1;
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((a) => backoffDelay(a, noJitter))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('jitters down by at most 25 %', () => {
    expect(backoffDelay(0, () => 0)).toBe(750);
  });
});
