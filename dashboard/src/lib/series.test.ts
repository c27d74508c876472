import { describe, expect, it } from 'vitest';
import { appendPoint, countValues, matrixToPoints, mergeHistory, type Point } from './series';

describe('matrixToPoints', () => {
  it('converts seconds to ms and strings to numbers', () => {
    expect(matrixToPoints([{ metric: { node: 'a' }, values: [[1700000000.5, '1.5'], [1700000015, 'NaN']] }]))
      .toEqual([[1700000000500, 1.5], [1700000015000, null]]);
    expect(matrixToPoints([])).toEqual([]);
  });
});

describe('appendPoint', () => {
  it('appends newer points and drops points that fall out of the window', () => {
    const pts: Point[] = [[0, 1], [500, 2], [1000, 3]];
    expect(appendPoint(pts, [1600, 4], 1000)).toEqual([[1000, 3], [1600, 4]]);
    expect(pts).toHaveLength(3);
  });

  it('ignores points not newer than the last', () => {
    const pts: Point[] = [[1000, 3]];
    expect(appendPoint(pts, [1000, 9], 10_000)).toBe(pts);
    expect(appendPoint(pts, [900, 9], 10_000)).toBe(pts);
  });
});

describe('mergeHistory', () => {
  it('keeps live points newer than the history', () => {
    const history: Point[] = [[1000, 1], [2000, 2]];
    const live: Point[] = [[1500, 9], [2500, 3]];
    expect(mergeHistory(history, live, 10_000)).toEqual([[1000, 1], [2000, 2], [2500, 3]]);
    expect(mergeHistory([], live, 10_000)).toEqual(live);
    expect(mergeHistory(history, [[20_000, 5]], 10_000)).toEqual([[20_000, 5]]);
  });

  it('countValues skips gaps', () => {
    expect(countValues([[1, 1], [2, null], [3, 0]])).toBe(2);
  });
});
