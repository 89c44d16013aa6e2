"""invite-mailer end to end: invitations sent through the gateway reach a real SMTP server on loopback (Debian's
python3-aiosmtpd), and what happened is on invite.email-status.v1.

Each class runs a devstack without its own mailer (--no-mailer), an SMTP server and an invite-mailer pointed at it.
"""

import datetime
import re
import secrets
import shutil
import signal
import tempfile
import time
import unittest

from mail_harness import Mailer, SmtpServer, harness, invite, self_signed_certificate, statuses

def address(name, domain="example.com"):
    """A recipient new to its devstack, so that inviting it creates a user and an e-mail job."""
    return f"{name}-{secrets.token_hex(3)}@{domain}"


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class _Stack(unittest.TestCase):
    """A devstack without a mailer, an SMTP server, and a mailer with `MAILER_FLAGS`."""
    MAILER_FLAGS = {"rate-per-domain": "0"}
    SMTP = {}

    @classmethod
    def setUpClass(cls):
        cls.stack = cls.enterClassContext(harness.Devstack(args=["--no-mailer"]))
        cls.smtp = cls.enterClassContext(SmtpServer(**cls.SMTP))
        cls.mailer = cls.enterClassContext(Mailer(cls.stack, {"smtp-url": cls.smtp.url, **cls.MAILER_FLAGS}))

    def statuses_until(self, job_ids, final=("sent", "failed"), timeout=60):
        """{job id: [status, ...]} once every job has a status in `final`."""
        def done():
            found = statuses(self.stack.brokers, set(job_ids))
            ok = all(found.get(job_id) and found[job_id][-1]["status"] in final for job_id in job_ids)
            return found if ok else None
        return harness.wait_until(done, timeout, f"final statuses of {job_ids}", interval=0.3)


