"""The image's contents work, without building an image: the binaries, the mailer's templates and every shared
library `ldd` lists are copied into a directory laid out as the images are, each binary is checked to resolve
all its libraries from there (with the copied loader and no system search path), and the layout's gateway,
worker and mailer are started with the dev overlay's environment against the embedded broker of a devstack
(which runs no mailer of its own), then one invitation goes through the layout's gateway, is applied by the
layout's worker, and its e-mail is written by the layout's mailer with the templates where the image has them.

What differs from a pod, and why: the broker address (the devstack's), a free port on 127.0.0.1 instead of
8080/9100 (no fixed ports in tests), fetch.wait.max.ms=10 (the mock broker's quirk, docs/architecture.md; not the
devstack's 1 ms, since this test measures no latency), INVITE_REPLICA_COUNT=2 (the devstack's own worker owns the
other half of the partitions), absolute paths
rooted in the layout directory, the pod names the downward API would give, and the mailer's INVITE_TEMPLATES_DIR
(run through the copied loader, it cannot find its own directory)."""

import contextlib
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

import deploy_support as ds

sys.path.insert(0, str(ds.SOURCE_DIR / "tests" / "contract"))
import harness  # noqa: E402  (the contract tests' devstack and HTTP helpers)

GATEWAY_POD = "invite-gateway-2"
PARTITIONS = 4


def build_layout(root):
    """Copies binaries, the healthcheck and libraries to where the image has them; returns (loader, lib dirs)."""
    bin_dir = root / "usr" / "local" / "bin"
    bin_dir.mkdir(parents=True)
    loader, lib_dirs = None, set()
    for name in ds.SERVICE_BINARIES:
        shutil.copy2(ds.binary(name), bin_dir / name)
        for soname, path in ds.shared_libraries(ds.binary(name)).items():
            assert path, f"{name}: {soname} not found on this machine"
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(os.path.realpath(path), target)
            if soname == path:
                loader = target
            else:
                lib_dirs.add(target.parent)
    shutil.copy2(ds.DEPLOY_DIR / "docker" / "healthcheck", bin_dir / "invite-healthcheck")
    # Where the mailer looks by default: ../share/invite-mailer/templates from its binary.
    shutil.copytree(ds.BIN_DIR.parent / "share" / "invite-mailer", root / "usr" / "local" / "share" / "invite-mailer")
    assert loader, "ldd named no program loader"
    return loader, sorted(lib_dirs)


def partition_of(key, partitions):
    """Where Java clients and librdkafka's murmur2 partitioners put a key."""
    from kafka.partitioner.default import murmur2
    return (murmur2(key.encode("utf-8")) & 0x7FFFFFFF) % partitions


