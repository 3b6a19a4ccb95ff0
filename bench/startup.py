"""Start-up: ``newsbot list`` and ``newsbot extract`` of a spider page as whole processes, beside ``python -c pass``.

A cron user and a site author run these many times a day; their cost is almost all imports. Each command is run
``--runs`` times, interleaved (the order rotates), from the repository root; the median wall time is reported with
the minimum and maximum. Writes bench/out/startup.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import FIXTURES, ROOT, md_table, write_out

TARGETS = {"newsbot list": 0.3, "newsbot extract (spider page)": 0.5}


def commands() -> dict[str, list[str]]:
    newsbot = str(Path(sys.executable).with_name("newsbot"))
    page = FIXTURES / "isna" / "article-1.html"
    url = json.loads((FIXTURES / "isna" / "article-1.expected.json").read_text(encoding="utf-8"))["url"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "newsbot list": [newsbot, "list"],
        "newsbot extract (spider page)": [newsbot, "extract", str(page), "--url", url],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    cmds = commands()
    times: dict[str, list[float]] = {name: [] for name in cmds}
    names = list(cmds)
    for name in names:  # warm the file cache
        subprocess.run(cmds[name], cwd=ROOT, capture_output=True, check=True)
    for i in range(args.runs):
        for name in names[i % len(names):] + names[:i % len(names)]:
            t0 = time.perf_counter()
            subprocess.run(cmds[name], cwd=ROOT, capture_output=True, check=True)
            times[name].append(time.perf_counter() - t0)
    rows, targets = [], []
    for name, values in times.items():
        target = TARGETS.get(name)
        met = ("yes" if median(values) < target else "**no**") if target else ""
        rows.append([name, f"{median(values):.3f}", f"{min(values):.3f}", f"{max(values):.3f}",
                     f"< {target}" if target else "", met])
        if target:
            targets.append({"target": f"`{name}` < {target} s as a whole process", "value": median(values),
                            "met": median(values) < target})
    md = ["## Start-up: whole commands", "",
          f"{args.runs} interleaved runs of each command from the repository root (after one warm-up run each); "
          "wall time in seconds. `newsbot list` reads the site files without importing Scrapy; `extract` parses "
          "with the site's family parser, also without Scrapy.", "",
          md_table(["command", "median s", "min s", "max s", "target", "met"], rows)]
    write_out("startup", {"runs": args.runs, "times": times, "targets": targets}, "\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
