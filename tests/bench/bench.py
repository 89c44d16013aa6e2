#!/usr/bin/python3
"""The benchmark: throughput, latency, memory and CPU of the invite service, side by side with this machine's ceiling.

usage: bench.py --bin-dir DIR --out DIR [--smoke] [--kafka embedded|real|both]

Runs, on this machine and in this order:
  1. ceiling: Debian's nginx serving a fixed JSON body the size of a one-user response, driven by wrk;
  2. the gateway's /healthz with wrk (its HTTP stack alone);
  3. POST /api/2.0/people/invite, 1 fresh invitation per request, wrk;
  4. the same with 100 invitations per request;
  5. open-loop latency (invite-loadgen) at 10%, 50% and 80% of the maximum found in 3, and idle (one at a time);
  6. resident memory (RSS) of gateway and worker: idle, under load (sampled each second), peak;
  7. the worker's apply rate alone: a second worker, cold, with an empty data directory, replays every record the
     runs above left in invite.requested.v1;
  8. many portals: steps 4 and 3 again with the requests spread evenly over 1, 2 and 4 portals whose records land on
     distinct partitions of invite.requested.v1 (one wrk, the same connections as 4 and 3, the portal picked per
     request), for invitations/s, req/s and CPU per invitation against the number of partitions in use.
Steps 1 to 4 and 8 read the CPU time (user + system, /proc/<pid>/stat before and after) that each server process
spent, per request and per invitation: nginx (master and workers) in 1, the gateway in 2, and the gateway, the worker
and the broker in 3, 4 and 8; the broker is the devstack process for the embedded one (librdkafka's mock cluster runs
inside it) and the JVM for a real one, whose memory is reported with the services'. Every step also reports its load
generator's CPU per request (wrk, or invite-loadgen in 5; read when it has ended, see CpuMeter): it runs on the same
cores and takes its share of them.
--kafka picks the broker: the devstack's embedded mock (default), a real single-node Apache Kafka started by
scripts/kafka, or both one after the other (same ceiling), printed side by side. --kafka-config KEY=VALUE
(repeatable) hands a librdkafka property to the service's clients through the devstack, e.g. linger.ms=0 for the
idle-latency comparison of docs/performance.md; the tables name the properties given.
Prints the tables and writes them as <out>/bench.json and <out>/bench.md. --smoke runs everything for a few seconds
with no thresholds (CI runs it so that the benchmark never rots).
"""

import argparse
import itertools
import json
import os
import pathlib
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "contract"))
import harness  # noqa: E402  (tests/contract/harness.py: devstack, processes, free ports)
from kafka.partitioner.default import murmur2  # noqa: E402  (python3-kafka, as harness.read_topic)

INVITE = "/api/2.0/people/invite"


def progress(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(argv, timeout):
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


# ---- wrk (closed loop: the most a server answers) ----

WRK_SCRIPT = r"""
-- Fresh e-mails for every request: each wrk thread numbers its own requests under its own id.
-- Arguments: invitations per request, a run label, then optionally host and token pairs, one per portal: request n
-- of a thread then goes to portal n mod (number of portals), so that one wrk process (the same threads and
-- connections as a single-portal run) spreads its load evenly; without pairs the -H headers apply.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  counter = 0
  per_request = tonumber(args[1])
  run = args[2]
  portals = {}
  for i = 3, #args - 1, 2 do
    -- A headers table given to wrk.format replaces the -H headers: it carries all of them.
    portals[#portals + 1] = {Host = args[i], Cookie = "asc_auth_key=" .. args[i + 1],
                             ["Content-Type"] = "application/json"}
  end
end
function request()
  counter = counter + 1
  local items = {}
  for i = 1, per_request do
    items[i] = '{"email":"' .. run .. '-' .. id .. '-' .. counter .. '-' .. i .. '@bench.example","type":"User"}'
  end
  local headers = nil
  if #portals > 0 then
    headers = portals[counter % #portals + 1]
  end
  return wrk.format("POST", nil, headers, '{"invitations":[' .. table.concat(items, ",") .. ']}')
end
"""


def wrk(url, seconds, connections, headers=(), script=None, script_args=()):
    """{"rps", "non2xx", "errors", "p50ms", "p99ms"} from `wrk --latency`."""
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in headers:
        argv += ["-H", header]
    if script:
        argv += ["-s", script]
    argv.append(url)
    if script_args:
        argv += ["--", *script_args]
    out = run(argv, seconds + 60)

    def latency(label):
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "p50ms": latency("50"),
        "p99ms": latency("99"),
    }


