"""Loading the JSON Schemas of proto/events/ and validating documents against them with formats enforced."""

import datetime
import json
import os
import re

import jsonschema
from jsonschema import Draft202012Validator

SCHEMA_SUFFIX = ".schema.json"

# RFC 3339 section 5.6; jsonschema only checks date-time when an optional package is present, so do it here.
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$")


def format_checker():
    """uuid, email, uri, date-time ... enforced, not just annotated."""
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


def load_schemas(schema_dir):
    """{topic: schema} for every <topic>.schema.json in `schema_dir`; each checked against the 2020-12 meta-schema."""
    schemas = {}
    for name in sorted(os.listdir(schema_dir)):
        if not name.endswith(SCHEMA_SUFFIX):
            continue
        with open(os.path.join(schema_dir, name), encoding="utf-8") as handle:
            schema = json.load(handle)
        Draft202012Validator.check_schema(schema)
        schemas[name[: -len(SCHEMA_SUFFIX)]] = schema
    return schemas


def validator(schema):
    return Draft202012Validator(schema, format_checker=format_checker())


def errors(validator_, document):
    """Readable messages ("recipient/email: 'x' is not a 'email'"), empty when `document` is valid."""
    found = sorted(validator_.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '$'}: {e.message}" for e in found]
