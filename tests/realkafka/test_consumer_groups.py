"""The consumer groups on a real broker, which enforces what the mock does not (a group coordinator, the offsets
topic, session timeouts).

Our consumers take their partitions by assignment (the worker and mailer by replica ordinal, the gateway its reply
partition), never by subscribing, so no group ever has members: nothing waits for a session timeout to hand a dead
member's partitions on, and a SIGKILLed mailer's partitions are read again as soon as its pod is restarted. The groups
hold the committed offsets only: the worker's `invite-worker` serves lag monitoring (its resume point is in SQLite),
the mailer's `invite-mailer` is where it resumes. These tests check that a real coordinator accepts those commits
from consumers that are not members, and that the committed offsets follow the topics' ends.
"""

import json
import os
import pathlib
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "contract"))
import harness  # noqa: E402  (tests/contract/harness.py: the devstack on a real broker of its own)


def committed(bootstrap, group):
    """{(topic, partition): committed offset} of a group, and its state, through a stock client."""
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="realkafka-groups", request_timeout_ms=10000)
    try:
        offsets = {(tp.topic, tp.partition): meta.offset for tp, meta in admin.list_consumer_group_offsets(group).items()}
        description = admin.describe_consumer_groups([group])[0]
        return offsets, description.state, len(description.members)
    finally:
        admin.close()


def topic_end(bootstrap, topic):
    """The sum of a topic's end offsets."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="realkafka-groups")
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


class GroupsOnARealBroker(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = harness.Devstack(kafka="real").__enter__()
        cls.addClassCleanup(cls.stack.__exit__, None, None, None)
        cls.emails = [f"group.{i}.{os.getpid()}@example.com" for i in range(3)]
        reply = harness.invite(cls.stack.url, cls.stack.token,
                               {"invitations": [{"email": e, "type": "User"} for e in cls.emails]},
                               headers={"Host": cls.stack.portal})
        assert reply.status == 200, reply.body
        mail_dir = pathlib.Path(cls.stack.info["outboxMailDir"])
        harness.wait_until(lambda: len(list(mail_dir.glob("*.eml"))) >= len(cls.emails), 60,
                           "the mailer to write the invitations")

    def wait_caught_up(self, group, topic):
        end = topic_end(self.stack.brokers, topic)

        def caught_up():
            offsets, _, _ = committed(self.stack.brokers, group)
            return sum(o for (t, _), o in offsets.items() if t == topic and o >= 0) == end

        harness.wait_until(caught_up, 30, f"{group} to commit the end of {topic}", interval=0.5)
        return end

    def test_the_worker_commits_its_progress_for_lag_monitoring(self):
        end = self.wait_caught_up("invite-worker", harness.REQUESTED)
        self.assertGreaterEqual(end, len(self.emails))

    def test_the_mailer_commits_where_it_resumes(self):
        end = self.wait_caught_up("invite-mailer", harness.EMAILS)
        self.assertEqual(end, len(self.emails))

    def test_no_group_has_members_whose_session_could_hold_partitions(self):
        # Once the groups exist (their first commits), they are Empty: offsets, no members.
        self.wait_caught_up("invite-worker", harness.REQUESTED)
        self.wait_caught_up("invite-mailer", harness.EMAILS)
        for group in ("invite-worker", "invite-mailer"):
            _, state, members = committed(self.stack.brokers, group)
            self.assertEqual(members, 0, group)
            self.assertEqual(state, "Empty", group)


if __name__ == "__main__":
    unittest.main()
