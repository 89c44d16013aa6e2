"""Every environment variable the manifests and the compose file set is a setting the binary in that container
accepts (read from its --help), and every setting a deployment must give is given."""

import os
import subprocess
import unittest

import yaml

import deploy_support as ds

COMPOSE_FILE = ds.DEPLOY_DIR / "compose" / "compose.yaml"

# Settings --help marks required, plus those whose defaults are wrong anywhere but a developer's machine.
DEPLOYMENT_REQUIRED = {"INVITE_KAFKA_BROKERS"}
# On Kubernetes the ordinal decides the reply partition and the worker's share.
KUBERNETES_REQUIRED = {"invite-gateway": {"INVITE_POD_NAME"},
                       "invite-worker": {"INVITE_POD_NAME", "INVITE_REPLICA_COUNT"},
                       "invite-mailer": {"INVITE_POD_NAME", "INVITE_REPLICA_COUNT"}}


def container_environments():
    """(where, binary, {name: value}) for every container of every overlay and every compose service that runs
    one of our binaries."""
    for overlay in ds.OVERLAYS:
        objects = ds.render(overlay)
        for workload, _, container in ds.containers(objects):
            where = f"{overlay}: {workload['metadata']['name']}/{container['name']}"
            yield where, ds.BINARY_OF[container["name"]], ds.environment(container, objects), "k8s"
    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    for name, service in compose["services"].items():
        if name in ds.BINARY_OF:
            yield f"compose: {name}", ds.BINARY_OF[name], service.get("environment", {}), "compose"


class Settings(unittest.TestCase):
    def test_help_lists_the_settings_deployments_use(self):
        # Guards the parser: if --help changed shape, the checks below would compare against nothing.
        self.assertIn("INVITE_POD_NAME", ds.settings_of("invite-gateway"))
        self.assertIn("INVITE_REPLICA_COUNT", ds.settings_of("invite-worker"))
        self.assertIn("INVITE_SMTP_PASSWORD_FILE", ds.settings_of("invite-mailer"))
        self.assertEqual(ds.required_settings("invite-mailer"), {"INVITE_DATA_DIR"})
        self.assertEqual(ds.required_settings("invite-gateway"), {"INVITE_PORTALS_FILE", "INVITE_TOKEN_SECRET_FILE"})

    def test_every_variable_is_one_the_binary_accepts(self):
        seen = set()
        for where, binary, env, _ in container_environments():
            with self.subTest(where=where):
                accepted = set(ds.settings_of(binary))
                self.assertEqual(set(env) - accepted, set(), f"not settings of {binary}")
                seen.add(where.split(":")[0])
        self.assertEqual(seen, set(ds.OVERLAYS) | {"compose"})

    def test_required_settings_are_set(self):
        for where, binary, env, platform in container_environments():
            with self.subTest(where=where):
                required = ds.required_settings(binary) | DEPLOYMENT_REQUIRED
                if platform == "k8s":
                    required |= KUBERNETES_REQUIRED[binary]
                missing = {name for name in required if not str(env.get(name, "")).strip()}
                self.assertEqual(missing, set())

    def test_compose_topics_match_the_kafka_topic_resources(self):
        compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
        script = compose["services"]["topics"]["command"][0]
        created = {}
        for line in script.splitlines():
            words = line.split()
            if words[:1] == ["create"]:
                created[words[1]] = (int(words[2]), int(words[3]))
        specs = {t["spec"]["topicName"]: t["spec"] for t in ds.find(ds.render("topics"), "KafkaTopic")}
        self.assertEqual(created, {name: (spec["partitions"], int(spec["config"]["retention.ms"]))
                                   for name, spec in specs.items()})

    def test_a_pod_name_without_ordinal_or_against_an_explicit_index_stops_the_start(self):
        # Checked before anything is read or connected, so no files or broker are needed.
        base = {k: v for k, v in os.environ.items() if not k.startswith("INVITE_")}
        cases = [("invite-gateway", {"INVITE_POD_NAME": "invite-gateway-7f9c4d-xk2pq"}, "has no ordinal"),
                 ("invite-gateway", {"INVITE_POD_NAME": "invite-gateway-2", "INVITE_REPLY_PARTITION": "0"},
                  "set only one"),
                 ("invite-worker", {"INVITE_POD_NAME": "invite-worker"}, "has no ordinal"),
                 ("invite-worker", {"INVITE_POD_NAME": "invite-worker-3", "INVITE_REPLICA_COUNT": "3"},
                  "not below --replica-count 3"),
                 ("invite-mailer", {"INVITE_POD_NAME": "invite-mailer"}, "has no ordinal"),
                 ("invite-mailer", {"INVITE_POD_NAME": "invite-mailer-1", "INVITE_REPLICA_COUNT": "1"},
                  "not below --replica-count 1")]
        for binary, env, message in cases:
            with self.subTest(binary=binary, env=env):
                done = subprocess.run([str(ds.binary(binary))], env={**base, **env}, capture_output=True, text=True,
                                      timeout=30)
                self.assertEqual(done.returncode, 2)
                self.assertIn(message, done.stderr)


if __name__ == "__main__":
    unittest.main()
