"""The gateway's HTTP API against proto/openapi.yaml, by a client that is not ours.

One devstack, one scripted session: every exchange is judged by openapi_contract (status, media type, body schema,
required headers), and the session's last test checks that every (path, method, status) the document lists was
seen. Beyond the schema, each test asserts what a DocSpace client relies on: Content-Type following Accept, the
validation keys, Set-Cookie on a rejected cookie, Retry-After and X-RateLimit-* values, all-or-nothing requests,
safe retries.
"""

import base64
import calendar
import hashlib
import hmac
import http.client
import json
import os
import pathlib
import signal
import socket
import threading
import time
import unittest
import urllib.parse
import uuid

import harness
import openapi_contract

INVITE = "/api/2.0/people/invite"
LOCAL = "localhost"          # no limits
SEATS = "seats.test"          # one paid seat
BUDGET = "budget.test"        # two new users a day
CLOSED = "closed.test"        # allowInvitingMembers = false
PORTALS = [
    harness.default_portal(LOCAL, "{port}"),
    harness.default_portal(SEATS, "{port}", paidSeats=1),
    harness.default_portal(BUDGET, "{port}", dailyInvitationBudget=2),
    harness.default_portal(CLOSED, "{port}", allowInvitingMembers=False),
]
# Short enough for a quick session, and the delivery timeout must stay below the request timeout.
REQUEST_TIMEOUT_S = 3
STACK_ENV = {"INVITE_REQUEST_TIMEOUT": f"{REQUEST_TIMEOUT_S}s", "INVITE_DELIVERY_TIMEOUT": "2s"}

EMPLOYEE_DTO_FIELDS = ["id", "displayName", "title", "avatar", "avatarOriginal", "avatarMax", "avatarMedium",
                       "avatarSmall", "profileUrl", "hasAvatar", "isAnonim"]
CONFIRM = "/api/2.0/authentication/confirm"
PEOPLE = "/api/2.0/people"
FILTER = "/api/2.0/people/filter"
DISABLE = "/api/2.0/people/status/2"
DELETE = "/api/2.0/people/delete"
# The lifecycle's operations (method, path); PUT INVITE is the resend.
LIFECYCLE = [("POST", CONFIRM), ("POST", PEOPLE), ("PUT", INVITE), ("GET", FILTER), ("PUT", DISABLE), ("PUT", DELETE)]
# The gateway only answers 500 when a handler throws, i.e. for a bug; no request can provoke it on purpose.
UNREACHABLE = {(path, method, 500) for method, path in [("POST", INVITE)] + LIFECYCLE}
# Statuses documented for the lifecycle's operations that this session does not provoke, each with its reason.
EXCUSED = {
    # 503 (BrokerUnavailable / Overloaded / ShuttingDown): the lifecycle endpoints publish through the same dispatch
    # as the invite (endpoint_steps.cpp), whose 503s test_16 provokes; a second frozen-broker gateway per operation
    # would add half a minute each and test the same code.
    **{(path, method, 503): "same dispatch as the invite's 503 (test_16)" for method, path in LIFECYCLE},
}


