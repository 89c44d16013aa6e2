"""Every record the running service writes keeps proto/asyncapi.yaml and the JSON Schemas it references.

One devstack with two portals serves a scripted session (new users, an existing user, an e-mail repeated in one
request, a trace context, requests rejected for a disabled user and for paid seats), then the invitation's later
life over HTTP (a link confirmed and accepted, an invitation resent, a user disabled and deleted); then
python3-kafka reads every topic from the beginning and each test checks one promise of the contract against all
of it.
"""

import collections
import dataclasses
import json
import secrets
import unittest
import urllib.parse

import kafka
from kafka.partitioner.default import murmur2

import asyncapi_contract
import event_schemas
import harness

CONTRACT = asyncapi_contract.AsyncApi()

PORTAL_A = "localhost"
PORTAL_B = "portal-b.example"  # one paid seat, so a second admin is refused
TRACEPARENT = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


@dataclasses.dataclass(frozen=True)
class Scripted:
    """One HTTP request of the session and what the contract says it must leave on the topics."""
    portal: str
    invitations: tuple  # (e-mail as sent, type)
    status: int
    outcome: str  # the reply's outcome
    created: tuple = ()  # e-mails (lower-case) of the users it creates: one e-mail job and one event each
    traceparent: str = None

    @property
    def emails(self):
        return [email for email, _ in self.invitations]


NEW_USERS = Scripted(PORTAL_A, (("anna@a.example", "User"), ("ben@a.example", "RoomAdmin"), ("Anna@A.example", "User")),
                     200, "ok", created=("anna@a.example", "ben@a.example"))
NEW_AND_EXISTING_TRACED = Scripted(PORTAL_A, (("cora@a.example", "DocSpaceAdmin"), ("anna@a.example", "User")),
                                   200, "ok", created=("cora@a.example",), traceparent=TRACEPARENT)
SECOND_PORTAL = Scripted(PORTAL_B, (("dan@b.example", "User"), ("eve@b.example", "RoomAdmin")),
                         200, "ok", created=("dan@b.example", "eve@b.example"))
PAID_SEATS = Scripted(PORTAL_B, (("fay@b.example", "User"), ("gus@b.example", "DocSpaceAdmin")),
                      402, "paid_seats_exceeded")
DISABLED_USER = Scripted(PORTAL_A, (("hal@a.example", "User"), ("ben@a.example", "User")), 400, "user_disabled")
EXISTING_ONLY = Scripted(PORTAL_A, (("cora@a.example", "User"),), 200, "ok")
SESSION = (NEW_USERS, NEW_AND_EXISTING_TRACED, SECOND_PORTAL, PAID_SEATS, DISABLED_USER, EXISTING_ONLY)
# After the invites, on PORTAL_A: anna's link is confirmed and accepted; cora's invitation is resent, then she is
# disabled and deleted. Each is one command record with one reply; the events they must leave are below.
ACCEPTED = "anna@a.example"
REVOKED = "cora@a.example"
COMMANDS = ("confirm", "accept", "resend", "disable", "delete")
LIFECYCLE_EVENTS = {harness.USER_ACTIVATED: ("accept", ACCEPTED), harness.USER_DISABLED: ("disable", REVOKED),
                    harness.USER_DELETED: ("delete", REVOKED)}


def cluster_partitions(brokers):
    """{topic: partition count} of every topic the cluster holds, from a metadata request that names none."""
    consumer = kafka.KafkaConsumer(bootstrap_servers=brokers)
    try:
        return {topic: len(consumer.partitions_for_topic(topic)) for topic in consumer.topics()}
    finally:
        consumer.close()


