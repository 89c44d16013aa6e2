"""Shared by the realkafka modules: the binaries under test, a run-with-a-deadline helper, and an Apache Kafka of the
test's own (scripts/kafka, in a private directory, taken down by the test or by scripts/kafka's watcher when the test
process dies first)."""

import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
KAFKA_SCRIPT = SOURCE_DIR / "scripts" / "kafka"
BIN_DIR = pathlib.Path(os.environ.get("INVITE_BIN_DIR", SOURCE_DIR / "build" / "bin"))
TOPICS_MANIFEST = SOURCE_DIR / "deploy" / "k8s" / "topics" / "topics.yaml"


def binary(name):
    path = BIN_DIR / name
    if not path.exists():
        raise AssertionError(f"{path} is missing: build it first (or set INVITE_BIN_DIR)")
    return str(path)


class Ran:
    """A finished command: exit status, output, and how long it took."""

    def __init__(self, returncode, stdout, stderr, seconds):
        self.returncode, self.stdout, self.stderr, self.seconds = returncode, stdout, stderr, seconds

    def stderr_lines(self):
        return [line for line in self.stderr.splitlines() if line.strip()]

    def __repr__(self):
        return f"exit {self.returncode} after {self.seconds:.1f}s\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"


def run(argv, timeout=60, env=None):
    """Runs argv to completion; a command still running after `timeout` is a hang, which fails the test."""
    started = time.monotonic()
    try:
        done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, env=env,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{argv[0]} {argv[1] if len(argv) > 1 else ''} still running after {timeout}s")
    return Ran(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def closed_port():
    """A loopback port nothing listens on (bound once by us, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Kafka:
    """One Apache Kafka node of this test's own, in a private directory."""

    def __init__(self):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="realkafka-"))
        self.dir = self.root / "cluster"
        done = run([KAFKA_SCRIPT, "up", "--dir", self.dir, "--owner-pid", os.getpid()], timeout=300)
        if done.returncode != 0:
            shutil.rmtree(self.root, ignore_errors=True)
            raise AssertionError(f"scripts/kafka up failed: {done.stderr.strip()}")
        self.bootstrap = done.stdout.strip().splitlines()[-1]

    def down(self):
        run([KAFKA_SCRIPT, "down", "--dir", self.dir], timeout=120)
        shutil.rmtree(self.root, ignore_errors=True)

    def admin(self):
        from kafka.admin import KafkaAdminClient  # Debian python3-kafka

        return KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="realkafka-test", request_timeout_ms=10000)

    def partitions(self):
        """{topic: partition count} of the cluster's own topics."""
        from kafka import KafkaConsumer

        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, client_id="realkafka-test")
        try:
            return {t: len(consumer.partitions_for_topic(t)) for t in consumer.topics() if not t.startswith("__")}
        finally:
            consumer.close()
