"""proto/openapi.yaml as a judge of HTTP exchanges.

Knows the service only through the YAML: an exchange (method, path, harness.Response) is checked against the
operation the document lists for it: the status must be listed exactly (no `default`, no `4XX`), the media type
must be one the response lists, the body must match its schema (JSON Schema 2020-12, formats enforced), and the
response's required headers must be there and match theirs. Requests the document routes nowhere are judged by its
`x-unrouted-requests` entries (unknown path: 404; listed path, unlisted method: 405).
"""

import json
import pathlib
import re

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

import event_schemas

OPENAPI_FILE = pathlib.Path(__file__).resolve().parents[2] / "proto" / "openapi.yaml"
UNROUTED = "x-unrouted-requests"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# ---- loading ----

def _pointer(root, ref):
    """The node a local reference ("#/components/schemas/X") names."""
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported, not {ref!r}")
    node = root
    for token in ref[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[token] if isinstance(node, dict) else node[int(token)]
    return node


def resolve_refs(node, root, _following=()):
    """A copy of `node` with every local $ref replaced by what it names. Siblings of a $ref (OpenAPI 3.1 allows
    `description` and `summary` there) override the referenced members."""
    if isinstance(node, list):
        return [resolve_refs(item, root, _following) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in _following:
            raise ValueError(f"circular reference: {' -> '.join(_following + (ref,))}")
        resolved = resolve_refs(_pointer(root, ref), root, _following + (ref,))
        siblings = {key: resolve_refs(value, root, _following) for key, value in node.items() if key != "$ref"}
        return {**resolved, **siblings} if isinstance(resolved, dict) else resolved
    return {key: resolve_refs(value, root, _following) for key, value in node.items()}


def load(path=OPENAPI_FILE):
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    return resolve_refs(document, document)


# ---- media types and headers ----

def _media_type(value):
    """("text/plain", {"version": "0.0.4"}) for "text/plain; version=0.0.4"; names lower-cased."""
    kind, *parameters = value.split(";")
    params = {}
    for parameter in parameters:
        name, _, data = parameter.partition("=")
        params[name.strip().lower()] = data.strip().strip('"')
    return kind.strip().lower(), params


def _matching_media(content, content_type):
    """The documented media type object for the response's Content-Type: same type, and every parameter the
    document's key names present with the same value (the document may leave out parameters such as charset)."""
    sent_kind, sent_params = _media_type(content_type)
    for key, media in content.items():
        kind, params = _media_type(key)
        if kind == sent_kind and all(sent_params.get(name) == value for name, value in params.items()):
            return media
    return None


def _header_value(schema, text):
    """A header's text as the instance its schema describes: integers for integer schemas."""
    if schema.get("type") in ("integer", "number") and re.fullmatch(r"-?[0-9]+", text.strip()):
        return int(text.strip())
    return text


def _is_text_schema(schema):
    return schema.get("type") == "string"


class OpenApi:
    """The loaded document, with problems(method, path, response) for one exchange and documented() for the set
    of (path, method, status) a session has to cover."""

    def __init__(self, path=OPENAPI_FILE):
        self.document = load(path)
        self._validators = {}

    # -- routing --

    def _path_template(self, path):
        path = path.split("?", 1)[0]
        for template in self.document.get("paths", {}):
            pattern = "^" + re.sub(r"\\\{[^}/]+\\\}", "[^/]+", re.escape(template)) + "$"
            if re.match(pattern, path):
                return template
        return None

    def route(self, method, path):
        """((path key, method key), responses object) of the operation that answers `method path`; for requests
        the document routes nowhere, the `x-unrouted-requests` entry that does."""
        template = self._path_template(path)
        if template is None:
            return (UNROUTED, "unknownPath"), self.document[UNROUTED]["unknownPath"]["responses"]
        operation = self.document["paths"][template].get(method.lower())
        if operation is None:
            return (UNROUTED, "unlistedMethod"), self.document[UNROUTED]["unlistedMethod"]["responses"]
        return (template, method.upper()), operation["responses"]

    def key(self, method, path, status):
        """The (path, method, status) entry of documented() that this exchange covers."""
        (path_key, method_key), _ = self.route(method, path)
        return path_key, method_key, int(status)

    def documented(self):
        """Every (path, METHOD, status) the document lists, x-unrouted-requests entries as
        ("x-unrouted-requests", name, status). A non-numeric status key ("default", "5XX") is an error: a client
        cannot tell from it what it will get."""
        entries = set()
        for template, item in self.document.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    entries |= {(template, method.upper(), status) for status in _statuses(item[method]["responses"])}
        for name, entry in self.document.get(UNROUTED, {}).items():
            entries |= {(UNROUTED, name, status) for status in _statuses(entry["responses"])}
        return entries

    # -- judging --

    def problems(self, method, path, response):
        """What in `response` (a harness.Response to `method path`) the document does not allow; empty if nothing."""
        (path_key, method_key), responses = self.route(method, path)
        where = f"{method_key} {path_key} -> {response.status}"
        documented = {str(status): value for status, value in responses.items()}.get(str(response.status))
        if documented is None:
            listed = ", ".join(sorted(str(s) for s in responses))
            return [f"{where}: status not documented (documented: {listed})"]
        return self._header_problems(where, documented, response) + self._content_problems(
            where, documented, response, method.upper() == "HEAD")

    def _header_problems(self, where, documented, response):
        found = []
        for name, header in documented.get("headers", {}).items():
            if name.lower() == "content-type":
                continue  # described by `content`, as OpenAPI says
            value = response.header(name)
            if value is None:
                if header.get("required"):
                    found.append(f"{where}: required header {name} missing")
                continue
            schema = header.get("schema", {})
            found += [f"{where}: header {name}: {e}"
                      for e in event_schemas.errors(self._validator(schema), _header_value(schema, value))]
        return found

    def _content_problems(self, where, documented, response, head):
        content = documented.get("content")
        if not content:
            return [] if not response.body else [f"{where}: a body where the document lists none"]
        content_type = response.header("content-type")
        if content_type is None:
            return [f"{where}: no Content-Type (documented: {', '.join(content)})"]
        media = _matching_media(content, content_type)
        if media is None:
            return [f"{where}: media type {content_type!r} not documented (documented: {', '.join(content)})"]
        schema = media.get("schema")
        if schema is None or head:
            return []  # a HEAD answer has no body to check
        try:
            text = response.body.decode("utf-8")
            instance = text if _is_text_schema(schema) else json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return [f"{where}: body is not {'text' if _is_text_schema(schema) else 'JSON'}: {error}"]
        return [f"{where}: body {e}" for e in event_schemas.errors(self._validator(schema), instance)]

    def _validator(self, schema):
        key = id(schema)
        if key not in self._validators:
            try:
                Draft202012Validator.check_schema(schema)
            except SchemaError as error:
                raise AssertionError(f"proto/openapi.yaml holds an invalid schema: {error.message}") from error
            # Keep the schema alive with its validator: ids of collected objects get reused.
            self._validators[key] = (schema, event_schemas.validator(schema))
        return self._validators[key][1]


def _statuses(responses):
    statuses = set()
    for status in responses:
        if not re.fullmatch(r"[1-5][0-9][0-9]", str(status)):
            raise ValueError(f"response key {status!r} is not an exact status code")
        statuses.add(int(status))
    return statuses
