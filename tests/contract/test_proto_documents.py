"""The contract documents themselves: loadable by the stock tools consumers use, complete, and consistent with each
other and with the binaries' own limits. (The running service is checked against them by the other test_* modules.)"""

import re
import shutil
import subprocess
import unittest

import yaml
from jsonschema import Draft202012Validator

import asyncapi_contract
import harness
from event_schemas import SCHEMA_SUFFIX, load_schemas

TOOLS_DIR = harness.SOURCE_DIR / "tests" / "contract" / "tools"
OPENAPI = harness.PROTO_DIR / "openapi.yaml"
ASYNCAPI = harness.PROTO_DIR / "asyncapi.yaml"
EVENTS_DIR = harness.PROTO_DIR / "events"


def _load_yaml(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _stock_check(kind, path):
    """(exit code, output) of tools/validate-contracts.mjs, which runs @seriousme/openapi-schema-validator or
    @asyncapi/parser as installed by scripts/install-deps."""
    node = shutil.which("node")
    if node is None or not (TOOLS_DIR / "node_modules").is_dir():
        raise AssertionError("node or tests/contract/tools/node_modules is missing: run scripts/install-deps")
    done = subprocess.run([node, str(TOOLS_DIR / "validate-contracts.mjs"), kind, str(path)], capture_output=True,
                          text=True, timeout=120, cwd=TOOLS_DIR)
    return done.returncode, done.stdout + done.stderr


def _refs(node):
    """Every "$ref" value anywhere in a loaded YAML/JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _channels(asyncapi):
    """{topic: channel object}; AsyncAPI 2.x names channels by topic, 3.x gives the topic as `address`."""
    channels = asyncapi.get("channels") or {}
    if str(asyncapi.get("asyncapi", "")).startswith("2."):
        return dict(channels)
    return {channel.get("address", name): channel for name, channel in channels.items()}


def _help_defaults(program):
    """{flag: default} from `<program> --help` ("--max-body-bytes <value> (env ..., default: 1048576) ...")."""
    out = subprocess.run([harness.binary(program), "--help"], capture_output=True, text=True, timeout=30).stdout
    return dict(re.findall(r"--([a-z0-9-]+) <value>\s+\(env [A-Z0-9_]+, default: ([^)]*)\)", out))


class StockTools(unittest.TestCase):
    def test_openapi_document_is_valid_openapi_3_1(self):
        code, output = _stock_check("openapi", OPENAPI)
        self.assertEqual(code, 0, output)
        self.assertIn("valid OpenAPI 3.1", output)

    def test_asyncapi_document_parses_without_errors_or_warnings(self):
        code, output = _stock_check("asyncapi", ASYNCAPI)
        self.assertEqual(code, 0, output)

    def test_the_stock_validators_do_reject_a_broken_document(self):
        # Guards the two tests above against a validator that accepts anything (a wrong install, a changed CLI).
        broken_dir = harness.pathlib.Path(self._tmp())
        broken_openapi = broken_dir / "openapi.yaml"
        document = _load_yaml(OPENAPI)
        document["paths"]["/api/2.0/people/invite"]["post"]["responses"]["200"] = {"content": "not a map"}
        broken_openapi.write_text(yaml.safe_dump(document), encoding="utf-8")
        self.assertNotEqual(_stock_check("openapi", broken_openapi)[0], 0)

        broken_asyncapi = broken_dir / "asyncapi.yaml"
        document = _load_yaml(ASYNCAPI)
        document["info"].pop("version")
        broken_asyncapi.write_text(yaml.safe_dump(document), encoding="utf-8")
        self.assertNotEqual(_stock_check("asyncapi", broken_asyncapi)[0], 0)

    def _tmp(self):
        import tempfile

        path = tempfile.mkdtemp(prefix="contract-proto-")
        self.addCleanup(shutil.rmtree, path, True)
        return path


class EventSchemas(unittest.TestCase):
    def setUp(self):
        self.schemas = load_schemas(EVENTS_DIR)  # also checks each against the 2020-12 meta-schema

    def test_one_schema_per_topic_that_carries_our_events(self):
        topics = asyncapi_contract.AsyncApi().topics - {harness.REQUESTED_DLQ}  # the DLQ holds other producers' bytes unchanged
        self.assertEqual(set(self.schemas), topics)

    def test_every_event_carries_the_envelope_the_design_promises(self):
        for topic, schema in self.schemas.items():
            with self.subTest(topic=topic):
                self.assertEqual(schema.get("$schema"), "https://json-schema.org/draft/2020-12/schema")
                self.assertEqual(schema.get("title"), topic)
                self.assertIs(schema.get("additionalProperties"), False)
                properties = schema["properties"]
                for field in ("schemaVersion", "eventId", "occurredAt"):
                    self.assertIn(field, schema["required"])
                self.assertEqual(properties["eventId"].get("format"), "uuid")
                self.assertEqual(properties["occurredAt"].get("format"), "date-time")
                self.assertIsInstance(properties["schemaVersion"].get("const"), int)
                major = int(topic.rsplit(".v", 1)[1])
                self.assertEqual(properties["schemaVersion"]["const"], major, "version field = the topic's version")

    def test_every_nested_object_is_closed(self):
        # We produce every byte of these events, so an unknown field is always a mistake on one side.
        def open_objects(node, where):
            if isinstance(node, dict):
                if node.get("type") == "object" and node.get("additionalProperties") is not False:
                    yield where
                for key, value in node.items():
                    yield from open_objects(value, f"{where}/{key}")
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    yield from open_objects(value, f"{where}/{index}")

        for topic, schema in self.schemas.items():
            with self.subTest(topic=topic):
                self.assertEqual(list(open_objects(schema, "")), [])


class AsyncApiCatalogue(unittest.TestCase):
    def setUp(self):
        self.document = _load_yaml(ASYNCAPI)
        self.channels = _channels(self.document)

    def test_channels_are_the_topics_the_tests_name_and_no_fewer(self):
        named = {harness.REQUESTED, harness.REPLIES, harness.EMAILS, harness.USER_INVITED, harness.REQUESTED_DLQ,
                 harness.EMAIL_STATUS}
        self.assertLessEqual(named, set(self.channels))

    def test_every_event_schema_is_referenced_and_every_reference_resolves(self):
        file_refs = {ref.split("#")[0] for ref in _refs(self.document) if not ref.startswith("#")}
        for ref in file_refs:
            self.assertTrue((harness.PROTO_DIR / ref).resolve().is_file(), f"{ref} does not exist")
        referenced = {(harness.PROTO_DIR / ref).resolve().name for ref in file_refs}
        on_disk = {path.name for path in EVENTS_DIR.glob(f"*{SCHEMA_SUFFIX}")}
        self.assertEqual(on_disk - referenced, set(), "schemas no channel uses")


class OpenApiDocument(unittest.TestCase):
    def setUp(self):
        self.document = _load_yaml(OPENAPI)

    def test_every_local_reference_resolves(self):
        for ref in set(_refs(self.document)):
            with self.subTest(ref=ref):
                self.assertTrue(ref.startswith("#/"), "the HTTP contract is one self-contained file")
                node = self.document
                for part in ref[2:].split("/"):
                    part = part.replace("~1", "/").replace("~0", "~")
                    self.assertIn(part, node)
                    node = node[part]

    def test_limits_are_the_gateways_defaults(self):
        # The gateway reads nothing from this file, so its --help is where the two must meet.
        defaults = _help_defaults("invite-gateway")
        body = self.document["components"]["requestBodies"]["InviteRequest"]
        self.assertEqual(body["x-max-body-bytes"], int(defaults["max-body-bytes"]))
        self.assertIn("--max-body-bytes", body["x-max-body-bytes-configured-by"])
        invitations = self.document["components"]["schemas"]["InviteRequest"]["properties"]["invitations"]
        self.assertEqual(invitations["maxItems"], int(defaults["max-invitations-per-request"]))
        self.assertIn("--max-invitations-per-request", invitations["x-max-items-configured-by"])

    def test_schemas_are_valid_json_schema_2020_12(self):
        for name, schema in self.document["components"]["schemas"].items():
            with self.subTest(schema=name):
                Draft202012Validator.check_schema(schema)


if __name__ == "__main__":
    unittest.main()