class Delivery(_Stack):
    def test_the_invitation_arrives_with_recipient_subject_culture_and_link(self):
        cases = {address("anna"): ("ru-RU", "ru-RU", "Присоединяйтесь к Local DocSpace DocSpace", "Принять"),
                 address("bruno"): ("de-AT", "de-DE", "Treten Sie Local DocSpace DocSpace bei", "Annehmen"),
                 address("chen"): ("zh-CN", "zh-CN", "加入 Local DocSpace DocSpace", "接受"),
                 address("dana"): (None, "en-US", "Join Local DocSpace DocSpace", "Accept")}
        jobs = {}
        for recipient, (culture, *_rest) in cases.items():
            jobs[recipient] = invite(self.stack, [recipient], culture)[0]
        final = self.statuses_until([job["eventId"] for job in jobs.values()])
        for recipient, (_, used, subject, button) in cases.items():
            job = jobs[recipient]
            with self.subTest(recipient=recipient):
                received = harness.wait_until(lambda: self.smtp.received(recipient), 10, f"mail to {recipient}")
                self.assertEqual(len(received), 1)
                mail = received[0]
                self.assertEqual(mail.recipients, [recipient])
                self.assertEqual(mail.mail_from, "no-reply@localhost")
                self.assertEqual(str(mail.message["To"]), recipient)
                self.assertEqual(str(mail.message["Subject"]), subject)
                self.assertEqual(mail.message["Content-Language"], used)
                self.assertEqual(mail.message["Message-ID"], f"<{job['eventId']}@localhost>")
                self.assertEqual(mail.message.get_content_type(), "multipart/alternative")
                link = job["confirmationLink"]
                self.assertIn(link, mail.part("text/plain"))
                html = mail.part("text/html")
                self.assertIn(f'href="{link.replace("&", "&amp;")}"', html)
                self.assertIn(f">{button}</a>", html)
                self.assertEqual(len(re.findall(r"<a\b", html)), 1, "one button")
                [status] = final[job["eventId"]]
                self.assertEqual((status["status"], status["attempt"], status["smtpCode"], status["culture"]),
                                 ("sent", 1, 250, used))
                self.assertEqual(status["messageId"], mail.message["Message-ID"])

    def test_a_duplicate_job_sends_nothing(self):
        recipient = address("twice")
        [job] = invite(self.stack, [recipient])
        self.statuses_until([job["eventId"]])
        [original] = [r for r in harness.read_topic(self.stack.brokers, harness.EMAILS)
                      if r.value and job["eventId"].encode() in r.value]
        before = self.mailer.metric('invite_mailer_jobs_total{result="duplicate"}')
        harness.produce(self.stack.brokers, harness.EMAILS, original.value, key=original.key,
                        headers=original.headers)
        harness.wait_until(lambda: self.mailer.metric('invite_mailer_jobs_total{result="duplicate"}') > before, 30,
                           "the mailer to see the duplicate")
        time.sleep(0.5)  # what the duplicate would have caused has had time to happen
        self.assertEqual(len(self.smtp.received(recipient)), 1)
        self.assertEqual(self.smtp.rcpt_attempts(recipient), 1)
        self.assertEqual(len(statuses(self.stack.brokers, {job["eventId"]})[job["eventId"]]), 1)

    def test_421_then_250_retries_and_succeeds(self):
        recipient = address("flaky")
        self.smtp.script(recipient, ["421 4.7.0 Try again later, closing connection"])
        [job] = invite(self.stack, [recipient])
        events = self.statuses_until([job["eventId"]])[job["eventId"]]
        self.assertEqual([(e["status"], e["attempt"]) for e in events], [("retrying", 1), ("sent", 2)])
        self.assertEqual(events[0]["smtpCode"], 421)
        self.assertIn("Try again later", events[0]["reason"])
        self.assertGreater(parse_time(events[0]["nextAttemptAt"]), parse_time(events[0]["occurredAt"]))
        self.assertEqual(len(self.smtp.received(recipient)), 1)
        self.assertEqual(self.smtp.rcpt_attempts(recipient), 2)

    def test_550_fails_with_a_failed_status(self):
        recipient = address("nobody")
        self.smtp.script(recipient, ["550 5.1.1 <%s>: Recipient address rejected: User unknown" % recipient])
        [job] = invite(self.stack, [recipient])
        events = self.statuses_until([job["eventId"]])[job["eventId"]]
        self.assertEqual([(e["status"], e["attempt"]) for e in events], [("failed", 1)])
        self.assertEqual(events[0]["smtpCode"], 550)
        self.assertIn("User unknown", events[0]["reason"])
        self.assertNotIn("nextAttemptAt", events[0])
        time.sleep(1.5)  # longer than any retry pause of this mailer: none comes
        self.assertEqual(self.smtp.rcpt_attempts(recipient), 1)
        self.assertEqual(self.smtp.received(recipient), [])


class ServerDown(_Stack):
    def test_the_server_down_for_a_while_delays_but_loses_nothing(self):
        self.smtp.stop()
        recipients = [address("patient") for _ in range(3)]
        jobs = invite(self.stack, recipients)
        ids = [job["eventId"] for job in jobs]
        # Every job fails at least once with no server to answer, and is told to wait.
        waiting = self.statuses_until(ids, final=("retrying",))
        for job_id in ids:
            self.assertNotIn("smtpCode", waiting[job_id][0])
            self.assertTrue(waiting[job_id][0]["reason"])
        time.sleep(1)
        self.smtp.start()
        final = self.statuses_until(ids)
        for recipient, job_id in zip(recipients, ids):
            with self.subTest(recipient=recipient):
                self.assertEqual(final[job_id][-1]["status"], "sent")
                self.assertGreaterEqual(final[job_id][-1]["attempt"], 2)
                self.assertEqual(len(self.smtp.received(recipient)), 1)


