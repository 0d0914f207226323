#!/usr/bin/env python3
"""Hot-path benchmark: drives a real amigo-server over HTTP with wrk, one operation at a time.

Run from the project root:
    python3 scripts/bench.py                                 # SQLite and PostgreSQL, 10 s per path
    python3 scripts/bench.py --db sqlite --only list-services,sign-in --duration 5s
    python3 scripts/bench.py --db sqlite --rss 60s           # also: RSS sampled over a 60 s list run
    python3 scripts/bench.py --db sqlite --rate-limits 1000000x  # also: limiter on (x1000000) against off

The side-by-side comparison with the bare-Go limits and PocketBase is ../shared/bench/run.py; this
script measures the other hot paths the same way (wrk -t2 -c32, rate limits off, a signed-in super
administrator of org acme) on a data set it seeds through the public API: 2,000 services (about half
tagged prod), 200 users, an agent with 50 versions. Writes run 32 at a time, which on SQLite is the
"no database is locked reaches a client" check: the non-2xx column must stay 0, and the server log
is searched for the message.

Needs: wrk (apt-get install wrk), python3 + requests; PostgreSQL on 127.0.0.1:5432 (user postgres,
trust) for --db pg. Work files live in $AMIGO_BENCH_DIR/hotpaths (default /tmp/amigo-bench/hotpaths).
"""
import argparse, json, os, re, shutil, signal, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor

import requests

WORK = os.path.join(os.environ.get("AMIGO_BENCH_DIR", "/tmp/amigo-bench"), "hotpaths")
# The server's PostgreSQL URL for a database name; AMIGO_BENCH_PG overrides it, e.g. to go through
# PgBouncer: postgres://postgres@127.0.0.1:6433/{}?sslmode=disable&default_query_exec_mode=exec
PG = os.environ.get("AMIGO_BENCH_PG", "postgres://postgres@127.0.0.1:5432/{}?sslmode=disable")
PORT = 18950


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=False, capture_output=True)


