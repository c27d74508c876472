package syslens.agent.collect;

import java.io.IOException;

/** statvfs(3) figures of one mounted filesystem; {@code files}/{@code filesFree} -1 when unknown. */
record FsStats(long sizeBytes, long freeBytes, long availBytes, long files, long filesFree) {

  /** Reads the figures of the filesystem mounted at a path. */
  interface Reader {
    FsStats read(String mountpoint) throws IOException;
  }
}