class Redelivery(_Stack):
    def test_a_mailer_reading_every_job_again_sends_none_twice(self):
        recipients = [address("once") for _ in range(3)]
        ids = [job["eventId"] for job in invite(self.stack, recipients)]
        self.statuses_until(ids)
        self.assertEqual(self.mailer.process.stop(signal.SIGTERM), 0)
        total = len(harness.read_topic(self.stack.brokers, harness.EMAILS))
        # The same SQLite file, and a consumer group that has committed nothing: every record comes again.
        with Mailer(self.stack, {"smtp-url": self.smtp.url, "rate-per-domain": "0"},
                    data_dir=self.mailer.data_dir) as again:
            harness.wait_until(lambda: again.metric('invite_mailer_jobs_total{result="duplicate"}') == total, 30,
                               "the second mailer to read every job")
            time.sleep(0.5)
            self.assertEqual(again.metric('invite_mailer_attempts_total{status="sent"}'), 0)
        for recipient in recipients:
            self.assertEqual(len(self.smtp.received(recipient)), 1)
        self.assertEqual({job_id: len(events) for job_id, events in statuses(self.stack.brokers, set(ids)).items()},
                         {job_id: 1 for job_id in ids})


class StartTlsAndAuth(_Stack):
    @classmethod
    def setUpClass(cls):
        cls.tls_dir = tempfile.mkdtemp(prefix="mailer-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.tls_dir, True)
        cert, key = self_signed_certificate(cls.tls_dir)
        password_file = f"{cls.tls_dir}/smtp.password"
        with open(password_file, "w", encoding="utf-8") as handle:
            handle.write("s3cret\n")
        cls.SMTP = {"tls": (cert, key), "auth": {"invite": "s3cret"}}
        cls.MAILER_FLAGS = {"rate-per-domain": "0", "smtp-starttls": "required", "smtp-ca-file": cert,
                            "smtp-user": "invite", "smtp-password-file": password_file}
        super().setUpClass()

    def test_the_mailer_upgrades_to_tls_and_authenticates(self):
        recipient = address("secure")
        [job] = invite(self.stack, [recipient])
        self.assertEqual(self.statuses_until([job["eventId"]])[job["eventId"]][-1]["status"], "sent")
        [mail] = self.smtp.received(recipient)
        self.assertTrue(mail.tls)
        self.assertEqual(mail.login, "invite")


class Throttle(_Stack):
    MAILER_FLAGS = {"rate-per-domain": "2", "burst-per-domain": "1"}

    def test_one_domain_gets_at_most_the_configured_rate_and_others_do_not_wait(self):
        busy = [address(f"busy{i}", "busy.example") for i in range(5)]
        quiet = address("quiet", "quiet.example")
        jobs = invite(self.stack, busy + [quiet])
        self.statuses_until([job["eventId"] for job in jobs])
        times = sorted(self.smtp.received(recipient)[0].at for recipient in busy)
        # 2 per second after the first: four intervals of half a second at least.
        self.assertGreaterEqual(times[-1] - times[0], 1.9)
        self.assertLess(self.smtp.received(quiet)[0].at, times[-1], "the other domain did not queue behind")
        self.assertGreater(self.mailer.metric("invite_mailer_throttled_total"), 0)


class DevstackWithSmtp(unittest.TestCase):
    """The devstack's own mailer, told by INVITE_SMTP_URL (which reaches it) to use a real server."""

    def test_the_devstacks_mailer_sends_over_smtp_when_told_to(self):
        with SmtpServer() as smtp, harness.Devstack(env={"INVITE_SMTP_URL": smtp.url}) as stack:
            self.assertIn(f"invitation e-mails go to {smtp.url}", stack.log())
            recipient = address("devstack")
            [job] = invite(stack, [recipient])
            [mail] = harness.wait_until(lambda: smtp.received(recipient), 30, f"mail to {recipient}")
            self.assertEqual(mail.message["Message-ID"], f"<{job['eventId']}@localhost>")
            self.assertFalse((stack.data_dir / "outbox-mail").exists() and
                             any((stack.data_dir / "outbox-mail").iterdir()), "no .eml file as well")


if __name__ == "__main__":
    unittest.main()
