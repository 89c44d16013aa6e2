"""Hostile HTTP: messages no browser would send, and clients that never finish sending. Every refused request
must leave nothing behind (see hostile.HostileCase.applies_nothing)."""

import socket
import time
import unittest
import uuid

import hostile
from hostile import INVITE, READ_TIMEOUT_S, body_of, closed_within, read_responses


def fresh_email(label):
    return f"{label}-{uuid.uuid4().hex[:8]}@example.com"


class HttpInput(hostile.HostileCase):
    def exchange(self, data):
        sock = self.connect()
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before all of it was written: the answer is still there to read
        return sock, read_responses(sock, 1)

    def test_oversized_body_is_413_by_length_and_by_chunks(self):
        with self.applies_nothing():
            sock, [by_length] = self.exchange(self.post_head(2 * 1024 * 1024) + b"{" * 65536)
            self.assert_error(by_length, 413, "PayloadTooLarge")
            self.assertIsNotNone(closed_within(sock, 5))
            chunks = b"".join(b"10000\r\n" + b" " * 0x10000 + b"\r\n" for _ in range(17))
            sock, [by_chunks] = self.exchange(self.post_head(extra=b"Transfer-Encoding: chunked\r\n") + chunks)
            self.assert_error(by_chunks, 413, "PayloadTooLarge")

    def test_oversized_header_and_too_many_fields_are_431_before_authentication(self):
        email = fresh_email("big-header")
        body = body_of([{"email": email, "type": "User"}])
        with self.applies_nothing():
            for extra in [b"Cookie: other=" + b"x" * 40000 + b"\r\n",
                          b"".join(b"X-Field-%d: v\r\n" % i for i in range(150)),
                          b"Referer: /" + b"r" * 33000 + b"\r\n"]:
                sock, [response] = self.exchange(self.post_head(len(body), extra) + body)
                self.assert_error(response, 431, "RequestHeaderFieldsTooLarge")
                self.assertEqual(response.header("connection"), "close")
        # Just under both limits the same request goes through.
        fields = b"".join(b"X-Field-%d: v\r\n" % i for i in range(90))
        sock, [accepted] = self.exchange(self.post_head(len(body), fields) + body)
        self.assertEqual(accepted.status, 200, accepted.body)

    def test_a_trickled_header_is_cut_off_at_the_read_timeout(self):
        with self.applies_nothing():
            sock = self.connect()
            started = time.monotonic()
            head = self.post_head(2)
            closed = None
            for offset in range(len(head)):
                try:
                    sock.sendall(head[offset:offset + 1])
                except (BrokenPipeError, ConnectionResetError):
                    closed = time.monotonic() - started
                    break
                time.sleep(0.2)
                if time.monotonic() - started > READ_TIMEOUT_S + 5:
                    break
            if closed is None:
                closed = closed_within(sock, 5)
            self.assertIsNotNone(closed, "the gateway kept a trickling connection open")
            self.assertGreaterEqual(time.monotonic() - started, READ_TIMEOUT_S - 0.2)
            self.assertLess(time.monotonic() - started, READ_TIMEOUT_S + 5)

    def test_a_trickled_body_is_cut_off_and_its_invitation_never_applied(self):
        email = fresh_email("trickled")
        body = body_of([{"email": email, "type": "User"}])
        with self.applies_nothing():
            sock = self.connect()
            started = time.monotonic()
            sock.sendall(self.post_head(len(body)))
            sent = 0
            try:
                while sent < len(body) - 1 and time.monotonic() - started < READ_TIMEOUT_S + 5:
                    sock.sendall(body[sent:sent + 1])
                    sent += 1
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.assertIsNotNone(closed_within(sock, 5))
            elapsed = time.monotonic() - started
            self.assertGreaterEqual(elapsed, READ_TIMEOUT_S - 0.2)
            self.assertLess(elapsed, READ_TIMEOUT_S + 6)
            self.assertLess(sent, len(body) - 1, "the body was trickled completely: the timeout did not act")

    def test_pipelined_requests_are_answered_in_order_and_each_applied_once(self):
        first, second = fresh_email("pipe-one"), fresh_email("pipe-two")
        data = b""
        for email in (first, second):
            body = body_of([{"email": email, "type": "User"}])
            data += self.post_head(len(body)) + body
        data += b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
        sock = self.connect(timeout=30)
        sock.sendall(data)
        responses = read_responses(sock, 3, timeout=30)
        self.assertEqual([r.status for r in responses], [200, 200, 200])
        self.assertEqual(responses[0].json()["response"][0]["displayName"], first)
        self.assertEqual(responses[1].json()["response"][0]["displayName"], second)
        self.assertEqual(responses[2].json(), {"status": "ok"})
        self.assertEqual(self.user_emails().count(first), 1)
        self.assertEqual(self.user_emails().count(second), 1)

    def test_a_request_pipelined_behind_a_malformed_one_is_never_read(self):
        email = fresh_email("behind-malformed")
        body = body_of([{"email": email, "type": "User"}])
        with self.applies_nothing():
            for malformed in [b"POST " + INVITE.encode() + b" HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\n"
                              b"Content-Length: 2\r\n\r\nab",
                              b"BREW /pot HTCPCP/1.0\r\n\r\n",
                              b"GET / HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n"]:
                sock, [response] = self.exchange(malformed + self.post_head(len(body)) + body)
                self.assert_error(response, 400, "BadRequest")
                self.assertIsNotNone(closed_within(sock, 5))

    def test_malformed_request_lines_are_400(self):
        with self.applies_nothing():
            for line in [b"POST\r\n\r\n", b"POST " + INVITE.encode() + b"\r\n\r\n",
                         b"POST " + INVITE.encode() + b" HTTP/9.9\r\n\r\n", b"P\x00ST / HTTP/1.1\r\n\r\n",
                         b"POST  " + INVITE.encode() + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
                         b"POST /a b HTTP/1.1\r\nHost: localhost\r\n\r\n", b"\r\n\r\n\r\n"]:
                with self.subTest(line=line):
                    sock, [response] = self.exchange(line)
                    self.assert_error(response, 400, "BadRequest")

    def test_missing_or_repeated_host_is_400(self):
        body = body_of([{"email": fresh_email("two-hosts"), "type": "User"}])
        with self.applies_nothing():
            for hosts in [b"", b"Host: localhost\r\nHost: other.test\r\n"]:
                head = (b"POST " + INVITE.encode() + b" HTTP/1.1\r\n" + hosts + b"Content-Type: application/json\r\n"
                        b"Cookie: asc_auth_key=" + self.token.encode() + b"\r\nContent-Length: " +
                        str(len(body)).encode() + b"\r\n\r\n")
                sock, [response] = self.exchange(head + body)
                self.assert_error(response, 400, "BadRequest")

    def test_chunked_body_abuse(self):
        email = fresh_email("chunked")
        body = body_of([{"email": email, "type": "User"}])
        chunked = self.post_head(extra=b"Transfer-Encoding: chunked\r\n")
        with self.applies_nothing():
            for name, data, status in [
                ("size not hex", chunked + b"zz\r\n" + body + b"\r\n0\r\n\r\n", 400),
                ("size overflows", chunked + b"1" * 40 + b"\r\n" + body, 400),
                ("negative size", chunked + b"-5\r\nhello\r\n0\r\n\r\n", 400),
                ("chunk longer than its size", chunked + b"2\r\n" + body + b"\r\n0\r\n\r\n", 400),
                ("endless extension", chunked + b"5;" + b"e" * 200000 + b"\r\n", 400),
                ("length and chunked (smuggling)", self.post_head(
                    5, b"Transfer-Encoding: chunked\r\n") + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n", 400),
                ("chunked not last", self.post_head(extra=b"Transfer-Encoding: chunked, identity\r\n") +
                 b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n", 501),
                ("gzip", self.post_head(extra=b"Transfer-Encoding: gzip, chunked\r\n") + b"%x\r\n" % len(body) +
                 body + b"\r\n0\r\n\r\n", 501),
            ]:
                with self.subTest(name):
                    sock, responses = self.exchange(data)
                    self.assertEqual(len(responses), 1, "no answer")
                    self.assertEqual(responses[0].status, status, responses[0].body)
                    self.assertIsNotNone(closed_within(sock, 5))
        # The same body in well-formed chunks is an ordinary request.
        pieces = [body[i:i + 7] for i in range(0, len(body), 7)]
        good = chunked + b"".join(b"%x;ext=1\r\n" % len(p) + p + b"\r\n" for p in pieces) + b"0\r\nTrailer: x\r\n\r\n"
        sock, [response] = self.exchange(good)
        self.assertEqual(response.status, 200, response.body)
        self.assertIn(email, self.user_emails())

    def test_other_methods_are_405_with_allow_and_apply_nothing(self):
        body = body_of([{"email": fresh_email("method"), "type": "User"}])
        with self.applies_nothing():
            # PUT on this path is the resend (openapi.yaml), so it is no longer a method the path refuses.
            for method in ["GET", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "post"]:
                with self.subTest(method=method):
                    head = (method.encode() + b" " + INVITE.encode() + b" HTTP/1.1\r\nHost: localhost\r\n"
                            b"Content-Type: application/json\r\nCookie: asc_auth_key=" + self.token.encode() +
                            b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
                    sock, [response] = self.exchange(head + body)
                    self.assertEqual(response.status, 405, response.body)
                    self.assertEqual(response.header("allow"), "POST, PUT")
                    self.assertEqual(response.json()["error"]["type"], "MethodNotAllowed")

    def test_unknown_paths_are_404_envelopes(self):
        body = body_of([{"email": fresh_email("path"), "type": "User"}])
        with self.applies_nothing():
            for path in ["/api/2.0/people/invite/", "/API/2.0/people/invite", "/api/2.0/people/../people/invite",
                         "/api/2.0/people/invite%00", "//api/2.0/people/invite",
                         "/" + "a" * 10000]:
                with self.subTest(path=path[:40]):
                    response = hostile.harness.request(self.stack.url, "POST", path, {
                        "Host": "localhost", "Content-Type": "application/json",
                        "Cookie": f"asc_auth_key={self.token}"}, body)
                    self.assertEqual(response.status, 404, response.body)
                    self.assertEqual(response.json(), {"error": {"message": "Not found", "type": "NotFound"},
                                                       "status": 1, "statusCode": 404})

    def test_zz_the_gateway_still_serves_after_every_other_test(self):
        sock = self.connect()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        [response] = read_responses(sock, 1)
        self.assertEqual(response.status, 200)
        self.assertEqual(self.invite(body_of([{"email": fresh_email("after"), "type": "User"}])).status, 200)


if __name__ == "__main__":
    unittest.main()