class Server:
    """One amigo-server process on a fresh database."""

    def __init__(self, db, env):
        self.db = db
        self.dir = os.path.join(WORK, db)
        self.base = f"http://127.0.0.1:{PORT}"
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.args = ["--data-dir", self.dir]
        if db == "pg":
            for name in ("amigo_hot", "amigo_hot_dir"):
                psql(f"DROP DATABASE IF EXISTS {name}")
                psql(f"CREATE DATABASE {name}")
            self.args += ["--directory-url", PG.format("amigo_hot_dir"), "--cluster", "default=" + PG.format("amigo_hot")]
        self.logpath = os.path.join(self.dir, "server.log")
        self.env = env
        self.proc = None

    def start(self, port=PORT, **env):
        """Starts a server process on port (the same databases) and returns it."""
        logf = open(self.logpath, "ab")
        base = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen([os.path.join(WORK, "amigo-server"), "serve", "--listen", base[7:], *self.args],
                                stdout=logf, stderr=logf, start_new_session=True,
                                env=dict(os.environ, AMIGO_LOG_FORMAT="json", **dict(self.env, **env)))
        if port == PORT:
            self.proc = proc
        end = time.time() + 60
        while time.time() < end:
            try:
                requests.get(base + "/healthz", timeout=1)
                return proc
            except requests.RequestException:
                time.sleep(0.2)
        raise SystemExit("the server did not start; see " + self.logpath)

    def stop(self, proc=None):
        proc = proc or self.proc
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)

    def rss_kb(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def locked_lines(self):
        return sum("database is locked" in line for line in open(self.logpath, errors="replace"))


class Fixture:
    """The org acme, signed in as its super administrator, with the data the paths read."""

    def __init__(self, srv):
        out = subprocess.run([os.path.join(WORK, "amigo-server"), "bootstrap", "--org", "acme", *srv.args],
                             check=True, capture_output=True, text=True).stdout
        self.creds = json.loads(out.strip().splitlines()[-1])
        self.base = srv.base
        self.http = requests.Session()
        self.token = self.sign_in()

    def sign_in(self):
        r = requests.post(f"{self.base}/v1/acme/user/signin_with_api_key", headers=self.key_headers())
        r.raise_for_status()
        return r.json()["id_token"]

    def key_headers(self):
        c = self.creds
        return {"x-api-key": c["api_key"], "x-api-key-id": c["api_key_id"], "x-user-id": c["user_id"]}

    def call(self, method, path, body=None):
        r = self.http.request(method, self.base + path, json=body, headers={"Authorization": "Bearer " + self.token}, timeout=60)
        if r.status_code >= 300:
            raise SystemExit(f"{method} {path}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content else None

    def seed(self, services, users, versions):
        self.agent = self.call("POST", "/v1/acme/organization/agent", {"agent_name": "bench"})["id"]
        for _ in range(versions):
            self.call("POST", f"/v1/acme/organization/agent/{self.agent}/", AGENT_VERSION)
        self.machine = self.call("POST", "/v1/acme/organization/service_hierarchical_state_machine", {"state_machine_name": "sm"})["id"]
        self.call("POST", f"/v1/acme/organization/service_hierarchical_state_machine/{self.machine}/", MACHINE)
        pool = ["staging", "dev", "eu", "us", "critical", "batch", "web"]

        def service(i):
            tags = {pool[i % 7]: None, pool[(i * 3) % 7]: None}
            if i % 2 == 0:
                tags["prod"] = None
            return self.call("POST", "/v1/acme/service/", self.service_body(f"svc-{i:06d}", tags, is_active=i % 10 != 0))["id"]

        with ThreadPoolExecutor(4) as ex:
            self.services = list(ex.map(service, range(services)))
            list(ex.map(lambda i: self.call("POST", "/v1/acme/user/", {
                "first_name": f"User{i}", "last_name": "Bench", "email": f"user{i}@example.com", "role_name": "DefaultUserRole"}),
                range(users)))

    def service_body(self, name, tags, is_active):
        return {"name": name, "description": "A benchmark service.", "is_active": is_active, "agent_id": self.agent,
                "service_hierarchical_state_machine_id": self.machine, "keyterms": [], "tags": tags}


AGENT_VERSION = {"initials": "AM", "identity": {"name": "Amy", "role": "Guide", "developed_by": "Acme", "default_spoken_language": "eng",
                                                "relationship_to_developer": {"ownership": "owned", "type": "assistant",
                                                                              "conversation_visibility": "visible", "thought_visibility": "hidden"}},
                 "background": "bg", "behaviors": ["kind"], "communication_patterns": ["brief"], "voice_config": {"voice_id": "v1"}}


def state(name, nxt):
    return {"type": "action", "name": name, "objective": "Help.", "actions": ["Help the user."],
            "intra_state_navigation_guidelines": [], "action_guidelines": [], "boundary_constraints": [],
            "exit_conditions": [{"description": "done", "next_state": nxt}] if nxt else [],
            "action_tool_call_specs": [], "exit_condition_tool_call_specs": [], "skip_active_memory_retrieval": False}


MACHINE = {"description": "d", "states": [state("start", "end"), state("end", None)], "new_user_initial_state": "start",
           "returning_user_initial_state": "start", "terminal_state": "end", "references": {},
           "global_intra_state_navigation_guidelines": [], "global_action_guidelines": [], "global_boundary_constraints": []}


def paths(fx):
    """Each hot path: name, method, path, body, and extra headers (sign-in sends the key instead of a token)."""
    vs = {"version_set": {"agent_version_number": 1, "service_hierarchical_state_machine_version_number": 1, "llm_model_preferences": {}}}
    return [
        ("list-services", "GET", "/v1/acme/service/?tags=prod:&sort_by=%2Bname&limit=10", None, None),
        ("list-agents", "GET", "/v1/acme/organization/agent?limit=10", None, None),
        ("list-agent-versions", "GET", f"/v1/acme/organization/agent/{fx.agent}/version?limit=10", None, None),
        ("get-organization", "GET", "/v1/acme/organization/", None, None),
        ("list-users", "GET", "/v1/acme/user/?limit=10", None, None),
        ("sign-in", "POST", "/v1/acme/user/signin_with_api_key", None, fx.key_headers()),
        ("create-agent-version", "POST", f"/v1/acme/organization/agent/{fx.agent}/", {"background": "Another background."}, None),
        # Inactive, so that the names need not be unique.
        ("create-service", "POST", "/v1/acme/service/", fx.service_body("bench-new", {"team": "bench"}, False), None),
        ("upsert-version-set", "PUT", f"/v1/acme/service/{fx.services[1]}/version_sets/bench/", vs, None),
    ]


def lua(name, method, body, headers):
    """A wrk script that sends method with body and headers."""
    p = os.path.join(WORK, name + ".lua")
    with open(p, "w") as f:
        f.write(f'wrk.method = "{method}"\n')
        if body is not None:
            f.write(f"wrk.body = {json.dumps(json.dumps(body))}\n")
            f.write('wrk.headers["Content-Type"] = "application/json"\n')
        for k, v in (headers or {}).items():
            f.write(f'wrk.headers["{k}"] = "{v}"\n')
    return p


def ms(s):
    m = re.match(r"([\d.]+)(us|ms|s)", s)
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v


def wrk(url, script, token, duration):
    args = ["wrk", "-t2", "-c32", "-d" + duration, "--latency", "-s", script, url]
    if token:
        args[1:1] = ["-H", "Authorization: Bearer " + token]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": ms(re.search(r"\s50%\s+(\S+)", out).group(1)), "p99": ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
            "bad": (int(bad.group(1)) if bad else 0) + (sum(map(int, errs.groups())) if errs else 0)}


def run_paths(srv, fx, only, duration):
    rows = []
    for name, method, path, body, headers in paths(fx):
        if only and name not in only:
            continue
        # Sign-in authenticates with the key headers, not a token. A short
        # warm-up first, so that no path pays for the pools filling.
        script, token = lua(name, method, body, headers), None if headers else fx.token
        wrk(srv.base + path, script, token, "2s")
        r = wrk(srv.base + path, script, token, duration)
        log(f"{srv.db} {name}: {r['rps']:.0f} req/s, p99 {r['p99']:.1f} ms, non-2xx {r['bad']}")
        rows.append((name, r))
    return rows


def limiter_overhead(srv, fx, mode, duration, rounds=5):
    """Median req/s of list-services and sign-in with rate limits off and at mode: two servers on the
    same databases, measured in alternation, so that both see the same load on the machine."""
    limited = srv.start(PORT + 1, AMIGO_RATE_LIMITS=mode)
    out = {}
    try:
        for name, method, path, body, headers in paths(fx):
            if name not in ("list-services", "sign-in"):
                continue
            script, token = lua(name, method, body, headers), None if headers else fx.token
            runs = {"off": [], mode: []}
            for i in range(rounds):
                # Alternate which goes first, so that neither always runs second.
                for m, port in [("off", PORT), (mode, PORT + 1)][::1 if i % 2 == 0 else -1]:
                    r = wrk(f"http://127.0.0.1:{port}{path}", script, token, duration)
                    if r["bad"]:
                        raise SystemExit(f"{name} with rate limits {m}: {r['bad']} non-2xx; use a higher multiplier")
                    runs[m].append(r["rps"])
            out[name] = {m: sorted(v)[len(v) // 2] for m, v in runs.items()}
            log(f"{srv.db} {name}: rate limits off {runs['off']}, {mode} {runs[mode]}")
    finally:
        srv.stop(limited)
    return out


def rss_run(srv, fx, duration):
    """RSS every 5 s while list-services runs for duration."""
    name, method, path, body, headers = paths(fx)[0]
    script = lua(name, method, body, headers)
    p = subprocess.Popen(["wrk", "-t2", "-c32", "-d" + duration, "-H", "Authorization: Bearer " + fx.token, "-s", script, srv.base + path],
                         stdout=subprocess.DEVNULL)
    samples = []
    while p.poll() is None:
        samples.append(srv.rss_kb() // 1024)
        time.sleep(5)
    return samples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sqlite,pg", help="sqlite, pg or both (comma-separated)")
    ap.add_argument("--duration", default="10s")
    ap.add_argument("--only", default="", help="comma-separated path names")
    ap.add_argument("--services", type=int, default=2000)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--versions", type=int, default=50)
    ap.add_argument("--rss", default="", help="also sample RSS over a list-services run this long (e.g. 60s)")
    ap.add_argument("--rate-limits", default="", help="also run list-services and sign-in with limits at this mode (e.g. 1000000x, high enough that nothing is refused)")
    a = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    if not shutil.which("wrk"):
        subprocess.run("apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk)", shell=True, check=True)
    log("building amigo-server")
    subprocess.run(["go", "build", "-o", os.path.join(WORK, "amigo-server"), "./cmd/amigo-server"], check=True)
    only = set(filter(None, a.only.split(",")))
    report = {}
    for db in a.db.split(","):
        srv = Server(db, {"AMIGO_RATE_LIMITS": "off"})
        try:
            srv.start()
            fx = Fixture(srv)
            log(f"seeding {db}: {a.services} services, {a.users} users, {a.versions} agent versions")
            fx.seed(a.services, a.users, a.versions)
            report[db] = {"paths": run_paths(srv, fx, only, a.duration)}
            report[db]["locked"] = srv.locked_lines()
            if a.rss:
                report[db]["rss"] = rss_run(srv, fx, a.rss)
            if a.rate_limits:
                report[db]["limits"] = limiter_overhead(srv, fx, a.rate_limits, a.duration)
        finally:
            srv.stop()
    print_report(report, a)


def print_report(report, a):
    for db, r in report.items():
        print(f"\n{db}  (wrk -t2 -c32 -d{a.duration})")
        print(f"{'path':22} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7}")
        for name, x in r["paths"]:
            print(f"{name:22} {x['rps']:8.0f} {x['p50']:7.2f} {x['p99']:7.2f} {x['bad']:7d}")
        print(f"'database is locked' in the server log: {r['locked']}")
        if "rss" in r:
            print(f"RSS every 5 s over a {a.rss} list-services run (MB): {' '.join(map(str, r['rss']))}")
        if "limits" in r:
            for name, x in r["limits"].items():
                off, on = x["off"], x[a.rate_limits]
                print(f"rate limits {a.rate_limits} vs off, {name}: median {on:.0f} vs {off:.0f} req/s "
                      f"({(1 - on / off) * 100:+.1f}% overhead)")

if __name__ == "__main__":
    main()
