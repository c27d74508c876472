package syslens.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program for a server command: no shell unless asked for, output (stdout and stderr) kept
 * up to a limit, and the whole process tree killed at the timeout.
 */
final class CommandRunner {
  static final int MAX_OUTPUT = 64 * 1024;

  record Outcome(boolean ok, String output) {}

  private CommandRunner() {}

  static Outcome run(List<String> argv, Duration timeout) {
    Process p;
    try {
      p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      p.getOutputStream().close(); // no input
    } catch (IOException | RuntimeException e) {
      return new Outcome(false, "cannot start " + argv.get(0) + ": " + e.getMessage());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader = Thread.ofVirtual().start(() -> drain(p.getInputStream(), out));
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        reader.join(1000);
        return new Outcome(false, "killed after " + timeout.toMillis() + " ms\n" + text(out));
      }
      reader.join(1000);
    } catch (InterruptedException e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Outcome(false, "interrupted");
    }
    int rc = p.exitValue();
    return new Outcome(rc == 0, (rc == 0 ? "" : "exit status " + rc + "\n") + text(out));
  }

  private static void drain(InputStream in, ByteArrayOutputStream out) {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        synchronized (out) {
          if (out.size() < MAX_OUTPUT) {
            out.write(buf, 0, Math.min(n, MAX_OUTPUT - out.size()));
          }
        }
      }
    } catch (IOException e) {
      // the process was killed
    }
  }

  private static String text(ByteArrayOutputStream out) {
    synchronized (out) {
      String s = out.toString(StandardCharsets.UTF_8);
      return out.size() >= MAX_OUTPUT ? s + "\n[truncated]" : s;
    }
  }
}
