package syslens.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordPolicyTest {
  private final PasswordPolicy policy = PasswordPolicy.create();

  @Test
  void create_loadsTheShippedLists() {
    // 19,726 from the 20k list plus SysLens' own additions (some overlap).
    assertThat(policy.commonCount()).isGreaterThan(19_700);
  }

  @Test
  void check_refusesLongPasswordsFromTheList() {
    // Entries of the shipped list that pass length and class rules on their own.
    assertThat(policy.check("alice", "john!20130605at1753")).get().asString().contains("commonly used");
    assertThat(policy.check("alice", "Demon1q2w3e4r5t")).get().asString().contains("commonly used");
  }

  @Test
  void check_refusesDecoratedCommonWords() {
    assertThat(policy.check("alice", "Supernatural2024!")).get().asString().contains("commonly used");
    assertThat(policy.check("alice", "!!Taekwondo123")).get().asString().contains("commonly used");
  }

  @Test
  void check_acceptsAnUncommonPassword() {
    assertThat(policy.check("alice", "Violet-Harbor-Kettle-42")).isEmpty();
  }

  @Test
  void check_isFast() {
    long start = System.nanoTime();
    for (int i = 0; i < 100_000; i++) {
      policy.check("alice", "Violet-Harbor-Kettle-" + i);
    }
    // A hash probe per candidate: 100,000 checks take well under a second even on a shared core.
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
  }
}
