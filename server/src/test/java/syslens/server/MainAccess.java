package syslens.server;

import picocli.CommandLine;

/** Test access to the server's command line, configured as {@code Main.main} configures it. */
public final class MainAccess {
  private MainAccess() {}

  public static CommandLine commandLine() {
    return Main.commandLine();
  }
}
