"""Several workers on one Redis: crawl throughput with 1, 2 and 4 workers, and Redis memory per seen code.

The workers crawl bench/crawl.py's synthetic site (one feed listing every article, 80–150 KB article pages) on a
local server, sharing a real redis-server started here on a free port. Throughput is articles written per second
of wall time, from the first worker's start to the last worker's exit, all workers' files counted (and checked:
every article once). This machine has 2 cores, which the workers, the server and Redis share: beyond 2 workers
the figure shows the cost of coordination, not the gain on real machines (where each worker has its own CPU and
the sites' politeness delays, not the CPU, set the pace).

Memory: a fresh Redis's ``used_memory`` before and after adding one million 13-digit news codes (ISNA's shape) to
one site's seen set, and 100,000 pending frontier rows, through the store's own calls.

Writes bench/out/distributed.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from common import OUT, md_table  # noqa: E402
from crawl import SHARED_SETTINGS, TEHRAN, Site, make_handler  # noqa: E402

from tests.e2e.redis_server import RedisServer  # noqa: E402


def run_workers(n_workers: int, total: int, redis: RedisServer | None, work: Path) -> dict[str, Any]:
    """``n_workers`` sharing ``redis``; with ``redis`` None one ordinary crawl (SQLite), the baseline."""
    if redis is not None:
        redis.client().flushall()
    when = datetime.now(TEHRAN).replace(second=0, microsecond=0) - timedelta(minutes=1)
    site = Site(total, when)
    hits = {"article": 0, "listing": 0, "other": 0, "404": 0}
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site, hits))
    server.daemon_threads = True
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    newsbot = str(Path(sys.executable).with_name("newsbot"))
    procs = []
    t0 = time.perf_counter()
    for i in range(n_workers):
        shared = ["--redis", redis.url, "--worker-id", f"w{i + 1}"] if redis is not None else []
        cmd = [newsbot, "crawl", "isna", *shared,
               "-s", "NEWSBOT_HOST_MAP=" + json.dumps({"www.isna.ir": f"127.0.0.1:{port}"}),
               "-s", "NEWSBOT_HOST_MAP_ONLY=true",
               *[a for k, v in SHARED_SETTINGS.items() for a in ("-s", f"{k}={str(v).lower()}")],
               "--state-dir", str(work / "state"), "--data-dir", str(work / "data"), "-q"]
        log = (work / f"w{i + 1}.log").open("wb")
        procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=work))
        log.close()
    codes = [p.wait(timeout=1800) for p in procs]
    wall = time.perf_counter() - t0
    server.shutdown()
    server.server_close()
    per_worker: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for path in (work / "data" / "isna").glob("*.jsonl"):
        for line in path.read_bytes().splitlines():
            per_worker[path.name.split(".")[-2] if redis is not None else "sqlite"] += 1
            seen[json.loads(line)["news_code"]] += 1
    written = sum(seen.values())
    return {"workers": n_workers if redis is not None else "1, no Redis", "articles": total, "written": written,
            "unique": len(seen),
            "doubled": sum(1 for n in seen.values() if n > 1), "exit_codes": codes, "wall_s": round(wall, 2),
            "per_s": round(written / wall, 1) if wall else None, "per_worker": dict(sorted(per_worker.items()))}


def redis_memory(redis: RedisServer, codes: int, pending: int) -> dict[str, Any]:
    from newsbot.redisstore import RedisStateStore

    client = redis.client()
    client.flushall()
    store = RedisStateStore(redis.url, "bench")
    base = client.info("memory")["used_memory"]
    pipe = client.pipeline(transaction=False)
    for i in range(codes):
        pipe.sadd("newsbot:seen:isna", f"1404{i:09d}")
        if i % 10_000 == 9_999:
            pipe.execute()
    pipe.execute()
    after_seen = client.info("memory")["used_memory"]
    assert store.count("isna") == codes
    for i in range(pending):
        store.add_pending("isna", f"1405{i:09d}", f"https://www.isna.ir/news/1405{i:09d}/", "article",
                          {"listed_date": "2026-12-01T10:00:00+03:30"})
    after_pending = client.info("memory")["used_memory"]
    client.flushall()
    return {"codes": codes, "seen_bytes_per_code": round((after_seen - base) / codes, 1),
            "seen_mb_per_million": round((after_seen - base) / codes * 1e6 / 2**20, 1),
            "pending": pending, "pending_bytes_per_row": round((after_pending - after_seen) / pending, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1500)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--codes", type=int, default=1_000_000)
    ap.add_argument("--pending", type=int, default=100_000)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    work = OUT / "distributed"
    shutil.rmtree(work, ignore_errors=True)
    with RedisServer(work / "redis") as redis:
        baseline = run_workers(1, args.articles, None, work / "crawl-sqlite")
        print(json.dumps(baseline), flush=True)
        if baseline["exit_codes"] != [0] or baseline["unique"] != args.articles:
            raise SystemExit(f"bench/distributed.py: the single-machine crawl did not do its job: {baseline}")
        runs = []
        for n in (int(x) for x in args.workers.split(",")):
            run = run_workers(n, args.articles, redis, work / f"crawl-{n}")
            print(json.dumps(run), flush=True)
            if any(run["exit_codes"]) or run["unique"] != args.articles or run["doubled"]:
                raise SystemExit(f"bench/distributed.py: the {n}-worker crawl did not do its job: {run} "
                                 f"(logs in {work / f'crawl-{n}'})")
            runs.append(run)
        memory = redis_memory(redis, args.codes, args.pending)
        print(json.dumps(memory), flush=True)
    (OUT / "distributed.json").write_text(json.dumps({"baseline": baseline, "runs": runs, "memory": memory}, indent=1),
                                          encoding="utf-8")
    one = runs[0]["per_s"] or 1
    rows = [[str(r["workers"]), f"{r['written']} / {r['articles']}", str(r["doubled"]), f"{r['wall_s']:.1f}",
             f"{r['per_s']:.1f}", f"{r['per_s'] / one:.2f}×",
             " ".join(f"{k}={v}" for k, v in r["per_worker"].items())] for r in [baseline, *runs]]
    md = ["Workers share one redis-server on this machine (2 cores shared by the workers, the site server and "
          "Redis; politeness delays off, so the CPU is the limit). The first row is the same crawl on one machine "
          "without Redis (the SQLite store); \"vs 1 worker\" compares with the one-worker Redis crawl:", "",
          md_table(["workers", "written / articles", "doubled", "wall s", "articles/s", "vs 1 worker",
                    "lines per worker"], rows), "",
          f"Redis memory: {memory['seen_bytes_per_code']} bytes per seen news code "
          f"(**{memory['seen_mb_per_million']} MB per million**, measured over {memory['codes']:,} codes); "
          f"{memory['pending_bytes_per_row']} bytes per pending article (over {memory['pending']:,} rows)."]
    (OUT / "distributed.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
