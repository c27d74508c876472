package syslens.bench;

/**
 * Samples a SysLens server's heap in use ({@code jvm_memory_used_bytes{area="heap"}} of /metrics)
 * every 20 ms on its own thread, keeping the peak since the last {@link #reset}.
 */
final class HeapWatch implements AutoCloseable {
  private final Servers.SysLens server;
  private final Thread thread;
  private volatile double peak = Double.NaN;
  private volatile long samples;
  private volatile boolean stop;

  private HeapWatch(Servers.SysLens server) {
    this.server = server;
    this.thread = new Thread(this::loop, "bench-heap-watch");
    thread.setDaemon(true);
  }

  /** Starts watching; returns once the first sample is in (or after 5 s). */
  static HeapWatch start(Servers.SysLens server) throws InterruptedException {
    HeapWatch w = new HeapWatch(server);
    w.thread.start();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (Double.isNaN(w.peak) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return w;
  }

  private void loop() {
    while (!stop) {
      try {
        double h = server.metric("jvm_memory_used_bytes", "area=\"heap\"");
        synchronized (this) {
          peak = Double.isNaN(peak) ? h : Math.max(peak, h);
          samples++;
        }
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // the server is busy or gone; the next sample may work
      }
    }
  }

  synchronized void reset() {
    peak = Double.NaN;
  }

  /** Peak heap in use since the last reset, after at least one more sample (waits up to 5 s). */
  double peak() throws InterruptedException {
    long seen = samples;
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (samples < seen + 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return peak;
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.interrupt();
    thread.join(5000);
  }
}