def wait_for_log(process, log_path, message, timeout=60):
    def found():
        if process.poll() is not None:
            raise AssertionError(f"{log_path.name} exited with {process.returncode}:\n{log_path.read_text()}")
        for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{"):
                entry = harness.json.loads(line)
                if entry.get("msg") == message:
                    return entry
        return None
    return harness.wait_until(found, timeout, f"'{message}' in {log_path.name}")


class RuntimeLayout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = pathlib.Path(tempfile.mkdtemp(prefix="deploy-layout-"))
        try:
            cls.loader, cls.lib_dirs = build_layout(cls.root)
        except BaseException:
            shutil.rmtree(cls.root, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    def argv(self, name, *args):
        """Runs a layout binary with the layout's loader and only the layout's library directories."""
        return [str(self.loader), "--inhibit-cache", "--library-path", ":".join(map(str, self.lib_dirs)),
                str(self.root / "usr" / "local" / "bin" / name), *args]

    def test_every_library_resolves_inside_the_layout(self):
        for name in ds.SERVICE_BINARIES:
            with self.subTest(binary=name):
                done = subprocess.run([str(self.loader), "--inhibit-cache", "--library-path",
                                       ":".join(map(str, self.lib_dirs)), "--list",
                                       str(self.root / "usr" / "local" / "bin" / name)],
                                      capture_output=True, text=True, timeout=30)
                self.assertEqual(done.returncode, 0, done.stderr)
                for line in done.stdout.splitlines():
                    if "=>" in line:
                        resolved = line.split("=>", 1)[1].split(" (")[0].strip()
                        self.assertTrue(resolved.startswith(str(self.root) + "/"), line)

    def test_binaries_start_from_the_layout(self):
        for name in ds.SERVICE_BINARIES:
            with self.subTest(binary=name):
                done = subprocess.run(self.argv(name, "--help"), capture_output=True, text=True, timeout=30)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn("Usage:", done.stdout + done.stderr)

    def test_an_invitation_through_the_layouts_gateway_and_worker(self):
        objects = ds.render("overlays/dev")
        portals_text = ds.one(objects, "ConfigMap", "invite-portals")["data"]["portals.json"]
        portal = harness.json.loads(portals_text)["portals"][0]["host"]
        worker_index = partition_of(portal, PARTITIONS) % 2
        env_of = {c["name"]: (spec, c) for _, spec, c in ds.containers(objects)}

        devstack_env = {"INVITE_REPLICA_COUNT": "2", "INVITE_REPLICA_INDEX": str(1 - worker_index)}
        with harness.Devstack(env=devstack_env, partitions=PARTITIONS, args=["--no-mailer"]) as stack, \
                contextlib.ExitStack() as stop:
            ports = {"gateway": harness.free_port(), "worker": harness.free_port(), "mailer": harness.free_port()}
            pods = {"gateway": GATEWAY_POD, "worker": f"invite-worker-{worker_index}", "mailer": "invite-mailer-0"}
            # Every pod's files are written before any process starts: pods share the ConfigMap's files, and a
            # worker reading portals.json while the gateway's copy is being written would see it half-written.
            envs = {name: self.pod_environment(*env_of[name], objects) for name in ("worker", "mailer", "gateway")}
            processes = {}
            for name in ("worker", "mailer", "gateway"):
                env = envs[name]
                env.update({"INVITE_POD_NAME": pods[name], "INVITE_KAFKA_BROKERS": stack.brokers,
                            "INVITE_KAFKA_CONFIG": "fetch.wait.max.ms=10", "INVITE_PORT": str(ports[name]),
                            "INVITE_LISTEN_ADDRESS": "127.0.0.1"})
                if name == "worker":
                    env["INVITE_REPLICA_COUNT"] = "2"
                if name == "mailer":
                    # Started through the copied loader, the mailer sees the loader as its own executable and
                    # would look for ../share next to it: name the image's template directory instead.
                    env["INVITE_TEMPLATES_DIR"] = str(self.root / "usr/local/share/invite-mailer/templates")
                processes[name] = self.start(name, env, stop)

            worker_started = wait_for_log(*processes["worker"], "worker started")
            mailer_started = wait_for_log(*processes["mailer"], "mailer started")
            self.assertEqual(mailer_started["cultures"], 9, "the image's templates were found")
            self.assertEqual(worker_started["replicaIndex"], worker_index)
            listening = wait_for_log(*processes["gateway"], "listening")
            self.assertEqual(listening["replyPartition"], 2, "the ordinal of invite-gateway-2")
            url = f"http://127.0.0.1:{ports['gateway']}"
            harness.wait_until(lambda: harness.request(url, "GET", "/readyz").status == 200, 30, "gateway ready")

            secret = self.root / "etc" / "invite" / "secrets" / "token.secret"
            token = subprocess.run(self.argv("invitectl", "token", "--portal", portal, "--role", "Owner",
                                             "--secret-file", str(secret)),
                                   check=True, capture_output=True, text=True, timeout=30).stdout.strip()
            email = f"layout-{uuid.uuid4().hex[:8]}@example.com"
            reply = harness.invite(url, token, {"invitations": [{"email": email, "type": "User"}]},
                                   headers={"Host": portal})
            self.assertEqual(reply.status, 200, reply.body)
            self.assertEqual([u["displayName"] for u in reply.json()["response"]], [email])

            data_dir = self.root / "var" / "lib" / "invite"
            users = subprocess.run(self.argv("invitectl", "users", "--data-dir", str(data_dir), "--json"),
                                   check=True, capture_output=True, text=True, timeout=30).stdout
            self.assertIn(email, users, "the layout's worker applied it")
            self.assertNotIn(email, harness.json.dumps(stack.users()), "not the devstack's worker")

            # The dev overlay's mailer writes .eml files on its volume.
            outbox = self.root / "var" / "lib" / "invite" / "outbox-mail"
            eml = harness.wait_until(lambda: [f for f in outbox.glob("*.eml") if email in f.read_text()], 30,
                                     "the layout's mailer to write the e-mail")
            self.assertIn("Subject: Join Example DocSpace DocSpace", eml[0].read_text())

            # The image's HEALTHCHECK command, with the container's INVITE_PORT.
            health = subprocess.run(["bash", str(self.root / "usr" / "local" / "bin" / "invite-healthcheck"), "8080"],
                                    env={**os.environ, "INVITE_PORT": str(ports["gateway"])},
                                    capture_output=True, text=True, timeout=30)
            self.assertEqual(health.returncode, 0, health.stderr)

            for name in ("gateway", "worker", "mailer"):
                process, log = processes[name]
                process.send_signal(signal.SIGTERM)
                self.assertEqual(process.wait(timeout=30), 0, log.read_text())

    def pod_environment(self, spec, container, objects):
        """The container's environment with absolute paths rooted in the layout, and the files its volumes
        would hold written there: ConfigMap keys as files, generated secrets, empty directories."""
        env = {k: v for k, v in ds.environment(container, objects).items() if v != "valueFrom"}
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        files_wanted = {os.path.dirname(v): os.path.basename(v) for k, v in env.items() if k.endswith("_FILE")}
        for mount in container.get("volumeMounts", []):
            where = self.root / mount["mountPath"].lstrip("/")
            where.mkdir(parents=True, exist_ok=True)
            volume = volumes.get(mount["name"], {})
            if "configMap" in volume:
                for key, text in ds.one(objects, "ConfigMap", volume["configMap"]["name"]).get("data", {}).items():
                    # Written aside and renamed, as the kubelet swaps a ConfigMap volume's contents.
                    aside = where / f".{key}.tmp"
                    aside.write_text(text, encoding="utf-8")
                    os.replace(aside, where / key)
            elif "secret" in volume:
                name = files_wanted[mount["mountPath"]]
                if not (where / name).exists():
                    (where / name).write_text(uuid.uuid4().hex + uuid.uuid4().hex, encoding="utf-8")
        return {k: str(self.root / v.lstrip("/")) if v.startswith("/") else v for k, v in env.items()}

    def start(self, name, env, stop):
        log = self.root / f"{name}.log"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("INVITE_")}
        full_env.update(env)
        with open(log, "ab") as out:
            process = subprocess.Popen(self.argv(ds.BINARY_OF[name]), stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, env=full_env)

        def stop_process():
            if process.poll() is None:
                process.kill()
                process.wait()
        stop.callback(stop_process)
        return process, log


if __name__ == "__main__":
    unittest.main()
