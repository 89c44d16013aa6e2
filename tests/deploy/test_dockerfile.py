"""deploy/docker/Dockerfile's structure: pinned Debian 12 bases, the build stage installing what
scripts/install-deps installs, a runtime stage with exactly the packages of the libraries `ldd` lists, a
non-root numeric user, a HEALTHCHECK and an ENTRYPOINT per target, no secrets, and every COPY'd path present
in the build context (the repository minus .dockerignore)."""

import fnmatch
import re
import shlex
import unittest

import deploy_support as ds

DOCKERFILE = ds.DEPLOY_DIR / "docker" / "Dockerfile"
TARGETS = {"gateway": "invite-gateway", "worker": "invite-worker", "mailer": "invite-mailer"}
# Not a library: trust roots for Kafka over TLS with a public CA.
DATA_PACKAGES = {"ca-certificates"}
SECRET_WORDS = re.compile(r"PASS|SECRET|TOKEN|PRIVATE|CREDENTIAL|API_?KEY", re.IGNORECASE)


def instructions():
    """[(stage name, INSTRUCTION, arguments)] with continuation lines joined and comments dropped."""
    joined, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        current += line.rstrip("\\").rstrip() + " " if line.rstrip().endswith("\\") else line
        if not line.rstrip().endswith("\\"):
            if current.strip():
                joined.append(current.strip())
            current = ""
    result, stage = [], None
    for text in joined:
        keyword, _, args = text.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(\S+)(?: AS (\S+))?", args.strip(), re.IGNORECASE)
            stage = match[2]
        result.append((stage, keyword, args.strip()))
    return result


def stages():
    """{stage: (base, [(INSTRUCTION, arguments)])}."""
    result = {}
    for stage, keyword, args in instructions():
        if keyword == "FROM":
            result[stage] = (args.split()[0], [])
        else:
            result[stage][1].append((keyword, args))
    return result


def lineage(name, all_stages):
    """The stage and the stages it is built FROM, nearest first."""
    chain = []
    while name in all_stages:
        chain.append(name)
        name = all_stages[name][0]
    return chain


def last(keyword, name, all_stages):
    for stage in lineage(name, all_stages):
        found = [args for kw, args in all_stages[stage][1] if kw == keyword]
        if found:
            return found[-1]
    return None


def dockerignore_patterns():
    patterns = []
    for line in (ds.SOURCE_DIR / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(line.lstrip("/"))
    return patterns


def ignored(relative, patterns):
    parts = relative.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatch(prefix, pattern) or fnmatch.fnmatch(prefix, pattern.replace("**/", ""))
               for prefix in prefixes for pattern in patterns)


