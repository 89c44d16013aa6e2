"""A DocSpace client's view: the seed page's own example request, sent with the real curl binary.

The request below is copied from the seed page of the API ("Invite users", POST /api/2.0/people/invite, kept in the
planning repository as reference/invite-users-api.txt, which is not part of this repository): its method, URL,
headers and body byte for byte. Two things are added, as any client of that page must: the token in the
asc_auth_key cookie (the page's "Authorization" section), and a route from example.com to the devstack (curl's
--connect-to, so the Host header stays "example.com"; plain HTTP because TLS ends at the ingress in front of us).
"""

import re
import subprocess
import unittest
import uuid

import harness
import openapi_contract

INVITE = "/api/2.0/people/invite"
PORTAL = "example.com"
PORTAL_BASE_URL = "https://example.com"   # the seed page's URL: the portal as its users see it
PORTAL_CULTURE = "fr-FR"                  # differs from every culture sent below, so a fallback shows

# --- from reference/invite-users-api.txt (curl example; its HTTP example says Content-Length: 126) ---
SEED_URL = "https://example.com/api/2.0/people/invite"
SEED_HEADERS = ["Accept: application/json", "Content-Type: application/json"]
SEED_BODY = """{
  "invitations": [
    {
      "value": {
        "email": "Adele94@gmail.com"
      }
    }
  ],
  "culture": "some text"
}"""
# --- end of the seed request ---
SEED_EMAIL = "Adele94@gmail.com"

# The seed page's 200 fields, in its order.
EMPLOYEE_DTO_FIELDS = ["id", "displayName", "title", "avatar", "avatarOriginal", "avatarMax", "avatarMedium",
                       "avatarSmall", "profileUrl", "hasAvatar", "isAnonim"]
