"""Benchmark of `toolkit serve` on loopback: the clerk's round trip and the coordinator's board.

    .venv/bin/python benchmarks/serve_bench.py                 # the issue's sizes
    .venv/bin/python benchmarks/serve_bench.py --quick         # small sizes, to try it out

Each part starts the real `toolkit serve` as a subprocess on a free loopback port and drives
it with httpx clients in threads; every loop is bounded (a fixed number of uploads or
requests, each with a timeout). Measured:

1. upload -> findings page (POST the workbook, follow the redirect, read the page) with 1,
   10 and 50 agencies uploading at once: p50/p95/max in ms. The data folder is on disk
   (every upload fsynced), as on the office's server.
2. a burst of 1,000 uploads from 50 clients: every one must be acknowledged (303) and then
   found in the store with its file, byte for byte; exits 1 otherwise.
3. the board (GET /board, logged in) with 10,000 agencies on the roster, 9,000 of which have
   a submission: p50/p95/max over 10 requests, of its first page (500 rows, the counts over
   all), of every row at once (?all=1, to print) and of a filtered, sorted view. The store is seeded through ``SqliteStore`` in
   /dev/shm (fsync is free there; only reads are timed).

Targets of issue 14: p95 <= 300 ms at 10 concurrent uploads; 1,000 uploads with no error and
nothing lost; the board with 10,000 agencies <= 500 ms. No test asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import httpx  # noqa: E402
import narrative  # noqa: E402
from generate import figures  # noqa: E402

from toolkit.format import compute  # noqa: E402
from toolkit.format.spec import Spec, load_spec  # noqa: E402
from toolkit.model import Agency  # noqa: E402
from toolkit.serve.cli import read_links  # noqa: E402
from toolkit.serve.store import AgencyRow, NewSubmission, SqliteStore  # noqa: E402
from toolkit.template import build_workbook  # noqa: E402

YEAR = 2024
PASSWORD = "benchmark-password"
TIMEOUT = 60.0


# --- workbooks and the server --------------------------------------------------------------------------


def filled(spec: Spec, index: int, agency: Agency, faulty: bool) -> bytes:
    """A realistic returned workbook of ``agency``; ``faulty``: one R1 imbalance."""
    rng = random.Random(f"serve/{index}")
    values = figures(spec, rng)
    if faulty:
        t3 = spec.table("t3")
        values[t3.cell(spec.rule("R1").params["rhs"][1], t3.col_codes[0]).code] += 1
    shown = compute.full(spec, {k: v or 0 for k, v in values.items()})
    texts = narrative.narratives(rng, YEAR, narrative.department_field(index), shown, None)
    return build_workbook(spec, agency, YEAR, values=values, narratives=texts,
                          contact=narrative.contact(rng, f"{510 + index % 400}"))


def agencies(n: int) -> list[Agency]:
    return [Agency(f"bench-{i:05d}", f"基准测试单位{i:05d}") for i in range(n)]


def write_roster(path: Path, items: list[Agency]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name"])
        w.writerows([a.id, a.name] for a in items)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data: Path, roster: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = data
        env = {**os.environ, "PYTHONPATH": str(REPO), "TOOLKIT_COORDINATOR_PASSWORD": PASSWORD}
        self.log = open(data.parent / f"server-{self.port}.log", "wb")  # noqa: SIM115 -- closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "toolkit", "serve", "--year", str(YEAR), "--roster", str(roster), "--data", str(data),
             "--host", "127.0.0.1", "--port", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        end = time.monotonic() + 120
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited; see {self.log.name}")
            try:
                if httpx.get(self.url + "/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("the server did not start within 120 s")

    def links(self) -> dict[str, str]:
        """Agency id -> link, from every links file the server wrote."""
        return read_links(self.data)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


# --- 1 and 2: uploads ----------------------------------------------------------------------------------


def round_trip(client: httpx.Client, link: str, csrf: str, data: bytes) -> tuple[float, str]:
    """(seconds from sending the workbook to having the findings page, the page's address)."""
    start = time.perf_counter()
    r = client.post(link + "/upload", data={"csrf": csrf}, files={"file": ("报表.xlsx", data)})
    if r.status_code != 303:
        raise RuntimeError(f"upload refused: {r.status_code}")
    page = client.get(link.split("/a/")[0] + r.headers["location"])
    if page.status_code != 200 or "已收到" not in page.text:
        raise RuntimeError(f"findings page: {page.status_code}")
    return time.perf_counter() - start, r.headers["location"]


def uploads(server: Server, books: dict[str, list[bytes]], concurrent: int, per_agency: int) -> dict:
    """``concurrent`` agencies upload ``per_agency`` workbooks each, all at once."""
    links = server.links()
    ids = sorted(books)[:concurrent]
    barrier = threading.Barrier(concurrent)

    def agency(agency_id: str) -> list[float]:
        with httpx.Client(timeout=TIMEOUT) as c:
            csrf = csrf_of(c.get(links[agency_id]).text)
            barrier.wait(TIMEOUT)
            return [round_trip(c, links[agency_id], csrf, books[agency_id][i % len(books[agency_id])])[0]
                    for i in range(per_agency)]

    with httpx.Client(timeout=TIMEOUT) as c:  # warm the check workers up, untimed
        first = ids[0]
        round_trip(c, links[first], csrf_of(c.get(links[first]).text), books[first][0])
    with ThreadPoolExecutor(concurrent) as pool:
        times = sorted(t for ts in pool.map(agency, ids) for t in ts)
    return {"concurrent": concurrent, "uploads": len(times), **_stats(times)}


def burst(server: Server, books: dict[str, list[bytes]], total: int, clients: int) -> dict:
    """``total`` uploads from ``clients`` clients as fast as they go; then every acknowledged
    upload is looked up in the store: its row, its agency, its file byte for byte."""
    links = server.links()
    ids = sorted(books)
    jobs = [(ids[i % len(ids)], books[ids[i % len(ids)]][i % 2]) for i in range(total)]
    acknowledged: list[tuple[str, str, str]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        with httpx.Client(timeout=TIMEOUT) as c:
            tokens: dict[str, str] = {}
            for agency_id, data in jobs[k::clients]:
                try:
                    if agency_id not in tokens:
                        tokens[agency_id] = csrf_of(c.get(links[agency_id]).text)
                    _, location = round_trip(c, links[agency_id], tokens[agency_id], data)
                    with lock:
                        acknowledged.append((agency_id, location, hashlib.sha256(data).hexdigest()))
                except (httpx.HTTPError, RuntimeError) as e:
                    with lock:
                        errors.append(str(e))

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.perf_counter() - start
    store = SqliteStore(server.data)
    lost = 0
    for agency_id, location, sha in acknowledged:
        sub = store.submission(int(location.rsplit("/", 1)[1]))
        ok = (sub is not None and (sub.agency_id, sub.sha256) == (agency_id, sha)
              and hashlib.sha256(store.file_path(sub).read_bytes()).hexdigest() == sha)
        lost += not ok
    return {"uploads": total, "clients": clients, "acknowledged": len(acknowledged), "errors": len(errors),
            "lost": lost, "wall_s": round(wall, 2), "per_second": round(len(acknowledged) / wall, 1),
            "first_errors": errors[:3]}


# --- 3: the board --------------------------------------------------------------------------------------


def board(spec: Spec, n: int, submitted: int, requests: int, root: Path) -> dict:
    """GET /board with ``n`` agencies on the roster, ``submitted`` of which have a submission."""
    items = agencies(n)
    roster = write_roster(root / "roster-board.csv", items)
    data = root / "board-data"
    store = SqliteStore(data)
    store.sync_agencies(AgencyRow(a.id, a.name) for a in items)
    ok = {"findings": []}
    faulty = {"findings": [{"code": "R1", "severity": "error", "sheet": "表三申请处理", "cell": "D30", "message": "……"}]}
    for i, a in enumerate(items[:submitted]):
        bad = i % 7 == 0
        store.add_submission(NewSubmission(a.id, f"{a.id}/{i}".encode(), "报表.xlsx", "errors" if bad else "ok",
                                           int(bad), 0, True, {"meta_contact": "张三", "meta_phone": "0574-86780000"},
                                           faulty if bad else ok))
    store.close()
    server = Server(data, roster)
    try:
        with httpx.Client(timeout=TIMEOUT, base_url=server.url) as c:
            c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "password": PASSWORD})
            page = _timed(c, "/board", requests, min(n, 500))
            everything = _timed(c, "/board?all=1", requests, n)
            filtered = _timed(c, "/board?state=errors&sort=last&desc=1", requests, None)
    finally:
        server.stop()
    return {"agencies": n, "submitted": submitted, "requests": requests, "page": page, "all": everything,
            "filtered": filtered}


