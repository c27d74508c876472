package syslens.query;

import java.util.ArrayList;
import java.util.List;
import syslens.query.Val.Sample;

/**
 * The samples {@code topk}/{@code bottomk} keep, chosen exactly as Prometheus 2.42 chooses them:
 * a heap of at most k samples fed in input order (Go's container/heap, with Prometheus' Less that
 * puts NaN lowest); a sample strictly better than the root (or any sample when the root is NaN)
 * pops the root and is pushed. Ties at the boundary therefore keep the same series as
 * Prometheus, which a stable sort would not (found by the server's differential test).
 */
final class TopK {
  private final boolean top;
  private final List<Sample> heap = new ArrayList<>();

  private TopK(boolean top) {
    this.top = top;
  }

  /** The kept samples of {@code in}, best first. */
  static List<Sample> select(List<Sample> in, long k, boolean top) {
    TopK h = new TopK(top);
    for (Sample s : in) {
      h.offer(s, k);
    }
    List<Sample> out = new ArrayList<>(h.heap);
    out.sort((a, b) -> top ? Aggregations.compareNanLow(b.v(), a.v()) : compareBottom(a.v(), b.v()));
    return out;
  }

  private static int compareBottom(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Double.isNaN(a) == Double.isNaN(b) ? 0 : (Double.isNaN(a) ? 1 : -1);
    }
    return Double.compare(a, b) == 0 ? 0 : (a < b ? -1 : 1);
  }

  private void offer(Sample s, long k) {
    if (heap.size() < k) {
      push(s);
      return;
    }
    double root = heap.get(0).v();
    if ((top ? root < s.v() : root > s.v()) || Double.isNaN(root)) {
      if (k == 1) {
        heap.set(0, s);
        return;
      }
      int n = heap.size() - 1;
      swap(0, n);
      down(0, n);
      heap.remove(n);
      push(s);
    }
  }

  private void push(Sample s) {
    heap.add(s);
    up(heap.size() - 1);
  }

  /** Prometheus' vectorByValueHeap / vectorByReverseValueHeap Less. */
  private boolean less(int i, int j) {
    double a = heap.get(i).v();
    if (Double.isNaN(a)) {
      return true;
    }
    double b = heap.get(j).v();
    return top ? a < b : a > b;
  }

  private void up(int j) {
    while (true) {
      int i = (j - 1) / 2;
      if (i == j || !less(j, i)) {
        return;
      }
      swap(i, j);
      j = i;
    }
  }

  private void down(int i0, int n) {
    int i = i0;
    while (true) {
      int j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) {
        break;
      }
      int j = j1;
      int j2 = j1 + 1;
      if (j2 < n && less(j2, j1)) {
        j = j2;
      }
      if (!less(j, i)) {
        break;
      }
      swap(i, j);
      i = j;
    }
  }

  private void swap(int i, int j) {
    Sample t = heap.get(i);
    heap.set(i, heap.get(j));
    heap.set(j, t);
  }
}
