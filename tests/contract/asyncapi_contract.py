"""What proto/asyncapi.yaml says about each Kafka topic, read the way a consumer team would read it.

Knows only the YAML and the JSON Schemas it references (nothing of the C++): per topic, the payload schema (the
$ref into proto/events/ resolved), the headers schema, what the key equals and how the partition is chosen.
"""

import dataclasses
import json
import pathlib

import yaml

ASYNCAPI_PATH = pathlib.Path(__file__).resolve().parents[2] / "proto" / "asyncapi.yaml"

# A runtime expression naming a payload field, as AsyncAPI's correlationId.location uses them.
_PAYLOAD_EXPRESSION = "$message.payload#/"


@dataclasses.dataclass(frozen=True)
class Key:
    payload_field: str  # the value field the key equals, or None when the key is not taken from the value
    description: str


class AsyncApi:
    def __init__(self, path=ASYNCAPI_PATH):
        self.path = pathlib.Path(path)
        with open(self.path, encoding="utf-8") as handle:
            self.document = yaml.safe_load(handle)
        self._channels = {channel["address"]: channel for channel in self.document["channels"].values()}

    @property
    def topics(self):
        """Every channel's address, i.e. every Kafka topic the file documents."""
        return set(self._channels)

    def message(self, topic):
        """The single message a topic carries (every channel of this service has exactly one)."""
        messages = list(self._channels[topic]["messages"].values())
        if len(messages) != 1:
            raise ValueError(f"{topic}: expected one message, found {len(messages)}")
        return self._resolve(messages[0])

    def payload_schema(self, topic):
        """The value's JSON Schema (a JSON document loaded from proto/events/), or None when the value is opaque
        bytes with no schema (the dead letters)."""
        payload = self.message(topic)["payload"]
        schema = payload.get("schema") if "schemaFormat" in payload else payload
        if "$ref" not in schema:
            return None
        return self._load_external(schema["$ref"])

    def headers_schema(self, topic):
        """The headers as a JSON Schema of an object {header name: value string}, with internal $refs inlined."""
        return self._inline(self.message(topic)["headers"])

    def content_type(self, topic):
        return self.message(topic).get("contentType", self.document["defaultContentType"])

    def key(self, topic):
        schema = self._resolve(self.message(topic)["bindings"]["kafka"]["key"])
        expression = schema.get("x-equals")
        field = None
        if expression is not None:
            if not expression.startswith(_PAYLOAD_EXPRESSION):
                raise ValueError(f"{topic}: unsupported key expression {expression!r}")
            field = expression[len(_PAYLOAD_EXPRESSION):]
        return Key(field, schema.get("description", ""))

    def partitioning(self, topic):
        """"key" (murmur2 of the key, Kafka's default for keyed records) or "reply-partition" (the partition the
        request named)."""
        return self._channels[topic]["bindings"]["kafka"]["x-partition"]

    def examples(self, topic):
        return self.message(topic).get("examples", [])

    # ---- references ----

    def _resolve(self, node):
        """Follows a node's own "#/..." $ref (repeatedly); other nodes are returned as they are."""
        while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
            node = self._pointer(node["$ref"])
        return node

    def _inline(self, node):
        node = self._resolve(node)
        if isinstance(node, dict):
            return {name: self._inline(value) for name, value in node.items()}
        if isinstance(node, list):
            return [self._inline(item) for item in node]
        return node

    def _pointer(self, ref):
        node = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _load_external(self, ref):
        if ref.startswith("#"):
            raise ValueError(f"payload $ref {ref!r} does not point into proto/events/")
        with open(self.path.parent / ref, encoding="utf-8") as handle:
            return json.load(handle)