def key_partition(key, partitions):
    """Where Kafka's default partitioner (Java's, murmur2) puts a keyed record."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def where(record):
    return f"{record.topic}/{record.partition}/{record.offset}"


class TheContractFile(unittest.TestCase):
    """What a consumer team reads in proto/asyncapi.yaml matches the design's topic table."""

    def test_every_topic_the_tests_name_is_a_channel(self):
        named = {harness.REQUESTED, harness.REPLIES, harness.EMAILS, harness.USER_INVITED, harness.REQUESTED_DLQ,
                 harness.EMAIL_STATUS, harness.USER_ACTIVATED, harness.USER_DISABLED, harness.USER_DELETED}
        self.assertLessEqual(named, CONTRACT.topics)

    def test_keys_are_documented_as_the_design_says(self):
        self.assertEqual(CONTRACT.key(harness.REQUESTED).payload_field, "portal")
        self.assertEqual(CONTRACT.key(harness.REPLIES).payload_field, "requestId")
        self.assertEqual(CONTRACT.key(harness.EMAILS).payload_field, "portal")
        self.assertEqual(CONTRACT.key(harness.USER_INVITED).payload_field, "portal")
        for topic in LIFECYCLE_EVENTS:
            self.assertEqual(CONTRACT.key(topic).payload_field, "portal", topic)
            self.assertEqual(CONTRACT.partitioning(topic), "key", topic)
        self.assertIsNone(CONTRACT.key(harness.REQUESTED_DLQ).payload_field, "dead letters keep the source's key")
        self.assertEqual(CONTRACT.partitioning(harness.REPLIES), "reply-partition")
        for topic in (harness.REQUESTED, harness.EMAILS, harness.USER_INVITED, harness.REQUESTED_DLQ):
            self.assertEqual(CONTRACT.partitioning(topic), "key", topic)

    def test_payloads_are_the_event_schemas(self):
        schemas = event_schemas.load_schemas(harness.PROTO_DIR / "events")
        for topic in CONTRACT.topics - {harness.REQUESTED_DLQ}:
            self.assertEqual(CONTRACT.payload_schema(topic), schemas[topic], topic)
            self.assertEqual(CONTRACT.content_type(topic), "application/json", topic)
        self.assertIsNone(CONTRACT.payload_schema(harness.REQUESTED_DLQ))

    def test_headers_documented_where_the_design_puts_them(self):
        required = {topic: set(CONTRACT.headers_schema(topic).get("required", [])) for topic in CONTRACT.topics}
        self.assertEqual(required[harness.REQUESTED], {"correlation-id", "reply-partition"})
        for topic in (harness.REPLIES, harness.EMAILS, harness.USER_INVITED):
            self.assertEqual(required[topic], {"correlation-id"}, topic)
        self.assertEqual(required[harness.REQUESTED_DLQ], {"dlq-error", "dlq-source"})
        for topic in CONTRACT.topics - {harness.REQUESTED_DLQ}:  # dead letters keep whatever headers they came with
            self.assertIn("traceparent", CONTRACT.headers_schema(topic)["properties"], topic)
        self.assertIs(CONTRACT.headers_schema(harness.REQUESTED_DLQ)["additionalProperties"], True)

    def test_examples_keep_the_schemas(self):
        for topic in CONTRACT.topics:
            examples = CONTRACT.examples(topic)
            self.assertTrue(examples, f"{topic} has no example")
            headers = event_schemas.validator(CONTRACT.headers_schema(topic))
            schema = CONTRACT.payload_schema(topic)
            for example in examples:
                self.assertEqual(event_schemas.errors(headers, example["headers"]), [], (topic, example["name"]))
                if schema is not None:
                    payload = event_schemas.validator(schema)
                    self.assertEqual(event_schemas.errors(payload, example["payload"]), [], (topic, example["name"]))


