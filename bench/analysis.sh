#!/usr/bin/env bash
# Schema analysis at scale, as the user sees it (issue 3): a throw-away MariaDB with N source
# tables in database bench_analysis (the shape of bench/analysis_bench.cc: t0..t<N-1>, 12 columns
# and 4 indexes each; the even ones have an outdated shadow t<i>_shadow, the odd ones none) and
# shadowproxy in front of it (bench/lib.sh start_proxy: metadb = the same MariaDB, the default
# metadb.cluster, database shadowproxy_meta). Every round times, one after the other:
#   floor:    the mariadb CLI reading every table's SHOW CREATE TABLE once (SHOW TABLES, then one
#             SHOW CREATE TABLE per table, sources and shadows), one CLI invocation reading a
#             generated SQL file over one connection straight to MariaDB, output to /dev/null;
#   analysis: the mariadb CLI running SHADOW SYNC ANALYZE DATABASE bench_analysis ALL TABLES
#             SUFFIX '_shadow' through the proxy, every result row read, output to /dev/null
#             (this includes storing the analysis in the metadb, as for any user).
# The two alternate within a round (the first of the pair alternates between rounds). One
# untimed analysis first checks the rows (N rows: N/2 CREATE of the odd tables' shadows, N/2
# UPDATE of the outdated ones) and warms both sides. Prints each round, the medians, the ratio
# analysis/floor, and the proxy's memory (/proc/PID/status): VmRSS after the check run and after
# every round, and the peak VmHWM after the rounds.
#
#   bench/analysis.sh [--tables N (2000)] [--rounds R (3)] [--workers W]
#   bench/analysis.sh --internal [analysis_bench args...]
#
# --workers W sets shadow_sync.workers in the proxy's config (default: the config default, 4),
# which is also the number of connections one analysis reads schemas with
# (plugins/tasks/schema_bridge.cc).
# --internal runs the old in-process benchmark instead (bench/analysis_bench.cc: the analysis
# engine called as a library, no proxy, no metadb; its own setup and floor) from
# $BUILD_DIR/bench/analysis_bench (default build/). This script never builds it: scripts/build.sh
# does (the bench target is part of the default build).
# Env: SHADOWPROXY_BIN (build/proxy/shadowproxy), SP_THREADS (proxy event loops, 1),
#      BACKEND_ARGS (extra mariadbd arguments; default --innodb-file-per-table=0: the tables live
#      in the system tablespace, which makes creating 20,000 of them (30,000 with the shadows)
#      several times faster than one .ibd file each; BACKEND_ARGS="" for file-per-table),
#      SETUP_JOBS (4: the CREATE TABLEs are split over that many generated SQL files, each run
#      by one mariadb CLI invocation, all at once; the DDL waits on fsync, so this is faster).
set -euo pipefail

if [ "${1:-}" = --internal ]; then
  shift
  here=$(cd "$(dirname "$0")/.." && pwd)
  bin=${BUILD_DIR:-$here/build}/bench/analysis_bench
  [ -x "$bin" ] || { echo "$bin not built (scripts/build.sh builds it)" >&2; exit 2; }
  source "$(dirname "$0")/lib.sh"
  start_backend
  echo "MariaDB $(mariadbd --version | awk '{print $3}') on 127.0.0.1:$DB_PORT, $(nproc) cores"
  "$bin" --port "$DB_PORT" "$@"
  exit 0
fi

TABLES=2000
ROUNDS=3
WORKERS=
SETUP_JOBS=${SETUP_JOBS:-4}
while [ $# -gt 0 ]; do
  case $1 in
    --tables) TABLES=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$TABLES" -ge 2 ] && [ "$ROUNDS" -ge 1 ] || { echo "--tables >= 2, --rounds >= 1" >&2; exit 2; }

source "$(dirname "$0")/lib.sh"
DB=bench_analysis
# shellcheck disable=SC2086 # BACKEND_ARGS is a list of words
start_backend ${BACKEND_ARGS---innodb-file-per-table=0}
if [ -n "$WORKERS" ]; then
  # lib.sh's start_proxy has no place for shadow_sync keys: the same config plus the key, started
  # the same way.
  SP_PORT=$(free_port)
  cat >"$BENCH_TMP/shadowproxy.yaml" <<CFG
