"""Hostile input against the lifecycle endpoints (issue 13): the confirm, accept, resend, disable and delete bodies
and the accept's `confirm` header. Each request gets a clear 4xx, publishes no record and stores nothing, and the
gateway keeps serving."""

import json
import unittest

from hostile import HostileCase, harness, read_responses

CONFIRM = "/api/2.0/authentication/confirm"
PEOPLE = "/api/2.0/people"
RESEND = ("PUT", "/api/2.0/people/invite")
DISABLE = ("PUT", "/api/2.0/people/status/2")
DELETE = ("PUT", "/api/2.0/people/delete")
USER = "0b9c5e2a-8f43-4d7e-9a51-3c2f6d1e7b80"
LINK_QUERY = "type=LinkInvite&key=1700000000000.abc&email=a%40example.com&emplType=4"
ACCEPT = {"fromInviteLink": True, "email": "a@example.com", "type": 4, "key": "1700000000000.abc",
          "firstName": "A", "lastName": "B", "password": "long enough 1"}
CONFIRM_BODY = {"type": "LinkInvite", "key": "1700000000000.abc", "email": "a@example.com", "emplType": 4}


def nested(depth):
    return b"[" * depth + b"]" * depth


class LifecycleInput(HostileCase):

    def send(self, method, path, body, headers=None, token=True):
        all_headers = {"Host": "localhost", "Content-Type": "application/json", "Accept": "application/json"}
        if token:
            all_headers["Cookie"] = f"asc_auth_key={self.token}"
        all_headers.update(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        return harness.request(self.stack.url, method, path, all_headers, body)

    def accept(self, body, confirm=LINK_QUERY):
        return self.send("POST", PEOPLE, body, {"confirm": confirm}, token=False)

    def assert_refused(self, response, status=400):
        self.assertEqual(response.status, status, response.body[:300])
        body = response.json()
        self.assertEqual(body["statusCode"] if "statusCode" in body else body.get("status"), status, body)

    def refused_everywhere(self, bodies, status=400):
        """Each raw body to every body-taking endpoint: refused with `status`, nothing published."""
        endpoints = [("POST", CONFIRM, False), RESEND + (True,), DISABLE + (True,), DELETE + (True,)]
        with self.applies_nothing():
            for body in bodies:
                for method, path, token in endpoints:
                    with self.subTest(path=path, body=body[:60]):
                        self.assert_refused(self.send(method, path, body, token=token), status)
                with self.subTest(path=PEOPLE, body=body[:60]):
                    self.assert_refused(self.accept(body), status)

    def tearDown(self):
        self.assertEqual(harness.request(self.stack.url, "GET", "/healthz").status, 200, "the gateway went down")

    # ---- bodies ----

    def test_oversized_bodies_are_413(self):
        padding = b'{"userIds":[],"padding":"' + b"x" * (1048576 + 10) + b'"}'
        self.refused_everywhere([padding], 413)

    def test_deeply_nested_bodies(self):
        self.refused_everywhere([nested(100000), b'{"userIds":' + nested(5000) + b"}",
                                 b'{"key":' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}"])

    def test_not_json_nul_bytes_and_bad_utf8(self):
        self.refused_everywhere([b"", b"null", b"{", b'{"key":"a\x00b"}', b'{"userIds":["\xff\xfe"]}',
                                 b"\x00" * 16, b'{"userIds":[]} trailing'])

    def test_duplicate_keys_in_any_case(self):
        with self.applies_nothing():
            for method, path in (RESEND, DISABLE, DELETE):
                for body in ('{"userIds":["%s"],"userIds":["%s"]}' % (USER, USER),
                             '{"userIds":["%s"],"UserIds":["%s"]}' % (USER, USER),
                             '{"USERIDS":["%s"],"userids":["%s"]}' % (USER, USER)):
                    with self.subTest(path=path, body=body):
                        self.assert_refused(self.send(method, path, body))
            for body in ('{"type":"LinkInvite","key":"a","KEY":"b","email":"a@example.com"}',
                         '{"type":"LinkInvite","key":"a","email":"a@example.com","Email":"b@example.com"}'):
                with self.subTest(path=CONFIRM, body=body):
                    self.assert_refused(self.send("POST", CONFIRM, body, token=False))
            duplicated = json.dumps(ACCEPT)[:-1] + ', "Password": "another one 2"}'
            self.assert_refused(self.accept(duplicated))

    def test_wrong_types(self):
        with self.applies_nothing():
            for body in ({"userIds": 5}, {"userIds": [5]}, {"userIds": {"a": USER}}, {"userIds": [USER],
                                                                                        "resendAll": "maybe"},
                         {"userIds": ["not-a-uuid"]}, {"userIds": [USER] * 1001}):
                for method, path in (RESEND, DISABLE, DELETE):
                    if "resendAll" in body and path != RESEND[1]:
                        continue
                    with self.subTest(path=path, body=str(body)[:60]):
                        self.assert_refused(self.send(method, path, body))
            for override in ({"key": 5}, {"email": ["a@example.com"]}, {"emplType": [4]}, {"emplType": "four"},
                             {"type": {"LinkInvite": 1}}, {"type": "EmailChange"}):
                with self.subTest(path=CONFIRM, body=override):
                    self.assert_refused(self.send("POST", CONFIRM, {**CONFIRM_BODY, **override}, token=False))
            for override in ({"fromInviteLink": "true"}, {"fromInviteLink": False}, {"password": 12345678},
                             {"firstName": {"a": 1}}, {"spam": "no"}, {"type": "Owner"}, {"key": None},
                             {"password": "x" * 121}, {"passwordHash": "h", "password": "long enough 1"}):
                with self.subTest(path=PEOPLE, body=override):
                    self.assert_refused(self.accept({**ACCEPT, **override}))

    def test_escaped_nul_in_the_links_values(self):
        # Valid JSON holding a NUL: no key or address ever issued has one, so it is refused, not sent to the worker.
        with self.applies_nothing():
            for override in ({"key": "1700000000000.a\u0000b"}, {"email": "a\u0000@example.com"},
                             {"encemail": "abc\u0000"}):
                body = json.dumps({**CONFIRM_BODY, **override})
                with self.subTest(body=override):
                    self.assert_refused(self.send("POST", CONFIRM, body, token=False))
            self.assert_refused(self.accept({**ACCEPT, "key": "1700000000000.a\u0000b"}))

    # ---- the confirm header ----

    def test_hostile_confirm_headers(self):
        headers = [
            "type=LinkInvite&key=%zz&email=a%40example.com&emplType=4",      # bad percent-encoding
            "type=LinkInvite&key=abc%&email=a%40example.com&emplType=4",      # truncated escape
            "type=LinkInvite&key=abc%4&email=a%40example.com&emplType=4",
            "type=LinkInvite&key=a%00b&email=a%40example.com&emplType=4",     # an encoded NUL
            "type=LinkInvite&key=abc&KEY=abd&email=a%40example.com&emplType=4",  # duplicate, any case
            "type=LinkInvite&key=abc&email=a%40example.com&emplType=4&emplType=4",
            "type=LinkInvite&key=" + "k" * 5000 + "&email=a%40example.com&emplType=4",  # over 4 KiB
            "type=EmailChange&key=abc&email=a%40example.com&emplType=4",
            "type=LinkInvite&key=abc&email=a%40example.com&emplType=9",
            "type=LinkInvite&email=a%40example.com&emplType=4",               # no key
            "&&&&=",
        ]
        with self.applies_nothing():
            for header in headers:
                with self.subTest(header=header[:70]):
                    self.assert_refused(self.accept(ACCEPT, confirm=header))

    def test_a_raw_nul_in_the_confirm_header_is_refused(self):
        head = (b"POST " + PEOPLE.encode() + b" HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                b"confirm: type=LinkInvite&key=a\x00b&email=a%40example.com&emplType=4\r\n")
        body = json.dumps(ACCEPT).encode()
        with self.applies_nothing():
            sock = self.connect()
            sock.sendall(head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            responses = read_responses(sock, 1)
            self.assertEqual(len(responses), 1)
            self.assertGreaterEqual(responses[0].status, 400)
            self.assertLess(responses[0].status, 500)

    def test_the_gateway_still_serves_afterwards(self):
        response = self.invite(json.dumps({"invitations": [{"email": "still.up@example.com", "type": "User"}]}))
        self.assertEqual(response.status, 200, response.body[:300])


if __name__ == "__main__":
    unittest.main()
