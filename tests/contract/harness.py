"""Process, HTTP and Kafka plumbing shared by the contract tests.

The contract tests are clients that are not ours: they speak HTTP with the standard library and Kafka with
python3-kafka (no librdkafka), and know the service only through proto/ and the binaries' command lines.
Every process started here is stopped by the context manager that started it, and every port is picked free.
"""

import contextlib
import dataclasses
import http.client
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
PROTO_DIR = SOURCE_DIR / "proto"
BIN_DIR = pathlib.Path(os.environ.get("INVITE_BIN_DIR", SOURCE_DIR / "build" / "bin"))

# The topics the tests name. The list of all topics is the contract's (asyncapi_contract.AsyncApi().topics), which
# test_topics compares with what a running devstack creates from the C++ list (events::kAllTopics).
REQUESTED = "invite.requested.v1"
REPLIES = "invite.replies.v1"
EMAILS = "invite.emails.v1"
USER_INVITED = "people.user-invited.v1"
REQUESTED_DLQ = "invite.requested.v1.dlq"
EMAIL_STATUS = "invite.email-status.v1"
USER_ACTIVATED = "people.user-activated.v1"
USER_DISABLED = "people.user-disabled.v1"
USER_DELETED = "people.user-deleted.v1"

# INVITE_TEST_KAFKA=real: every Devstack runs on an Apache Kafka of its own (scripts/kafka) instead of its embedded
# mock cluster (ctest label realkafka).
REAL_KAFKA = os.environ.get("INVITE_TEST_KAFKA") == "real"
KAFKA_SCRIPT = SOURCE_DIR / "scripts" / "kafka"


class RealKafka:
    """A real Kafka cluster in `directory`, started by scripts/kafka; taken down by down(), or by scripts/kafka's
    watcher when this process dies first."""

    def __init__(self, directory, nodes=1):
        self.directory = pathlib.Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        out = self._run("up", "--nodes", str(nodes), "--owner-pid", str(os.getpid()), timeout=300)
        self.bootstrap = out.strip().splitlines()[-1]

    def _run(self, *args, timeout=120):
        done = subprocess.run([str(KAFKA_SCRIPT), *args, "--dir", str(self.directory / "cluster")],
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"scripts/kafka {args[0]} failed: {done.stderr.strip()}")
        return done.stdout

    def pid(self, node=1):
        status = json.loads(self._run("status", "--json"))
        return next(n["pid"] for n in status["nodes"] if n["id"] == node)

    def pause(self, node=1):
        self._run("pause", str(node))

    def resume(self, node=1):
        self._run("resume", str(node))

    def down(self):
        self._run("down", "--keep", "--now")  # the data goes with the test: no controlled shutdown


def binary(name):
    path = BIN_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: build first (scripts/build) or set INVITE_BIN_DIR")
    return str(path)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# ---- HTTP ----

@dataclasses.dataclass
class Response:
    status: int
    headers: list  # [(name lower-case, value)], in order, repeated names kept
    body: bytes

    def header(self, name):
        """The first value of header `name`, or None."""
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def media_type(self):
        value = self.header("content-type") or ""
        return value.split(";")[0].strip().lower()