log_level: warn
listen:
  address: 127.0.0.1
  port: $SP_PORT
  threads: ${SP_THREADS:-1}
  max_connections: 10000
clusters:
  - name: local
    servers: ["127.0.0.1:$DB_PORT"]
users:
  - {name: app, password: app-secret}
metrics:
  port: 0
shadow_sync:
  workers: $WORKERS
CFG
  "$SHADOWPROXY_BIN" --config "$BENCH_TMP/shadowproxy.yaml" >"$BENCH_TMP/proxy.log" 2>&1 &
  SP_PID=$!
  BENCH_PIDS+=("$SP_PID")
  wait_port "$SP_PORT" "$SP_PID"
else
  start_proxy "${SP_THREADS:-1}"
fi

direct=(mariadb --no-defaults -h127.0.0.1 -P"$DB_PORT" -uapp -papp-secret)
proxied=(mariadb --no-defaults -h127.0.0.1 -P"$SP_PORT" -uapp -papp-secret)
echo "# MariaDB $(mariadbd --version | awk '{print $3}') :$DB_PORT  shadowproxy :$SP_PORT" \
     "(threads ${SP_THREADS:-1}, shadow_sync.workers ${WORKERS:-default})  $(nproc) cores" \
     " mariadbd args: ${BACKEND_ARGS---innodb-file-per-table=0}"

# --- setup: generated multi-statement files, SETUP_JOBS CLI invocations at once ------------------
"${direct[@]}" -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB"
/usr/bin/python3 - "$TABLES" "$DB" "$SETUP_JOBS" "$BENCH_TMP/setup" <<'PY'
import sys

n, db, jobs, prefix = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]


def ddl(i, outdated):  # bench/analysis_bench.cc SourceDdl(), kept identical
    name = f"t{i}" + ("_shadow" if outdated else "")
    s = (f"CREATE TABLE `{name}` (\n"
         "  id bigint unsigned NOT NULL AUTO_INCREMENT,\n"
         "  account_id int NOT NULL,\n"
         "  status tinyint NOT NULL DEFAULT 0 COMMENT 'state ''x''',\n"
         "  name varchar(64) NOT NULL DEFAULT '',\n")
    if not outdated:
        s += "  email varchar(191) DEFAULT NULL,\n"
    s += ("  amount decimal(12,2) NOT NULL DEFAULT 0.00,\n"
          "  note text,\n"
          "  created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
          "  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n"
          "  flags int unsigned NOT NULL DEFAULT 0,\n"
          "  score double DEFAULT NULL,\n")
    s += "  code char(8) NOT NULL,\n" if outdated else "  code char(12) NOT NULL,\n"
    s += "  PRIMARY KEY (id),\n  KEY idx_account (account_id, status),\n"
    s += ("  KEY idx_name (name)\n" if outdated
          else "  UNIQUE KEY uk_code (code),\n  KEY idx_created (created_at)\n")
    s += f") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='bench table {i}'"
    return s


files = [open(f"{prefix}.{j}.sql", "w") for j in range(jobs)]
for f in files:
    f.write(f"USE {db};\n")
for i in range(n):
    f = files[i % jobs]
    f.write(ddl(i, False) + ";\n")
    if i % 2 == 0:
        f.write(ddl(i, True) + ";\n")
for f in files:
    f.close()
PY
t0=$EPOCHREALTIME
setup_pids=()
for j in $(seq 0 $((SETUP_JOBS - 1))); do
  "${direct[@]}" <"$BENCH_TMP/setup.$j.sql" &
  setup_pids+=($!)
done
for pid in "${setup_pids[@]}"; do wait "$pid"; done
t1=$EPOCHREALTIME
shadows=$(( (TABLES + 1) / 2 ))
printf 'setup: %d source tables, %d outdated shadows, %d without shadow (%.1f s, %d CLI invocations at once)\n' \
  "$TABLES" "$shadows" $(( TABLES / 2 )) "$(bc -l <<<"$t1 - $t0")" "$SETUP_JOBS"

