"""Media monitoring: the watchlist matcher's speed with 10,000 terms, and republish detection's precision and recall.

Prints a Markdown section and writes bench/out/monitoring.{json,md} (bench/report.py puts it into results.md).

- Matcher: 10,000 terms of one to three words drawn from the gold pages' own vocabulary (so that many fire), in 50
  lists of 200, matched against every gold record's title, kicker, lead and body (the real sizes of agency
  articles), each record many times; milliseconds per article, median and p95.
- Republish detection: the generated set of tests/storygen.py (releases, copies with every variant, same-office
  same-day hard negatives), clustered in publish order; pairwise precision and recall, per variant recall, and
  the index's cost per record.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, md_table  # noqa: E402
from storygen import VARIANTS, generate, pair_scores  # noqa: E402

from newsbot.stories import cluster, record_id  # noqa: E402
from newsbot.watch import Watchlist  # noqa: E402

FIXTURES = ROOT / "fixtures"


def gold_records() -> list[dict]:
    out = []
    for path in sorted(FIXTURES.glob("*/*.expected.json")):
        if path.parent.name.startswith("_"):
            continue
        out.append(json.loads(path.read_text(encoding="utf-8")))
    return out


def make_terms(records: list[dict], n: int, seed: int = 1) -> list[str]:
    rnd = random.Random(seed)
    words = sorted({w for r in records for w in re.findall(r"[^\W\d_]{3,}(?:\u200c[^\W\d_]+)*", r["body"])})
    terms: set[str] = set()
    while len(terms) < n:
        terms.add(" ".join(rnd.choice(words) for _ in range(rnd.choice((1, 2, 2, 3)))))
    return sorted(terms)


def matcher_speed(reps: int) -> dict:
    records = gold_records()
    terms = make_terms(records, 10_000)
    t = time.perf_counter()
    wl = Watchlist({f"list{i:02d}": {"any": terms[i * 200:(i + 1) * 200]} for i in range(50)})
    build = time.perf_counter() - t
    times = []
    matched = 0
    for _ in range(reps):
        for rec in records:
            t = time.perf_counter_ns()
            found = wl.match(rec)
            times.append((time.perf_counter_ns() - t) / 1e6)
            matched += bool(found)
    times.sort()
    chars = statistics.median(sum(len(rec.get(f) or "") for f in ("title", "kicker", "lead", "body"))
                              for rec in records)
    return {"terms": len(wl), "lists": len(wl.lists), "articles": len(records), "reps": reps,
            "median_chars": chars, "build_s": build, "median_ms": statistics.median(times),
            "p95_ms": times[int(len(times) * 0.95)], "max_ms": times[-1],
            "matched_share": matched / len(times)}


def detection(n_stories: int, seed: int) -> dict:
    ss = generate(n_stories, seed=seed)
    records = ss.records()
    t = time.perf_counter()
    placed = cluster(records)
    elapsed = time.perf_counter() - t
    by_key = {record_id(r): p for r, p in placed}
    scores = pair_scores(ss.truth(), {k: p.story for k, p in by_key.items()})
    total: dict[str, int] = dict.fromkeys(VARIANTS, 0)
    found: dict[str, int] = dict.fromkeys(VARIANTS, 0)
    for story in ss.stories:
        head = by_key[record_id(story.record)].story
        for copy, variants in story.copies:
            for v in variants:
                total[v] += 1
                found[v] += by_key[record_id(copy)].story == head
    heads = [by_key[record_id(s.record)].story for s in ss.stories]
    siblings = sum(1 for s in ss.stories for o in ss.stories
                   if s.sid < o.sid and (s.org, s.city, s.record["published_at"][:10]) ==
                   (o.org, o.city, o.record["published_at"][:10]))
    return {"stories": len(ss.stories), "records": len(records), "copies": len(records) - len(ss.stories),
            "hard_negative_pairs": siblings, "merged_stories": len(heads) - len(set(heads)),
            **scores, "per_variant": {v: found[v] / total[v] if total[v] else None for v in VARIANTS},
            "ms_per_record": elapsed / len(records) * 1000}


def markdown(speed: dict, runs: list[dict]) -> str:
    out = ["## Media monitoring: watchlist matcher and republished stories", ""]
    out.append(f"Matcher: {speed['terms']:,} terms in {speed['lists']} lists, one Aho-Corasick automaton (built in "
               f"{speed['build_s']:.2f} s), over the {speed['articles']} gold records (title, kicker, lead and "
               f"body; median {speed['median_chars']:,.0f} characters), {speed['reps']} passes; "
               f"{speed['matched_share']:.0%} of the articles matched at least one list.")
    out.append("")
    out.append(md_table(["ms per article, median", "p95", "max", "target"],
                    [[f"{speed['median_ms']:.3f}", f"{speed['p95_ms']:.3f}", f"{speed['max_ms']:.3f}",
                      "< 1 ms per article (median): " + ("met" if speed["median_ms"] < 1 else "**not met**")
                      + ("" if speed["p95_ms"] < 1 else "; the longest articles (p95) take longer")]]))
    out.append("")
    out.append("Republish detection on the generated set (tests/storygen.py: releases, copies with a new headline, "
               "the lead dropped or moved into the body, «به گزارش …» in front, trailers, related lists, paragraphs "
               "cut, half-spaces turned into spaces, Arabic ي/ك; against two or three releases of the same office "
               "on the same day sharing its opener, officials and boilerplate). Pairwise precision and recall:")
    out.append("")
    rows = []
    for r in runs:
        rows.append([str(r["seed"]), str(r["stories"]), str(r["copies"]), str(r["hard_negative_pairs"]),
                     f"{r['precision']:.4f}", f"{r['recall']:.4f}", str(r["fp"]), str(r["merged_stories"]),
                     f"{r['ms_per_record']:.2f}"])
    out.append(md_table(["seed", "stories", "copies", "hard-negative pairs", "precision", "recall", "false pairs",
                     "releases merged", "ms/record"], rows))
    out.append("")
    worst = {v: min(r["per_variant"][v] for r in runs if r["per_variant"][v] is not None) for v in VARIANTS}
    out.append(md_table(["variant", *VARIANTS], [["recall (worst seed)", *(f"{worst[v]:.3f}" for v in VARIANTS)]]))
    out.append("")
    p = min(r["precision"] for r in runs)
    rc = min(r["recall"] for r in runs)
    out.append(f"Targets: precision ≥ 0.99 ({p:.4f}: {'met' if p >= 0.99 else '**not met**'}), recall ≥ 0.95 "
               f"({rc:.4f}: {'met' if rc >= 0.95 else '**not met**'}). The set is generated, so these numbers say "
               "the variants it holds are handled; a copy rewritten sentence by sentence is not among them. On the "
               "121 recorded fixture pages, which hold one republished pair, the same clustering makes that one "
               "story and merges nothing else.")
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=20, help="passes of the matcher over the gold records")
    ap.add_argument("--stories", type=int, default=400, help="generated stories per seed (at least 300)")
    ap.add_argument("--seeds", default="1404,2025,7", help="generator seeds, comma-separated")
    args = ap.parse_args()
    speed = matcher_speed(args.reps)
    runs = [{"seed": int(s), **detection(args.stories, int(s))} for s in args.seeds.split(",")]
    md = markdown(speed, runs)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "monitoring.json").write_text(json.dumps({"matcher": speed, "detection": runs}, ensure_ascii=False,
                                                    indent=1), encoding="utf-8")
    (OUT / "monitoring.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
