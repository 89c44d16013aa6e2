"""scripts/kafka's own bad input: each case ends within seconds with one line on stderr and a non-zero exit (or 0 for
`down` when there is nothing to stop), and leaves no JVM behind."""

import os
import pathlib
import shutil
import socket
import sys
import tempfile
import unittest

from realkafka_support import KAFKA_SCRIPT, Kafka, run

PYTHON = sys.executable


def kafka_script(*args, env=None, timeout=30):
    # Through the interpreter, so that a PATH without java (or without anything) still finds Python.
    return run([PYTHON, KAFKA_SCRIPT, *args], timeout=timeout, env=env)


class WithoutACluster(unittest.TestCase):
    def setUp(self):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="realkafka-script-"))
        self.dir = self.root / "cluster"

    def tearDown(self):
        # Whatever a case did, nothing of it may keep running.
        run([PYTHON, KAFKA_SCRIPT, "down", "--dir", self.dir], timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)

    def assert_one_line_failure(self, ran, *needles, within_s=10):
        self.assertNotEqual(ran.returncode, 0, ran)
        lines = ran.stderr_lines()
        self.assertEqual(len(lines), 1, ran)
        self.assertTrue(lines[0].startswith("scripts/kafka "), ran)
        for needle in needles:
            self.assertIn(needle, lines[0])
        self.assertLess(ran.seconds, within_s, ran)

    def test_no_java(self):
        env = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"}
        path = [d for d in env.get("PATH", "").split(os.pathsep)
                if d and not os.access(os.path.join(d, "java"), os.X_OK)]
        env["PATH"] = os.pathsep.join(path) or "/nonexistent"
        ran = kafka_script("up", "--dir", self.dir, env=env)
        self.assert_one_line_failure(ran, "java not found")
        self.assertFalse((self.dir / "bootstrap").exists())

    def test_maven_cannot_reach_the_jars(self):
        # A machine that never fetched the jars, and Maven offline with an empty local repository.
        env = dict(os.environ, INVITE_KAFKA_JARS=str(self.root / "jars"),
                   INVITE_MAVEN_ARGS=f"-o -Dmaven.repo.local={self.root / 'm2'}")
        ran = kafka_script("up", "--dir", self.dir, env=env, timeout=120)
        self.assert_one_line_failure(ran, "Maven could not resolve", within_s=90)

    def test_a_port_that_is_taken(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            ran = kafka_script("up", "--dir", self.dir, "--port", str(port))
        self.assert_one_line_failure(ran, f"port {port} is taken")
        self.assertFalse((self.dir / "bootstrap").exists())

    def test_a_port_out_of_range(self):
        self.assert_one_line_failure(kafka_script("up", "--dir", self.dir, "--port", "70000"), "out of range")

    def test_an_unsupported_number_of_nodes(self):
        self.assert_one_line_failure(kafka_script("up", "--dir", self.dir, "--nodes", "2"), "--nodes must be 1 or 3")

    def test_a_node_command_without_a_cluster(self):
        self.assert_one_line_failure(kafka_script("kill", "1", "--dir", self.dir), "no cluster in")

    def test_down_without_a_cluster_says_so_and_succeeds(self):
        ran = kafka_script("down", "--dir", self.dir)
        self.assertEqual(ran.returncode, 0, ran)
        self.assertEqual(len(ran.stderr_lines()), 1, ran)
        self.assertIn("no cluster in", ran.stderr)
        self.assertLess(ran.seconds, 10, ran)


class WithACluster(unittest.TestCase):
    """One running node; the bad commands must neither fail slowly nor touch it."""

    @classmethod
    def setUpClass(cls):
        cls.kafka = Kafka()

    @classmethod
    def tearDownClass(cls):
        cls.kafka.down()

    def assert_one_line_failure(self, ran, *needles):
        self.assertNotEqual(ran.returncode, 0, ran)
        lines = ran.stderr_lines()
        self.assertEqual(len(lines), 1, ran)
        for needle in needles:
            self.assertIn(needle, lines[0])
        self.assertLess(ran.seconds, 10, ran)

    def assert_still_serving(self):
        self.assertIn("running", kafka_script("status", "--dir", self.kafka.dir).stdout)
        self.assertIsInstance(self.kafka.partitions(), dict)

    def test_a_node_that_does_not_exist(self):
        self.assert_one_line_failure(kafka_script("kill", "7", "--dir", self.kafka.dir), "no node 7", "nodes: 1")
        self.assert_still_serving()

    def test_a_node_that_is_not_a_number(self):
        self.assert_one_line_failure(kafka_script("pause", "x", "--dir", self.kafka.dir), "node must be a number")
        self.assert_still_serving()

    def test_up_on_a_running_cluster(self):
        self.assert_one_line_failure(kafka_script("up", "--dir", self.kafka.dir), "already running")
        self.assert_still_serving()

    def test_starting_a_running_node(self):
        self.assert_one_line_failure(kafka_script("start", "1", "--dir", self.kafka.dir), "already running")

    def test_leader_of_a_missing_topic(self):
        self.assert_one_line_failure(kafka_script("leader", "no.such.topic", "0", "--dir", self.kafka.dir),
                                     "no.such.topic")


class DownTwice(unittest.TestCase):
    def test_the_second_down_has_nothing_to_do(self):
        kafka = Kafka()
        first = kafka_script("down", "--dir", kafka.dir, timeout=60)
        self.assertEqual(first.returncode, 0, first)
        self.assertFalse(kafka.dir.exists())
        second = kafka_script("down", "--dir", kafka.dir)
        self.assertEqual(second.returncode, 0, second)
        self.assertEqual(len(second.stderr_lines()), 1, second)
        self.assertIn("no cluster in", second.stderr)
        self.assertLess(second.seconds, 10, second)
        shutil.rmtree(kafka.root, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
