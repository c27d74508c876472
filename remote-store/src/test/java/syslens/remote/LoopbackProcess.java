package syslens.remote;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A store's binary started by a test on a loopback port: started (again) with the same command,
 * ready when its health URL answers the expected status, stopped with SIGTERM.
 */
final class LoopbackProcess implements AutoCloseable {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final List<String> command;
  private final Path log;
  private final URI health;
  private final int healthyStatus;
  private Process process;

  LoopbackProcess(List<String> command, Path log, URI health, int healthyStatus) {
    this.command = command;
    this.log = log;
    this.health = health;
    this.healthyStatus = healthyStatus;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  void start() throws IOException {
    process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(this::healthy);
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private boolean healthy() {
    if (!process.isAlive()) {
      throw new IllegalStateException(command.get(0) + " exited with " + process.exitValue() + "; see " + log);
    }
    try {
      return HTTP.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding()).statusCode()
          == healthyStatus;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      stop();
    }
  }
}
