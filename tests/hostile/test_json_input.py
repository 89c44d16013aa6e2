"""Hostile bodies and values: JSON built to break parsers, values built to break mail headers and SQL, and lists
at and past the limits. Each refused body must leave nothing behind; each accepted one must be stored exactly as
sent."""

import unittest
import uuid

import hostile
from hostile import body_of

FIELD_TYPES = [None, True, 0, -1, 1.5, "", "x", [], {}, ["a@example.com"], {"email": "a@example.com"}]


def fresh_email(label):
    return f"{label}-{uuid.uuid4().hex[:8]}@example.com"


def email_of_length(length, label):
    """A valid address of exactly `length` characters: a 64-character local part, 63-character labels."""
    local = (label + "-" + uuid.uuid4().hex)[:64].ljust(64, "x")
    domain_length = length - len(local) - 1
    labels, left = [], domain_length - len(".com")
    while left > 0:
        size = min(63, left)
        labels.append("d" * size)
        left -= size + 1
    address = local + "@" + ".".join(labels) + ".com"
    assert len(address) == length, (len(address), length)
    return address


class JsonInput(hostile.HostileCase):
    def assert_refused(self, body, keys=None):
        response = self.invite(body)
        if keys is None:
            self.assertEqual(response.status, 400, response.body[:300])
            response.json()
        else:
            self.assert_validation(response, keys)
        return response

    def test_invalid_json(self):
        with self.applies_nothing():
            for body in [b"", b"{", b"{\"invitations\":[}", b"nul", b"{'invitations':[]}", b"{\"invitations\":[]}}",
                         b"{\"invitations\":[]} trailing", b"[{\"invitations\":[]}]", b"\"text\"", b"42",
                         b"{\"invitations\":[{\"email\":\"a@example.com\",}]}", b"/* c */{\"invitations\":[]}",
                         b"{\"invitations\":[NaN]}", b"{\"invitations\":Infinity}"]:
                with self.subTest(body=body[:40]):
                    self.assert_refused(body, ["$"])

    def test_deep_nesting_is_refused_without_harm(self):
        with self.applies_nothing():
            depth = 100000  # within the body limit even as {"a": objects
            self.assert_refused(b'{"invitations":' + b"[" * depth + b"]" * depth + b"}", ["Invitations[0].Email"])
            self.assert_refused(b'{"invitations":[' + b'{"a":' * depth + b"1" + b"}" * depth + b"]}",
                                ["Invitations[0].Email"])
            self.assert_refused(b'{"invitations":[],"culture":' + b"[" * depth + b"]" * depth + b"}", ["Culture"])
            self.assert_refused(b'{"invitations":' + b"[" * depth, ["$"])  # never closed

    def test_huge_and_odd_numbers(self):
        email = fresh_email("numbers")
        with self.applies_nothing():
            for number in [b"1e999999", b"-1e999999", b"123456789012345678901234567890", b"18446744073709551616",
                           b"-9223372036854775809", b"4.0", b"4e0", b"0.4e1", b"-1", b"5", b"1" * 5000]:
                with self.subTest(number=number[:30]):
                    body = b'{"invitations":[{"email":"' + email.encode() + b'","type":' + number + b"}]}"
                    response = self.invite(body)
                    self.assertEqual(response.status, 400, response.body[:300])
                    self.assertIn(list(response.json()["response"]["errors"]), [["$"], ["$.invitations[0].type"]])

    def test_duplicate_keys_take_the_last_value_and_are_validated_as_such(self):
        # ASP.NET's binder keeps the last of repeated (case-insensitive) names; so does the gateway.
        good, bad = fresh_email("dup-good"), "not-an-email"
        with self.applies_nothing():
            self.assert_refused(b'{"invitations":[{"email":"' + good.encode() + b'","email":"' + bad.encode() + b'"}]}',
                                ["Invitations[0].Email"])
            self.assert_refused(b'{"invitations":[{"email":"' + good.encode() + b'","type":"User","TYPE":"Owner"}]}',
                                ["$.invitations[0].type"])
            self.assert_refused(b'{"invitations":[{"email":"' + good.encode() + b'"}],"Invitations":null}',
                                ["Invitations"])
        last = fresh_email("dup-last")
        response = self.invite(b'{"invitations":[{"email":"' + good.encode() + b'","Email":"' + last.encode() +
                               b'","type":"Owner","type":"User"}]}')
        self.assertEqual(response.status, 200, response.body)
        self.assertIn(last, self.user_emails())
        self.assertNotIn(good, self.user_emails())

    def test_wrong_types_everywhere(self):
        email = fresh_email("types")
        with self.applies_nothing():
            for value in FIELD_TYPES:
                with self.subTest(field="email", value=value):
                    self.assert_refused(body_of([{"email": value, "type": "User"}]), ["Invitations[0].Email"])
                if value is not None and not isinstance(value, list):
                    with self.subTest(field="invitations", value=value):
                        self.assert_refused(body_of(value), ["Invitations"])
                if value is not None and value != 0:  # omitted, and 0 (All), are RoomAdmin
                    with self.subTest(field="type", value=value):
                        self.assert_refused(body_of([{"email": email, "type": value}]), ["$.invitations[0].type"])
                if value is not None:
                    with self.subTest(field="culture", value=value):
                        self.assert_refused(body_of([{"email": email}], culture=value), ["Culture"])
                with self.subTest(field="item", value=value):
                    if not isinstance(value, dict):
                        self.assert_refused(body_of([value]), ["Invitations[0].Email"])
                with self.subTest(field="value", value=value):
                    if not (isinstance(value, dict) and "email" in value):  # that one is the seed's item shape
                        self.assert_refused(body_of([{"value": value}]), ["Invitations[0].Email"])

    def test_bytes_that_are_not_utf8_or_are_nul(self):
        with self.applies_nothing():
            for body in [b'{"invitations":[{"email":"a\xff@example.com"}]}', b'{"invitations":[{"email":"\xc3@x.com"}]}',
                         b'{"invitations":[{"email":"\xed\xa0\x80@example.com"}]}',   # a UTF-16 surrogate
                         b'{"invitations":[{"email":"\\ud800@example.com"}]}',         # a lone surrogate escape
                         b'{"invitations":[{"email":"a\x00@example.com"}]}', b'{"invitations":[]}\x00',
                         b'\x00{"invitations":[]}', b'\xfe\xff\x00{']:
                with self.subTest(body=body):
                    self.assert_refused(body, ["$"])
            for email in ["a\u0000@example.com", "a@example.com\u0000", "\u00e9l\u00e8ve@example.com",
                          "a@\u00e9xample.com", "a@example.com\u2028"]:
                with self.subTest(email=email):
                    self.assert_refused(body_of([{"email": email, "type": "User"}]), ["Invitations[0].Email"])

    def test_crlf_and_header_injection_in_email_and_culture(self):
        email = fresh_email("crlf")
        with self.applies_nothing():
            for injected in [email + "\r\nBcc: victim@example.com", email + "\nBcc: victim@example.com",
                             "victim@example.com\r\n\r\nbody", "a@example.com\rX-Injected: 1", "a@example.com\t",
                             " a@example.com", "a@example.com>,<b@example.com", "\"a\r\n\"@example.com",
                             "a@example.com%0d%0aBcc:b@example.com"]:
                with self.subTest(email=injected):
                    self.assert_refused(body_of([{"email": injected, "type": "User"}]), ["Invitations[0].Email"])
            for culture in ["en-US\r\nX-Injected: 1", "en\n", "en-US\u0000", "../../etc/passwd", "en-US; rm -rf",
                            "en_US", "EN-US", "en-USA", "e", "x" * 1000]:
                with self.subTest(culture=culture):
                    self.assert_refused(body_of([{"email": email, "type": "User"}], culture=culture), ["Culture"])

    def test_sql_metacharacters_are_data(self):
        # Characters RFC 5322 allows in a local part are stored as given, never interpreted.
        addresses = [f"o'brien-{uuid.uuid4().hex[:6]}@example.com",
                     f"x'or'1'='1-{uuid.uuid4().hex[:6]}@example.com",
                     f"robert'--{uuid.uuid4().hex[:6]}@example.com",
                     f"a%_*{uuid.uuid4().hex[:6]}@example.com"]
        before = self.user_emails()
        response = self.invite(body_of([{"email": a, "type": "User"} for a in addresses]))
        self.assertEqual(response.status, 200, response.body)
        self.assertEqual([u["displayName"] for u in response.json()["response"]], addresses)
        after = self.user_emails()
        self.assertEqual(sorted(set(after) - set(before)), sorted(a.lower() for a in addresses))
        self.assertEqual(len(after), len(before) + len(addresses))
        with self.applies_nothing():
            for injected in ["a@example.com'); DROP TABLE users;--", "a\"@example.com", "a;b@example.com",
                             "a@example.com' OR '1'='1"]:
                with self.subTest(email=injected):
                    self.assert_refused(body_of([{"email": injected, "type": "User"}]), ["Invitations[0].Email"])

    def test_ten_thousand_invitations_are_refused_whole(self):
        invitations = [{"email": f"bulk{i}-{uuid.uuid4().hex[:6]}@example.com", "type": "User"} for i in range(10000)]
        with self.applies_nothing():
            response = self.assert_refused(body_of(invitations), ["Invitations"])
            self.assertIn("1000", response.json()["response"]["errors"]["Invitations"][0])
            self.assert_refused(body_of(invitations[:1001]), ["Invitations"])

    def test_255_character_emails_are_accepted_and_256_refused(self):
        longest = email_of_length(255, "long")
        with self.applies_nothing():
            self.assert_refused(body_of([{"email": email_of_length(256, "toolong"), "type": "User"}]),
                                ["Invitations[0].Email"])
            local = "l" * 65 + "@example.com"
            self.assert_refused(body_of([{"email": local, "type": "User"}]), ["Invitations[0].Email"])
        response = self.invite(body_of([{"email": longest, "type": "User"}]))
        self.assertEqual(response.status, 200, response.body)
        self.assertIn(longest.lower(), self.user_emails())


if __name__ == "__main__":
    unittest.main()
