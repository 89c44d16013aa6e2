"""What every hostile-input test shares: one devstack per module, raw sockets for what no HTTP library would
send, and the proof that a refused request left nothing behind.

"Nothing applied" is judged outside the gateway: the users invitectl reads from the worker's SQLite files, and the
end offsets of invite.requested.v1 read with python3-kafka. A refused request must change neither.
"""

import contextlib
import json
import pathlib
import socket
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "contract"))
import harness  # noqa: E402  (the contract tests' process, HTTP and Kafka plumbing)

INVITE = "/api/2.0/people/invite"
# Short, so that slow-client tests take seconds; the gateway's default is 30 s.
READ_TIMEOUT_S = 2


class HostileCase(unittest.TestCase):
    """A devstack for the module's tests, and the assertions they share."""

    @classmethod
    def setUpClass(cls):
        cls.stack = cls.enterClassContext(harness.Devstack(env={"INVITE_READ_TIMEOUT": f"{READ_TIMEOUT_S}s"}))
        cls.port = cls.stack.port
        cls.token = cls.stack.token
        import kafka
        cls._offsets = kafka.KafkaConsumer(bootstrap_servers=cls.stack.brokers, group_id=None,
                                           enable_auto_commit=False)
        cls.addClassCleanup(cls._offsets.close)
        partitions = harness.wait_until(lambda: cls._offsets.partitions_for_topic(harness.REQUESTED), 30,
                                        "metadata of " + harness.REQUESTED)
        cls._requested = [kafka.TopicPartition(harness.REQUESTED, p) for p in sorted(partitions)]

    # ---- what was applied ----

    def requested_records(self):
        """Records on invite.requested.v1, all partitions."""
        return sum(self._offsets.end_offsets(self._requested).values())

    def user_emails(self):
        return sorted(user["email"].lower() for user in self.stack.users())

    @contextlib.contextmanager
    def applies_nothing(self):
        """The block's requests must store no user and publish no record."""
        users, records = self.user_emails(), self.requested_records()
        yield
        self.assertEqual(self.requested_records(), records, "a refused request published records")
        self.assertEqual(self.user_emails(), users, "a refused request stored users")

    # ---- HTTP ----

    def invite(self, body, token=None, headers=None, cookie=True):
        all_headers = {"Host": "localhost"}
        all_headers.update(headers or {})
        return harness.invite(self.stack.url, self.token if token is None else token, body, all_headers, cookie)

    def assert_error(self, response, status, error_type):
        self.assertEqual(response.status, status, response.body[:300])
        self.assertEqual(response.json()["error"]["type"], error_type, response.body[:300])

    def assert_validation(self, response, keys):
        self.assertEqual(response.status, 400, response.body[:300])
        self.assertEqual(list(response.json()["response"]["errors"]), keys)

    def post_head(self, length=None, extra=b"", target=INVITE.encode()):
        """A POST request head with the devstack's token; Content-Length when `length` is given."""
        head = (b"POST " + target + b" HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                b"Cookie: asc_auth_key=" + self.token.encode() + b"\r\n" + extra)
        if length is not None:
            head += b"Content-Length: " + str(length).encode() + b"\r\n"
        return head + b"\r\n"

    def connect(self, timeout=10.0):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        self.addCleanup(sock.close)
        return sock


def read_responses(sock, count, timeout=10.0):
    """Up to `count` HTTP responses from `sock`, as harness.Response, fewer when the server closes first."""
    sock.settimeout(timeout)
    reader = sock.makefile("rb")
    responses = []
    for _ in range(count):
        status_line = reader.readline()
        if not status_line:
            break
        status = int(status_line.split()[1])
        headers = []
        while True:
            line = reader.readline().rstrip(b"\r\n")
            if not line:
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip().lower(), value.strip()))
        length = int(next((v for k, v in headers if k == "content-length"), "0"))
        responses.append(harness.Response(status, headers, reader.read(length)))
    return responses


def closed_within(sock, seconds):
    """Seconds until the server closed `sock` (reading and discarding), or None if it stayed open."""
    started = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - started < seconds:
        try:
            if not sock.recv(65536):
                return time.monotonic() - started
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - started
    return None


def body_of(invitations, **extra):
    return json.dumps({"invitations": invitations, **extra}).encode()
