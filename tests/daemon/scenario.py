#!/usr/bin/env python3
"""The daemon against real backends (issue 4's acceptance scenario).

Starts s3rver behind the SigV4-checking gate and an offline js-ipfs node (tests/interop/services,
tests/interop/jsipfs) on free 127.0.0.1 ports, then drives `ipfs-kit daemon` through its HTTP API
and CLI:

  1. s3 with a wrong secret is reported unhealthy with the S3 error as the reason; the right one works.
  2. N pins (default 500) with replication_min=2 over local + s3 + kubo all reach `pinned`, each with
     exactly two pinned locations in the routing index.
  3. s3rver stops: the first health probe after the stop says `unhealthy`; every pin that had a
     location on s3 gets a new one elsewhere; `cat` through the kubo backend (block removed from
     the local store) gives the original bytes, verified.
  4. s3rver starts again on the same data: reconcile settles back to exactly two locations each.
  5. An object in s3 is corrupted on s3rver's disk: the verify loop finds it and writes it back.
  6. kill -9 of the daemon at random moments while pins are submitted (K times, default 20): after
     each restart every acknowledged pin reaches `pinned`, no (cid, backend) location is doubled,
     the index opens.
  7. Daemon down: `pin add` spools, `cat` of a replicated pin works through the index and backends,
     the spool drains at start.
  8. Two daemons: one is the other's `pinning-service` backend; a pin placed through it is fetched
     by the other daemon from the first one's /ipfs endpoint and reaches `pinned` on both.
  9. A config with an error: the daemon refuses to start and names the key.

usage: scenario.py --bin build/bin/ipfs-kit [--pins 500] [--kills 20]
Every check prints what it compared; any failure exits 1. Services are stopped on every exit path.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SERVICES = os.path.join(ROOT, "tests", "interop", "services")
JSIPFS = os.path.join(ROOT, "tests", "interop", "jsipfs")

checks = 0
cleanups = []


def ok(cond, what):
    global checks
    checks += 1
    if not cond:
        print(f"FAIL: {what}", flush=True)
        raise SystemExit(1)
    print(f"ok {checks}: {what}", flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def shell_vars(out):
    # start-s3.sh / start.sh print one line of NAME=value pairs (printf %q).
    env = {}
    for line in out.splitlines():
        for part in line.split():
            if "=" in part:
                k, v = part.split("=", 1)
                env[k] = v.strip("'")
    return env


def wait_until(what, pred, timeout=120, interval=0.1, fatal=True):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = pred()
            if last:
                return last
        except Exception as e:  # a daemon restarting, a file being replaced
            last = e
        time.sleep(interval)
    print(f"FAIL: {what}: not true after {timeout}s (last: {last!r})", flush=True)
    if fatal:
        raise SystemExit(1)
    return None


class Daemon:
    def __init__(self, binary, repo, port):
        self.bin, self.repo, self.port = binary, repo, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc = None

    def env(self):
        e = dict(os.environ)
        e["IPFS_KIT_PATH"] = self.repo
        return e

    def start(self):
        log = open(os.path.join(self.repo, "daemon-test.out"), "ab")
        self.proc = subprocess.Popen([self.bin, "daemon", "--api", f"127.0.0.1:{self.port}"], env=self.env(),
                                     stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        cleanups.append(lambda p=self.proc: p.poll() is None and p.kill())
        wait_until(f"daemon on {self.url} answers /health", lambda: self.get("/health", auth=False)[0] == 200, 60)
        self.token = open(os.path.join(self.repo, "api.token")).read().strip()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def call(self, method, path, body=None, auth=True, timeout=30):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw and r.headers.get("Content-Type", "").startswith("application/json") else raw)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, raw

    def get(self, path, auth=True):
        return self.call("GET", path, auth=auth)

    def cli(self, *args, check=True, input=None):
        r = subprocess.run([self.bin, *args], env=self.env(), capture_output=True, input=input)
        if check and r.returncode != 0:
            print(f"FAIL: ipfs-kit {' '.join(args)} -> {r.returncode}: {r.stderr.decode()}", flush=True)
            raise SystemExit(1)
        return r

    def pins(self, status="queued,pinning,pinned,failed"):
        out, before = [], None
        while True:
            q = f"/pins?limit=1000&status={status}" + (f"&before={before}" if before else "")
            code, page = self.get(q)
            if code != 200:
                raise RuntimeError(f"GET /pins -> {code} {page}")
            out += page["results"]
            if len(page["results"]) < 1000:
                return out
            before = page["results"][-1]["created"]

    def health(self, name):
        code, j = self.get("/backends/health", auth=False)
        for b in j["backends"]:
            if b["name"] == name:
                return b
        return None

    def locations(self, cid):
        code, j = self.get(f"/routing/{cid}", auth=False)
        return j.get("locations", []) if code == 200 else []


def write_config(repo, backends, **over):
    cfg = {
        "replication": {"min": 2, "max": 2, "concurrency": 8, "retry_base_ms": 100, "retry_max_ms": 2000,
                        "unhealthy_grace_ms": 1000},
        "intervals": {"health_ms": 500, "reconcile_ms": 100, "verify_ms": 300, "index_publish_ms": 2000,
                      "index_debounce_ms": 100},
        "verify": {"locations_per_round": 64},
        "backends": backends,
    }
    cfg.update(over)
    os.makedirs(repo, exist_ok=True)
    with open(os.path.join(repo, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--pins", type=int, default=500)
    ap.add_argument("--kills", type=int, default=20)
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    work = tempfile.mkdtemp(prefix="ipfs-kit-scenario.")
    cleanups.append(lambda: shutil.rmtree(work, ignore_errors=True))
    os.environ["SERVICES_OWNER_PID"] = str(os.getpid())

    # --- services -----------------------------------------------------------------------------
    s3_port, gate_port = free_port(), free_port()
    out = subprocess.run(["bash", os.path.join(SERVICES, "start-s3.sh"), str(s3_port), str(gate_port)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        print("FAIL: start-s3.sh: " + out.stderr, flush=True)
        return 1
    s3 = shell_vars(out.stdout)
    s3_pids = [s3["S3_GATE_PID"], s3["S3RVER_PID"]]
    cleanups.append(lambda: subprocess.run(["bash", os.path.join(SERVICES, "stop-services.sh"), *s3_pids,
                                            s3["S3_DIR"]], capture_output=True))
    api_port, gw_port = free_port(), free_port()
    out = subprocess.run(["bash", os.path.join(JSIPFS, "start.sh"), str(api_port), str(gw_port)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        print("FAIL: jsipfs start.sh: " + out.stderr, flush=True)
        return 1
    ipfs = shell_vars(out.stdout)
    cleanups.append(lambda: subprocess.run(["bash", os.path.join(SERVICES, "stop-services.sh"), ipfs["JSIPFS_PID"],
                                            ipfs.get("JSIPFS_DIR", "")], capture_output=True))
    print(f"services: s3 {s3['S3_ENDPOINT']} (s3rver {s3_port}), js-ipfs {ipfs['JSIPFS_API']}", flush=True)

    s3_params = {"endpoint": s3["S3_ENDPOINT"], "bucket": s3["S3_BUCKET"], "region": s3["S3_REGION"],
                 "access_key": s3["S3_ACCESS_KEY"], "secret_key": s3["S3_SECRET_KEY"], "addressing": "path"}
    repo = os.path.join(work, "a")
    write_config(repo, [{"name": "local", "type": "local"},
                        {"name": "s3", "type": "s3", "params": s3_params},
                        {"name": "kubo", "type": "kubo", "params": {"url": ipfs["JSIPFS_API"], "lookup_timeout_ms": "300"}}])
    d = Daemon(binary, repo, free_port())
    d.start()

    # --- 1. wrong secret -------------------------------------------------------------------------
    bad = dict(s3_params, secret_key="not-the-secret")
    code, _ = d.call("POST", "/backends/s3bad", {"name": "s3bad", "type": "s3", "params": bad})
    ok(code == 201, f"backend s3bad (wrong secret) added: {code}")
    h = wait_until("s3bad is unhealthy", lambda: (d.health("s3bad") or {}).get("state") == "unhealthy" and d.health("s3bad"))
    ok("SignatureDoesNotMatch" in (h.get("reason") or ""), f"s3bad's reason names the S3 error: {h.get('reason')}")
    ok(wait_until("s3 healthy", lambda: d.health("s3")["state"] == "healthy"), "s3 with the right secret is healthy")
    code, _ = d.call("DELETE", "/backends/s3bad")
    ok(code == 200, "s3bad removed")

    # --- 2. N pins, replication_min=2 -----------------------------------------------------------
    content = {}
    files = os.path.join(work, "files")
    os.makedirs(files)
    for i in range(a.pins):
        data = f"ipfs-kit scenario pin {i} {random.random()}\n".encode() * (1 + i % 7)
        p = os.path.join(files, f"f{i}")
        open(p, "wb").write(data)
        content[p] = data
    r = d.cli("add", "-q", "--pin=false", *content.keys())
    cids = r.stdout.decode().split()
    ok(len(cids) == a.pins, f"{a.pins} files added to the local store")
    cid_of = dict(zip(content.keys(), cids))
    t0 = time.time()
    for c in cids:
        code, j = d.call("POST", "/pins", {"cid": c, "name": "scenario"})
        if code != 202:
            ok(False, f"POST /pins {c}: {code} {j}")
    ok(True, f"{a.pins} pins acknowledged (202)")
    wait_until(f"all {a.pins} pins pinned", lambda: len(d.pins("pinned")) == a.pins, 600, 0.5)
    ok(True, f"all {a.pins} pins pinned in {time.time() - t0:.1f}s")

    def v1(c):
        return d.cli("cid", "base32", c).stdout.decode().strip()

    def pinned_backends(c):
        return sorted(l["backend"] for l in d.locations(v1(c)) if l["state"] == "pinned")

    def all_have_two():
        for c in cids:
            b = pinned_backends(c)
            if len(b) != 2 or len(set(b)) != 2:
                all_have_two.last = (c, d.locations(v1(c)), d.get("/replication", auth=False)[1])
                return False
        return True
    all_have_two.last = None
    wait_until("every pin has exactly two pinned locations in the index", all_have_two, 120, 0.5)
    ok(True, "every pin has exactly two distinct pinned locations in the routing index")

    # --- 3. stop s3rver ------------------------------------------------------------------------
    on_s3 = [c for c in cids if "s3" in pinned_backends(c)]
    ok(len(on_s3) > 0, f"{len(on_s3)} pins have a location on s3")
    os.kill(int(s3["S3RVER_PID"]), signal.SIGKILL)
    stopped_ms = int(time.time() * 1000)
    wait_until("s3 unhealthy", lambda: d.health("s3")["state"] == "unhealthy", 60)
    code, show = d.get("/backends/s3", auth=False)
    after = [p for p in show["history"] if parse_ms(p["time"]) > stopped_ms + 5]
    ok(after and all(not p["ok"] for p in after),
       f"every probe after the stop failed ({len(after)} probes; the first one made s3 unhealthy: "
       f"{d.health('s3')['reason']})")

    def moved():
        for c in on_s3:
            b = [x for x in pinned_backends(c) if x != "s3"]
            if len(b) < 2:
                return False
        return True
    wait_until("pins on s3 get a new location elsewhere", moved, 300, 0.5)
    ok(True, "every pin that was on s3 has two pinned locations on the other backends")

    # cat through kubo: the block removed from the local store, s3 down.
    path = next(p for p in content if "kubo" in pinned_backends(cid_of[p]))
    c = cid_of[path]
    d.cli("block", "rm", c, check=False)
    r = d.cli("cat", c)
    ok(r.stdout == content[path], f"cat {c} through the kubo backend (not local, s3 down) gives the bytes")

    # --- 4. start s3rver again -----------------------------------------------------------------
    s3log = open(os.path.join(s3["S3_DIR"], "s3rver-restart.log"), "ab")
    s3proc = subprocess.Popen(["node", "--openssl-legacy-provider", os.path.join(SERVICES, "node_modules", "s3rver", "bin", "s3rver.js"), "-d",
                               os.path.join(s3["S3_DIR"], "data"), "-a", "127.0.0.1", "-p", str(s3_port),
                               "--no-vhost-buckets", "--configure-bucket", s3["S3_BUCKET"]],
                              stdout=s3log, stderr=s3log, stdin=subprocess.DEVNULL)
    s3_pids.append(str(s3proc.pid))
    cleanups.insert(0, lambda: s3proc.poll() is None and s3proc.kill())
    wait_until("s3 healthy again", lambda: d.health("s3")["state"] == "healthy", 60)
    ok(True, "s3 is healthy again after s3rver restarted")
    if not wait_until("reconcile settles at two locations each", all_have_two, 300, 0.5, fatal=False):
        print(f"last offender: {all_have_two.last}", flush=True)
        print(d.cli("daemon", "logs", "-n", "40").stdout.decode(), flush=True)
        raise SystemExit(1)
    wait_until("replication queue empty", lambda: d.get("/replication", auth=False)[1]["queue_depth"] == 0, 60)
    ok(True, "reconcile settled: every pin has exactly two pinned locations again")

    # --- 5. corrupt an object in s3 ------------------------------------------------------------
    objs = []
    for dirpath, _, names in os.walk(os.path.join(s3["S3_DIR"], "data", s3["S3_BUCKET"])):
        for n in names:
            if n.endswith("._S3rver_object") and "/blocks/" in os.path.join(dirpath, n).replace(os.sep, "/"):
                objs.append(os.path.join(dirpath, n))
    ok(len(objs) > 0, f"{len(objs)} block objects in s3rver's data")
    victim = objs[0]
    original = open(victim, "rb").read()
    _, rep = d.get("/replication", auth=False)
    repaired_before = rep["totals"]["blocks_repaired"]
    open(victim, "wb").write(b"corrupted by the scenario test" + original[:3])
    wait_until("verify repairs the corrupted object",
               lambda: d.get("/replication", auth=False)[1]["totals"]["blocks_repaired"] > repaired_before, 300, 0.5)
    wait_until("the object is whole again", lambda: open(victim, "rb").read() == original, 60)
    ok(True, "the verify loop found the corrupted s3 object and wrote the original bytes back")

    # --- 6. kill -9 at random moments ------------------------------------------------------------
    acked = []
    extra = []
    for i in range(a.kills * 10):
        p = os.path.join(files, f"k{i}")
        open(p, "wb").write(f"crash test content {i} {random.random()}\n".encode())
        extra.append(p)
    r = d.cli("add", "-q", "--pin=false", *extra)
    kcids = r.stdout.decode().split()
    rnd = random.Random(42)
    pos = 0
    for k in range(a.kills):
        stop = threading.Event()

        def submit():
            nonlocal pos
            while not stop.is_set() and pos < len(kcids):
                c = kcids[pos]
                try:
                    code, j = d.call("POST", "/pins", {"cid": c, "name": f"crash-{k}"}, timeout=5)
                except Exception:
                    return
                if code == 202:
                    acked.append(j["requestid"])
                    pos += 1
        t = threading.Thread(target=submit)
        t.start()
        time.sleep(rnd.uniform(0.05, 1.0))
        d.kill9()
        stop.set()
        t.join()
        d.start()
    ok(True, f"daemon killed with SIGKILL {a.kills} times; {len(acked)} pins acknowledged meanwhile")

    def all_acked_pinned():
        for rid in acked:
            code, j = d.get(f"/pins/{rid}")
            if code != 200 or j["status"] != "pinned":
                return False
        return True
    wait_until("every acknowledged pin reaches pinned", all_acked_pinned, 600, 1)
    ok(True, f"all {len(acked)} acknowledged pins are pinned after the restarts")
    loc_path = os.path.join(repo, "index")
    wait_until("index republished", lambda: d.get("/replication", auth=False)[1]["queue_depth"] == 0, 60)
    d.stop()  # publishes the index once more
    rows = index_locations(binary, repo)
    pairs = [(r["cid"], r["backend"]) for r in rows]
    ok(len(pairs) == len(set(pairs)), f"no (cid, backend) location doubled in the index ({len(pairs)} rows)")
    d.start()

    # --- 7. daemon down --------------------------------------------------------------------------
    path = next(p for p in content if any(x != "local" for x in pinned_backends(cid_of[p])))
    c = cid_of[path]
    d.stop()
    sp = os.path.join(files, "spooled")
    open(sp, "wb").write(b"added while the daemon is down\n")
    new_cid = d.cli("add", "-Q", "--pin=false", sp).stdout.decode().strip()
    r = d.cli("pin", "add", new_cid)
    ok(b"spooled" in r.stderr + r.stdout, f"pin add with the daemon down spools: {r.stderr.decode().strip()}")
    d.cli("block", "rm", c, check=False)
    r = d.cli("cat", c)
    ok(r.stdout == content[path], f"cat {c} with the daemon down works through the index and backends")
    d.start()
    ok(wait_until("spool drained", lambda: not [f for f in os.listdir(os.path.join(repo, "spool")) if f.endswith(".json")]),
       "the spool drained at start")
    wait_until("spooled pin pinned", lambda: any(p["pin"]["cid"] == v1(new_cid) for p in d.pins("pinned")), 120)
    ok(True, f"the spooled pin {new_cid} reached pinned")

    # --- 8. two daemons --------------------------------------------------------------------------
    repo_b = os.path.join(work, "b")
    write_config(repo_b, [{"name": "local", "type": "local"},
                          {"name": "peer", "type": "pinning-service",
                           "params": {"url": d.url, "token": d.token}}])
    b = Daemon(binary, repo_b, free_port())
    b.start()
    bp = os.path.join(files, "for-b")
    open(bp, "wb").write(b"pinned on daemon B, replicated to daemon A through the Pinning Service API\n" * 50)
    bcid = b.cli("add", "-Q", "--pin=false", bp).stdout.decode().strip()
    code, j = b.call("POST", "/pins", {"cid": bcid, "name": "via-psa", "replication_min": 2})
    ok(code == 202, f"pin on B with replication_min 2: {code}")
    wait_until("B's pin pinned", lambda: b.get(f"/pins/{j['requestid']}")[1]["status"] == "pinned", 120)
    ok(True, "B's pin reached pinned (local + peer)")
    on_a = [p for p in d.pins("pinned") if p["pin"]["cid"] == v1(bcid)]
    ok(len(on_a) == 1, "daemon A holds the pin B placed through the Pinning Service API")
    a_local = subprocess.run([binary, "cat", bcid], env=d.env(), capture_output=True)
    ok(a_local.stdout == open(bp, "rb").read(), "daemon A fetched the content from B's /ipfs endpoint (cat on A)")
    b.stop()

    # --- 9. a bad config -------------------------------------------------------------------------
    d.stop()
    repo_c = os.path.join(work, "c")
    write_config(repo_c, [{"name": "local", "type": "local"}], replication={"min": 3, "max": 1})
    r = subprocess.run([binary, "daemon", "--api", f"127.0.0.1:{free_port()}"],
                       env=dict(os.environ, IPFS_KIT_PATH=repo_c), capture_output=True, timeout=60)
    ok(r.returncode != 0 and b"replication.max" in r.stderr,
       f"a daemon with a bad config refuses to start and names the key: {r.stderr.decode().strip()}")
    print(f"scenario: {checks} checks passed", flush=True)
    return 0


def parse_ms(t):
    import datetime
    dt = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp() * 1000)


def index_locations(binary, repo):
    files = [f for f in os.listdir(os.path.join(repo, "index")) if f.startswith("locations-")]
    manifest = json.load(open(os.path.join(repo, "index", "manifest.json")))
    path = os.path.join(repo, "index", manifest["files"]["locations"])
    r = subprocess.run([binary, "parquet", "cat", path], capture_output=True, check=True)
    return [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]


if __name__ == "__main__":
    code = 1
    try:
        code = main()
    finally:
        for c in reversed(cleanups):
            try:
                c()
            except Exception:
                pass
    sys.exit(code)
