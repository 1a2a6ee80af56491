"""Medians per workload and target from bench/relay.sh's TSV (workload, target, round, metric,
value), and the ratios shadowproxy/direct and shadowproxy/HAProxy."""

import collections
import statistics
import sys

rows = collections.defaultdict(list)
with open(sys.argv[1]) as f:
    for line in f:
        workload, target, _round, metric, value = line.rstrip("\n").split("\t")
        try:
            rows[(workload, metric, target)].append(float(value))
        except ValueError:
            pass

print(f"{'workload':<22} {'metric':<8} {'direct':>10} {'haproxy':>10} {'proxy':>10} "
      f"{'proxy/direct':>13} {'proxy/haproxy':>14}")
seen = []
for (workload, metric, _t) in rows:
    if (workload, metric) not in seen:
        seen.append((workload, metric))
for workload, metric in seen:
    med = {t: statistics.median(rows[(workload, metric, t)]) if rows[(workload, metric, t)]
           else float("nan") for t in ("direct", "haproxy", "proxy")}
    ratio_d = med["proxy"] / med["direct"] if med["direct"] else float("nan")
    ratio_h = med["proxy"] / med["haproxy"] if med["haproxy"] else float("nan")
    print(f"{workload:<22} {metric:<8} {med['direct']:>10.2f} {med['haproxy']:>10.2f} "
          f"{med['proxy']:>10.2f} {ratio_d:>13.3f} {ratio_h:>14.3f}")
print("(qps: higher is better; p95_ms and seconds: lower is better)")
