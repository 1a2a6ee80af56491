"""Medians of a benchmark TSV (workload, target, round, metric, value) per workload and metric,
one column per target named on the command line, and the ratio of the last target to the one
before it: medians.py RESULTS.tsv TARGET... (used by follow_ddl.sh and relay_ab.sh)."""

import collections
import statistics
import sys

path, targets = sys.argv[1], sys.argv[2:]
rows = collections.defaultdict(list)
with open(path) as f:
    for line in f:
        workload, target, _round, metric, value = line.rstrip("\n").split("\t")
        try:
            rows[(workload, metric, target)].append(float(value))
        except ValueError:
            pass
ratio_name = f"{targets[-1]}/{targets[-2]}"
print(f"{'workload':<20} {'metric':<7} " + " ".join(f"{t:>13}" for t in targets) +
      f" {ratio_name:>20}")
for workload, metric in dict.fromkeys((w, m) for (w, m, _t) in rows):
    med = [statistics.median(rows[(workload, metric, t)]) if rows[(workload, metric, t)]
           else float("nan") for t in targets]
    ratio = med[-1] / med[-2] if med[-2] else float("nan")
    print(f"{workload:<20} {metric:<7} " + " ".join(f"{m:>13.2f}" for m in med) +
          f" {ratio:>20.3f}")
