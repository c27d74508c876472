package syslens.server.ingest;

/**
 * Size limits of the HTTP ingest doors: a remote-write body as sent (snappy) and once
 * decompressed, a text import body.
 */
public record HttpIngestLimits(int maxCompressedBytes, int maxDecompressedBytes, int maxImportBytes) {
  public static final int MIB = 1024 * 1024;

  public HttpIngestLimits {
    if (maxCompressedBytes < 1024 || maxDecompressedBytes < maxCompressedBytes || maxImportBytes < 1024) {
      throw new IllegalArgumentException("ingest limits: compressed " + maxCompressedBytes + ", decompressed "
          + maxDecompressedBytes + ", import " + maxImportBytes
          + " bytes (expected: each >= 1024, decompressed >= compressed)");
    }
  }

  /** 10 MiB compressed, 64 MiB decompressed (remote-write), 32 MiB of text (import). */
  public static HttpIngestLimits defaults() {
    return new HttpIngestLimits(10 * MIB, 64 * MIB, 32 * MIB);
  }
}
