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
    if workload.endswith("_tls"):
        continue
    med = {t: statistics.median(rows[(workload, metric, t)]) if rows[(workload, metric, t)]
           else float("nan") for t in ("direct", "haproxy", "proxy")}
    ratio_d = med["proxy"] / med["direct"] if med["direct"] else float("nan")
    ratio_h = med["proxy"] / med["haproxy"] if med["haproxy"] else float("nan")
    print(f"{workload:<22} {metric:<8} {med['direct']:>10.2f} {med['haproxy']:>10.2f} "
          f"{med['proxy']:>10.2f} {ratio_d:>13.3f} {ratio_h:>14.3f}")
print("(qps: higher is better; p95_ms and seconds: lower is better)")

tls = [(w, m) for (w, m) in seen if w.endswith("_tls")]
if tls:
    print()
    print(f"{'TLS workload':<24} {'metric':<8} {'direct_tls':>11} {'proxy_tls':>10} "
          f"{'tls_both':>10} {'proxy plain':>12} {'tls/plain':>10} {'tls/direct':>11}")
    for workload, metric in tls:
        plain_workload = workload[: -len("_tls")]
        def med(w, t):
            v = rows[(w, metric, t)]
            return statistics.median(v) if v else float("nan")
        d, p, b = (med(workload, t) for t in ("direct_tls", "proxy_tls", "proxy_tls_both"))
        plain = med(plain_workload, "proxy")
        print(f"{workload:<24} {metric:<8} {d:>11.2f} {p:>10.2f} {b:>10.2f} {plain:>12.2f} "
              f"{p / plain if plain else float('nan'):>10.3f} {p / d if d else float('nan'):>11.3f}")
    print("(tls/plain: the proxy ending TLS vs its own plaintext figure; tls/direct: vs MariaDB"
          " with TLS)")
