#!/usr/bin/python3
"""Validates Kafka event documents against the JSON Schemas in proto/events/.

usage: check_event_schemas.py <schema dir> [<topic>=]<file>...

Each <file> holds one JSON document, or several as JSON Lines; "-" reads stdin. The schema is
<schema dir>/<topic>.schema.json, where <topic> is given explicitly or is the longest topic whose name
starts the file's base name (e.g. "invite.replies.v1.ok.json" -> invite.replies.v1).
Formats (uuid, date-time, email, uri) are enforced, not just annotated.
Exit status: 0 all valid, 1 some document invalid, 2 usage or schema problems.
"""

import datetime
import json
import os
import re
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:  # the caller (a C++ test) skips when this happens
    print("check_event_schemas: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(3)

SCHEMA_SUFFIX = ".schema.json"

# RFC 3339 section 5.6; jsonschema only checks date-time when an optional package is present, so do it here.
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$")


def _format_checker():
    checker = jsonschema.FormatChecker(formats=Draft202012Validator.FORMAT_CHECKER.checkers.keys())

    @checker.checks("date-time", raises=ValueError)
    def _is_date_time(instance):
        if not isinstance(instance, str):
            return True
        match = _DATE_TIME.match(instance)
        if not match:
            return False
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        datetime.date(year, month, day)  # raises on 2026-02-30
        if hour > 23 or minute > 59 or second > 60:
            return False
        if match.group(9) is not None and (int(match.group(9)) > 23 or int(match.group(10)) > 59):
            return False
        return True

    return checker


def _load_schemas(schema_dir):
    schemas = {}
    for name in sorted(os.listdir(schema_dir)):
        if not name.endswith(SCHEMA_SUFFIX):
            continue
        with open(os.path.join(schema_dir, name), encoding="utf-8") as handle:
            schema = json.load(handle)
        Draft202012Validator.check_schema(schema)
        schemas[name[: -len(SCHEMA_SUFFIX)]] = schema
    return schemas


def _documents(text):
    """(number, document text) pairs: the whole text as #1 when it is one JSON document, else every non-blank line
    as JSON Lines, numbered by its line so that a bad one is easy to find."""
    try:
        json.loads(text)
        return [(1, text)]
    except json.JSONDecodeError:
        pass
    return [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _topic_for(path, schemas):
    base = os.path.basename(path)
    matches = [topic for topic in schemas if base.startswith(topic)]
    return max(matches, key=len) if matches else None


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        schemas = _load_schemas(argv[1])
    except (OSError, ValueError, jsonschema.SchemaError) as error:
        print(f"check_event_schemas: cannot load schemas from {argv[1]}: {error}", file=sys.stderr)
        return 2
    checker = _format_checker()
    failed = False
    for argument in argv[2:]:
        topic, separator, path = argument.partition("=")
        if not separator:
            topic, path = None, argument
        if topic is None:
            topic = _topic_for(path, schemas)
        if topic not in schemas:
            print(f"{argument}: no schema for topic {topic!r} in {argv[1]}", file=sys.stderr)
            return 2
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 2
        validator = Draft202012Validator(schemas[topic], format_checker=checker)
        documents = _documents(text)
        if not documents:  # else an empty file would pass as valid
            print(f"{path} ({topic}): no document")
            failed = True
        for number, document_text in documents:
            where = f"{path}#{number} ({topic})"
            try:
                document = json.loads(document_text)
            except json.JSONDecodeError as error:
                print(f"{where}: not JSON: {error}")
                failed = True
                continue
            errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
            for error in errors:
                location = "/".join(str(part) for part in error.absolute_path) or "$"
                print(f"{where}: {location}: {error.message}")
            if errors:
                failed = True
            else:
                print(f"{where}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