class Dockerfile(unittest.TestCase):
    def setUp(self):
        self.stages = stages()

    def test_bases_are_debian_12_and_pinned(self):
        for stage, (base, _) in self.stages.items():
            if base in self.stages:
                continue
            with self.subTest(stage=stage):
                self.assertRegex(base, r"^(docker\.io/library/)?debian:(bookworm|12)")
                pinned_by_digest = re.search(r"@sha256:[0-9a-f]{64}$", base)
                pinned_by_date = re.search(r":bookworm-\d{8}(-slim)?$", base)
                self.assertTrue(pinned_by_digest or pinned_by_date, f"{base}: pin a digest or a dated tag")

    def test_targets_run_their_binary_as_a_numeric_non_root_user(self):
        for target, binary in TARGETS.items():
            with self.subTest(target=target):
                self.assertIn(target, self.stages)
                user = last("USER", target, self.stages)
                self.assertIsNotNone(user)
                self.assertRegex(user, r"^\d+(:\d+)?$", "numeric, so runAsNonRoot can verify it")
                self.assertNotEqual(int(user.split(":")[0]), 0)
                entrypoint = last("ENTRYPOINT", target, self.stages)
                self.assertEqual(json_list(entrypoint), [f"/usr/local/bin/{binary}"])
                copied = [args for stage in lineage(target, self.stages) for kw, args in self.stages[stage][1]
                          if kw == "COPY"]
                for tool in (binary, "invitectl"):
                    self.assertTrue(any(args.split()[-1] == f"/usr/local/bin/{tool}" for args in copied), tool)

    def test_targets_have_a_healthcheck_on_their_own_port(self):
        for target in TARGETS:
            with self.subTest(target=target):
                healthcheck = last("HEALTHCHECK", target, self.stages)
                self.assertIsNotNone(healthcheck)
                command = json_list(healthcheck.split(" CMD ", 1)[1])
                self.assertEqual(command[0], "/usr/local/bin/invite-healthcheck")
                self.assertEqual(command[1:], [last("EXPOSE", target, self.stages)])

    def test_build_stage_installs_what_install_deps_installs(self):
        runs = [args for kw, args in self.stages["build"][1] if kw == "RUN"]
        self.assertTrue(any(args.startswith("scripts/install-deps --build") for args in runs), runs)

    def installed(self, stage):
        """The packages a stage's `apt-get install` names."""
        runs = " ".join(args for kw, args in self.stages[stage][1] if kw == "RUN")
        words = shlex.split(runs.split("apt-get install", 1)[1].split("&&", 1)[0])
        return {w for w in words if not w.startswith("-")}

    def needed(self, binaries):
        """The Debian packages owning the shared libraries `ldd` lists for the binaries."""
        packages = set()
        for name in binaries:
            for soname, path in ds.shared_libraries(ds.binary(name)).items():
                self.assertIsNotNone(path, f"{name}: {soname} not found")
                packages.add(ds.debian_package_of(path))
        return packages

    def test_runtime_packages_are_exactly_those_of_the_shared_libraries(self):
        common = self.needed(set(ds.SERVICE_BINARIES) - ds.MAILER_ONLY)
        self.assertEqual(self.installed("runtime") - DATA_PACKAGES, common)
        # The mailer's image adds exactly what its own libraries need beyond those.
        self.assertEqual(self.installed("mailer"), self.needed(ds.MAILER_ONLY) - common)
        self.assertEqual(lineage("mailer", self.stages), ["mailer", "runtime"])

    def test_no_secrets(self):
        for stage, (_, body) in self.stages.items():
            for keyword, args in body:
                if keyword in ("ARG", "ENV"):
                    name = re.split(r"[= ]", args, 1)[0]
                    self.assertNotRegex(name, SECRET_WORDS, f"{stage}: {keyword} {args}")
                if keyword in ("COPY", "ADD"):
                    self.assertNotRegex(args, r"\.secret|\.pem|\.key\b|id_rsa", f"{stage}: {keyword} {args}")
        self.assertEqual([a for _, kw, a in instructions() if kw == "ADD"], [], "COPY, not ADD (no URLs)")

    def test_every_copied_path_is_in_the_build_context(self):
        patterns = dockerignore_patterns()
        for stage, (_, body) in self.stages.items():
            for keyword, args in body:
                if keyword != "COPY" or "--from=" in args:
                    continue
                for source in [w for w in args.split()[:-1] if not w.startswith("--")]:
                    with self.subTest(copy=source):
                        self.assertTrue((ds.SOURCE_DIR / source).exists(), source)
                        self.assertFalse(ignored(source.rstrip("/"), patterns), f"{source} is in .dockerignore")

    def test_dockerignore_keeps_local_state_out(self):
        patterns = dockerignore_patterns()
        for path in ("build/bin/invite-gateway", "build-deploy/CMakeCache.txt", ".git/config",
                     "tests/contract/tools/node_modules/x", "tests/deploy/tools/node_modules/x", ".devstack/a"):
            self.assertTrue(ignored(path, patterns), path)
        for path in ("CMakeLists.txt", "libs/common/src/flags.cpp", "tests/CMakeLists.txt", "scripts/install-deps",
                     "deploy/docker/healthcheck"):
            self.assertFalse(ignored(path, patterns), path)


def json_list(text):
    import json
    value = json.loads(text)
    assert isinstance(value, list), f"exec form expected: {text}"
    return value


if __name__ == "__main__":
    unittest.main()
