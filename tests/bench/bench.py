#!/usr/bin/python3
"""The benchmark: throughput, latency and memory of the invite service, side by side with this machine's ceiling.

usage: bench.py --bin-dir DIR --out DIR [--smoke] [--kafka embedded|real|both]

Runs, on this machine and in this order:
  1. ceiling: Debian's nginx serving a fixed JSON body the size of a one-user response, driven by wrk;
  2. the gateway's /healthz with wrk (its HTTP stack alone);
  3. POST /api/2.0/people/invite, 1 fresh invitation per request, wrk;
  4. the same with 100 invitations per request;
  5. open-loop latency (invite-loadgen) at 10%, 50% and 80% of the maximum found in 3, and idle (one at a time);
  6. resident memory (RSS) of gateway and worker: idle, under load (sampled each second), peak;
  7. the worker's apply rate alone: a second worker, cold, with an empty data directory, replays every record the
     runs above left in invite.requested.v1.
Steps 3 and 4 also read the CPU time (user + system, /proc/<pid>/stat) that the gateway, the worker and the broker
spent, per request and per invitation; the broker is the devstack process for the embedded one (librdkafka's mock
cluster runs inside it) and the JVM for a real one, whose memory is reported with the services'.
--kafka picks the broker: the devstack's embedded mock (default), a real single-node Apache Kafka started by
scripts/kafka, or both one after the other (same ceiling), printed side by side.
Prints the tables and writes them as <out>/bench.json and <out>/bench.md. --smoke runs everything for a few seconds
with no thresholds (CI runs it so that the benchmark never rots).
"""

import argparse
import json
import os
import pathlib
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "contract"))
import harness  # noqa: E402  (tests/contract/harness.py: devstack, processes, free ports)

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
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  counter = 0
  per_request = tonumber(args[1])
  run = args[2]
