#!/usr/bin/env bash
# Memory of idle sessions (issue 6 "Performance"): N authenticated connections that then sit idle,
# through shadowproxy and through HAProxy (TCP, nbthread 1), N = 5,000 and 10,000 by default.
# Prints the RSS growth of each relay and the growth per connection.
# Each relay holds 2 descriptors per session, so N is capped at (hard `ulimit -n` - 200) / 2.
# Env: COUNTS ("5000 10000"), SP_THREADS (1), SHADOWPROXY_BIN.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ulimit -n "$(ulimit -Hn)"
limit=$(ulimit -n)
max_n=$(( (limit - 200) / 2 ))
COUNTS=${COUNTS:-"5000 10000"}
top=0
for n in $COUNTS; do [ "$n" -gt "$top" ] && top=$n; done
[ "$top" -gt "$max_n" ] && top=$max_n

start_backend --max-connections=$((top + 500)) --open-files-limit=$limit --thread-cache-size=0
echo "# ulimit -n $limit (at most $max_n sessions per relay); shadowproxy threads ${SP_THREADS:-1}; HAProxy nbthread 1"

backend_idle() {  # waits until the sessions of the previous measurement are gone from MariaDB
  local c
  for _ in $(seq 1 600); do
    c=$(mariadb --no-defaults -h127.0.0.1 -P"$DB_PORT" -uroot -N -B -e \
        "SHOW GLOBAL STATUS LIKE 'Threads_connected'" | awk '{print $2}')
    [ "$c" -le 5 ] && return 0
    sleep 0.5
  done
}

measure() {  # measure NAME PID PORT N
  local name=$1 pid=$2 port=$3 n=$4 before after released fifo ready
  backend_idle
  before=$(rss_kb "$pid")
  fifo=$BENCH_TMP/hold.$name.$n
  mkfifo "$fifo"
  /usr/bin/python3 "$(dirname "$0")/idle_clients.py" "$port" "$n" app app-secret <"$fifo" \
    >"$BENCH_TMP/clients.out" 2>&1 &
  local cpid=$!
  exec 4>"$fifo"  # holds the clients' stdin open
  for _ in $(seq 1 1200); do
    grep -q READY "$BENCH_TMP/clients.out" 2>/dev/null && break
    kill -0 "$cpid" 2>/dev/null || break
    sleep 0.5
  done
  ready=$(grep READY "$BENCH_TMP/clients.out" || true)
  if [ -z "$ready" ]; then
    echo "$name: clients failed: $(tail -3 "$BENCH_TMP/clients.out")" >&2
    [ "$name" = shadowproxy ] && tail -5 "$BENCH_TMP/proxy.log" >&2
    exec 4>&-
    wait "$cpid" || true
    return 1
  fi
  sleep 2
  after=$(rss_kb "$pid")
  exec 4>&-  # the clients close their connections and exit
  wait "$cpid" || true
  sleep 3
  released=$(rss_kb "$pid")
  printf '%-12s %6d sessions (logged in in %5ss)  RSS %7d KB -> %7d KB  growth %7d KB  %6.1f KB/session  after close %7d KB\n' \
    "$name" "$n" "$(awk '{print $3}' <<<"$ready")" "$before" "$after" $((after - before)) \
    "$(awk -v a="$after" -v b="$before" -v n="$n" 'BEGIN {print (a - b) / n}')" "$released"
}

for n in $COUNTS; do
  if [ "$n" -gt "$max_n" ]; then
    echo "# $n sessions requested; capped at $max_n by the hard descriptor limit ($limit)"
    n=$max_n
  fi
  # Fresh relays for every count, so an allocator's retained memory does not hide growth.
  start_proxy "${SP_THREADS:-1}" $((top + 50))
  measure shadowproxy "$SP_PID" "$SP_PORT" "$n"
  kill -0 "$SP_PID" 2>/dev/null || echo "WARNING: shadowproxy exited during the run" >&2
  stop_pid "$SP_PID"
  start_haproxy $((top + 50))
  measure haproxy "$HA_PID" "$HA_PORT" "$n"
  stop_pid "$HA_PID"
done
