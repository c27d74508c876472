package syslens.server;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import syslens.security.AuditLog;
import syslens.server.meta.MetaStore;

/** {@code syslens admin audit verify}: checks the audit log offline. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit log.",
    subcommands = {AuditCommand.Verify.class})
public final class AuditCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.err);
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Checks the audit log's hash chain; exit 0 when intact, 4 when a record was "
          + "modified, inserted or removed. With the embedded H2 database, stop the server first.")
  static final class Verify implements Callable<Integer> {
    static final int EXIT_TAMPERED = 4;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "./data",
        description = "Data directory (for the embedded metadata database). Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--metadata-url", paramLabel = "JDBC_URL", defaultValue = "${env:SYSLENS_METADATA_URL:-}",
        description = "PostgreSQL metadata database instead (user/password from SYSLENS_METADATA_USER/_PASSWORD).")
    String metadataUrl;

    @Override
    public Integer call() {
      try (MetaStore meta = metadataUrl == null || metadataUrl.isEmpty()
          ? MetaStore.openH2(data.toAbsolutePath().resolve("meta"))
          : MetaStore.openPostgres(metadataUrl, System.getenv("SYSLENS_METADATA_USER"),
              System.getenv("SYSLENS_METADATA_PASSWORD"))) {
        AuditLog.Verification v = AuditLog.open(meta.dataSource(), Clock.systemUTC()).verify();
        if (v.ok()) {
          System.out.println("audit log intact: " + v.checked() + " records verified");
          return 0;
        }
        System.out.println("audit log TAMPERED: " + v.problem() + " (" + v.checked()
            + " records verified before it)");
        return EXIT_TAMPERED;
      }
    }
  }
}