AVATAR_SIZES = {"avatar": "82-82", "avatarOriginal": "200-200", "avatarMax": "200-200", "avatarMedium": "48-48",
                "avatarSmall": "32-32"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def with_culture(culture):
    """The seed body with only its culture line changed (None: the line removed)."""
    if culture is None:
        return SEED_BODY.replace(',\n  "culture": "some text"', "")
    return SEED_BODY.replace('"some text"', f'"{culture}"')


def parse_curl_output(output):
    """harness.Response from `curl --include` output (the last header block: a 100 Continue may precede it)."""
    head, _, body = output.partition(b"\r\n\r\n")
    while head.split(b" ", 2)[1:2] == [b"100"]:
        head, _, body = body.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("iso-8859-1").split("\r\n")
    headers = [(name.strip().lower(), value.strip()) for name, _, value in (line.partition(":") for line in lines)]
    return harness.Response(int(status_line.split(" ")[1]), headers, body)


class SeedRequestWithCurl(unittest.TestCase):
    """Tests run in name order: test_1 relies on the seed's e-mail not being invited yet."""

    @classmethod
    def setUpClass(cls):
        cls.api = openapi_contract.OpenApi()
        portals = [harness.default_portal("localhost", "{port}"),
                   harness.default_portal(PORTAL, "{port}", baseUrl=PORTAL_BASE_URL, defaultCulture=PORTAL_CULTURE)]
        cls.stack = cls.enterClassContext(harness.Devstack(portals=portals))
        cls.owner = cls.stack.token_for("Owner", portal=PORTAL)

    def curl(self, body=SEED_BODY, headers=SEED_HEADERS, cookie=None, authorization=None):
        """The seed's curl command line, pointed at the devstack; the exchange is judged by proto/openapi.yaml."""
        url = SEED_URL.replace("https://", "http://")
        # curl is installed by scripts/install-deps; a missing one fails here rather than skipping the test.
        argv = ["curl", "--silent", "--show-error", "--include", "--max-time", "30", "--noproxy", "*",
                "--connect-to", f"{PORTAL}:80:127.0.0.1:{self.stack.port}",
                "--request", "POST", "--url", url]
        for header in headers:
            argv += ["--header", header]
        if cookie is not None:
            argv += ["--cookie", f"asc_auth_key={cookie}"]
        if authorization is not None:
            argv += ["--header", f"Authorization: {authorization}"]
        argv += ["--data", body]
        done = subprocess.run(argv, capture_output=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        response = parse_curl_output(done.stdout)
        self.assertEqual(self.api.problems("POST", INVITE, response), [], response)
        return response

    def stored(self, email):
        users = [u for u in self.stack.users(portal=PORTAL) if u["email"].lower() == email.lower()]
        self.assertLessEqual(len(users), 1, users)
        return users[0] if users else None

    def assert_employee(self, dto, email):
        """One user as the seed page shows it, with DocSpace's URL formats."""
        self.assertEqual(list(dto), EMPLOYEE_DTO_FIELDS)
        self.assertRegex(dto["id"], UUID)
        self.assertEqual(dto["displayName"], email)
        self.assertEqual(dto["title"], "")
        for field, size in AVATAR_SIZES.items():
            self.assertRegex(dto[field], rf"^/static/images/default_user_photo_size_{size}\.png\?hash=[0-9]+$")
        search = email.lower().replace("@", "%40")
        self.assertEqual(dto["profileUrl"], f"{PORTAL_BASE_URL}/accounts/people/filter?search={search}")
        self.assertIs(dto["hasAvatar"], False)
        self.assertIs(dto["isAnonim"], False)

    def assert_success(self, response, emails):
        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.media_type, "application/json")
        envelope = response.json()
        self.assertEqual(list(envelope), ["response", "count", "links", "status", "statusCode"])
        self.assertEqual(envelope["links"], [{"href": SEED_URL, "action": "POST"}])
        self.assertEqual((envelope["count"], envelope["status"], envelope["statusCode"]), (len(emails), 0, 200))
        for dto, email in zip(envelope["response"], emails, strict=True):
            self.assert_employee(dto, email)
        return envelope["response"]

    def test_1_the_seed_request_as_published_is_refused_for_its_culture(self):
        # "some text" is no culture: the design accepts only ll or ll-CC, so the page's example itself is a 400
        # (DocSpace would store the text as the user's culture). Nothing is applied.
        self.assertEqual(len(SEED_BODY.encode()), 126)  # the page's Content-Length: the body is the page's
        response = self.curl(cookie=self.owner)
        self.assertEqual(response.status, 400, response.body)
        self.assertEqual(response.media_type, "application/json")
        envelope = response.json()
        self.assertEqual(envelope["response"]["errors"], {"Culture": ["Incorrect culture"]})
        self.assertEqual(envelope["response"]["type"], "https://tools.ietf.org/html/rfc9110#section-15.5.1")
        self.assertEqual(envelope["links"], [{"href": SEED_URL, "action": "POST"}])
        self.assertEqual((envelope["count"], envelope["status"], envelope["statusCode"]), (1, 1, 400))
        self.assertIsNone(self.stored(SEED_EMAIL))

    def test_2_with_a_real_culture_the_seed_request_invites_a_room_admin(self):
        [created] = self.assert_success(self.curl(body=with_culture("en-US"), cookie=self.owner), [SEED_EMAIL])
        user = self.stored(SEED_EMAIL)
        self.assertEqual(created["id"], user["id"])
        self.assertEqual(user["type"], "RoomAdmin")  # the seed's item has no type
        self.assertEqual(user["culture"], "en-US")
        self.assertEqual((user["activationStatus"], user["status"]), (2, 4))  # Pending, Pending

        # Without culture: the same (existing) user, unchanged; a new e-mail gets the portal's culture.
        [again] = self.assert_success(self.curl(body=with_culture(None), cookie=self.owner), [SEED_EMAIL])
        self.assertEqual(again["id"], created["id"])
        self.assertEqual(self.stored(SEED_EMAIL)["culture"], "en-US")
        newcomer = "Newcomer.Seed@Example.com"
        self.assert_success(self.curl(body=with_culture(None).replace(SEED_EMAIL, newcomer), cookie=self.owner),
                            [newcomer])
        self.assertEqual(self.stored(newcomer)["culture"], PORTAL_CULTURE)

    def test_3_every_media_type_the_seed_page_lists(self):
        body = with_culture("en")
        for accept in ["application/json", "text/json", "text/plain"]:
            for content_type in ["application/json", "application/*+json", "text/json"]:
                if content_type == "application/*+json":
                    content_type = "application/vnd.onlyoffice+json"  # a concrete member of the page's range
                with self.subTest(accept=accept, content_type=content_type):
                    response = self.curl(body=body, headers=[f"Accept: {accept}", f"Content-Type: {content_type}"],
                                         cookie=self.owner)
                    self.assertEqual(response.status, 200, response.body)
                    self.assertEqual(response.media_type, accept)
                    self.assertEqual(response.json()["response"][0]["displayName"], SEED_EMAIL)

    def test_4_cookie_and_bearer_are_both_accepted_and_the_cookie_wins(self):
        body = with_culture("en-GB").replace(SEED_EMAIL, "bearer.user@example.com")
        self.assert_success(self.curl(body=body, authorization=f"Bearer {self.owner}"), ["bearer.user@example.com"])
        self.assert_success(self.curl(body=body, cookie=self.owner, authorization="Bearer not-a-token"),
                            ["bearer.user@example.com"])
        refused = self.curl(body=body, cookie="not-a-token", authorization=f"Bearer {self.owner}")
        self.assertEqual(refused.status, 401, refused.body)
        self.assertEqual(refused.json()["error"]["type"], "Unauthorized")
        self.assertTrue(refused.header("set-cookie").startswith("asc_auth_key=;"), refused.headers)
        anonymous = self.curl(body=body)  # the seed's curl line exactly, without the page's cookie
        self.assertEqual(anonymous.status, 401, anonymous.body)
        self.assertIsNone(anonymous.header("set-cookie"))
        other_portal = self.stack.token_for("Owner", portal="localhost", user_id=str(uuid.uuid4()))
        self.assertEqual(self.curl(body=body, cookie=other_portal).status, 401)


if __name__ == "__main__":
    unittest.main()
