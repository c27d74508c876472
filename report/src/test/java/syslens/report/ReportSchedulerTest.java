package syslens.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.report.Schedule.Cadence;
import syslens.report.Schedule.Recipient;
import syslens.tsdb.Tsdb;

/** Scheduled reports delivered to a real SMTP server (GreenMail), in each recipient's language, with retries. */
class ReportSchedulerTest {
  @TempDir
  static Path tmp;
  static Tsdb tsdb;

  @BeforeAll
  static void open() {
    tsdb = Tsdb.builder(tmp.resolve("tsdb")).build();
    new Synthetic().write(tsdb);
  }

  @AfterAll
  static void close() {
    tsdb.close();
  }

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Schedule daily() {
    return new Schedule("s1", "alice", "daily", Cadence.DAILY, 0, LocalTime.of(6, 0), ZoneOffset.UTC,
        List.of(Kind.UTILIZATION, Kind.AVAILABILITY), ReportScope.parse("cluster", "c1"),
        List.of(Recipient.address("li@example.org", "zh-CN"), Recipient.address("ann@example.org", "en")), "en");
  }

  @Test
  void tick_dueScheduleMailsEachRecipientThePdfInTheirLanguage() throws Exception {
    int port = freePort();
    GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
    mail.start();
    try {
      TestClock clock = new TestClock(Instant.parse("2026-11-02T05:00:00Z"));
      List<String> audit = new CopyOnWriteArrayList<>();
      ReportScheduler s = ReportScheduler.builder(service(), new SmtpMailer("127.0.0.1", port,
          "syslens@example.org", null, null, false, Duration.ofSeconds(10)), owner -> tsdb).clock(clock)
          .audit((a, sch, d) -> audit.add(a + " " + d)).build();
      s.put(daily());
      s.tick();
      assertThat(mail.getReceivedMessages()).as("not due before 06:00").isEmpty();
      clock.now = Instant.parse("2026-11-02T06:00:01Z");
      s.tick();
      assertThat(mail.waitForIncomingEmail(10_000, 2)).isTrue();
      MimeMessage li = find(mail, "li@example.org");
      assertThat(li.getSubject()).isEqualTo("基础设施报告：2026-11-01 – 2026-11-01");
      BodyPart pdf = ((Multipart) li.getContent()).getBodyPart(1);
      assertThat(pdf.getFileName()).isEqualTo("syslens-report-2026-11-01.pdf");
      assertThat(pdf.getContentType()).startsWith("application/pdf");
      try (InputStream in = pdf.getInputStream()) {
        assertThat(new String(in.readNBytes(5), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
      }
      assertThat(find(mail, "ann@example.org").getSubject()).isEqualTo("Infrastructure report: 2026-11-01 – 2026-11-01");
      assertThat(s.status("s1").orElseThrow().due()).isEqualTo(Instant.parse("2026-11-03T06:00:00Z"));
      assertThat(audit).hasSize(3).filteredOn(a -> a.startsWith("report.scheduled.sent")).hasSize(2);
    } finally {
      mail.stop();
    }
  }

  @Test
  void tick_mailServerDownRetriesTheRecipientsStillOwed() throws Exception {
    int port = freePort();
    TestClock clock = new TestClock(Instant.parse("2026-11-02T06:00:00Z"));
    List<String> audit = new CopyOnWriteArrayList<>();
    ReportService service = service();
    ReportScheduler s = ReportScheduler.builder(service, new SmtpMailer("127.0.0.1", port,
        "syslens@example.org", null, null, false, Duration.ofSeconds(5)), owner -> tsdb).clock(clock)
        .audit((a, sch, d) -> audit.add(a + " " + d)).build();
    clock.now = Instant.parse("2026-11-02T05:59:00Z");
    s.put(daily());
    clock.now = Instant.parse("2026-11-02T06:00:00Z");
    s.tick();
    ReportScheduler.Status st = s.status("s1").orElseThrow();
    assertThat(st.attempt()).isEqualTo(1);
    assertThat(st.pending()).containsExactlyInAnyOrder("li@example.org", "ann@example.org");
    assertThat(st.due()).isEqualTo(Instant.parse("2026-11-02T06:01:00Z"));
    assertThat(st.lastError()).contains("127.0.0.1");
    assertThat(audit).last().asString().startsWith("report.scheduled.failed attempt=1");
    GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
    mail.start();
    try {
      clock.now = Instant.parse("2026-11-02T06:01:00Z");
      s.tick();
      assertThat(mail.waitForIncomingEmail(10_000, 2)).isTrue();
      assertThat(s.status("s1").orElseThrow().attempt()).isZero();
      assertThat(s.status("s1").orElseThrow().due()).isEqualTo(Instant.parse("2026-11-03T06:00:00Z"));
      assertThat(service.list("alice")).as("the retry mails the stored report, it does not store another").hasSize(1);
    } finally {
      mail.stop();
    }
  }

  @Test
  void next_weeklyAndMonthlyFollowTheCalendarInTheZone() {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    Schedule weekly = new Schedule("w", "a", "", Cadence.WEEKLY, 1, LocalTime.of(7, 30), berlin, List.of(Kind.CAPACITY),
        ReportScope.all(), List.of(Recipient.address("a@example.org", "en")), "en");
    // Sunday 2026-11-01 12:00 UTC -> Monday 2026-11-02 07:30 Berlin (UTC+1 in winter).
    assertThat(weekly.next(Instant.parse("2026-11-01T12:00:00Z"))).isEqualTo(Instant.parse("2026-11-02T06:30:00Z"));
    Schedule monthly = new Schedule("m", "a", "", Cadence.MONTHLY, 1, LocalTime.of(6, 0), berlin, List.of(Kind.CAPACITY),
        ReportScope.all(), List.of(Recipient.address("a@example.org", "ja-JP")), "en");
    Instant fire = monthly.next(Instant.parse("2026-11-15T00:00:00Z"));
    assertThat(fire).isEqualTo(Instant.parse("2026-12-01T05:00:00Z"));
    assertThat(monthly.period(fire)).containsExactly(Instant.parse("2026-10-31T23:00:00Z"),
        Instant.parse("2026-11-30T23:00:00Z"));
  }

  static ReportService service() throws java.io.IOException {
    return ReportService.builder(GoldenTest.reports(), java.nio.file.Files.createTempDirectory(tmp, "reports")).build();
  }

  static MimeMessage find(GreenMail mail, String to) throws Exception {
    for (MimeMessage m : mail.getReceivedMessages()) {
      if (m.getAllRecipients()[0].toString().equals(to)) {
        return m;
      }
    }
    throw new AssertionError("no mail to " + to);
  }
}