def request(url, method, path, headers=None, body=None, timeout=30.0):
    """One HTTP/1.1 exchange on a fresh connection. `url` is the server's base URL ("http://127.0.0.1:8080");
    `body` is bytes, str, or anything else (sent as JSON). Header "Host" in `headers` overrides the URL's."""
    without_scheme = url.split("://", 1)[1].rstrip("/")
    host, _, port = without_scheme.rpartition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = dict(headers or {})
        skip_host = any(key.lower() == "host" for key in headers)
        connection.putrequest(method, path, skip_host=skip_host, skip_accept_encoding=True)
        for key, value in headers.items():
            connection.putheader(key, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        reply = connection.getresponse()
        return Response(reply.status, [(k.lower(), v) for k, v in reply.getheaders()], reply.read())
    finally:
        connection.close()


def invite(url, token, body, headers=None, cookie=True, timeout=30.0):
    """POST /api/2.0/people/invite with a JSON body and the token as cookie (or bearer with cookie=False)."""
    all_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token is not None:
        if cookie:
            all_headers["Cookie"] = f"asc_auth_key={token}"
        else:
            all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    return request(url, "POST", "/api/2.0/people/invite", all_headers, body, timeout)


# ---- processes ----

class _Process:
    """A child process whose stdout and stderr go to a log file; stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, argv, log_path, env=None):
        self.argv = argv
        self.log_path = pathlib.Path(log_path)
        full_env = dict(os.environ)
        full_env.update(env or {})
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=full_env,
                                          stdin=subprocess.DEVNULL)

    @property
    def pid(self):
        return self.popen.pid

    def log(self):
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self):
        return self.popen.poll() is None

    def send_signal(self, signo):
        if self.alive():
            self.popen.send_signal(signo)

    def stop(self, signo=signal.SIGTERM, timeout=40.0):
        """Signals the process and returns its exit code; SIGKILL when it does not exit within `timeout`."""
        self.send_signal(signo)
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise AssertionError(f"{self.argv[0]} ignored signal {signo} for {timeout}s; killed. Log:\n{self.log()}")


def _child_pids(devstack_log):
    """{"invite-worker": pid, "invite-gateway": pid, ...} from the devstack's "started child" log lines."""
    pids = {}
    for line in devstack_log.splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("msg") == "started child":
            pids[os.path.basename(entry["program"])] = entry["pid"]
    return pids


def default_portal(host, port, **overrides):
    """One portals-file entry, with the fields the design lists."""
    portal = {
        "host": host,
        "displayName": f"{host} DocSpace",
        "baseUrl": f"http://{host}:{port}",
        "defaultCulture": "en-US",
        "paidSeats": None,
        "allowInvitingMembers": True,
        "dailyInvitationBudget": None,
    }
    portal.update(overrides)
    return portal


class Devstack:
    """`invite-devstack` in a fresh data directory on a free port.

    with Devstack(portals=[...]) as stack: stack.url, stack.brokers, stack.token (an Owner of "localhost"), ...
    `portals` (optional): portals-file entries; use "{port}" inside a baseUrl for the gateway's port. Without it the
    devstack writes its own file with the single portal "localhost". `env`: extra INVITE_* variables for the
    devstack and its children (e.g. {"INVITE_REQUEST_TIMEOUT": "3s"}). `args`: more devstack flags (e.g.
    ["--no-mailer"])."""

    def __init__(self, portals=None, env=None, partitions=4, args=(), kafka=None):
        self._kafka_kind = kafka or ("real" if REAL_KAFKA else "embedded")
        self._portals = portals
        self._env = env or {}
        self._partitions = partitions
        self._args = list(args)
        self.data_dir = None
        self.process = None
        self.kafka = None

    def __enter__(self):
        self.data_dir = pathlib.Path(tempfile.mkdtemp(prefix="contract-devstack-"))
        try:
            self._start()
        except BaseException as error:
            self.__exit__(type(error), error, None)
            raise
        return self

    def _start(self):
        self.port = free_port()
        if self._portals is not None:
            text = json.dumps({"portals": self._portals}, indent=2).replace("{port}", str(self.port))
            (self.data_dir / "portals.json").write_text(text, encoding="utf-8")
        argv = [binary("invite-devstack"), "--data-dir", str(self.data_dir), "--port", str(self.port),
                "--listen-address", "127.0.0.1", "--partitions", str(self._partitions)] + self._args
        if self._kafka_kind == "real":
            self.kafka = RealKafka(self.data_dir / "kafka")
            argv += ["--kafka-brokers", self.kafka.bootstrap]
        self.process = _Process(argv, self.data_dir / "devstack.out", self._env)
        info_path = self.data_dir / "devstack.json"

        def ready():
            if not self.process.alive():
                raise AssertionError(f"invite-devstack exited with {self.process.popen.returncode}:\n"
                                     f"{self.process.log()}")
            return info_path.exists() and "is ready" in self.process.log()

        wait_until(ready, 60, "invite-devstack to be ready")
        self.info = json.loads(info_path.read_text(encoding="utf-8"))
        self.url = f"http://127.0.0.1:{self.port}"
        self.public_url = self.info["url"]
        self.brokers = self.info["brokers"]
        self.token = self.info["token"]  # an Owner of the default portal
        self.portal = self.info["portal"]
        self.token_secret_file = self.info["tokenSecretFile"]
        self.portals_file = self.info["portalsFile"]
        pids = _child_pids(self.process.log())
        self.worker_pid = pids["invite-worker"]
        self.gateway_pid = pids["invite-gateway"]
        self.mailer_pid = pids.get("invite-mailer")
        # The process serving Kafka: the devstack itself (its embedded mock cluster) or the real node's JVM.
        self.broker_pid = self.kafka.pid(1) if self.kafka is not None else self.process.pid

    def __exit__(self, *exc):
        code = None
        if self.process is not None:
            # A paused process would never stop: a test may have frozen the broker (the devstack process itself)
            # or a child with SIGSTOP, so let all of them run before asking the devstack to stop.
            for pid in (self.process.pid, getattr(self, "worker_pid", None), getattr(self, "gateway_pid", None),
                        getattr(self, "mailer_pid", None)):
                if pid:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGCONT)
            code = self.process.stop(signal.SIGINT)
        if self.kafka is not None:
            self.kafka.down()
        if self.data_dir is not None and not os.environ.get("CONTRACT_KEEP_DATA"):
            shutil.rmtree(self.data_dir, ignore_errors=True)
        if exc[0] is None and code not in (None, 0):
            raise AssertionError(f"invite-devstack exited with {code}")
        return False

    def freeze_broker(self):
        """The broker stops answering (its connections stay open): the embedded one is the devstack process itself,
        a real one is SIGSTOPped."""
        if self.kafka is not None:
            self.kafka.pause()
        else:
            os.kill(self.process.pid, signal.SIGSTOP)

    def thaw_broker(self):
        if self.kafka is not None:
            self.kafka.resume()
        else:
            os.kill(self.process.pid, signal.SIGCONT)

    def log(self, which="devstack"):
        """The devstack's own output, or "gateway" / "worker" for a child's log file."""
        if which == "devstack":
            return self.process.log()
        return (self.data_dir / f"{which}.log").read_text(encoding="utf-8", errors="replace")

    def token_for(self, role, portal=None, user_id=None, ttl=None):
        argv = [binary("invitectl"), "token", "--portal", portal or self.portal, "--role", role,
                "--secret-file", self.token_secret_file]
        if user_id:
            argv += ["--user-id", user_id]
        if ttl:
            argv += ["--ttl", ttl]
        return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=30).stdout.strip()

    def users(self, portal=None):
        """The stored users as invitectl prints them with --json."""
        argv = [binary("invitectl"), "users", "--data-dir", str(self.data_dir), "--json"]
        if portal:
            argv += ["--portal", portal]
        out = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=30).stdout
        return json.loads(out)

    def disable(self, portal, email):
        subprocess.run([binary("invitectl"), "users", "disable", "--data-dir", str(self.data_dir), "--portal", portal,
                        "--email", email], check=True, capture_output=True, text=True, timeout=30)


