"""Forged, stale and oversized tokens. Tokens are built here byte by byte (base64url, HMAC from the standard library)
so that they can be wrong in ways no JWT library would produce. Each must be refused with 401 (431 when it does not
fit the header limit), expire a cookie it came in, and leave nothing behind."""

import base64
import hashlib
import hmac
import json
import pathlib
import time
import unittest
import uuid

import hostile
from hostile import body_of

CLOCK_SKEW_S = 60  # what the gateway tolerates for iat and nbf (libs/auth kClockSkewS)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signed(header, claims, secret, digest=hashlib.sha256):
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), signing_input.encode("ascii"), digest).digest()
    return signing_input + "." + b64url(signature)


class Tokens(hostile.HostileCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.secret = pathlib.Path(cls.stack.token_secret_file).read_text(encoding="utf-8").strip()

    def claims(self, **overrides):
        now = int(time.time())
        claims = {"sub": str(uuid.uuid4()), "portal": "localhost", "role": "Owner", "iat": now - 10, "exp": now + 600}
        claims.update(overrides)
        return claims

    def hs256(self, **overrides):
        return signed({"alg": "HS256", "typ": "JWT"}, self.claims(**overrides), self.secret)

    def assert_unauthorized(self, token, as_cookie=True):
        email = f"token-{uuid.uuid4().hex[:8]}@example.com"
        response = self.invite(body_of([{"email": email, "type": "User"}]), token=token if as_cookie else "",
                               headers=None if as_cookie else {"Authorization": f"Bearer {token}"})
        self.assert_error(response, 401, "Unauthorized")
        if as_cookie:
            self.assertTrue(response.header("set-cookie").startswith("asc_auth_key=;"), response.headers)
        else:
            self.assertIsNone(response.header("set-cookie"))
        return response

    def test_the_genuine_article_is_accepted(self):
        response = self.invite(body_of([{"email": f"genuine-{uuid.uuid4().hex[:8]}@example.com", "type": "User"}]),
                               token=self.hs256())
        self.assertEqual(response.status, 200, response.body)

    def test_alg_none(self):
        claims = self.claims()
        unsigned = b64url(json.dumps(claims).encode())
        with self.applies_nothing():
            for alg in ["none", "None", "NONE", "nOnE"]:
                header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
                for signature in ["", b64url(b"x" * 32)]:
                    with self.subTest(alg=alg, signature=bool(signature)):
                        self.assert_unauthorized(f"{header}.{unsigned}.{signature}")
            none_with_mac = signed({"alg": "none"}, claims, self.secret)
            self.assert_unauthorized(none_with_mac)
            self.assert_unauthorized(none_with_mac, as_cookie=False)

    def test_hs_rs_confusion(self):
        # An RS256 token whose "signature" is an HMAC keyed with what a confused verifier would take for the
        # public key (here: the HMAC secret itself), and other algorithms with a correct MAC.
        claims = self.claims()
        with self.applies_nothing():
            for header, digest in [({"alg": "RS256", "typ": "JWT"}, hashlib.sha256),
                                   ({"alg": "ES256", "typ": "JWT"}, hashlib.sha256),
                                   ({"alg": "PS256"}, hashlib.sha256),
                                   ({"alg": "HS512", "typ": "JWT"}, hashlib.sha512),
                                   ({"alg": "HS384", "typ": "JWT"}, hashlib.sha384),
                                   ({"alg": "hs256", "typ": "JWT"}, hashlib.sha256),
                                   ({"alg": "HS256", "typ": "JWT", "jwk": {"kty": "oct", "k": b64url(b"attacker")}},
                                    None)]:
                with self.subTest(header=header):
                    if digest is None:
                        token = signed(header, claims, "attacker")
                    else:
                        token = signed(header, claims, self.secret, digest)
                    self.assert_unauthorized(token)
            rs_shaped = (b64url(json.dumps({"alg": "RS256"}).encode()) + "." + b64url(json.dumps(claims).encode()) +
                         "." + b64url(bytes(range(256))))
            self.assert_unauthorized(rs_shaped)

    def test_expired_and_not_yet_valid(self):
        now = int(time.time())
        with self.applies_nothing():
            for name, token in [("expired", self.hs256(iat=now - 7200, exp=now - 3600)),
                                ("expires now", self.hs256(exp=now - 1)),
                                ("nbf in the future", self.hs256(nbf=now + CLOCK_SKEW_S + 300)),
                                ("issued in the future", self.hs256(iat=now + CLOCK_SKEW_S + 300, exp=now + 7200)),
                                ("nbf not a date", self.hs256(nbf="now")),
                                ("exp not a date", self.hs256(exp="later")),
                                ("no exp", signed({"alg": "HS256"}, {k: v for k, v in self.claims().items()
                                                                     if k != "exp"}, self.secret))]:
                with self.subTest(name):
                    self.assert_unauthorized(token)
        within_skew = self.hs256(nbf=now + 5, iat=now + 5)
        response = self.invite(body_of([{"email": f"skew-{uuid.uuid4().hex[:8]}@example.com", "type": "User"}]),
                               token=within_skew)
        self.assertEqual(response.status, 200, response.body)

    def test_tampered_tokens(self):
        genuine = self.hs256(role="User")
        header, payload, signature = genuine.split(".")
        raised = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        raised["role"] = "Owner"
        forged_payload = b64url(json.dumps(raised).encode())
        flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
        with self.applies_nothing():
            for name, token in [("payload raised to Owner", f"{header}.{forged_payload}.{signature}"),
                                ("signature bit flipped", f"{header}.{payload}.{flipped}"),
                                ("signature dropped", f"{header}.{payload}."),
                                ("signature of another secret", signed({"alg": "HS256"}, self.claims(), "guess")),
                                ("four segments", genuine + ".e30"),
                                ("padding", f"{header}.{payload}.{signature}=="),
                                ("standard base64", f"{header}.{payload}.{signature.replace('-', '+').replace('_', '/')}x"),
                                ("whitespace inside", f"{header}. {payload}.{signature}"),
                                ("sub not a uuid", self.hs256(sub="admin")),
                                ("unknown role", self.hs256(role="Administrator")),
                                ("claims an array", signed({"alg": "HS256"}, [1, 2], self.secret))]:
                with self.subTest(name):
                    self.assert_unauthorized(token)
            # A genuine User token is authentic, but Users may not invite: 403, still nothing applied.
            response = self.invite(body_of([{"email": f"by-user-{uuid.uuid4().hex[:8]}@example.com",
                                             "type": "User"}]), token=genuine)
            self.assert_error(response, 403, "AccessDenied")

    def test_a_token_of_another_portal(self):
        with self.applies_nothing():
            for portal in ["other.test", "LOCALHOST", "localhost:8080", "localhost.", ""]:
                with self.subTest(portal=portal):
                    self.assert_unauthorized(self.hs256(portal=portal))
            self.assert_unauthorized(self.stack.token_for("Owner", portal="other.test"), as_cookie=False)

    def test_oversized_tokens(self):
        with self.applies_nothing():
            self.assert_unauthorized("a" * 20000)
            response = self.invite(body_of([{"email": "huge-cookie@example.com", "type": "User"}]), token="a" * 40000)
            self.assert_error(response, 431, "RequestHeaderFieldsTooLarge")
            response = self.invite(body_of([{"email": "huge-bearer@example.com", "type": "User"}]), token="",
                                   headers={"Authorization": "Bearer " + "a" * 40000})
            self.assert_error(response, 431, "RequestHeaderFieldsTooLarge")


if __name__ == "__main__":
    unittest.main()
