package syslens.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link InputCorpusTest} with the embedded H2 metadata database. */
class InputCorpusH2Test extends InputCorpusTest {
  @BeforeAll
  static void startOnH2() throws Exception {
    startOn(null);
  }
}