def nginx_ceiling(body, seconds, connections, workdir):
    """wrk against nginx returning `body` (a fixed JSON document) from memory, with the CPU nginx and wrk spent."""
    port = harness.free_port()
    # What `auto` would pick, written out so that we know how many workers to wait for before measuring.
    workers = len(os.sched_getaffinity(0))
    root = pathlib.Path(workdir) / "nginx"
    root.mkdir()
    # Served from memory with `return`, so nginx's worker user needs no access to our private temp directory.
    literal = body.replace("\\", "\\\\").replace("'", "\\'")
    (root / "nginx.conf").write_text(f"""
daemon off;
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {root}/tmp;
  server {{
    listen 127.0.0.1:{port};
    location / {{ default_type application/json; return 200 '{literal}'; }}
  }}
}}
""", encoding="utf-8")
    nginx = subprocess.Popen(["nginx", "-p", str(root), "-c", str(root / "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        harness.wait_until(lambda: _answers(f"http://127.0.0.1:{port}", "/"), 10, "nginx to listen")

        def all_workers():
            pids = child_pids(nginx.pid)
            return len(pids) == workers and pids

        nginx_pids = [nginx.pid, *harness.wait_until(all_workers, 10, "nginx's workers")]
        with CpuMeter({"nginx": nginx_pids}) as meter:
            step = wrk(f"http://127.0.0.1:{port}/", seconds, connections)
        return with_cpu(step, meter, None, seconds)
    finally:
        nginx.terminate()
        nginx.wait(10)


def _answers(url, path):
    try:
        return harness.request(url, "GET", path, timeout=1).status == 200
    except OSError:
        return False


# ---- invite-loadgen (open loop: latency at a fixed offered rate) ----

def open_loop(bin_dir, stack, rate, seconds, connections, label, workdir):
    body = pathlib.Path(workdir) / f"body-{label}.json"
    body.write_text('{"invitations":[{"email":"' + label + '-{n}@bench.example","type":"User"}]}', encoding="utf-8")
    started = children_cpu_seconds()  # invite-loadgen's own CPU: see CpuMeter
    out = subprocess.run(
        [str(pathlib.Path(bin_dir) / "invite-loadgen"), "--url", stack.url + INVITE, "--method", "POST",
         "--host-header", stack.portal, "--header", "Content-Type: application/json",
         "--header", f"Cookie: asc_auth_key={stack.token}", "--body-file", str(body), "--rate", str(rate),
         "--duration", f"{seconds}s", "--connections", str(connections)],
        capture_output=True, text=True, timeout=seconds + 120)
    if not out.stdout.strip():
        raise RuntimeError(f"invite-loadgen printed nothing:\n{out.stderr}")
    result = json.loads(out.stdout)
    result["loadgenCpuMsPerRequest"] = (children_cpu_seconds() - started) * 1000 / max(1, result["sent"])
    return result


# ---- CPU and memory ----

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU time a process has used so far (all its threads)."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_cpu_seconds():
    """User + system CPU time of this process's children that have ended and been waited for, so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_pids(parent):
    """The processes whose parent is `parent`."""
    pids = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended since the listing
        if int(fields[1]) == parent:
            pids.append(int(stat.parent.name))
    return pids


class CpuMeter:
    """CPU seconds each named process (or list of processes) spent inside a `with` block, and `children`: those of
    the load generator that ran and ended inside it.

    The load generators are our children started by subprocess.run, and their time is read as the growth of
    RUSAGE_CHILDREN across the block: the kernel adds a child's whole time (all its threads) to it when the child is
    waited for, which subprocess.run does before returning. /proc/<pid>/stat would have to be read after the last
    request but before the exit, a moment nobody outside the process can pick; os.wait4 would give the same figure
    for one child but takes the wait away from subprocess (and its timeout). The growth counts every child waited
    for in the block, several concurrent ones summed, so nothing else may end in it: the services, nginx and the
    brokers are stopped only after their steps."""

    def __init__(self, pids):
        self.pids = {name: pid if isinstance(pid, list) else [pid] for name, pid in pids.items()}
        self.spent = {}
        self.children = 0.0

    def _now(self):
        return {name: sum(cpu_seconds(pid) for pid in group) for name, group in self.pids.items()}

    def __enter__(self):
        self._start = self._now()
        self._children_start = children_cpu_seconds()
        return self

    def __exit__(self, *exc):
        self.children = children_cpu_seconds() - self._children_start
        now = self._now()
        self.spent = {name: now[name] - self._start[name] for name in self.pids}


def with_cpu(step, meter, invitations_per_request, seconds):
    """Adds CPU milliseconds per request and per invitation of each process, and of the load generator, to a wrk
    step."""
    requests = max(1.0, step["rps"] * seconds)
    step["cpuMsPerRequest"] = {name: spent * 1000 / requests for name, spent in meter.spent.items()}
    step["loadgenCpuMsPerRequest"] = meter.children * 1000 / requests
    if invitations_per_request:
        step["cpuMsPerInvitation"] = {name: ms / invitations_per_request
                                      for name, ms in step["cpuMsPerRequest"].items()}
    return step


def memory_kib(pid):
    """(VmRSS, VmHWM) of a process in KiB."""
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
    hwm = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))
    return rss, hwm


class MemorySampler:
    """Samples the RSS of some processes once a second on a thread, for the steady-state figures."""

    def __init__(self, pids):
        self.pids = pids
        self.samples = {name: [] for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.wait(1.0):
            for name, pid in self.pids.items():
                self.samples[name].append(memory_kib(pid)[0])


# ---- the worker alone ----

def metric_sum(text, name):
    return sum(float(value) for value in re.findall(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.M))


def worker_metrics(port):
    reply = harness.request(f"http://127.0.0.1:{port}", "GET", "/metrics", timeout=5)
    return reply.body.decode()


def cold_worker_rate(bin_dir, stack, workdir, timeout, kind):
    """Invitations per second applied by a fresh worker (empty data directory) that reads everything still in
    invite.requested.v1. The embedded broker keeps only about 5 MB per partition, so the oldest records may be gone:
    only the requests whose every record is still there count (the worker drops a truncated one whole)."""
    indexes, counts = {}, {}
    for record in harness.read_topic(stack.brokers, harness.REQUESTED, timeout=60):
        value = json.loads(record.value)
        indexes.setdefault(value["requestId"], set()).add(value["index"])
        counts[value["requestId"]] = value["count"]
    complete = [rid for rid, seen in indexes.items() if len(seen) == counts[rid]]
    requests = len(complete)
    records = sum(counts[rid] for rid in complete)

    data_dir = pathlib.Path(workdir) / f"cold-worker-{kind}"
    data_dir.mkdir()
    port_file = data_dir / "port"
    # The embedded broker holds an empty fetch for all of fetch.wait.max.ms; a real one answers when data arrives.
    mock_only = ["--kafka-config", "fetch.wait.max.ms=1"] if kind == "embedded" else []
    argv = [str(pathlib.Path(bin_dir) / "invite-worker"), "--kafka-brokers", stack.brokers, *mock_only,
            "--data-dir", str(data_dir),
            "--portals-file", stack.portals_file, "--link-secret-file", stack.info["linkSecretFile"],
            "--group-id", "bench-cold-worker", "--listen-address", "127.0.0.1", "--port", "0",
            "--port-file", str(port_file), "--log-level", "warn"]
    started = time.monotonic()
    log = open(data_dir / "worker.log", "wb")
    worker = subprocess.Popen(argv, stdout=log, stderr=log)
    try:
        port = int(harness.wait_until(lambda: port_file.exists() and port_file.read_text().strip(), 60,
                                      "the cold worker to listen"))
        last_report = time.monotonic()

        def caught_up():
            nonlocal last_report
            decided = metric_sum(worker_metrics(port), "invite_worker_requests_total")
            if time.monotonic() - last_report > 10:
                progress(f"   cold worker: {decided:.0f} of {requests:.0f} requests")
                last_report = time.monotonic()
            return decided >= requests

        try:
            harness.wait_until(caught_up, timeout, f"the cold worker to decide {requests} requests", interval=0.1)
        except TimeoutError:
            progress("cold worker metrics:\n" + "\n".join(
                line for line in worker_metrics(port).splitlines() if line.startswith("invite_worker")))
            raise
        elapsed = time.monotonic() - started
        rss = memory_kib(worker.pid)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
    return {"records": records, "requests": requests, "seconds": elapsed, "invitationsPerSecond": records / elapsed,
            "rssKiB": rss[0], "peakRssKiB": rss[1]}


# ---- many portals ----

# Partitions of invite.requested.v1 in the bench's devstacks (their default): the most portals step 8 can spread over.
PARTITIONS = 4
PORTAL_COUNTS = (1, 2, 4)

# murmur2 of a few keys as Kafka's own unit tests give them (Java's signed 32-bit ints): python3-kafka's hash must be
# Java's, which librdkafka's murmur2_random partitioner implements too.
MURMUR2_KNOWN = {b"21": -973932308, b"foobar": -790332482, b"abc": 479470107}


def partition_of(key, partitions):
    """The partition of a record keyed `key` (the gateway keys invite.requested.v1 by portal host), as the gateway's
    producer places it: murmur2_random, Java's default partitioner for keyed records, takes murmur2 of the key's
    bytes with the sign bit cleared, modulo the partition count."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def bench_portals(partitions, count):
    """`count` portal host names whose records land on distinct partitions; the same names on every run."""
    assert count <= partitions, f"{count} portals cannot have distinct partitions among {partitions}"
    known = {key: murmur2(key) for key in MURMUR2_KNOWN}
    assert known == {key: value & 0xFFFFFFFF for key, value in MURMUR2_KNOWN.items()}, \
        f"python3-kafka's murmur2 is not Kafka's: {known}"
    names, taken = [], set()
    for n in itertools.count(1):
        name = f"portal{n}.bench.example"
        partition = partition_of(name, partitions)
        if partition not in taken:
            taken.add(partition)
            names.append(name)
            if len(names) == count:
                return names


def check_placement(stack, tokens):
    """The step's premise, checked on the running broker before any load (while the topic is short): one invitation
    per bench portal, then each one's record must be on the partition partition_of gives."""
    for name, token in tokens.items():
        reply = harness.invite(stack.url, token, {"invitations": [{"email": "placement@bench.example"}]},
                               headers={"Host": name})
        assert reply.status == 200, reply.body
    placed = {record.key.decode(): record.partition
              for record in harness.read_topic(stack.brokers, harness.REQUESTED, min_records=len(tokens))}
    wrong = {name: placed.get(name) for name in tokens if placed.get(name) != partition_of(name, PARTITIONS)}
    if wrong:
        raise RuntimeError(f"portals not on the partitions murmur2 gives (portal: partition found): {wrong}")


def many_portals(stack, pids, tokens, script, seconds, loads, kind):
    """Step 8: each load ({invitations per request: connections}) spread by one wrk over the first 1, 2 and 4 bench
    portals, so that only the number of portals (and so of partitions) changes between the rows of a load."""
    rows = []
    for per_request, connections in loads.items():
        for count in PORTAL_COUNTS:
            chosen = list(tokens)[:count]
            progress(f"8. many portals: {count}, {per_request} invitation(s) per request ({kind} broker)")
            pairs = [value for name in chosen for value in (name, tokens[name])]
            with CpuMeter(pids) as meter:
                step = wrk(stack.url + INVITE, seconds, connections, (), script,
                           [str(per_request), f"{kind}{per_request}p{count}", *pairs])
            with_cpu(step, meter, per_request, seconds)
            step.update(invitationsPerRequest=per_request, portals=chosen,
                        partitions=[partition_of(name, PARTITIONS) for name in chosen],
                        invitationsPerSecond=step["rps"] * per_request)
            rows.append(step)
    return rows


# ---- the whole run ----

def measure(args, kind, ceiling, seconds, steady_seconds, connections, workdir):
    """Steps 1-8 on one broker ("embedded" or "real"); the ceiling (step 1) is measured once per run, with the
    first broker, and passed on."""
    steps = {"ceiling": ceiling}
    names = bench_portals(PARTITIONS, max(PORTAL_COUNTS))
    portals = [harness.default_portal("localhost", "{port}")] + [harness.default_portal(n, "{port}") for n in names]
    # Connections for each number of invitations per request: the same in step 8 as in steps 3 and 4, so that 8's rows
    # compare with them and with each other.
    loads = {100: 8, 1: connections}
    # Without the mailer: it is not on the request path (it turns e-mail jobs into mail, in its own pods in
    # production), and here it would write an .eml file per invitation on the same two cores.
    client_args = [arg for setting in args.kafka_config for arg in ("--kafka-config", setting)]
    with harness.Devstack(portals=portals, partitions=PARTITIONS, args=["--no-mailer"] + client_args,
                          kafka=kind) as stack:
        auth = [f"Cookie: asc_auth_key={stack.token}", "Content-Type: application/json", f"Host: {stack.portal}"]
        pids = {"gateway": stack.gateway_pid, "worker": stack.worker_pid, "broker": stack.broker_pid}
        one = harness.invite(stack.url, stack.token, {"invitations": [{"email": "size@bench.example"}]},
                             headers={"Host": stack.portal})
        assert one.status == 200, one.body
        tokens = {name: stack.token_for("Owner", portal=name) for name in names}
        check_placement(stack, tokens)
        steps["memoryIdle"] = {name: memory_kib(pid)[0] for name, pid in pids.items()}

        if ceiling is None:
            progress("1. nginx ceiling")
            steps["ceiling"] = nginx_ceiling(one.body.decode(), seconds, connections, workdir)
        progress(f"2. gateway /healthz ({kind} broker)")
        with CpuMeter({"gateway": stack.gateway_pid}) as meter:
            steps["healthz"] = wrk(stack.url + "/healthz", seconds, connections)
        with_cpu(steps["healthz"], meter, None, seconds)
        script = pathlib.Path(workdir) / f"invite-{kind}.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        progress(f"3. POST invite, 1 invitation ({kind} broker)")
        with CpuMeter(pids) as meter:
            steps["invite1"] = wrk(stack.url + INVITE, seconds, loads[1], auth, str(script), ["1", f"{kind}1"])
        with_cpu(steps["invite1"], meter, 1, seconds)
        progress(f"4. POST invite, 100 invitations ({kind} broker)")
        with CpuMeter(pids) as meter:
            steps["invite100"] = wrk(stack.url + INVITE, seconds, loads[100], auth, str(script),
                                     ["100", f"{kind}100"])
        with_cpu(steps["invite100"], meter, 100, seconds)
        steps["invite100"]["invitationsPerSecond"] = steps["invite100"]["rps"] * 100

        maximum = max(1.0, steps["invite1"]["rps"] * (1 - steps["invite1"]["non2xx"] /
                                                      max(1, steps["invite1"]["rps"] * seconds)))
        progress(f"5. open-loop latency ({kind} broker)")
        steps["latency"] = {"idle": open_loop(args.bin_dir, stack, 20, seconds, 1, f"idle-{kind}", workdir)}
        for share in (10, 50, 80):
            rate = max(1, int(maximum * share / 100))
            if share == 50:
                with MemorySampler(pids) as sampler:
                    steps["latency"]["50%"] = open_loop(args.bin_dir, stack, rate, steady_seconds, connections,
                                                        f"p50-{kind}", workdir)
                steps["memorySteady"] = {name: {"first": s[0], "last": s[-1], "min": min(s), "max": max(s)}
                                         for name, s in sampler.samples.items() if s}
            else:
                steps["latency"][f"{share}%"] = open_loop(args.bin_dir, stack, rate, seconds, connections,
                                                          f"p{share}-{kind}", workdir)
        steps["memoryPeak"] = {name: memory_kib(pid)[1] for name, pid in pids.items()}

        progress(f"7. worker alone ({kind} broker)")
        steps["workerAlone"] = cold_worker_rate(args.bin_dir, stack, workdir, 60 if args.smoke else 600, kind)

        # Last, so that its records do not lengthen the cold worker's replay in 7.
        steps["manyPortals"] = many_portals(stack, pids, tokens, str(script), seconds, loads, kind)
    return steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--smoke", action="store_true", help="a few seconds per step, no targets")
    parser.add_argument("--kafka", choices=("embedded", "real", "both"), default="embedded",
                        help="the broker under the service (real: a single Apache Kafka node by scripts/kafka)")
    parser.add_argument("--kafka-config", action="append", default=[], metavar="KEY=VALUE",
                        help="a librdkafka property for the service's clients (repeatable), e.g. linger.ms=0")
    args = parser.parse_args()
    for setting in args.kafka_config:
        if "=" not in setting or setting.startswith("="):
            parser.error(f"--kafka-config wants KEY=VALUE, got {setting!r}")
    os.environ["INVITE_BIN_DIR"] = str(pathlib.Path(args.bin_dir).resolve())
    harness.BIN_DIR = pathlib.Path(os.environ["INVITE_BIN_DIR"])
    seconds = 2 if args.smoke else 10
    steady_seconds = 3 if args.smoke else 60
    connections = 64
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="invite-bench-")
    kinds = ("embedded", "real") if args.kafka == "both" else (args.kafka,)
    results = {"machine": machine(), "smoke": args.smoke, "kafkaConfig": args.kafka_config, "brokers": {}}
    try:
        ceiling = None
        for kind in kinds:
            results["brokers"][kind] = measure(args, kind, ceiling, seconds, steady_seconds, connections, workdir)
            ceiling = results["brokers"][kind]["ceiling"]
    finally:
        if os.environ.get("BENCH_KEEP"):
            progress(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    table = "\n\n".join(render_table(results["machine"], results["smoke"], kind, steps, args.kafka_config)
                         for kind, steps in results["brokers"].items())
    if len(kinds) > 1:
        table += "\n\n" + render_side_by_side(results["brokers"])
    print(table)
    (out_dir / "bench.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (out_dir / "bench.md").write_text(table + "\n", encoding="utf-8")
    print(f"\nwritten: {out_dir / 'bench.json'}, {out_dir / 'bench.md'}")
    # Figures of a run that got errors measure the errors: say so and fail.
    problems = []
    for kind, steps in results["brokers"].items():
        problems += [f"{kind} broker, {key}: {s['non2xx']} non-2xx, {s['errors']} socket errors"
                     for key, s in steps.items() if key in ("ceiling", "healthz", "invite1", "invite100")
                     and (s["non2xx"] or s["errors"])]
        problems += [f"{kind} broker, latency {label}: {r['statuses']}, {r['transportErrors']} transport errors, "
                     f"{r['unanswered']} unanswered"
                     for label, r in steps["latency"].items()
                     if r["transportErrors"] or r["unanswered"] or set(r["statuses"]) != {"200"}]
        problems += [f"{kind} broker, {r['invitationsPerRequest']} per request over {len(r['portals'])} portals: "
                     f"{r['non2xx']} non-2xx, {r['errors']} socket errors"
                     for r in steps["manyPortals"] if r["non2xx"] or r["errors"]]
    for problem in problems:
        print(f"bench: {problem}", file=sys.stderr)
    return 1 if problems else 0


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
    return {"cpu": cpu, "cores": os.cpu_count(), "memoryGiB": round(mem_kib / 1024 / 1024, 1),
            "kernel": platform.release(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def render_table(machine_, smoke, kind, s, kafka_config=()):
    ceiling = s["ceiling"]["rps"]

    def ratio(rps):
        return f"{rps / ceiling:.1%}" if ceiling else "-"

    def ms(value):
        return "-" if value is None else f"{value:.2f}"

    m = machine_
    broker = {"embedded": "embedded broker (librdkafka's mock cluster, in the devstack process)",
              "real": "a real Apache Kafka broker (one node, scripts/kafka)"}[kind]
    lines = [f"Broker: {broker}",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['memoryGiB']} GiB, Linux {m['kernel']}, {m['date']}"
             + (" (smoke run: figures are not meaningful)" if smoke else "")]
    if kafka_config:
        lines.append("Client settings: " + ", ".join(kafka_config))
    lines += ["",
              "| step | req/s | vs ceiling | invitations/s | p50 ms | p99 ms | non-2xx |",
              "|---|---|---|---|---|---|---|"]
    for key, label, per in (("ceiling", "1. nginx, fixed one-user body (ceiling)", None),
                            ("healthz", "2. gateway GET /healthz", None),
                            ("invite1", "3. POST invite, 1 invitation", 1),
                            ("invite100", "4. POST invite, 100 invitations", 100)):
        step = s[key]
        invitations = "-" if per is None else f"{step['rps'] * per:.0f}"
        lines.append(f"| {label} | {step['rps']:.0f} | {ratio(step['rps'])} | {invitations} | {ms(step['p50ms'])} | "
                     f"{ms(step['p99ms'])} | {step['non2xx']} |")

    def us(ms_value):
        return f"{ms_value * 1000:.1f}"

    lines += ["", "| 5. open loop, 1 invitation | offered req/s | achieved | p50 ms | p90 ms | p99 ms | p99.9 ms | "
                  "max ms | non-200 | invite-loadgen CPU µs per request |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for label, run_ in s["latency"].items():
        lat = run_["latencyMs"]
        not_ok = run_["answered"] - run_["statuses"].get("200", 0) + run_["transportErrors"] + run_["unanswered"]
        lines.append(f"| {label} | {run_['offeredRate']:.0f} | {run_['achievedRate']:.0f} | {lat['p50']:.2f} | "
                     f"{lat['p90']:.2f} | {lat['p99']:.2f} | {lat['p99.9']:.2f} | {lat['max']:.2f} | {not_ok} | "
                     f"{us(run_['loadgenCpuMsPerRequest'])} |")
    # Microseconds: nginx's figure is a few of them, the service's a few hundred.
    lines += ["", "| CPU µs (user + system) | gateway | worker | broker | server, all | load generator (wrk) |",
              "|---|---|---|---|---|---|"]
    for key, label, per in (("ceiling", "1. nginx (master + workers), per request", 1),
                            ("healthz", "2. gateway GET /healthz, per request", 1),
                            ("invite1", "3. per request, 1 invitation", 1),
                            ("invite100", "4. per request, 100 invitations", 1),
                            ("invite100", "4. per invitation, 100 per request", 100)):
        cpu = s[key].get("cpuMsPerRequest", {})
        if cpu:
            cells = " | ".join(us(cpu[name] / per) if name in cpu else "-" for name in ("gateway", "worker", "broker"))
            lines.append(f"| {label} | {cells} | {us(sum(cpu.values()) / per)} | "
                         f"{us(s[key]['loadgenCpuMsPerRequest'] / per)} |")
    mib = lambda kib: f"{kib / 1024:.1f}"  # noqa: E731
    lines += ["", "| 6. RSS MiB | idle | steady (first / last / max, 50% load) | peak |", "|---|---|---|---|"]
    for name in ("gateway", "worker", "broker"):
        steady = s.get("memorySteady", {}).get(name)
        steady_text = (f"{mib(steady['first'])} / {mib(steady['last'])} / {mib(steady['max'])}" if steady else "-")
        lines.append(f"| {name} | {mib(s['memoryIdle'][name])} | {steady_text} | {mib(s['memoryPeak'][name])} |")
    w = s["workerAlone"]
    lines += ["", f"7. Worker alone, cold: {w['records']} records ({w['requests']:.0f} requests) in "
                  f"{w['seconds']:.1f} s = {w['invitationsPerSecond']:.0f} invitations/s; RSS {mib(w['rssKiB'])} MiB"]
    lines += ["", "| 8. many portals | portals (partitions) | req/s | invitations/s | p50 ms | p99 ms | non-2xx | "
                  "CPU µs per invitation: gateway / worker / broker / all three | wrk CPU µs per request |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in s["manyPortals"]:
        cpu = r["cpuMsPerInvitation"]
        split = " / ".join(us(cpu[name]) for name in ("gateway", "worker", "broker"))
        partitions = ", ".join(str(p) for p in r["partitions"])
        lines.append(f"| {r['invitationsPerRequest']} per request | {len(r['portals'])} ({partitions}) | "
                     f"{r['rps']:.0f} | {r['invitationsPerSecond']:.0f} | {ms(r['p50ms'])} | {ms(r['p99ms'])} | "
                     f"{r['non2xx']} | {split} / {us(sum(cpu.values()))} | {us(r['loadgenCpuMsPerRequest'])} |")
    return "\n".join(lines)


def render_side_by_side(brokers):
    """The figures that differ most between the brokers, one column each."""
    kinds = list(brokers)
    counts = " / ".join(str(n) for n in PORTAL_COUNTS)

    def spread(s, per_request, value):
        """One figure of step 8 for each number of portals, "a / b / c"."""
        return " / ".join(value(r) for r in s["manyPortals"] if r["invitationsPerRequest"] == per_request)

    rows = [
        ("1 invitation per request, req/s", lambda s: f"{s['invite1']['rps']:.0f}"),
        ("100 per request, invitations/s", lambda s: f"{s['invite100']['invitationsPerSecond']:.0f}"),
        ("idle p50 ms", lambda s: f"{s['latency']['idle']['latencyMs']['p50']:.2f}"),
        ("50% load p99 ms", lambda s: f"{s['latency']['50%']['latencyMs']['p99']:.2f}"),
        ("CPU ms per request (1 invitation), all", lambda s: f"{sum(s['invite1']['cpuMsPerRequest'].values()):.3f}"),
        ("CPU ms per invitation (100 per request), all",
         lambda s: f"{sum(s['invite100']['cpuMsPerInvitation'].values()):.3f}"),
        ("broker CPU ms per invitation (100 per request)",
         lambda s: f"{s['invite100']['cpuMsPerInvitation']['broker']:.3f}"),
        ("broker RSS MiB idle / peak",
         lambda s: f"{s['memoryIdle']['broker'] / 1024:.0f} / {s['memoryPeak']['broker'] / 1024:.0f}"),
        ("worker alone, invitations/s", lambda s: f"{s['workerAlone']['invitationsPerSecond']:.0f}"),
        ("wrk CPU ms per request (1 invitation)", lambda s: f"{s['invite1']['loadgenCpuMsPerRequest']:.3f}"),
        (f"100 per request over {counts} portals, invitations/s",
         lambda s: spread(s, 100, lambda r: f"{r['invitationsPerSecond']:.0f}")),
        (f"100 per request over {counts} portals, CPU ms per invitation, all",
         lambda s: spread(s, 100, lambda r: f"{sum(r['cpuMsPerInvitation'].values()):.3f}")),
        (f"1 per request over {counts} portals, req/s", lambda s: spread(s, 1, lambda r: f"{r['rps']:.0f}")),
    ]
    lines = ["| side by side | " + " | ".join(f"{k} broker" for k in kinds) + " |",
             "|---|" + "---|" * len(kinds)]
    for label, value in rows:
        lines.append(f"| {label} | " + " | ".join(value(brokers[k]) for k in kinds) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