end
function request()
  counter = counter + 1
  local items = {}
  for i = 1, per_request do
    items[i] = '{"email":"' .. run .. '-' .. id .. '-' .. counter .. '-' .. i .. '@bench.example","type":"User"}'
  end
  return wrk.format("POST", nil, nil, '{"invitations":[' .. table.concat(items, ",") .. ']}')
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
    """wrk against nginx returning `body` (a fixed JSON document) from memory."""
    port = harness.free_port()
    root = pathlib.Path(workdir) / "nginx"
    root.mkdir()
    # Served from memory with `return`, so nginx's worker user needs no access to our private temp directory.
    literal = body.replace("\\", "\\\\").replace("'", "\\'")
    (root / "nginx.conf").write_text(f"""
daemon off;
worker_processes auto;
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
        return wrk(f"http://127.0.0.1:{port}/", seconds, connections)
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
    out = subprocess.run(
        [str(pathlib.Path(bin_dir) / "invite-loadgen"), "--url", stack.url + INVITE, "--method", "POST",
         "--host-header", stack.portal, "--header", "Content-Type: application/json",
         "--header", f"Cookie: asc_auth_key={stack.token}", "--body-file", str(body), "--rate", str(rate),
         "--duration", f"{seconds}s", "--connections", str(connections)],
        capture_output=True, text=True, timeout=seconds + 120)
    if not out.stdout.strip():
        raise RuntimeError(f"invite-loadgen printed nothing:\n{out.stderr}")
    return json.loads(out.stdout)


# ---- CPU and memory ----

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU time a process has used so far (all its threads)."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class CpuMeter:
    """CPU seconds each process spent inside a `with` block."""

    def __init__(self, pids):
        self.pids = pids
        self.spent = {}

    def __enter__(self):
        self._start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        return self

    def __exit__(self, *exc):
        self.spent = {name: cpu_seconds(pid) - self._start[name] for name, pid in self.pids.items()}


def with_cpu(step, meter, invitations_per_request, seconds):
    """Adds CPU milliseconds per request and per invitation of each process to a wrk step."""
    requests = max(1.0, step["rps"] * seconds)
    step["cpuMsPerRequest"] = {name: spent * 1000 / requests for name, spent in meter.spent.items()}
    step["cpuMsPerInvitation"] = {name: ms / invitations_per_request for name, ms in step["cpuMsPerRequest"].items()}
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


# ---- the whole run ----

def measure(args, kind, ceiling, seconds, steady_seconds, connections, workdir):
    """Steps 1-7 on one broker ("embedded" or "real"); the ceiling (step 1) is measured once per run, with the
    first broker, and passed on."""
    steps = {"ceiling": ceiling}
    # Without the mailer: it is not on the request path (it turns e-mail jobs into mail, in its own pods in
    # production), and here it would write an .eml file per invitation on the same two cores.
    with harness.Devstack(args=["--no-mailer"], kafka=kind) as stack:
        auth = [f"Cookie: asc_auth_key={stack.token}", "Content-Type: application/json", f"Host: {stack.portal}"]
        pids = {"gateway": stack.gateway_pid, "worker": stack.worker_pid, "broker": stack.broker_pid}
        one = harness.invite(stack.url, stack.token, {"invitations": [{"email": "size@bench.example"}]},
                             headers={"Host": stack.portal})
        assert one.status == 200, one.body
        steps["memoryIdle"] = {name: memory_kib(pid)[0] for name, pid in pids.items()}

        if ceiling is None:
            progress("1. nginx ceiling")
            steps["ceiling"] = nginx_ceiling(one.body.decode(), seconds, connections, workdir)
        progress(f"2. gateway /healthz ({kind} broker)")
        steps["healthz"] = wrk(stack.url + "/healthz", seconds, connections)
        script = pathlib.Path(workdir) / f"invite-{kind}.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        progress(f"3. POST invite, 1 invitation ({kind} broker)")
        with CpuMeter(pids) as meter:
            steps["invite1"] = wrk(stack.url + INVITE, seconds, connections, auth, str(script), ["1", f"{kind}1"])
        with_cpu(steps["invite1"], meter, 1, seconds)
        progress(f"4. POST invite, 100 invitations ({kind} broker)")
        with CpuMeter(pids) as meter:
            steps["invite100"] = wrk(stack.url + INVITE, seconds, 8, auth, str(script), ["100", f"{kind}100"])
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
    return steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--smoke", action="store_true", help="a few seconds per step, no targets")
    parser.add_argument("--kafka", choices=("embedded", "real", "both"), default="embedded",
                        help="the broker under the service (real: a single Apache Kafka node by scripts/kafka)")
    args = parser.parse_args()
    os.environ["INVITE_BIN_DIR"] = str(pathlib.Path(args.bin_dir).resolve())
    harness.BIN_DIR = pathlib.Path(os.environ["INVITE_BIN_DIR"])
    seconds = 2 if args.smoke else 10
    steady_seconds = 3 if args.smoke else 60
    connections = 64
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="invite-bench-")
    kinds = ("embedded", "real") if args.kafka == "both" else (args.kafka,)
    results = {"machine": machine(), "smoke": args.smoke, "brokers": {}}
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

    table = "\n\n".join(render_table(results["machine"], results["smoke"], kind, steps)
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
    for problem in problems:
        print(f"bench: {problem}", file=sys.stderr)
    return 1 if problems else 0


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
    return {"cpu": cpu, "cores": os.cpu_count(), "memoryGiB": round(mem_kib / 1024 / 1024, 1),
            "kernel": platform.release(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def render_table(machine_, smoke, kind, s):
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
             + (" (smoke run: figures are not meaningful)" if smoke else ""),
             "",
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
    lines += ["", "| 5. open loop, 1 invitation | offered req/s | achieved | p50 ms | p90 ms | p99 ms | p99.9 ms | "
                  "max ms | non-200 |",
              "|---|---|---|---|---|---|---|---|---|"]
    for label, run_ in s["latency"].items():
        lat = run_["latencyMs"]
        not_ok = run_["answered"] - run_["statuses"].get("200", 0) + run_["transportErrors"] + run_["unanswered"]
        lines.append(f"| {label} | {run_['offeredRate']:.0f} | {run_['achievedRate']:.0f} | {lat['p50']:.2f} | "
                     f"{lat['p90']:.2f} | {lat['p99']:.2f} | {lat['p99.9']:.2f} | {lat['max']:.2f} | {not_ok} |")
    lines += ["", "| CPU ms (user + system) | gateway | worker | broker | all three |", "|---|---|---|---|---|"]
    for key, label, unit in (("invite1", "3. per request, 1 invitation", "cpuMsPerRequest"),
                             ("invite100", "4. per request, 100 invitations", "cpuMsPerRequest"),
                             ("invite100", "4. per invitation, 100 per request", "cpuMsPerInvitation")):
        cpu = s[key].get(unit, {})
        if cpu:
            lines.append(f"| {label} | {cpu['gateway']:.3f} | {cpu['worker']:.3f} | {cpu['broker']:.3f} | "
                         f"{sum(cpu.values()):.3f} |")
    mib = lambda kib: f"{kib / 1024:.1f}"  # noqa: E731
    lines += ["", "| 6. RSS MiB | idle | steady (first / last / max, 50% load) | peak |", "|---|---|---|---|"]
    for name in ("gateway", "worker", "broker"):
        steady = s.get("memorySteady", {}).get(name)
        steady_text = (f"{mib(steady['first'])} / {mib(steady['last'])} / {mib(steady['max'])}" if steady else "-")
        lines.append(f"| {name} | {mib(s['memoryIdle'][name])} | {steady_text} | {mib(s['memoryPeak'][name])} |")
    w = s["workerAlone"]
    lines += ["", f"7. Worker alone, cold: {w['records']} records ({w['requests']:.0f} requests) in "
                  f"{w['seconds']:.1f} s = {w['invitationsPerSecond']:.0f} invitations/s; RSS {mib(w['rssKiB'])} MiB"]
    return "\n".join(lines)


def render_side_by_side(brokers):
    """The figures that differ most between the brokers, one column each."""
    kinds = list(brokers)
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
    ]
    lines = ["| side by side | " + " | ".join(f"{k} broker" for k in kinds) + " |",
             "|---|" + "---|" * len(kinds)]
    for label, value in rows:
        lines.append(f"| {label} | " + " | ".join(value(brokers[k]) for k in kinds) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