class Gateway:
    """A standalone `invite-gateway` on a free port, for situations the devstack's own gateway cannot reach
    (a dead broker, a tiny max-in-flight). `flags`: {"request-timeout": "2s", ...}."""

    def __init__(self, brokers, portals_file, token_secret_file, flags=None, log_dir=None):
        self._argv_tail = ["--kafka-brokers", brokers, "--portals-file", str(portals_file),
                           "--token-secret-file", str(token_secret_file)]
        for key, value in (flags or {}).items():
            self._argv_tail += [f"--{key}", str(value)]
        self._log_dir = log_dir
        self._own_dir = None
        self.process = None

    def __enter__(self):
        if self._log_dir is None:
            self._own_dir = tempfile.mkdtemp(prefix="contract-gateway-")
            self._log_dir = self._own_dir
        port_file = pathlib.Path(self._log_dir) / f"gateway-{os.getpid()}-{time.monotonic_ns()}.port"
        argv = [binary("invite-gateway"), "--listen-address", "127.0.0.1", "--port", "0",
                "--port-file", str(port_file)] + self._argv_tail
        self.process = _Process(argv, str(port_file) + ".log")

        def bound():
            if not self.process.alive():
                raise AssertionError(f"invite-gateway exited early:\n{self.process.log()}")
            return port_file.exists() and port_file.read_text().strip()

        self.port = int(wait_until(bound, 30, "invite-gateway to listen"))
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def __exit__(self, *exc):
        if self.process is not None and self.process.alive():
            self.process.stop(signal.SIGTERM)
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)
        return False

    @property
    def pid(self):
        return self.process.pid


# ---- Kafka (python3-kafka, which shares no code with librdkafka) ----

def read_topic(brokers, topic, min_records=0, timeout=15.0):
    """Every record of `topic` from the beginning of each partition, as kafka.consumer.fetcher.ConsumerRecord,
    sorted by (partition, offset). Waits until at least `min_records` are there (or raises TimeoutError)."""
    import kafka  # imported here so that HTTP-only tests do not need python3-kafka

    consumer = kafka.KafkaConsumer(bootstrap_servers=brokers, group_id=None, enable_auto_commit=False,
                                   auto_offset_reset="earliest", consumer_timeout_ms=500)
    try:
        partitions = wait_until(lambda: consumer.partitions_for_topic(topic), timeout, f"metadata of {topic}")
        assigned = [kafka.TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        records = []
        deadline = time.monotonic() + timeout
        while True:
            ends = consumer.end_offsets(assigned)
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
            caught_up = all(consumer.position(tp) >= ends[tp] for tp in assigned)
            if caught_up and len(records) >= min_records:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}: {len(records)} records after {timeout}s, wanted {min_records}")
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        consumer.close()


def produce(brokers, topic, value, key=None, headers=None, partition=None):
    """Publishes one record with python3-kafka and returns its RecordMetadata (partition, offset)."""
    import kafka

    producer = kafka.KafkaProducer(bootstrap_servers=brokers, acks="all")
    try:
        encoded_headers = [(name, data if isinstance(data, bytes) else str(data).encode()) for name, data in
                           (headers or [])]
        future = producer.send(topic, value=value, key=key, headers=encoded_headers, partition=partition)
        return future.get(timeout=15)
    finally:
        producer.close()


def headers_of(record):
    """A record's headers as {name: value str}; a name sent twice fails the calling test."""
    result = {}
    for name, value in record.headers or []:
        assert name not in result, f"header {name} repeated in {record.topic}/{record.partition}/{record.offset}"
        result[name] = value.decode("utf-8")
    return result
