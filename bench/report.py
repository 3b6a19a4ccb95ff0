"""Assemble bench/results.md from bench/out/{quality,speed,crawl}.{json,md} and describe the machine."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT

HERE = Path(__file__).resolve().parent
PACKAGES = ["newsbot", "scrapy", "parsel", "lxml", "trafilatura", "htmldate", "newspaper4k", "readability-lxml",
            "goose3", "jusText", "lxml_html_clean", "iran-news-mcp", "persiantools", "psutil"]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _load(name: str) -> tuple[dict[str, Any] | None, str | None]:
    j, m = OUT / f"{name}.json", OUT / f"{name}.md"
    if not j.exists() or not m.exists():
        return None, None
    return json.loads(j.read_text(encoding="utf-8")), m.read_text(encoding="utf-8")


def where_newsbot_loses(quality: dict | None, speed: dict | None, crawl: dict | None) -> list[str]:
    out: list[str] = []
    if quality:
        for line in quality["losses"]:
            out.append(f"Quality: {line}.")
        padded = quality.get("padded_f1") or {}
        if padded and "newsbot" in padded:
            better = [f"{n} {v:.3f}" for n, v in padded.items() if n != "newsbot" and v > padded["newsbot"] + 1e-9]
            if better:
                out.append(f"Quality on the padded pages: newsbot F1 {padded['newsbot']:.3f} < " + ", ".join(better)
                           + ".")
        for r in quality["results"]:
            if r["tool"] == "newsbot" and r["f1"] < 0.999:
                out.append(f"Body of {r['page']}: newsbot P {r['precision']:.3f} R {r['recall']:.3f} "
                           f"F1 {r['f1']:.3f}.")
    if speed:
        for size, groups in speed["summary"].items():
            for group in ("all", "spider", "generic"):
                d = groups[group]
                if d["newsbot_over_trafilatura"] > 1.0:
                    out.append(f"Speed, {size} {group} pages: newsbot takes {d['newsbot_over_trafilatura']:.2f}x "
                               f"bare trafilatura's time ({d['ms_per_page']['newsbot']:.1f} vs "
                               f"{d['ms_per_page']['trafilatura']:.1f} ms/page).")
        parts = speed.get("breakdown") or {}
        whole = parts.get("whole extract_article")
        if whole:
            for name, costs in parts.items():
                if name == "whole extract_article":
                    continue
                for size in ("fixture", "padded"):
                    for group in ("spider", "generic"):
                        v, w = costs[size].get(group), whole[size].get(group)
                        if v is not None and w and v / w >= 0.2:
                            out.append(f"Speed, where the time goes: `{name}` alone is {v:.1f} of newsbot's "
                                       f"{w:.1f} ms/page ({100 * v / w:.0f}%) on {size} {group} pages.")
    if crawl:
        for run in crawl["runs"]:
            if run["written"] < run["target"]:
                out.append(f"Crawl {run['label']}: wrote {run['written']} of {run['target']} articles "
                           f"(exit {run['exit_code']}, timed out: {run['timed_out']}).")
        mem = crawl["runs"][-1]
        samples = [s for s in mem["samples"] if s["lines"] >= 1000]
        half = [s for s in samples if s["lines"] >= mem["target"] // 2]
        if len(samples) >= 2 and len(half) >= 2:
            grow = samples[-1]["rss_mb"] - samples[0]["rss_mb"]
            grow2 = half[-1]["rss_mb"] - half[0]["rss_mb"]
            per2 = grow2 * 1024 / max(half[-1]["lines"] - half[0]["lines"], 1)
            verdict = "not flat" if per2 > 0.1 else "flat within noise"
            if grow > 10 or per2 > 0.1:
                out.append(f"Memory: crawl RSS went {samples[0]['rss_mb']:.0f} -> {samples[-1]['rss_mb']:.0f} MB from "
                           f"{samples[0]['lines']:,} to {samples[-1]['lines']:,} lines written ({grow:+.0f} MB); over "
                           f"the second half {grow2:+.0f} MB ({per2:.2f} KB per article): {verdict}.")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--seconds", type=float, default=None, help="wall time of the whole bench/run")
    ap.add_argument("--pin", default="", help="how speed.py was pinned (taskset command)")
    args = ap.parse_args()

    quality, quality_md = _load("quality")
    speed, speed_md = _load("speed")
    crawl, crawl_md = _load("crawl")
    uname = " ".join(platform.uname())
    try:
        uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    md = ["# newsbot benchmark results", ""]
    md.append(f"- date: {datetime.now(timezone.utc).isoformat(timespec='seconds')} ({args.mode} run"
              + (f", {args.seconds / 60:.1f} min wall time for `bench/run`" if args.seconds else "") + ")")
    md.append(f"- machine: `{uname}`")
    md.append(f"- CPU: {_cpu_model()}, {os.cpu_count()} logical cores; memory {_mem_total()}; shared and noisy, so "
              "compare ratios measured side by side, not absolute times across runs")
    md.append(f"- python: {sys.version.split()[0]} ({platform.python_implementation()})")
    md.append("- packages: " + ", ".join(f"{p} {_version(p)}" for p in PACKAGES))
    if args.pin:
        md.append(f"- speed pass pinned with `{args.pin}`")
    md.append("")
    md.append("How to read the tables: `bench/README.md`. Raw numbers, per page and per tool: `bench/out/*.json`.")
    md.append("")
    for part in (quality_md, speed_md, crawl_md):
        if part:
            md.append(part.rstrip())
            md.append("")
    md.append("## Where newsbot loses")
    md.append("")
    losses = where_newsbot_loses(quality, speed, crawl)
    md += [f"- {line}" for line in losses] or ["- Nowhere in this run."]
    md.append("")
    md.append("Caveats: the gold pages were written by hand after the agencies' markup (docs/fixtures.md), and "
              "newsbot's site selectors were written for the same markup, so on spider sites newsbot is scored on "
              "pages its parser was built against; the *generic pages* and the *newsbot generic* row are the fairer "
              "comparison. The padded variants and the crawl's site are generated by the benchmark.")
    (HERE / "results.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