def jwt_hs256(claims, secret):
    """A token signed like any third-party issuer would, for the cases invitectl refuses to make (expired)."""
    def encode(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
    signing_input = encode(b'{"alg":"HS256","typ":"JWT"}') + "." + encode(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + encode(signature)


def raw_exchange(port, data):
    """Sends `data` as is (no HTTP library to tidy it up) and parses the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        reply = http.client.HTTPResponse(sock, method="POST")
        reply.begin()
        return harness.Response(reply.status, [(k.lower(), v) for k, v in reply.getheaders()], reply.read())


def user_invitations(count):
    """`count` distinct User invitations, the same for every call."""
    return [{"email": f"many{i}@example.com", "type": "User"} for i in range(count)]


def next_utc_midnight(now_s):
    day = time.gmtime(now_s)
    return calendar.timegm((day.tm_year, day.tm_mon, day.tm_mday, 0, 0, 0)) + 86400


class HttpApiSession(unittest.TestCase):
    """Tests run in name order (unittest's default), so test_99 sees the whole session."""

    @classmethod
    def setUpClass(cls):
        cls.api = openapi_contract.OpenApi()
        cls.covered = set()
        cls.ran = set()
        cls.stack = cls.enterClassContext(harness.Devstack(portals=PORTALS, env=STACK_ENV))
        cls.secret = pathlib.Path(cls.stack.token_secret_file).read_text(encoding="utf-8").strip()
        cls._tokens = {}

    def setUp(self):
        self.ran.add(self._testMethodName)

    # ---- plumbing ----

    def token(self, role="Owner", portal=LOCAL):
        if (role, portal) not in self._tokens:
            self._tokens[(role, portal)] = self.stack.token_for(role, portal=portal)
        return self._tokens[(role, portal)]

    def judge(self, method, path, response):
        """The exchange must be one the document allows; remembered for the coverage check."""
        problems = self.api.problems(method, path, response)
        if problems:  # a 1000-user answer can break one rule a thousand times: show a few
            self.fail(f"{method} {path} answered {response.status} {response.headers} {response.body[:300]!r}\n"
                      f"{len(problems)} problem(s), first: " + "\n".join(problems[:3]))
        self.covered.add(self.api.key(method, path, response.status))
        return response

    def host_header(self, portal):
        return f"{portal}:{self.stack.port}"

    def send(self, method, path, portal=LOCAL, headers=None, body=None, url=None):
        """One judged exchange; a header given as None is not sent at all."""
        all_headers = {"Host": self.host_header(portal)}
        all_headers.update(headers or {})
        all_headers = {name: value for name, value in all_headers.items() if value is not None}
        return self.judge(method, path, harness.request(url or self.stack.url, method, path, all_headers, body))

    def invite(self, body, portal=LOCAL, token=None, role="Owner", headers=None, url=None):
        """POST the invite endpoint as a DocSpace client would: JSON, token in the asc_auth_key cookie."""
        token = token if token is not None else self.token(role, portal)
        all_headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            all_headers["Cookie"] = f"asc_auth_key={token}"
        all_headers.update(headers or {})
        return self.send("POST", INVITE, portal, all_headers, body, url)

    def assert_error(self, response, status, error_type, message=None):
        self.assertEqual(response.status, status, response.body)
        body = response.json()
        self.assertEqual(body["error"]["type"], error_type)
        if message is not None:
            self.assertEqual(body["error"]["message"], message)

    def assert_validation(self, response, expected_keys):
        self.assertEqual(response.status, 400, response.body)
        self.assertEqual(list(response.json()["response"]["errors"]), expected_keys)

    def users_by_email(self, portal):
        return {user["email"].lower(): user for user in self.stack.users(portal=portal)}

    def public_url(self, portal, path):
        return f"http://{portal}:{self.stack.port}{path}"

    # ---- the session ----

    def test_01_success_lists_each_distinct_email_once_in_request_order(self):
        body = {"invitations": [
            {"email": "Ann.Lee@Example.com", "type": "User"},
            {"value": {"email": "bob@example.com", "type": 4}},        # the seed page's item shape, type by number
            {"email": "ann.lee@example.com", "type": "roomadmin"},     # same user again: raises her type
            {"email": "carol+docs@example.com"},                       # no type: a RoomAdmin
        ], "culture": "de-DE"}
        response = self.invite(body)
        self.assertEqual(response.status, 200, response.body)
        envelope = response.json()
        self.assertEqual(list(envelope), ["response", "count", "links", "status", "statusCode"])
        users = envelope["response"]
        self.assertEqual([user["displayName"] for user in users],
                         ["Ann.Lee@Example.com", "bob@example.com", "carol+docs@example.com"])
        self.assertEqual(envelope["count"], len(users))
        self.assertEqual(envelope["links"], [{"href": self.public_url(LOCAL, INVITE), "action": "POST"}])
        for user in users:
            self.assertEqual(list(user), EMPLOYEE_DTO_FIELDS)
            search = urllib.parse.quote(user["displayName"].lower(), safe="")
            self.assertEqual(user["profileUrl"], self.public_url(LOCAL, f"/accounts/people/filter?search={search}"))

        stored = self.users_by_email(LOCAL)
        self.assertEqual([stored[user["displayName"].lower()]["id"] for user in users], [user["id"] for user in users])
        self.assertEqual(stored["ann.lee@example.com"]["type"], "RoomAdmin")
        self.assertEqual(stored["carol+docs@example.com"]["type"], "RoomAdmin")
        self.assertEqual(stored["bob@example.com"]["culture"], "de-DE")

        again = self.invite(body)  # a retry applies nothing twice and lists the same users
        self.assertEqual(again.status, 200, again.body)
        self.assertEqual([user["id"] for user in again.json()["response"]], [user["id"] for user in users])

    def test_02_media_types_follow_accept_and_the_body_is_json_either_way(self):
        for accept, expected in [("application/json", "application/json"), ("text/json", "text/json"),
                                 ("text/plain", "text/plain"), ("*/*", "application/json"),
                                 ("application/xml, text/plain;q=0.5", "text/plain"), (None, "application/json")]:
            headers = {"Accept": accept}  # None: no Accept header at all
            with self.subTest(accept=accept):
                exchanges = [
                    self.invite({"invitations": []}, headers=headers),
                    self.invite({"invitations": [{"email": "x@example.com", "type": "User"}]}, portal=CLOSED,
                                headers=headers),
                    self.invite({}, headers=headers),
                    self.send("GET", INVITE, headers=headers),
                    self.send("GET", "/api/2.0/people/none", headers=headers),
                ]
                for response in exchanges:
                    self.assertEqual(response.media_type, expected, response.headers)
                    response.json()
        for content_type in ["application/json; charset=utf-8", "text/json", "application/vnd.docspace+json"]:
            with self.subTest(content_type=content_type):
                response = self.invite({"invitations": [{"email": "typed@example.com", "type": "User"}]},
                                       headers={"Content-Type": content_type})
                self.assertEqual(response.status, 200, response.body)

    def test_03_validation_envelope_is_keyed_like_aspnet(self):
        cases = [
            ({}, ["Invitations"]),
            ({"invitations": None}, ["Invitations"]),
            ({"invitations": {"email": "a@example.com"}}, ["Invitations"]),
            ("not json", ["$"]),
            ([], ["$"]),
            ({"invitations": [{"email": "not-an-email"}, {"email": "ok@example.com", "type": "Owner"}, 5,
                              {"email": "a@xn--80ak6aa92e.com"}, {"value": {"email": "ok@example.com", "type": 7}}],
              "culture": "english"},
             ["Invitations[0].Email", "$.invitations[1].type", "Invitations[2].Email", "Invitations[3].Email",
              "$.invitations[4].type", "Culture"]),
            ({"invitations": [{"email": "valid@example.com"}], "culture": "en-us"}, ["Culture"]),
            ({"invitations": user_invitations(1001)}, ["Invitations"]),
        ]
        for body, keys in cases:
            with self.subTest(body=str(body)[:80]):
                response = self.invite(body)
                self.assert_validation(response, keys)
                self.assertEqual(response.json()["links"], [{"href": self.public_url(LOCAL, INVITE), "action": "POST"}])
        required = self.invite({})
        self.assertEqual(required.json()["response"]["errors"], {"Invitations": ["The Invitations field is required."]})
        email = self.invite({"invitations": [{"email": "Adele94@gmail"}]})
        self.assertEqual(email.json()["response"]["errors"], {"Invitations[0].Email": ["Incorrect email"]})
        self.assertNotIn("valid@example.com", self.users_by_email(LOCAL))  # nothing published

        trace = "0af7651916cd43dd8448eb211c80319c"
        traced = self.invite({}, headers={"traceparent": f"00-{trace}-b7ad6b7169203331-01"})
        self.assertEqual(traced.json()["response"]["traceId"], f"00-{trace}-b7ad6b7169203331-00")
        untraced = self.invite({}, headers={"traceparent": f"00-{trace.upper()}-b7ad6b7169203331-01"})
        self.assertNotIn(trace, untraced.json()["response"]["traceId"])

        at_limit = self.invite({"invitations": user_invitations(1000)})
        self.assertEqual(at_limit.status, 200, at_limit.body[:300])
        self.assertEqual(at_limit.json()["count"], 1000)

    def test_04_a_disabled_user_rejects_the_whole_request(self):
        self.assertEqual(self.invite({"invitations": [{"email": "gone@example.com", "type": "User"}]}).status, 200)
        self.stack.disable(LOCAL, "gone@example.com")
        response = self.invite({"invitations": [{"email": "newcomer@example.com", "type": "User"},
                                                {"email": "Gone@Example.com", "type": "User"}]})
        self.assert_error(response, 400, "UserDisabled", "The user is disabled: Gone@Example.com")
        self.assertNotIn("newcomer@example.com", self.users_by_email(LOCAL))

    def test_05_unauthorized_and_a_rejected_cookie_is_expired(self):
        now = int(time.time())
        claims = {"sub": str(uuid.uuid4()), "portal": LOCAL, "role": "Owner", "iat": now - 120}
        expired = jwt_hs256({**claims, "exp": now - 60}, self.secret)
        forged = jwt_hs256({**claims, "exp": now + 600}, self.secret + "x")
        unknown_role = jwt_hs256({**claims, "role": "Admin", "exp": now + 600}, self.secret)
        other_portal = self.token("Owner", SEATS)
        body = {"invitations": [{"email": "nobody@example.com", "type": "User"}]}
        for name, token in [("malformed", "not-a-jwt"), ("expired", expired), ("forged", forged),
                            ("unknown role", unknown_role), ("other portal", other_portal)]:
            with self.subTest(token=name):
                by_cookie = self.invite(body, token=token)
                self.assert_error(by_cookie, 401, "Unauthorized")
                self.assertTrue(by_cookie.header("set-cookie").startswith("asc_auth_key=;"), by_cookie.headers)
                self.assertIn("Max-Age=0", by_cookie.header("set-cookie"))
                by_header = self.invite(body, token="", headers={"Authorization": f"Bearer {token}"})
                self.assert_error(by_header, 401, "Unauthorized")
                self.assertIsNone(by_header.header("set-cookie"))
        missing = self.invite(body, token="")
        self.assert_error(missing, 401, "Unauthorized")
        self.assertIsNone(missing.header("set-cookie"))
        self.assertNotIn("nobody@example.com", self.users_by_email(LOCAL))

    def test_06_paid_seats_are_checked_for_the_whole_request(self):
        two_admins = {"invitations": [{"email": "admin1@example.com", "type": "RoomAdmin"},
                                      {"email": "admin2@example.com", "type": "DocSpaceAdmin"}]}
        self.assert_error(self.invite(two_admins, portal=SEATS), 402, "PaidSeatsExceeded",
                          "The number of admins exceeds the limit: 2/1.")
        self.assertEqual(self.users_by_email(SEATS), {})
        self.assertEqual(self.invite({"invitations": [two_admins["invitations"][0]]}, portal=SEATS).status, 200)
        # DocSpace lets an untyped invitation past the seat check; here it is a RoomAdmin and needs a seat.
        self.assert_error(self.invite({"invitations": [{"email": "untyped@example.com"}]}, portal=SEATS), 402,
                          "PaidSeatsExceeded", "The number of admins exceeds the limit: 1/0.")
        self.assertEqual(self.invite({"invitations": [{"email": "member@example.com", "type": "User"}]},
                                     portal=SEATS).status, 200)

    def test_07_access_denied_follows_the_permission_table(self):
        cases = [
            (CLOSED, "Owner", "User"),
            (LOCAL, "User", "User"),
            (LOCAL, "Guest", "User"),
            (LOCAL, "Owner", "Guest"),
            (LOCAL, "DocSpaceAdmin", "DocSpaceAdmin"),
            (LOCAL, "RoomAdmin", "RoomAdmin"),
            (LOCAL, "RoomAdmin", None),   # omitted type: checked as RoomAdmin (DocSpace lets it slip)
            (LOCAL, "RoomAdmin", "All"),
        ]
        for portal, role, invited in cases:
            with self.subTest(portal=portal, caller=role, invited=invited):
                item = {"email": "denied@example.com"}
                if invited:
                    item["type"] = invited
                self.assert_error(self.invite({"invitations": [item]}, portal=portal, role=role), 403,
                                  "AccessDenied", "Access denied")
        self.assertNotIn("denied@example.com", self.users_by_email(LOCAL))
        allowed = self.invite({"invitations": [{"email": "by.roomadmin@example.com", "type": "User"}]},
                              role="RoomAdmin")
        self.assertEqual(allowed.status, 200, allowed.body)

    def test_08_unknown_portal_and_unknown_path(self):
        for headers in [{}, {"Cookie": "asc_auth_key=anything"}]:
            response = self.send("POST", INVITE, "unknown.test", {"Content-Type": "application/json", **headers},
                                 {"invitations": []})
            self.assert_error(response, 404, "PortalNotFound", "Portal not found")
        for path in [INVITE + "/", "/api/2.0/people/", "/"]:
            self.assert_error(self.send("POST", path), 404, "NotFound")

    def test_09_other_methods_are_refused_with_allow(self):
        for method, path, allow in [("GET", INVITE, "POST, PUT"), ("DELETE", INVITE, "POST, PUT"),
                                    ("GET", PEOPLE, "POST"), ("POST", FILTER, "GET"),
                                    ("POST", "/healthz", "GET"), ("HEAD", "/readyz", "GET")]:
            with self.subTest(method=method, path=path):
                response = self.send(method, path)
                self.assertEqual(response.status, 405)
                self.assertEqual(response.header("allow"), allow)
                if method != "HEAD":
                    self.assertEqual(response.json()["error"]["type"], "MethodNotAllowed")

    def test_10_the_body_limit_is_one_mebibyte_and_checked_before_auth(self):
        envelope = b'{"invitations":[],"padding":""}'
        at_limit = envelope[:-2] + b"x" * (1048576 - len(envelope)) + b'"}'
        self.assertEqual(len(at_limit), 1048576)
        self.assertEqual(self.invite(at_limit).status, 200)
        too_large = self.invite(at_limit + b" ", token="")
        self.assert_error(too_large, 413, "PayloadTooLarge")

    def test_11_unsupported_content_types(self):
        for content_type in ["text/plain", "application/x-www-form-urlencoded", "application/+json", None]:
            with self.subTest(content_type=content_type):
                response = self.invite({"invitations": []}, headers={"Content-Type": content_type})
                self.assert_error(response, 415, "UnsupportedMediaType")

    def test_12_the_daily_budget_answers_429_with_rate_limit_headers(self):
        three = {"invitations": [{"email": f"day{i}@example.com", "type": "User"} for i in range(3)]}
        before = time.time()
        refused = self.invite(three, portal=BUDGET)
        after = time.time()
        self.assert_error(refused, 429, "DailyInvitationBudgetExceeded")
        self.assertEqual(refused.header("x-ratelimit-limit"), "2")
        self.assertEqual(refused.header("x-ratelimit-remaining"), "2")
        self.assertIn(int(refused.header("x-ratelimit-reset")), {next_utc_midnight(before), next_utc_midnight(after)})
        retry_after = int(refused.header("retry-after"))
        self.assertLessEqual(abs(int(refused.header("x-ratelimit-reset")) - after - retry_after), 2)
        self.assertEqual(self.users_by_email(BUDGET), {})

        self.assertEqual(self.invite({"invitations": three["invitations"][:2]}, portal=BUDGET).status, 200)
        spent = self.invite({"invitations": three["invitations"][2:]}, portal=BUDGET)
        self.assert_error(spent, 429, "DailyInvitationBudgetExceeded")
        self.assertEqual(spent.header("x-ratelimit-remaining"), "0")
        # Only requests creating users spend the budget: existing ones are still listed.
        self.assertEqual(self.invite({"invitations": three["invitations"][:1]}, portal=BUDGET).status, 200)

    def test_13_a_malformed_http_message_gets_bad_request(self):
        for head in [b"Content-Length: twelve\r\n", b"Content-Length: 2\r\nContent-Length: 3\r\n",
                     b"Transfer-Encoding: chunked\r\n\r\nzz\r\n"]:
            with self.subTest(head=head):
                data = (b"POST " + INVITE.encode() + b" HTTP/1.1\r\nHost: " + self.host_header(LOCAL).encode() +
                        b"\r\nContent-Type: application/json\r\nAccept: text/plain\r\n" + head + b"\r\n")
                response = self.judge("POST", INVITE, raw_exchange(self.stack.port, data))
                self.assert_error(response, 400, "BadRequest")
                self.assertEqual(response.header("connection"), "close")

    def test_14_probes_and_metrics(self):
        self.assertEqual(self.send("GET", "/healthz").json(), {"status": "ok"})
        self.assertEqual(self.send("GET", "/readyz").json(), {"status": "ready"})
        metrics = self.send("GET", "/metrics", headers={"Accept": "application/json"})
        self.assertEqual(metrics.status, 200)
        self.assertIn('invite_gateway_invite_requests_total{code="200",outcome="ok"}', metrics.body.decode())

    def test_15_gateway_timeout_and_the_retry_converges(self):
        body = {"invitations": [{"email": "slow.one@example.com", "type": "User"}, {"email": "slow.two@example.com"}]}
        os.kill(self.stack.worker_pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            timed_out = self.invite(body)
            waited = time.monotonic() - started
        finally:
            os.kill(self.stack.worker_pid, signal.SIGCONT)
        self.assert_error(timed_out, 504, "GatewayTimeout")
        self.assertGreaterEqual(waited, REQUEST_TIMEOUT_S - 0.1)
        retried = self.invite(body)
        self.assertEqual(retried.status, 200, retried.body)
        ids = [user["id"] for user in retried.json()["response"]]
        stored = self.users_by_email(LOCAL)
        self.assertEqual(ids, [stored["slow.one@example.com"]["id"], stored["slow.two@example.com"]["id"]])
        self.assertEqual([u["id"] for u in self.invite(body).json()["response"]], ids)

    def test_16_service_unavailable_broker_down_overloaded_and_draining(self):
        flags = {"max-in-flight": 1, "request-timeout": "6s", "delivery-timeout": "2s", "reply-partition": 1}
        gateway = harness.Gateway(self.stack.brokers, self.stack.portals_file, self.stack.token_secret_file, flags)
        with gateway:
            harness.wait_until(lambda: harness.request(gateway.url, "GET", "/readyz").status == 200, 30,
                               "the standalone gateway to be ready")
            body = {"invitations": [{"email": "during.outage@example.com", "type": "User"}]}
            pending = {}
            self.stack.freeze_broker()
            try:
                publisher = threading.Thread(target=lambda: pending.update(
                    response=harness.invite(gateway.url, self.token(), body, {"Host": self.host_header(LOCAL)})))
                publisher.start()
                harness.wait_until(lambda: "invite_gateway_pending_requests 1\n" in harness.request(
                    gateway.url, "GET", "/metrics").body.decode(), 10, "the first request to be in flight")

                overloaded = self.invite(body, url=gateway.url)
                self.assert_error(overloaded, 503, "Overloaded")

                gateway.process.send_signal(signal.SIGTERM)
                harness.wait_until(lambda: harness.request(gateway.url, "GET", "/readyz").status == 503, 10,
                                   "the gateway to drain")
                not_ready = self.send("GET", "/readyz", url=gateway.url)
                self.assert_error(not_ready, 503, "NotReady")
                self.assertIn("shutting down", not_ready.json()["error"]["message"])
                self.assert_error(self.invite(body, url=gateway.url), 503, "ShuttingDown")

                publisher.join(15)
            finally:
                self.stack.thaw_broker()
            self.assertFalse(publisher.is_alive())
            unavailable = self.judge("POST", INVITE, pending["response"])
            self.assert_error(unavailable, 503, "BrokerUnavailable")
            for response in (overloaded, unavailable):
                self.assertGreaterEqual(int(response.header("retry-after")), 1)
        # The devstack's own gateway serves again once the broker is back; the retry is safe.
        harness.wait_until(lambda: self.invite(body).status == 200, 30, "the devstack to serve again")

    def test_17_oversized_header_and_unknown_transfer_coding_close_the_connection(self):
        head = (b"POST " + INVITE.encode() + b" HTTP/1.1\r\nHost: " + self.host_header(LOCAL).encode() +
                b"\r\nContent-Type: application/json\r\n")
        body = json.dumps({"invitations": [{"email": "transport@example.com", "type": "User"}]}).encode()
        cookie = b"Cookie: asc_auth_key=" + self.token().encode() + b"; padding=" + b"p" * 40000 + b"\r\n"
        fields = b"".join(b"X-Field-%d: v\r\n" % i for i in range(100))
        gzip = b"Transfer-Encoding: gzip, chunked\r\n"
        for name, extra, status, error_type in [("large cookie", cookie, 431, "RequestHeaderFieldsTooLarge"),
                                                 ("101 fields", fields, 431, "RequestHeaderFieldsTooLarge"),
                                                 ("gzip", gzip, 501, "NotImplemented")]:
            with self.subTest(name):
                data = head + extra + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                if extra is gzip:
                    data = head + extra + b"\r\n" + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
                response = self.judge("POST", INVITE, raw_exchange(self.stack.port, data))
                self.assert_error(response, status, error_type)
                self.assertEqual(response.header("connection"), "close")
        self.assertNotIn("transport@example.com", self.users_by_email(LOCAL))

    # ---- the invitation's later life ----

    def lifecycle(self, method, path, body=None, role="Owner", token=None, headers=None, portal=LOCAL,
                  user_id=None):
        """A lifecycle request as a DocSpace client sends it; role None: anonymous."""
        all_headers = {"Accept": "application/json"}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        if token is None and role is not None:
            token = (self.stack.token_for(role, portal=portal, user_id=user_id) if user_id
                     else self.token(role, portal))
        if token:
            all_headers["Cookie"] = f"asc_auth_key={token}"
        all_headers.update(headers or {})
        return self.send(method, path, portal, all_headers, body)

    def invited(self, email):
        """Invites `email` as a User; returns (user id, its confirmation link's query string, the link's values)."""
        response = self.invite({"invitations": [{"email": email, "type": "User"}]})
        self.assertEqual(response.status, 200, response.body)
        user_id = response.json()["response"][0]["id"]

        def job():
            for record in harness.read_topic(self.stack.brokers, harness.EMAILS):
                value = json.loads(record.value)
                if value["recipient"]["userId"] == user_id:
                    return value
            return None

        link = harness.wait_until(job, 30, f"the e-mail job of {email}")["confirmationLink"]
        query = link.split("?", 1)[1]
        return user_id, query, dict(urllib.parse.parse_qsl(query))

    def accept_body(self, email, values, **overrides):
        body = {"fromInviteLink": True, "email": email, "type": int(values["emplType"]), "key": values["key"],
                "firstName": "Life", "lastName": "Cycle", "password": "long enough 1"}
        body.update(overrides)
        return body

    def test_20_confirm_and_accept(self):
        user_id, query, values = self.invited("life.accept@example.com")
        confirmed = self.lifecycle("POST", CONFIRM, values, role=None)
        self.assertEqual(confirmed.status, 200, confirmed.body)
        self.assertEqual(confirmed.json()["response"], {"result": 0, "email": "life.accept@example.com"})
        tampered = self.lifecycle("POST", CONFIRM, {**values, "key": values["key"][:-2] + "xx"}, role=None)
        self.assertEqual(tampered.json()["response"]["result"], 1)
        self.assert_validation(self.lifecycle("POST", CONFIRM, {"type": "LinkInvite"}, role=None), ["Key", "Email"])

        body = self.accept_body("life.accept@example.com", values)
        self.assert_error(self.lifecycle("POST", PEOPLE, body, role=None), 401, "LinkInvalid")  # no confirm header
        bad_key = query.replace(urllib.parse.quote(values["key"], safe=""), "1.AAAA")
        self.assertEqual(self.lifecycle("POST", PEOPLE, body, role=None, headers={"confirm": bad_key}).status, 401)
        short = self.lifecycle("POST", PEOPLE, {**body, "password": "short"}, role=None, headers={"confirm": query})
        self.assert_validation(short, ["Password"])
        other = self.lifecycle("POST", PEOPLE, {**body, "email": "someone.else@example.com"}, role=None,
                               headers={"confirm": query})
        self.assertEqual(other.status, 403, other.body)
        accepted = self.lifecycle("POST", PEOPLE, body, role=None, headers={"confirm": query})
        self.assertEqual(accepted.status, 200, accepted.body)
        dto = accepted.json()["response"]
        self.assertEqual((dto["id"], dto["status"], dto["activationStatus"]), (user_id, 1, 1))
        self.assertEqual(self.lifecycle("POST", PEOPLE, body, role=None, headers={"confirm": query}).status, 403)
        self.assertEqual(self.lifecycle("POST", CONFIRM, values, role=None).json()["response"]["result"], 4)

    def test_21_list(self):
        user_id, _, _ = self.invited("life.list@example.com")
        listed = self.lifecycle("GET", FILTER + "?filterValue=life.list&count=10")
        self.assertEqual(listed.status, 200, listed.body)
        users = listed.json()["response"]
        self.assertEqual([user["id"] for user in users], [user_id])
        self.assertEqual(users[0]["invitation"]["timesResent"], 0)
        self.assertEqual(listed.json()["total"], 1)
        self.assertEqual(self.lifecycle("GET", FILTER + "?count=many").status, 400)
        self.assert_error(self.lifecycle("GET", FILTER, role=None), 401, "Unauthorized")
        self.assert_error(self.lifecycle("GET", FILTER, role="Guest"), 403, "AccessDenied")

    def test_22_resend_and_its_limit(self):
        user_id, _, _ = self.invited("life.resend@example.com")
        body = {"userIds": [user_id], "resendAll": False}
        self.assert_validation(self.lifecycle("PUT", INVITE, {"userIds": "nobody"}), ["$.userIds"])  # a conversion error
        self.assert_error(self.lifecycle("PUT", INVITE, body, role=None), 401, "Unauthorized")
        self.assert_error(self.lifecycle("PUT", INVITE, body, role="User"), 403, "AccessDenied")
        caller = str(uuid.uuid4())  # a caller of its own: the limit is per caller
        answers = [self.lifecycle("PUT", INVITE, body, user_id=caller) for _ in range(11)]
        self.assertEqual([a.status for a in answers[:10]], [200] * 10, [a.body for a in answers])
        self.assertEqual(answers[0].json()["response"][0]["id"], user_id)
        self.assertEqual(answers[10].status, 429, answers[10].body)
        self.assertGreaterEqual(int(answers[10].header("retry-after")), 1)

    def test_23_disable_and_delete(self):
        user_id, _, values = self.invited("life.revoke@example.com")
        for path in (DISABLE, DELETE):
            self.assert_validation(self.lifecycle("PUT", path, {}), ["UserIds"])
            self.assert_error(self.lifecycle("PUT", path, {"userIds": [user_id]}, role=None), 401, "Unauthorized")
            self.assert_error(self.lifecycle("PUT", path, {"userIds": [user_id]}, role="RoomAdmin"), 403,
                              "AccessDenied")
            self.assertEqual(self.lifecycle("PUT", path, {"userIds": [str(uuid.uuid4())]}).status, 404)
        self.assert_error(self.lifecycle("PUT", DELETE, {"userIds": [user_id]}), 400, "UserNotDisabled")
        disabled = self.lifecycle("PUT", DISABLE, {"userIds": [user_id]})
        self.assertEqual(disabled.status, 200, disabled.body)
        self.assertEqual(disabled.json()["response"][0]["status"], 2)
        deleted = self.lifecycle("PUT", DELETE, {"userIds": [user_id]})
        self.assertEqual(deleted.status, 200, deleted.body)
        self.assertEqual(self.lifecycle("POST", CONFIRM, values, role=None).json()["response"]["result"], 1)

    def test_24_the_transport_rules_hold_for_every_lifecycle_operation(self):
        big_cookie = "asc_auth_key=x; padding=" + "p" * 40000
        for method, path in LIFECYCLE:
            with self.subTest(method=method, path=path):
                body = None if method == "GET" else {"userIds": []}
                self.assert_error(self.send(method, path, "unknown.test", {"Content-Type": "application/json"}, body),
                                  404, "PortalNotFound")
                self.assert_error(self.send(method, path, headers={"Cookie": big_cookie}), 431,
                                  "RequestHeaderFieldsTooLarge")
                head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host_header(LOCAL)}\r\n"
                        "Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").encode()
                self.assert_error(self.judge(method, path, raw_exchange(self.stack.port, head + b"2\r\n{}\r\n0\r\n\r\n")),
                                  501, "NotImplemented")
                if method == "GET":
                    continue
                headers = {"Content-Type": "application/json"}
                if path == PEOPLE:
                    headers["confirm"] = "type=LinkInvite&key=1.a&email=a%40b.c&emplType=4"
                else:
                    headers["Cookie"] = f"asc_auth_key={self.token()}"
                self.assert_error(self.send(method, path, headers=headers, body=b"{" + b" " * 1048576 + b"}"), 413,
                                  "PayloadTooLarge")
                self.assert_error(self.send(method, path, headers={**headers, "Content-Type": "text/plain"},
                                            body=b"{}"), 415, "UnsupportedMediaType")

    def test_25_gateway_timeout_for_every_lifecycle_operation(self):
        _, query, values = self.invited("life.timeout@example.com")
        requests = {
            ("POST", CONFIRM): (values, None, {}),
            ("POST", PEOPLE): (self.accept_body("life.timeout@example.com", values), None, {"confirm": query}),
            ("PUT", INVITE): ({"userIds": [str(uuid.uuid4())]}, "Owner", {}),
            ("GET", FILTER): (None, "Owner", {}),
            ("PUT", DISABLE): ({"userIds": [str(uuid.uuid4())]}, "Owner", {}),
            ("PUT", DELETE): ({"userIds": [str(uuid.uuid4())]}, "Owner", {}),
        }
        answers = {}
        os.kill(self.stack.worker_pid, signal.SIGSTOP)
        try:
            threads = [threading.Thread(target=lambda key=key, args=args: answers.update(
                {key: self.lifecycle(key[0], key[1], args[0], role=args[1], headers=args[2])}))
                for key, args in requests.items()]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(REQUEST_TIMEOUT_S + 20)
        finally:
            os.kill(self.stack.worker_pid, signal.SIGCONT)
        self.assertEqual(set(answers), set(requests))
        for key, response in answers.items():
            with self.subTest(operation=key):
                self.assertEqual(response.status, 504, response.body)

    def test_99_every_documented_status_was_exercised(self):
        session = {name for name in dir(self) if name.startswith("test_") and name != self._testMethodName}
        if not session <= self.ran:
            self.skipTest("coverage is only meaningful after the whole session ran")
        for key, reason in EXCUSED.items():
            self.assertIn(key, self.api.documented(), f"excused but not documented: {key}")
            self.assertTrue(reason)
        self.assertEqual(self.covered, self.api.documented() - UNREACHABLE - set(EXCUSED))


class ContractJudge(unittest.TestCase):
    """The judge itself must refuse what the document does not allow, or the session above proves nothing."""

    @classmethod
    def setUpClass(cls):
        cls.api = openapi_contract.OpenApi()

    def response(self, status, body, headers=None, media="application/json; charset=utf-8"):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return harness.Response(status, [("content-type", media)] + list((headers or {}).items()), raw)

    def problems(self, response, method="POST", path=INVITE):
        return self.api.problems(method, path, response)

    def test_refuses_what_the_document_does_not_list(self):
        error = {"error": {"message": "Access denied", "type": "AccessDenied"}, "status": 1, "statusCode": 403}
        self.assertEqual(self.problems(self.response(403, error)), [])
        self.assertTrue(self.problems(self.response(418, error)))                                # status
        self.assertTrue(self.problems(self.response(403, error, media="text/html")))             # media type
        self.assertTrue(self.problems(self.response(403, {**error, "stack": "at ..."})))         # extra member
        self.assertTrue(self.problems(self.response(403, {**error, "statusCode": 400})))         # wrong code
        renamed = {"error": {"message": "Access denied", "type": "Forbidden"}, "status": 1, "statusCode": 403}
        self.assertTrue(self.problems(self.response(403, renamed)))                              # unstable type
        self.assertTrue(self.problems(self.response(403, b"Access denied")))                     # not JSON

    def test_requires_documented_headers(self):
        busy = {"error": {"message": "busy", "type": "Overloaded"}, "status": 1, "statusCode": 503}
        self.assertEqual(self.problems(self.response(503, busy, {"retry-after": "1"})), [])
        self.assertTrue(self.problems(self.response(503, busy)))
        self.assertTrue(self.problems(self.response(503, busy, {"retry-after": "soon"})))

    def test_unrouted_requests(self):
        not_found = {"error": {"message": "Not found", "type": "NotFound"}, "status": 1, "statusCode": 404}
        self.assertEqual(self.problems(self.response(404, not_found), "GET", "/nowhere"), [])
        self.assertTrue(self.problems(self.response(404, not_found), "GET", "/healthz"))
        self.assertEqual(self.api.key("DELETE", INVITE, 405), (openapi_contract.UNROUTED, "unlistedMethod", 405))
        self.assertEqual(self.api.key("PUT", INVITE, 200), (INVITE, "PUT", 200))  # the resend is documented

    def test_every_status_is_exact(self):
        self.assertTrue(all(isinstance(status, int) for _, _, status in self.api.documented()))


if __name__ == "__main__":
    unittest.main()
