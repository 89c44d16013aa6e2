"""A producer that is not the gateway, written from proto/ alone, can feed the worker; what it gets wrong lands in
the dead-letter topic, and the worker goes on.

Records are written by hand with python3-kafka. Each valid one is first checked against the contract (value schema
and headers schema), which proves the contract is enough to write a producer; each broken one is first shown to
break it.
"""

import datetime
import json
import unittest
import uuid

import asyncapi_contract
import event_schemas
import harness

CONTRACT = asyncapi_contract.AsyncApi()
INVITER_ID = str(uuid.uuid4())
REPLY_PARTITION = 2  # not the devstack gateway's (0), so the reply's place is the request's doing


def rfc3339(moment):
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def requested_value(request_id, email, index=0, count=1, portal="localhost", kind="User"):
    now = datetime.datetime.now(datetime.timezone.utc)
    return {
        "schemaVersion": 1,
        "eventId": str(uuid.uuid4()),
        "occurredAt": rfc3339(now),
        "requestId": request_id,
        "index": index,
        "count": count,
        "deadline": rfc3339(now + datetime.timedelta(seconds=60)),
        "portal": portal,
        "inviter": {"userId": INVITER_ID, "role": "Owner"},
        "culture": "en-US",
        "invitation": {"email": email, "type": kind},
        "replyPartition": REPLY_PARTITION,
    }


def producer_headers(request_id, traceparent=None):
    """The headers the AsyncAPI file asks a producer of invite.requested.v1 to send, as (name, value) pairs."""
    headers = [("correlation-id", request_id), ("reply-partition", str(REPLY_PARTITION))]
    if traceparent:
        headers.append(("traceparent", traceparent))
    return headers


def unique_email(label):
    return f"{label}-{uuid.uuid4().hex[:10]}@third-party.example"