# The floor's input: SHOW TABLES, then every table's SHOW CREATE TABLE (as the analysis must
# read sources and shadows alike).
{
  echo "SHOW TABLES;"
  "${direct[@]}" -N -B "$DB" -e "SHOW TABLES" | sed 's/.*/SHOW CREATE TABLE `&`;/'
} >"$BENCH_TMP/floor.sql"
floor_count=$(( $(wc -l <"$BENCH_TMP/floor.sql") - 1 ))
analyze="SHADOW SYNC ANALYZE DATABASE $DB ALL TABLES SUFFIX '_shadow'"

# --- check (untimed; also the warm-up) ------------------------------------------------------------
"${direct[@]}" "$DB" <"$BENCH_TMP/floor.sql" >/dev/null
"${proxied[@]}" -N -B "$DB" -e "$analyze" >"$BENCH_TMP/check.tsv"
rows=$(wc -l <"$BENCH_TMP/check.tsv")
creates=$(awk -F'\t' '$4 == "CREATE"' "$BENCH_TMP/check.tsv" | wc -l)
updates=$(awk -F'\t' '$4 == "UPDATE"' "$BENCH_TMP/check.tsv" | wc -l)
noops=$(awk -F'\t' '$4 == "NO_ACTION"' "$BENCH_TMP/check.tsv" | wc -l)
echo "check: $rows analysis rows (CREATE $creates, UPDATE $updates, NO_ACTION $noops)," \
     "floor reads $floor_count SHOW CREATE TABLE"
if [ "$rows" != "$TABLES" ] || [ "$creates" != $(( TABLES / 2 )) ] || [ "$updates" != "$shadows" ]; then
  echo "unexpected analysis result (want $TABLES rows: CREATE $(( TABLES / 2 )), UPDATE $shadows)" >&2
  exit 1
fi
rss_before=$(rss_kb "$SP_PID")
hwm_before=$(awk '/^VmHWM:/ {print $2}' "/proc/$SP_PID/status")

# --- rounds -----------------------------------------------------------------------------------
run_floor() {
  local a b
  a=$EPOCHREALTIME
  "${direct[@]}" "$DB" <"$BENCH_TMP/floor.sql" >/dev/null
  b=$EPOCHREALTIME
  bc -l <<<"$b - $a"
}
run_analysis() {
  local a b
  a=$EPOCHREALTIME
  "${proxied[@]}" "$DB" -e "$analyze" >/dev/null
  b=$EPOCHREALTIME
  bc -l <<<"$b - $a"
}
floors=()
analyses=()
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then
    f=$(run_floor); a=$(run_analysis)
  else
    a=$(run_analysis); f=$(run_floor)
  fi
  floors+=("$f")
  analyses+=("$a")
  printf 'round %d: floor %.3f s (%d SHOW CREATE TABLE, 1 connection)  analysis %.3f s (%d tables' \
    "$round" "$f" "$floor_count" "$a" "$TABLES"
  printf ', through the proxy)  ratio %.2f  proxy RSS %d KiB\n' "$(bc -l <<<"$a / $f")" \
    "$(rss_kb "$SP_PID")"
done
kill -0 "$SP_PID" 2>/dev/null || { echo "shadowproxy exited during the run" >&2; exit 1; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
fm=$(median "${floors[@]}")
am=$(median "${analyses[@]}")
printf 'median: floor %.3f s, analysis %.3f s, analysis/floor = %.2f\n' "$fm" "$am" \
  "$(bc -l <<<"$am / $fm")"
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$SP_PID/status")
printf 'proxy memory (%d tables): after the check run RSS %d KiB (VmHWM %d KiB); after %d rounds RSS %d KiB, peak VmHWM %d KiB\n' \
  "$TABLES" "$rss_before" "$hwm_before" "$ROUNDS" "$(rss_kb "$SP_PID")" "$hwm"