def _timed(c: httpx.Client, path: str, requests: int, rows: int | None) -> dict:
    """``requests`` GETs of one board page (after one to warm up): times, size, row count checked."""
    times, size = [], 0
    for _ in range(requests + 1):
        start = time.perf_counter()
        r = c.get(path)
        times.append(time.perf_counter() - start)
        if r.status_code != 200 or (rows is not None and r.text.count("data-agency=") != rows):
            raise SystemExit(f"{path}: {r.status_code}, {r.text.count('data-agency=')} rows")
        size = len(r.content)
    return {"bytes": size, **_stats(times[1:])}


def _stats(times: list[float]) -> dict:
    times = sorted(times)
    def pct(p: float) -> float:
        return round(times[min(len(times) - 1, int(round(p * (len(times) - 1))))] * 1000, 1)
    return {"p50_ms": pct(0.5), "p95_ms": pct(0.95), "max_ms": round(times[-1] * 1000, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (a try-out, not the issue's numbers)")
    ap.add_argument("--per-agency", type=int, default=4, help="uploads per agency in the latency runs")
    ap.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = ap.parse_args()
    levels, total, clients, n_board = ((1, 5), 50, 5, 500) if args.quick else ((1, 10, 50), 1000, 50, 10_000)
    spec = load_spec()
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                 "load_before": os.getloadavg()[0]}}
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        root = Path(tmp)
        items = agencies(max(levels))
        books = {a.id: [filled(spec, i, a, faulty=i % 5 == 0), filled(spec, i + 10_000, a, faulty=False)]
                 for i, a in enumerate(items)}
        server = Server(root / "data", write_roster(root / "roster.csv", items))
        try:
            results["latency"] = [uploads(server, books, c, args.per_agency) for c in levels]
            results["burst"] = burst(server, books, total, clients)
        finally:
            server.stop()
        shm = Path("/dev/shm") if Path("/dev/shm").is_dir() else root
        with tempfile.TemporaryDirectory(prefix="serve-bench-board-", dir=shm) as board_root:
            results["board"] = board(spec, n_board, n_board * 9 // 10, 10, Path(board_root))
    results["machine"]["load_after"] = os.getloadavg()[0]
    print(json.dumps(results, ensure_ascii=False, indent=1))
    print("\n| concurrent agencies | uploads | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    for r in results["latency"]:
        print(f"| {r['concurrent']} | {r['uploads']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} |")
    b = results["burst"]
    print(f"\nburst: {b['acknowledged']}/{b['uploads']} acknowledged from {b['clients']} clients in {b['wall_s']} s "
          f"({b['per_second']}/s), {b['errors']} errors, {b['lost']} lost")
    g = results["board"]
    print(f"\nboard with {g['agencies']} agencies ({g['submitted']} submitted), {g['requests']} requests each:\n"
          "| page | bytes | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    for label, key in (("/board (first 500 rows, counts over all)", "page"), ("/board?all=1 (every row)", "all"),
                       ("/board?state=errors&sort=last&desc=1", "filtered")):
        r = g[key]
        print(f"| {label} | {r['bytes']:,} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} |")
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if b["errors"] == 0 and b["lost"] == 0 and b["acknowledged"] == total else 1


if __name__ == "__main__":
    sys.exit(main())