class ThirdPartyProducer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = cls.enterClassContext(harness.Devstack())
        cls.portal = cls.stack.portal
        cls.value_validator = event_schemas.validator(CONTRACT.payload_schema(harness.REQUESTED))
        cls.headers_validator = event_schemas.validator(CONTRACT.headers_schema(harness.REQUESTED))
        cls.dlq_headers_validator = event_schemas.validator(CONTRACT.headers_schema(harness.REQUESTED_DLQ))

    # ---- helpers ----

    def publish_valid(self, value, headers):
        """Publishes a record that keeps the contract (checked first) the way the contract says: key = portal,
        default partitioner."""
        self.assertEqual(event_schemas.errors(self.value_validator, value), [])
        self.assertEqual(event_schemas.errors(self.headers_validator, dict(headers)), [])
        key_field = CONTRACT.key(harness.REQUESTED).payload_field
        return harness.produce(self.stack.brokers, harness.REQUESTED, json.dumps(value).encode(),
                               key=value[key_field].encode(), headers=headers)

    def publish_raw(self, value_bytes, headers):
        return harness.produce(self.stack.brokers, harness.REQUESTED, value_bytes, key=self.portal.encode(),
                               headers=headers)

    def wait_for_user(self, email):
        def found():
            return next((u for u in self.stack.users(portal=self.portal) if u["email"] == email), None)

        return harness.wait_until(found, 20, f"{email} among the worker's users", interval=0.2)

    def wait_for_records(self, topic, predicate, count):
        """The records of `topic` that satisfy `predicate`, once there are `count` of them."""
        def matching():
            records = [record for record in harness.read_topic(self.stack.brokers, topic) if predicate(record)]
            return records if len(records) >= count else None

        return harness.wait_until(matching, 20, f"{count} matching records on {topic}", interval=0.2)

    def request_records(self, topic, request_id, count):
        return self.wait_for_records(topic, lambda r: json.loads(r.value)["requestId"] == request_id, count)

    def dead_letter_of(self, metadata):
        source = f"{harness.REQUESTED}/{metadata.partition}/{metadata.offset}"
        records = self.wait_for_records(harness.REQUESTED_DLQ,
                                        lambda r: harness.headers_of(r).get("dlq-source") == source, 1)
        self.assertEqual(len(records), 1, f"{source} dead-lettered more than once")
        return records[0]

    def assert_applied(self, request_id, emails, traceparent=None):
        """The request's users exist, its reply is on the named partition, and each user got one e-mail job and
        one domain event, all carrying the request's correlation id (and trace context)."""
        for email in emails:
            self.wait_for_user(email)
        expected_headers = dict(producer_headers(request_id, traceparent))
        del expected_headers["reply-partition"]

        (reply,) = self.wait_for_records(harness.REPLIES, lambda r: r.key == request_id.encode(), 1)
        self.assertEqual(reply.partition, REPLY_PARTITION)
        self.assertEqual(harness.headers_of(reply), expected_headers)
        value = json.loads(reply.value)
        self.assertEqual(value["outcome"], "ok")
        self.assertEqual([user["email"] for user in value["users"]], emails)

        for topic, email_of in ((harness.EMAILS, lambda v: v["recipient"]["email"]),
                                (harness.USER_INVITED, lambda v: v["user"]["email"])):
            records = self.request_records(topic, request_id, len(emails))
            self.assertEqual(sorted(email_of(json.loads(r.value)) for r in records), sorted(emails), topic)
            for record in records:
                self.assertEqual(harness.headers_of(record), expected_headers, topic)
                self.assertEqual(record.key, self.portal.encode(), topic)

    def assert_dead_letter(self, metadata, value_bytes, headers, reason):
        """The record is in the DLQ with the same key and value, its headers unchanged and in order, then
        dlq-error (mentioning `reason`) and dlq-source."""
        letter = self.dead_letter_of(metadata)
        self.assertEqual(letter.key, self.portal.encode())
        self.assertEqual(letter.value, value_bytes)
        names = [name for name, _ in letter.headers]
        self.assertEqual(names, [name for name, _ in headers] + ["dlq-error", "dlq-source"])
        self.assertEqual(letter.headers[:len(headers)], [(name, data.encode()) for name, data in headers])
        found = harness.headers_of(letter)
        self.assertEqual(event_schemas.errors(self.dlq_headers_validator, found), [])
        self.assertIn(reason, found["dlq-error"])
        return found["dlq-error"]

    def assert_no_reply(self, request_id):
        replies = [r for r in harness.read_topic(self.stack.brokers, harness.REPLIES) if r.key == request_id.encode()]
        self.assertEqual(replies, [])

    # ---- (a) records that keep the contract are applied ----

    def test_a_hand_written_invitation_is_applied(self):
        request_id, email = str(uuid.uuid4()), unique_email("single")
        self.publish_valid(requested_value(request_id, email), producer_headers(request_id))
        self.assert_applied(request_id, [email])

    def test_a_hand_written_two_invitation_request_is_applied_whole(self):
        request_id = str(uuid.uuid4())
        emails = [unique_email("first"), unique_email("second")]
        traceparent = f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"
        for index, email in enumerate(emails):
            value = requested_value(request_id, email, index=index, count=len(emails))
            self.publish_valid(value, producer_headers(request_id, traceparent))
        self.assert_applied(request_id, emails, traceparent)

    # ---- (b) what breaks the contract is set aside, and the worker goes on ----

    def test_garbage_goes_to_the_dead_letter_topic_and_the_worker_goes_on(self):
        missing = requested_value(str(uuid.uuid4()), unique_email("missing"))
        del missing["culture"]
        wrong_version = dict(requested_value(str(uuid.uuid4()), unique_email("version")), schemaVersion=2)
        # Values the HTTP API would refuse must not become users, e-mail headers or ids through the back door.
        bad_email = requested_value(str(uuid.uuid4()), "not an email")
        header_injection = requested_value(str(uuid.uuid4()), "a@b.example\r\nBcc: victim@example.com")
        bad_request_id = requested_value("request-1", unique_email("request-id"))
        garbage = [
            (b"this is not JSON {", "JSON"),
            (json.dumps(missing).encode(), "culture"),
            (json.dumps(wrong_version).encode(), "schemaVersion"),
            (json.dumps(bad_email).encode(), "invitation.email"),
            (json.dumps(header_injection).encode(), "invitation.email"),
            (json.dumps(bad_request_id).encode(), "requestId"),
        ]
        published = []
        for value_bytes, reason in garbage:
            with self.subTest(reason=reason):
                self.assertNotEqual(self.schema_errors(value_bytes), [], "the garbage keeps the schema")
            request_id = str(uuid.uuid4())
            headers = producer_headers(request_id) + [("x-producer", "contract-test")]
            published.append((self.publish_raw(value_bytes, headers), value_bytes, headers, reason))

        # After the garbage, on the same partition (same key): the worker must still be consuming it.
        request_id, email = str(uuid.uuid4()), unique_email("after-garbage")
        after = self.publish_valid(requested_value(request_id, email), producer_headers(request_id))
        self.assertEqual({metadata.partition for metadata, *_ in published}, {after.partition})

        for metadata, value_bytes, headers, reason in published:
            with self.subTest(reason=reason):
                self.assert_dead_letter(metadata, value_bytes, headers, reason)
        self.assert_applied(request_id, [email])
        stored = [u["email"] for u in self.stack.users()]
        for request in (missing, wrong_version, bad_email, header_injection, bad_request_id):
            self.assert_no_reply(request["requestId"])
            self.assertNotIn(request["invitation"]["email"], stored)

    def test_records_the_schema_allows_but_the_worker_cannot_use_are_dead_lettered(self):
        # The AsyncAPI file names rules JSON Schema cannot state: index below count, a portal the worker serves, a
        # reply partition that exists (else the reply could never be delivered, and no gateway waits for it).
        index_too_big = requested_value(str(uuid.uuid4()), unique_email("index"), index=1, count=1)
        unknown_portal = requested_value(str(uuid.uuid4()), unique_email("portal"), portal="unknown.example")
        no_such_reply_partition = dict(requested_value(str(uuid.uuid4()), unique_email("reply")), replyPartition=99)
        cases = ((index_too_big, "index"), (unknown_portal, "unknown.example"),
                 (no_such_reply_partition, "replyPartition: 99 is not a partition of invite.replies.v1"))
        for value, reason in cases:
            with self.subTest(reason=reason):
                headers = producer_headers(value["requestId"])
                metadata = self.publish_valid(value, headers)
                value_bytes = json.dumps(value).encode()
                letter = self.dead_letter_of(metadata)
                self.assertEqual(letter.value, value_bytes)
                self.assertEqual(letter.key, value["portal"].encode())
                self.assertIn(reason, harness.headers_of(letter)["dlq-error"])
                self.assert_no_reply(value["requestId"])

    def test_a_malformed_traceparent_is_not_passed_on(self):
        # The request is fine and applied; only its trace context is dropped, so that what the worker publishes
        # keeps the headers schema of every topic.
        request_id, email = str(uuid.uuid4()), unique_email("trace")
        headers = producer_headers(request_id) + [("traceparent", "00-not-a-trace-context-01")]
        self.assertNotEqual(event_schemas.errors(self.headers_validator, dict(headers)), [])
        self.publish_raw(json.dumps(requested_value(request_id, email)).encode(), headers)
        self.assert_applied(request_id, [email])  # compares every event's headers: no traceparent among them

    def schema_errors(self, value_bytes):
        try:
            document = json.loads(value_bytes)
        except json.JSONDecodeError as error:
            return [f"not JSON: {error}"]
        return event_schemas.errors(self.value_validator, document)


if __name__ == "__main__":
    unittest.main()
