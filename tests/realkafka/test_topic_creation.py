"""The service creates its own topics on a real Apache Kafka (librdkafka's mock cluster has no CreateTopics):
`invitectl topics` and `invite-devstack --kafka-brokers`, each class on a broker of its own (scripts/kafka, brokers
with auto.create.topics.enable=false, so a topic exists only when something created it). Bad input, from too few
partitions to unreachable brokers, ends in a one-line error and a non-zero exit within a bound, never a hang."""

import json
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import yaml

from realkafka_support import TOPICS_MANIFEST, Kafka, binary, closed_port, run

PARTITIONS = 4


def manifest_topics():
    """{topic: {"partitions": n, "config": {...}}} from deploy/k8s/topics/topics.yaml, the production settings."""
    with open(TOPICS_MANIFEST, encoding="utf-8") as handle:
        documents = [d for d in yaml.safe_load_all(handle) if d]
    return {d["spec"]["topicName"]: {"partitions": d["spec"]["partitions"], "config": d["spec"]["config"]}
            for d in documents}


def table(stdout):
    """invitectl topics' table as {topic: (partitions, replicas, status)}."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert re.split(r"\s{2,}", lines[0].strip()) == ["TOPIC", "PARTITIONS", "REPLICAS", "STATUS"], lines[0]
    rows = {}
    for line in lines[1:]:
        topic, partitions, replicas, status = re.split(r"\s{2,}", line.strip(), maxsplit=3)
        rows[topic] = (int(partitions), int(replicas), status)
    return rows


def topics_command(brokers, *args, timeout=60):
    return run([binary("invitectl"), "topics", "--kafka-brokers", brokers, *args], timeout=timeout)


def topic_configs(kafka, names):
    """{topic: {config name: value}} as the broker describes them."""
    from kafka.admin import ConfigResource, ConfigResourceType

    admin = kafka.admin()
    try:
        responses = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name) for name in names])
    finally:
        admin.close()
    configs = {}
    for response in responses:
        for error_code, _message, _type, name, entries in response.resources:
            assert error_code == 0, (name, error_code)
            configs[name] = {entry[0]: entry[1] for entry in entries}
    return configs


class TopicsOnAnEmptyCluster(unittest.TestCase):
    """invitectl topics twice on a fresh broker: the first run creates, the second finds them all."""

    @classmethod
    def setUpClass(cls):
        cls.kafka = Kafka()
        cls.first = topics_command(cls.kafka.bootstrap, "--partitions", str(PARTITIONS))
        cls.second = topics_command(cls.kafka.bootstrap, "--partitions", str(PARTITIONS))

    @classmethod
    def tearDownClass(cls):
        cls.kafka.down()

    def test_the_first_run_creates_every_topic_of_the_design(self):
        self.assertEqual(self.first.returncode, 0, self.first)
        rows = table(self.first.stdout)
        self.assertEqual(set(rows), set(manifest_topics()))
        for topic, (partitions, replicas, status) in rows.items():
            with self.subTest(topic=topic):
                self.assertEqual(status, "created")
                self.assertEqual(replicas, 1)
                # The dead-letter topic has 1 partition in production too; the others as asked.
                self.assertEqual(partitions, 1 if manifest_topics()[topic]["partitions"] == 1 else PARTITIONS)

    def test_the_cluster_holds_them_as_listed(self):
        listed = {topic: row[0] for topic, row in table(self.first.stdout).items()}
        self.assertEqual(self.kafka.partitions(), listed)

    def test_they_get_the_retention_of_the_manifest_and_min_insync_replicas(self):
        manifest = manifest_topics()
        configs = topic_configs(self.kafka, list(manifest))
        for topic, wanted in manifest.items():
            with self.subTest(topic=topic):
                self.assertEqual(configs[topic]["retention.ms"], str(wanted["config"]["retention.ms"]))
                self.assertEqual(configs[topic]["cleanup.policy"], wanted["config"]["cleanup.policy"])
                self.assertEqual(configs[topic]["min.insync.replicas"], "1")

    def test_a_second_run_finds_them_all_and_changes_nothing(self):
        self.assertEqual(self.second.returncode, 0, self.second)
        self.assertEqual(self.second.stderr, "")
        first = table(self.first.stdout)
        for topic, (partitions, replicas, status) in table(self.second.stdout).items():
            with self.subTest(topic=topic):
                self.assertEqual(status, "exists")
                self.assertEqual((partitions, replicas), first[topic][:2])

    def test_a_replication_factor_the_cluster_cannot_meet_is_refused_in_one_line(self):
        # Every topic exists, so nothing is asked of the cluster: the replication factor only applies to new ones.
        self.assertEqual(topics_command(self.kafka.bootstrap, "--replication-factor", "3",
                                        "--min-insync-replicas", "2").returncode, 0)
        admin = self.kafka.admin()
        try:
            admin.delete_topics(["invite.replies.v1"], timeout_ms=10000)
        finally:
            admin.close()
        deadline = time.monotonic() + 30
        while "invite.replies.v1" in self.kafka.partitions() and time.monotonic() < deadline:
            time.sleep(0.2)
        ran = topics_command(self.kafka.bootstrap, "--replication-factor", "3", "--min-insync-replicas", "2")
        self.assertEqual(ran.returncode, 1, ran)
        self.assertEqual(len(ran.stderr_lines()), 1, ran)
        self.assertIn("invite.replies.v1", ran.stderr)
        self.assertIn("replication factor", ran.stderr)
        # Put back as the other tests of the class expect it.
        self.assertEqual(topics_command(self.kafka.bootstrap, "--partitions", str(PARTITIONS)).returncode, 0)


class TooFewPartitions(unittest.TestCase):
    """invite.requested.v1 made by someone else with 1 partition, 4 asked: reported, never recreated or grown."""

    @classmethod
    def setUpClass(cls):
        from kafka.admin import NewTopic

        cls.kafka = Kafka()
        admin = cls.kafka.admin()
        try:
            admin.create_topics([NewTopic("invite.requested.v1", 1, 1)], timeout_ms=10000)
        finally:
            admin.close()
        cls.ran = topics_command(cls.kafka.bootstrap, "--partitions", str(PARTITIONS))

    @classmethod
    def tearDownClass(cls):
        cls.kafka.down()

    def test_invitectl_prints_the_table_and_fails_in_one_line(self):
        self.assertEqual(self.ran.returncode, 1, self.ran)
        rows = table(self.ran.stdout)
        self.assertEqual(rows["invite.requested.v1"], (1, 1, f"too few partitions (wanted {PARTITIONS})"))
        self.assertEqual(rows["invite.replies.v1"], (PARTITIONS, 1, "created"))
        lines = self.ran.stderr_lines()
        self.assertEqual(len(lines), 1, self.ran)
        self.assertIn("invite.requested.v1 has 1", lines[0])

    def test_the_topic_is_left_as_it_was(self):
        self.assertEqual(self.kafka.partitions()["invite.requested.v1"], 1)

    def test_asking_for_what_it_has_succeeds(self):
        ran = topics_command(self.kafka.bootstrap, "--partitions", "1")
        self.assertEqual(ran.returncode, 0, ran)
        # More partitions than asked are fine: only fewer is a problem.
        self.assertEqual(table(ran.stdout)["invite.replies.v1"], (PARTITIONS, 1, "exists"))

    def test_the_devstack_refuses_to_start(self):
        data_dir = pathlib.Path(tempfile.mkdtemp(prefix="realkafka-devstack-"))
        try:
            ran = run([binary("invite-devstack"), "--data-dir", data_dir, "--port", "0", "--kafka-brokers",
                       self.kafka.bootstrap, "--partitions", str(PARTITIONS)], timeout=60)
            self.assertEqual(ran.returncode, 1, ran)
            errors = [json.loads(line) for line in ran.stderr_lines() if '"level":"error"' in line]
            self.assertEqual(len(errors), 1, ran)
            self.assertEqual(errors[0]["topic"], "invite.requested.v1")
            self.assertIn("--partitions 1", errors[0]["msg"])
            self.assertFalse((data_dir / "devstack.json").exists())
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


class BadInput(unittest.TestCase):
    """No broker needed: flags are checked before anything is asked of a cluster, and an unreachable one is given up
    on at the deadline."""

    def assert_one_line_failure(self, ran, code, within_s, *needles):
        self.assertEqual(ran.returncode, code, ran)
        lines = ran.stderr_lines()
        self.assertEqual(len(lines), 1, ran)
        for needle in needles:
            self.assertIn(needle, lines[0])
        self.assertLess(ran.seconds, within_s, ran)

    def test_unreachable_brokers(self):
        ran = topics_command(f"127.0.0.1:{closed_port()}", "--timeout", "3s")
        self.assert_one_line_failure(ran, 1, 10, "no answer from Kafka", "Connection refused")
        self.assertEqual(ran.stdout, "")

    def test_unreachable_brokers_are_given_up_on_with_the_default_timeout_too(self):
        ran = topics_command(f"127.0.0.1:{closed_port()}", timeout=40)
        self.assert_one_line_failure(ran, 1, 25, "no answer from Kafka", "within 15s")

    def test_bad_numbers(self):
        brokers = f"127.0.0.1:{closed_port()}"  # never reached: a hang would show as the time limit
        for args, needle in ((["--partitions", "0"], "--partitions"),
                             (["--partitions", "four"], "--partitions"),
                             (["--replication-factor", "0"], "--replication-factor"),
                             (["--replication-factor", "2", "--min-insync-replicas", "3"], "--min-insync-replicas"),
                             (["--timeout", "0s"], "--timeout"),
                             (["--kafka-config", "novalue"], "--kafka-config")):
            with self.subTest(args=args):
                self.assert_one_line_failure(topics_command(brokers, *args), 2, 5, needle)

    def test_an_unknown_kafka_property(self):
        ran = topics_command(f"127.0.0.1:{closed_port()}", "--kafka-config", "no.such.property=1")
        self.assert_one_line_failure(ran, 1, 5, "no.such.property")

    def test_the_devstack_gives_up_on_unreachable_brokers(self):
        data_dir = pathlib.Path(tempfile.mkdtemp(prefix="realkafka-devstack-"))
        try:
            ran = run([binary("invite-devstack"), "--data-dir", data_dir, "--port", "0", "--kafka-brokers",
                       f"127.0.0.1:{closed_port()}"], timeout=60)
            self.assertEqual(ran.returncode, 1, ran)
            self.assertLess(ran.seconds, 30, ran)
            errors = [json.loads(line) for line in ran.stderr_lines() if '"level":"error"' in line]
            self.assertEqual([e["msg"] for e in errors], ["cannot prepare the topics"], ran)
            self.assertIn("no answer from Kafka", errors[0]["error"])
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)

    def test_the_devstack_checks_its_numbers(self):
        for args, needle in ((["--replication-factor", "0"], "--replication-factor"),
                             (["--min-insync-replicas", "2"], "--min-insync-replicas")):
            with self.subTest(args=args):
                ran = run([binary("invite-devstack"), "--data-dir", tempfile.gettempdir(), "--kafka-brokers",
                           f"127.0.0.1:{closed_port()}", *args], timeout=10)
                self.assertEqual(ran.returncode, 2, ran)
                self.assertIn(needle, ran.stderr_lines()[0])


class DevstackOnAnEmptyCluster(unittest.TestCase):
    """README: `invite-devstack --kafka-brokers B` on a fresh broker creates the topics and answers the printed curl."""

    @classmethod
    def setUpClass(cls):
        cls.kafka = Kafka()
        cls.data_dir = pathlib.Path(tempfile.mkdtemp(prefix="realkafka-devstack-"))
        cls.log = open(cls.data_dir / "devstack.err", "w")
        cls.process = subprocess.Popen([binary("invite-devstack"), "--data-dir", str(cls.data_dir), "--port", "0",
                                        "--kafka-brokers", cls.kafka.bootstrap],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=cls.log)
        summary = cls.data_dir / "devstack.json"
        deadline = time.monotonic() + 90
        while not summary.exists():
            if cls.process.poll() is not None or time.monotonic() > deadline:
                log = "\n".join(f"{name}:\n{(cls.data_dir / name).read_text()}"
                                for name in ("devstack.err", "gateway.log", "worker.log")
                                if (cls.data_dir / name).exists())
                cls._stop()
                raise AssertionError("the devstack did not become ready: " + log)
            time.sleep(0.2)
        cls.summary = json.loads(summary.read_text())

    @classmethod
    def _stop(cls):
        code = None
        if cls.process.poll() is None:
            cls.process.send_signal(signal.SIGINT)
            try:
                code = cls.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                cls.process.kill()
                cls.process.wait()
        cls.log.close()
        cls.kafka.down()
        shutil.rmtree(cls.data_dir, ignore_errors=True)
        return code

    @classmethod
    def tearDownClass(cls):
        code = cls._stop()
        if code != 0:
            raise AssertionError(f"invite-devstack exited with {code} on SIGINT")

    def test_it_created_every_topic(self):
        self.assertEqual(set(self.kafka.partitions()), set(manifest_topics()))
        created = [json.loads(line)["topic"] for line in (self.data_dir / "devstack.err").read_text().splitlines()
                   if '"msg":"created topic"' in line]
        self.assertEqual(set(created), set(manifest_topics()))

    def test_the_readmes_curl_gets_200(self):
        port = self.summary["url"].rsplit(":", 1)[1]
        ran = run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "30",
                   "--resolve", f"localhost:{port}:127.0.0.1",
                   "-X", "POST", self.summary["url"] + "/api/2.0/people/invite",
                   "-H", "Content-Type: application/json",
                   "--cookie", "asc_auth_key=" + self.summary["token"],
                   "-d", '{"invitations":[{"email":"someone@example.com","type":"User"}]}'], timeout=40)
        self.assertEqual(ran.stdout, "200", ran)


if __name__ == "__main__":
    unittest.main()
