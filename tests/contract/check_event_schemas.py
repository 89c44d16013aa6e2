#!/usr/bin/python3
"""Validates Kafka event documents against the JSON Schemas in proto/events/.

usage: check_event_schemas.py <schema dir> [<topic>=]<file>...

Each <file> holds one JSON document, or several as JSON Lines; "-" reads stdin. The schema is
<schema dir>/<topic>.schema.json, where <topic> is given explicitly or is the longest topic whose name
starts the file's base name (e.g. "invite.replies.v1.ok.json" -> invite.replies.v1).
Formats (uuid, date-time, email, uri) are enforced, not just annotated.
Exit status: 0 all valid, 1 some document invalid, 2 usage or schema problems.
"""

import json
import os
import sys

try:
    import jsonschema

    import event_schemas
except ImportError:  # scripts/install-deps installs python3-jsonschema for /usr/bin/python3
    print("check_event_schemas: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(3)


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
        schemas = event_schemas.load_schemas(argv[1])
    except (OSError, ValueError, jsonschema.SchemaError) as error:
        print(f"check_event_schemas: cannot load schemas from {argv[1]}: {error}", file=sys.stderr)
        return 2
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
        validator = event_schemas.validator(schemas[topic])
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
            errors = event_schemas.errors(validator, document)
            for error in errors:
                print(f"{where}: {error}")
            if errors:
                failed = True
            else:
                print(f"{where}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
