"""A real SMTP server on loopback (Debian's python3-aiosmtpd) with scripted replies, and invite-mailer as a process
against a devstack's broker. Every server and process is stopped by the context manager that started it."""

import contextlib
import dataclasses
import email
import email.policy
import json
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "contract"))
import harness  # noqa: E402  (the contract tests' devstack, HTTP and Kafka plumbing)


@dataclasses.dataclass
class Received:
    mail_from: str
    recipients: list
    message: email.message.EmailMessage
    at: float  # time.monotonic() when the server accepted it
    tls: bool
    login: str  # the AUTH user, or None

    def part(self, media_type):
        """The decoded text of the part with that media type."""
        return next(p.get_content() for p in self.message.walk() if p.get_content_type() == media_type)


class _Handler:
    """Accepts everything except what a test scripted: {recipient: [reply, ...]} answers each RCPT TO for that
    recipient with the next reply of its list (None: accept), and accepts once the list is used up."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []
        self.script = {}
        self.rcpt_attempts = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_attempts[address] = self.rcpt_attempts.get(address, 0) + 1
            replies = self.script.get(address)
            reply = replies.pop(0) if replies else None
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, time.monotonic(),
                                          session.ssl is not None, login))
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1:<port>; stop() and start() again on the same port to simulate an outage.
    tls: (cert file, key file) to offer STARTTLS and require it; auth: {user: password} to require AUTH."""

    def __init__(self, port=None, tls=None, auth=None):
        self.port = port or harness.free_port()
        self.handler = _Handler()
        self._tls = tls
        self._auth = auth
        self._controller = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        kwargs = {}
        if self._tls:
            import ssl
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self._tls)
            kwargs.update(tls_context=context, require_starttls=True)
        if self._auth:
            def authenticate(server, session, envelope, mechanism, auth_data):
                ok = (isinstance(auth_data, LoginPassword)
                      and self._auth.get(auth_data.login.decode()) == auth_data.password.decode())
                return AuthResult(success=ok, auth_data=auth_data if ok else None)
            kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=bool(self._tls))
        # A fresh controller each time: one that was stopped cannot serve again.
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10,
                                      **kwargs)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def script(self, recipient, replies):
        with self.handler.lock:
            self.handler.script[recipient] = list(replies)

    def received(self, recipient=None):
        with self.handler.lock:
            return [r for r in self.handler.received if recipient is None or recipient in r.recipients]

    def rcpt_attempts(self, recipient):
        with self.handler.lock:
            return self.handler.rcpt_attempts.get(recipient, 0)


def self_signed_certificate(directory):
    """(cert, key) for 127.0.0.1 and localhost, made with the openssl command line."""
    cert, key = pathlib.Path(directory) / "smtp.crt", pathlib.Path(directory) / "smtp.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return str(cert), str(key)


# Short pauses so that retries happen within a test; production defaults are seconds to minutes.
FAST_RETRIES = {"retry-initial": "200ms", "retry-max": "1s", "max-attempts": "30"}


class Mailer:
    """invite-mailer against `brokers`, in its own data directory (or `data_dir`, to restart on the same SQLite
    file) and consumer group. `flags`: {"smtp-url": ..., "rate-per-domain": "0", ...}."""

    def __init__(self, stack, flags, group=None, data_dir=None):
        self.stack = stack
        self.flags = dict(FAST_RETRIES)
        self.flags.update(flags)
        self.group = group or f"test-mailer-{time.monotonic_ns()}"
        self._given_dir = data_dir
        self.data_dir = None
        self.process = None

    def __enter__(self):
        self.data_dir = pathlib.Path(self._given_dir or tempfile.mkdtemp(prefix="mailer-test-"))
        port_file = self.data_dir / f"mailer-{time.monotonic_ns()}.port"
        argv = [harness.binary("invite-mailer"), "--kafka-brokers", self.stack.brokers, "--group-id", self.group,
                "--data-dir", str(self.data_dir), "--portals-file", self.stack.portals_file,
                "--listen-address", "127.0.0.1", "--port", "0", "--port-file", str(port_file),
                "--kafka-config", "fetch.wait.max.ms=10"]
        for key, value in self.flags.items():
            argv += [f"--{key}", str(value)]
        self.process = harness._Process(argv, self.data_dir / "mailer.log")
        try:
            def ready():
                if not self.process.alive():
                    raise AssertionError(f"invite-mailer exited:\n{self.process.log()}")
                if not port_file.exists():
                    return False
                self.port = int(port_file.read_text().strip())
                return harness.request(f"http://127.0.0.1:{self.port}", "GET", "/readyz").status == 200

            harness.wait_until(ready, 60, "invite-mailer to be ready")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.process is not None and self.process.alive():
            code = self.process.stop(signal.SIGTERM)
            if exc[0] is None and code != 0:
                raise AssertionError(f"invite-mailer exited with {code}:\n{self.process.log()}")
        if self._given_dir is None and self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        return False

    def metric(self, sample):
        """The value of one sample of /metrics, e.g. 'invite_mailer_jobs_total{result="duplicate"}'; 0 if absent."""
        text = harness.request(f"http://127.0.0.1:{self.port}", "GET", "/metrics").body.decode()
        for line in text.splitlines():
            if line.startswith(sample + " "):
                return float(line.split()[-1])
        return 0.0


def statuses(brokers, job_ids=None):
    """{jobEventId: [status event, ...] in attempt order} from invite.email-status.v1."""
    found = {}
    for record in harness.read_topic(brokers, harness.EMAIL_STATUS):
        value = json.loads(record.value)
        if job_ids is None or value["jobEventId"] in job_ids:
            found.setdefault(value["jobEventId"], []).append(value)
    for events in found.values():
        events.sort(key=lambda event: event["attempt"])
    return found


def jobs(brokers):
    """{recipient e-mail: the invite.emails.v1 job} (the latest for a recipient)."""
    return {json.loads(r.value)["recipient"]["email"]: json.loads(r.value)
            for r in harness.read_topic(brokers, harness.EMAILS)}


def invite(stack, emails, culture=None):
    """Invites `emails` as Users through the gateway; returns their jobs once they are on invite.emails.v1."""
    body = {"invitations": [{"email": address, "type": "User"} for address in emails]}
    if culture:
        body["culture"] = culture
    response = harness.invite(stack.url, stack.token, body, {"Host": f"localhost:{stack.port}"})
    if response.status != 200:
        raise AssertionError(f"invite: HTTP {response.status} {response.body!r}")

    def queued():
        all_jobs = jobs(stack.brokers)
        return [all_jobs[address] for address in emails] if all(a in all_jobs for a in emails) else None

    return harness.wait_until(queued, 30, f"the e-mail jobs of {emails}")