class TopicsOfASession(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        portals = [harness.default_portal(PORTAL_A, "{port}"),
                   harness.default_portal(PORTAL_B, "{port}", paidSeats=1)]
        cls.stack = cls.enterClassContext(harness.Devstack(portals=portals))
        cls.tokens = {PORTAL_A: cls.stack.token, PORTAL_B: cls.stack.token_for("Owner", portal=PORTAL_B)}
        for scripted in SESSION:
            if scripted is DISABLED_USER:
                cls.stack.disable(PORTAL_A, "ben@a.example")
            cls._send(scripted)
        cls._live_the_invitations_life()
        cls.records = cls._read_every_topic()
        cls.requests = cls._requests_by_scripted()
        cls.commands = cls._commands_by_name()

    @classmethod
    def _send(cls, scripted):
        headers = {"Host": f"{scripted.portal}:{cls.stack.port}"}
        if scripted.traceparent:
            headers["traceparent"] = scripted.traceparent
        body = {"invitations": [{"email": email, "type": kind} for email, kind in scripted.invitations]}
        response = harness.invite(cls.stack.url, cls.tokens[scripted.portal], body, headers)
        if response.status != scripted.status:
            raise AssertionError(f"{scripted}: HTTP {response.status} {response.body!r}")

    @classmethod
    def _lifecycle(cls, method, path, body, headers=None, token=True):
        all_headers = {"Host": f"{PORTAL_A}:{cls.stack.port}", "Content-Type": "application/json"}
        if token:
            all_headers["Cookie"] = f"asc_auth_key={cls.tokens[PORTAL_A]}"
        all_headers.update(headers or {})
        response = harness.request(cls.stack.url, method, path, all_headers, body)
        if response.status != 200:
            raise AssertionError(f"{method} {path}: HTTP {response.status} {response.body!r}")
        return response.json()["response"]

    @classmethod
    def _live_the_invitations_life(cls):
        created = sum(len(scripted.created) for scripted in SESSION)
        jobs = {json.loads(r.value)["recipient"]["email"]: json.loads(r.value)
                for r in harness.read_topic(cls.stack.brokers, harness.EMAILS, created)}
        link = jobs[ACCEPTED]["confirmationLink"]
        query = link.split("?", 1)[1]
        values = dict(urllib.parse.parse_qsl(query))
        confirmed = cls._lifecycle("POST", "/api/2.0/authentication/confirm", values, token=False)
        if confirmed["result"] != 0:
            raise AssertionError(f"confirm of {link}: {confirmed}")
        cls._lifecycle("POST", "/api/2.0/people",
                       {"fromInviteLink": True, "email": ACCEPTED, "type": int(values["emplType"]),
                        "key": values["key"], "firstName": "Anna", "lastName": "Lind", "password": "long enough 1"},
                       {"confirm": query}, token=False)
        cora = next(user["id"] for user in cls.stack.users(portal=PORTAL_A) if user["email"] == REVOKED)
        cls._lifecycle("PUT", "/api/2.0/people/invite", {"userIds": [cora], "resendAll": False})
        cls._lifecycle("PUT", "/api/2.0/people/status/2", {"userIds": [cora]})
        cls._lifecycle("PUT", "/api/2.0/people/delete", {"userIds": [cora]})

    @classmethod
    def _read_every_topic(cls):
        """{topic: [record]}, waiting for as many records as the session must have produced."""
        created = sum(len(scripted.created) for scripted in SESSION)
        expected = {harness.REQUESTED: sum(len(scripted.invitations) for scripted in SESSION) + len(COMMANDS),
                    harness.REPLIES: len(SESSION) + len(COMMANDS), harness.EMAILS: created + 1,
                    harness.USER_INVITED: created, harness.REQUESTED_DLQ: 0, harness.EMAIL_STATUS: created + 1,
                    harness.USER_ACTIVATED: 1, harness.USER_DISABLED: 1, harness.USER_DELETED: 1}
        return {topic: harness.read_topic(cls.stack.brokers, topic, count) for topic, count in expected.items()}

    @classmethod
    def _requests_by_scripted(cls):
        """{Scripted: request id}, recognised by the e-mails of a request's records in index order."""
        by_request = collections.defaultdict(list)
        for record in cls.records[harness.REQUESTED]:
            value = json.loads(record.value)
            if "command" not in value:  # the invite's records carry no command
                by_request[value["requestId"]].append(value)
        found = {}
        for request_id, values in by_request.items():
            emails = [value["invitation"]["email"] for value in sorted(values, key=lambda v: v["index"])]
            portal = values[0]["portal"]
            matches = [s for s in SESSION if s.emails == emails and s.portal == portal]
            if len(matches) != 1:
                raise AssertionError(f"request {request_id} ({portal}, {emails}) is not one of the session's")
            found[matches[0]] = request_id
        if len(found) != len(SESSION):
            raise AssertionError(f"{len(found)} requests on {harness.REQUESTED}, the session sent {len(SESSION)}")
        return found

    @classmethod
    def _commands_by_name(cls):
        """{command: request id} of the lifecycle's command records, each sent once."""
        found = collections.defaultdict(list)
        for record in cls.records[harness.REQUESTED]:
            value = json.loads(record.value)
            if "command" in value:
                found[value["command"]].append(value["requestId"])
        if sorted(found) != sorted(COMMANDS) or any(len(ids) != 1 for ids in found.values()):
            raise AssertionError(f"command records on {harness.REQUESTED}: {dict(found)}, expected one of each "
                                 f"of {COMMANDS}")
        return {name: ids[0] for name, ids in found.items()}

    def _all(self):
        """(topic, record) of every topic whose values are JSON events (all but the dead letters)."""
        for topic, records in self.records.items():
            if CONTRACT.payload_schema(topic) is not None:
                yield from ((topic, record) for record in records)

    def _values(self, topic):
        return [(record, json.loads(record.value)) for record in self.records[topic]]

    # ---- the topics themselves ----

    def test_the_cluster_holds_exactly_the_documented_topics(self):
        topics = {topic for topic in cluster_partitions(self.stack.brokers) if not topic.startswith("__")}
        self.assertEqual(topics, CONTRACT.topics)

    def test_no_record_of_the_gateway_is_a_dead_letter(self):
        self.assertEqual([where(record) for record in self.records[harness.REQUESTED_DLQ]], [])

    # ---- values and headers ----

    def test_every_value_keeps_its_topic_schema(self):
        for topic in CONTRACT.topics - {harness.REQUESTED_DLQ}:
            validator = event_schemas.validator(CONTRACT.payload_schema(topic))
            for record in self.records[topic]:
                with self.subTest(record=where(record)):
                    self.assertEqual(event_schemas.errors(validator, json.loads(record.value)), [])

    def test_every_record_headers_keep_the_topic_headers_schema(self):
        validators = {topic: event_schemas.validator(CONTRACT.headers_schema(topic)) for topic in CONTRACT.topics}
        for topic, record in ((t, r) for t, records in self.records.items() for r in records):
            with self.subTest(record=where(record)):
                self.assertEqual(event_schemas.errors(validators[topic], harness.headers_of(record)), [])

    def test_correlation_id_is_the_request_id(self):
        for topic, record in self._all():
            with self.subTest(record=where(record)):
                self.assertEqual(harness.headers_of(record).get("correlation-id"), json.loads(record.value)["requestId"])

    def test_reply_partition_header_repeats_the_value(self):
        for record, value in self._values(harness.REQUESTED):
            with self.subTest(record=where(record)):
                self.assertEqual(harness.headers_of(record).get("reply-partition"), str(value["replyPartition"]))

    def test_traceparent_passes_from_the_http_request_to_everything_it_causes(self):
        traceparent_of = {request_id: scripted.traceparent for scripted, request_id in self.requests.items()}
        for topic, record in self._all():
            with self.subTest(record=where(record)):
                expected = traceparent_of.get(json.loads(record.value)["requestId"])  # commands: none sent
                self.assertEqual(harness.headers_of(record).get("traceparent"), expected)

    # ---- keys and partitions ----

    def test_keys_are_what_the_contract_says(self):
        for topic, record in self._all():
            field = CONTRACT.key(topic).payload_field
            with self.subTest(record=where(record)):
                self.assertEqual(record.key, json.loads(record.value)[field].encode())

    def test_keyed_records_are_where_kafkas_default_partitioner_puts_their_key(self):
        partitions = cluster_partitions(self.stack.brokers)
        for topic, record in self._all():
            if CONTRACT.partitioning(topic) != "key":
                continue
            with self.subTest(record=where(record)):
                self.assertEqual(record.partition, key_partition(record.key, partitions[topic]))
        # The two portals hash to different partitions (0 and 1 of 4), so a constant partition would fail too.
        self.assertGreater(len({record.partition for record in self.records[harness.REQUESTED]}), 1)

    def test_replies_land_on_the_partition_the_request_named(self):
        named = {}
        for record, value in self._values(harness.REQUESTED):
            named[value["requestId"]] = int(harness.headers_of(record)["reply-partition"])
        replies = self._values(harness.REPLIES)
        for record, value in replies:
            with self.subTest(record=where(record)):
                self.assertEqual(record.partition, named[value["requestId"]])

    def test_a_requests_records_are_on_one_partition_in_index_order(self):
        by_request = collections.defaultdict(list)
        for record, value in self._values(harness.REQUESTED):
            by_request[value["requestId"]].append((record, value))
        for scripted, request_id in self.requests.items():
            records = by_request[request_id]
            with self.subTest(request=scripted.emails):
                self.assertEqual(len({record.partition for record, _ in records}), 1)
                self.assertEqual([value["index"] for _, value in sorted(records, key=lambda r: r[0].offset)],
                                 list(range(len(scripted.invitations))))
                self.assertEqual({value["count"] for _, value in records}, {len(scripted.invitations)})

    # ---- what each request produced ----

    def test_one_reply_per_request_with_its_outcome(self):
        outcomes = collections.defaultdict(list)
        for _, value in self._values(harness.REPLIES):
            outcomes[value["requestId"]].append(value["outcome"])
        for scripted, request_id in self.requests.items():
            with self.subTest(request=scripted.emails):
                self.assertEqual(outcomes[request_id], [scripted.outcome])
        for command, request_id in self.commands.items():
            with self.subTest(command=command):
                self.assertEqual(len(outcomes[request_id]), 1)
        replies = {value["requestId"]: value for _, value in self._values(harness.REPLIES)}
        self.assertEqual([replies[self.commands[c]].get("command") for c in COMMANDS], list(COMMANDS))
    def test_every_new_user_gets_one_email_job_and_one_event_and_nobody_else_does(self):
        expected = collections.Counter()
        for scripted, request_id in self.requests.items():
            for email in scripted.created:
                expected[(request_id, scripted.portal, email)] += 1
        jobs = collections.Counter((v["requestId"], v["portal"], v["recipient"]["email"].lower())
                                   for _, v in self._values(harness.EMAILS) if not v.get("resend"))
        events = collections.Counter((v["requestId"], v["portal"], v["user"]["email"].lower())
                                     for _, v in self._values(harness.USER_INVITED))
        self.assertEqual(jobs, expected)
        self.assertEqual(events, expected)

    def test_email_jobs_and_events_name_the_user_the_reply_returned(self):
        reply_users = {}
        for _, value in self._values(harness.REPLIES):
            for user in value.get("users", []):
                reply_users[(value["requestId"], user["email"].lower())] = user["id"]
        for _, value in self._values(harness.EMAILS):
            self.assertEqual(value["recipient"]["userId"],
                             reply_users[(value["requestId"], value["recipient"]["email"].lower())])
        for _, value in self._values(harness.USER_INVITED):
            self.assertEqual(value["user"]["id"], reply_users[(value["requestId"], value["user"]["email"].lower())])

    def test_a_resend_is_one_email_job_marked_resend_with_a_new_link(self):
        resent = [v for _, v in self._values(harness.EMAILS) if v.get("resend")]
        self.assertEqual([(v["requestId"], v["portal"], v["recipient"]["email"]) for v in resent],
                         [(self.commands["resend"], PORTAL_A, REVOKED)])
        first = [v for _, v in self._values(harness.EMAILS) if v["recipient"]["email"] == REVOKED and not v.get("resend")]
        self.assertEqual(len(first), 1)
        self.assertNotEqual(first[0]["confirmationLink"], resent[0]["confirmationLink"])
        self.assertEqual(first[0]["recipient"]["userId"], resent[0]["recipient"]["userId"])

    def test_one_event_per_activation_disable_and_delete(self):
        for topic, (command, email) in LIFECYCLE_EVENTS.items():
            with self.subTest(topic=topic):
                self.assertEqual([(v["requestId"], v["portal"], v["user"]["email"]) for _, v in self._values(topic)],
                                 [(self.commands[command], PORTAL_A, email)])
                for record, value in self._values(topic):
                    self.assertEqual(record.key, PORTAL_A.encode())
        activated = self._values(harness.USER_ACTIVATED)[0][1]["user"]
        invited = {v["user"]["email"]: v["user"]["id"] for _, v in self._values(harness.USER_INVITED)}
        self.assertEqual(activated["id"], invited[ACCEPTED])  # activated in place: the invited user's id
        disabled = self._values(harness.USER_DISABLED)[0][1]["user"]["id"]
        self.assertEqual(self._values(harness.USER_DELETED)[0][1]["user"]["id"], disabled)
        self.assertEqual(disabled, invited[REVOKED])

    def test_no_password_reaches_a_topic(self):
        for topic, records in self.records.items():
            for record in records:
                with self.subTest(record=where(record)):
                    self.assertNotIn(b"long enough 1", record.value)

    def test_every_email_job_is_sent_once_and_announced_once(self):
        # The devstack's mailer writes .eml files, which never fail: one `sent` per job, on its first attempt.
        jobs = {v["eventId"]: v for _, v in self._values(harness.EMAILS)}
        statuses = collections.defaultdict(list)
        for _, status in self._values(harness.EMAIL_STATUS):
            statuses[status["jobEventId"]].append(status)
        self.assertEqual(set(statuses), set(jobs))
        for job_id, job in jobs.items():
            with self.subTest(job=job_id):
                self.assertEqual([(s["status"], s["attempt"]) for s in statuses[job_id]], [("sent", 1)])
                status = statuses[job_id][0]
                self.assertEqual((status["requestId"], status["portal"], status["recipient"], status["culture"]),
                                 (job["requestId"], job["portal"], job["recipient"], job["culture"]))
                self.assertTrue(status["messageId"].startswith(f"<{job_id}@"), status["messageId"])

    def test_event_ids_are_unique_across_all_topics(self):
        ids = collections.Counter(json.loads(record.value)["eventId"] for _, record in self._all())
        self.assertEqual([event_id for event_id, n in ids.items() if n > 1], [])


if __name__ == "__main__":
    unittest.main()
