#!/usr/bin/env python3
"""Checks an `objfs bench --compare` JSON result against the targets of issue 5.

    tools/bench/targets.py bench.json --cache-size 256M

Prints one line per target with the measured numbers and MET / NOT MET.
Targets that need a system the run did not include are reported as n/a.
"""
import argparse
import json
import re
import sys


def parse_size(text):
    m = re.fullmatch(r"(\d+)([kKmMgG]?)i?[bB]?", text)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {text}")
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2).lower()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json_file")
    ap.add_argument("--cache-size", type=parse_size, default=None,
                    help="the --cache-size objfs ran with (for the RSS target)")
    args = ap.parse_args()
    data = json.load(open(args.json_file))
    results = {(r["workload"], r["system"]): r for r in data["results"] if r.get("ok")}
    latency = data["options"].get("latency_ms", 0)
    lines = []

    def get(workload, system, field):
        r = results.get((workload, system))
        return None if r is None else r.get(field)

    def check(name, ok, detail):
        verdict = "n/a" if ok is None else ("MET" if ok else "NOT MET")
        lines.append((name, verdict, detail))

    def ratio_target(name, workload, field, other, minimum, higher_is_better=True):
        a = get(workload, "objfs", field)
        b = get(workload, other, field)
        if a is None or b is None or a == 0 or b == 0:
            check(name, None, "missing")
            return
        r = a / b if higher_is_better else b / a
        check(name, r >= minimum, f"objfs {a:.4g} vs {other} {b:.4g}: {r:.2f}x (need {minimum}x)")

    if latency == 0:
        ratio_target("seqread >= 3x s3fs", "seqread", "mib_per_second", "s3fs", 3)
        ratio_target("seqread >= 90% of curl", "seqread", "mib_per_second", "curl", 0.9)
        ratio_target("seqwrite >= 3x s3fs", "seqwrite", "mib_per_second", "s3fs", 3)
        ratio_target("seqwrite >= 85% of curl", "seqwrite", "mib_per_second", "curl", 0.85)
        ratio_target("smallfiles >= 5x s3fs", "smallfiles", "ops_per_second", "s3fs", 5)
        ratio_target("ls -l cold >= 4x s3fs", "ls_cold", "seconds", "s3fs", 4, higher_is_better=False)
        ratio_target("untar >= 5x s3fs", "untar", "ops_per_second", "s3fs", 5)
        ratio_target("randread IOPS >= s3fs", "randread", "ops_per_second", "s3fs", 1)
        ratio_target("randread p99 <= s3fs", "randread", "p99_ms", "s3fs", 1, higher_is_better=False)
        for workload in ("seqread", "seqwrite"):
            a_cpu, b_cpu = get(workload, "objfs", "daemon_cpu_seconds"), get(workload, "s3fs", "daemon_cpu_seconds")
            a_b, b_b = get(workload, "objfs", "bytes"), get(workload, "s3fs", "bytes")
            if None in (a_cpu, b_cpu, a_b, b_b) or b_cpu == 0:
                check(f"{workload} CPU s/GiB <= 1/2 s3fs", None, "missing")
                continue
            a = a_cpu / (a_b / 2**30)
            b = b_cpu / (b_b / 2**30)
            check(f"{workload} CPU s/GiB <= 1/2 s3fs", a <= b / 2,
                  f"objfs {a:.2f} vs s3fs {b:.2f} CPU s/GiB")
        if args.cache_size:
            peaks = [(r["workload"], r["daemon_peak_rss_bytes"]) for (w, s), r in results.items()
                     if s == "objfs" and "daemon_peak_rss_bytes" in r]
            if peaks:
                w, peak = max(peaks, key=lambda p: p[1])
                limit = args.cache_size + (64 << 20)
                check("peak RSS <= cache-size + 64 MiB", peak <= limit,
                      f"max {peak / 2**20:.0f} MiB ({w}) vs {limit / 2**20:.0f} MiB")
    else:
        ratio_target(f"seqread within 15% of curl ({2 * latency} ms RTT)", "seqread",
                     "mib_per_second", "curl", 0.85)
        ratio_target(f"seqwrite within 15% of curl ({2 * latency} ms RTT)", "seqwrite",
                     "mib_per_second", "curl", 0.85)
        ratio_target(f"smallfiles >= 6x s3fs ({2 * latency} ms RTT)", "smallfiles",
                     "ops_per_second", "s3fs", 6)
        ratio_target(f"untar >= 6x s3fs ({2 * latency} ms RTT)", "untar", "ops_per_second", "s3fs", 6)
    for workload in ("seqwrite", "smallfiles", "untar"):
        note = get(workload, "objfs", "note") or ""
        m = re.search(r"in S3 when close\(\) returned: (\d+)/(\d+)", note)
        if m:
            check(f"{workload}: objfs data in S3 when close() returned", m.group(1) == m.group(2),
                  f"{m.group(1)}/{m.group(2)} objects")

    width = max(len(n) for n, _, _ in lines) if lines else 0
    for name, verdict, detail in lines:
        print(f"{name:<{width}}  {verdict:<8} {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
