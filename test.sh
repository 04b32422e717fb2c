#!/usr/bin/env bash
# The one command that runs every test: ./test.sh [extra dotnet test args, e.g. --filter X]
#
# 1. installs what the tests need from Debian (postgresql, chromium, python3-aiosmtpd as the SMTP sink) if missing;
# 2. starts a throw-away PostgreSQL cluster on 127.0.0.1 (own temp dir, free port,
#    trust auth, fsync off) and exports OPENCXO_TEST_POSTGRES for it;
# 3. runs `dotnet test OpenCxo.sln -c Release "$@"` (one test project at a time) and exits with its exit code,
#    printing "tests: N passed, N failed[, N skipped]" as the last line.
# The cluster and all test files are removed on exit, also on failure or Ctrl-C.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

say() { printf '[test.sh] %s\n' "$*"; }
die() { printf '[test.sh] error: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "not root and no sudo: cannot install packages or run PostgreSQL as 'postgres'"
    SUDO=(sudo)
fi

# --- 1. Debian packages --------------------------------------------------------
# Newest installed server, found by version; never /usr/local/bin (some images carry stray links there).
pg_bin_dir() {
    local d
    PG_BIN=""
    for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
        [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]] && PG_BIN=$d
    done
    [[ -n $PG_BIN ]]
}

missing=()
pg_bin_dir || missing+=(postgresql)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q "libicuuc\.so" || missing+=(libicu72)
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || missing+=(python3-aiosmtpd)

if (( ${#missing[@]} )); then
    say "installing Debian packages: ${missing[*]}"
    t0=$SECONDS
    export DEBIAN_FRONTEND=noninteractive
    apt_opts=(-q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300)
    apt_log=$(mktemp)
    if ! { "${SUDO[@]}" apt-get "${apt_opts[@]}" update &&
           "${SUDO[@]}" apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
        cat "$apt_log" >&2
        rm -f "$apt_log"
        die "apt-get failed"
    fi
    say "set up $(grep -c '^Setting up' "$apt_log" || true) packages in $((SECONDS - t0)) s"
    rm -f "$apt_log"
    pg_bin_dir || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin after install"
    [[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium missing after install"
fi
id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (the postgresql package creates it)"

# --- 2. throw-away PostgreSQL cluster ------------------------------------------
# Under /tmp, not $TMPDIR: 'postgres' must be able to reach it.
RUN_DIR=$(mktemp -d /tmp/opencxo-test.XXXXXX)
chmod 755 "$RUN_DIR"
PG_DIR=$RUN_DIR/pg
mkdir -p "$PG_DIR/sock" "$RUN_DIR/tmp"

# Run a command as 'postgres', from a folder it may read (the checkout may not be readable to it).
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd "$PG_DIR" && runuser -u postgres -- "$@")
    else
        (cd "$PG_DIR" && "${SUDO[@]}" -u postgres -- "$@")
    fi
}

PG_STARTED=""
TEST_JOB=""
kill_tree() {
    local child
    for child in $(pgrep -P "$1" || true); do kill_tree "$child"; done
    kill -TERM "$1" 2>/dev/null || true
}
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $TEST_JOB ]]; then
        say "interrupted: stopping the test run"
        kill_tree "$TEST_JOB"
        wait "$TEST_JOB" 2>/dev/null || true
    fi
    if [[ -n $PG_STARTED ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    "${SUDO[@]}" rm -rf "$RUN_DIR" || true
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${SUDO[@]}" chown -R postgres:postgres "$PG_DIR"
chmod 700 "$PG_DIR"

t0=$SECONDS
say "initdb with $PG_BIN into $PG_DIR/data"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$RUN_DIR/initdb.log" 2>&1 || { cat "$RUN_DIR/initdb.log" >&2; die "initdb failed"; }
as_pg tee -a "$PG_DIR/data/postgresql.conf" >/dev/null <<EOF

# opencxo test.sh: throw-away cluster, loopback only, tuned for speed not safety
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR/sock'
max_connections = 500
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
EOF

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

PG_PORT=""
for port in $(seq 55432 55531); do
    port_busy "$port" && continue
    PG_STARTED=1
    if as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 -o "-p $port" start >/dev/null; then
        PG_PORT=$port
        break
    fi
    # Another process may have taken the port between the check and the start: try the next one.
    grep -q 'could not bind\|Address already in use' "$PG_DIR/server.log" 2>/dev/null \
        || { cat "$PG_DIR/server.log" >&2 || true; die "PostgreSQL did not start"; }
    say "port $port taken, trying the next"
done
[[ -n $PG_PORT ]] || die "no free port in 55432-55531"
say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') up on 127.0.0.1:$PG_PORT in $((SECONDS - t0)) s"

export OPENCXO_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
# Per-run folder for SQLite test databases (tests/Shared/TestDatabases.cs); removed on exit.
export OPENCXO_TEST_TMP=$RUN_DIR/tmp

# --- 3. dotnet test ------------------------------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDTERMINALLOGGER=off # classic logger: one "Passed!/Failed! - Failed: N, Passed: N, ..." line per project

# One test project at a time: the browser tests time page loads, and on two cores the API tests running beside
# them (databases, an SMTP server, imports) made those loads miss their timeouts now and then.
say "dotnet test OpenCxo.sln -c Release -m:1 $*"
# In the background with `wait`, so that a TERM or Ctrl-C reaches our trap at once; the trap
# then ends the test processes (this job's process tree) before it stops PostgreSQL.
(
    set +e
    dotnet test OpenCxo.sln -c Release -m:1 "$@" </dev/null 2>&1 | tee "$RUN_DIR/dotnet-test.log"
    echo "${PIPESTATUS[0]}" >"$RUN_DIR/dotnet-test.rc"
) &
TEST_JOB=$!
wait "$TEST_JOB" || true
TEST_JOB=""
rc=$(cat "$RUN_DIR/dotnet-test.rc" 2>/dev/null || echo 1)

summary=$(awk '
    /(Passed|Failed)! +- +Failed: / {
        line = $0
        if (match(line, /Failed: +[0-9]+/))  { s = substr(line, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); f += s }
        if (match(line, /Passed: +[0-9]+/))  { s = substr(line, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); p += s }
        if (match(line, /Skipped: +[0-9]+/)) { s = substr(line, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); k += s }
        n++
    }
    END { printf "%d %d %d %d", p, f, k, n }' "$RUN_DIR/dotnet-test.log")
read -r passed failed skipped projects <<<"$summary"
if (( rc != 0 && failed == 0 )); then
    say "dotnet test exited with $rc (build error, crashed test host or no test run: see above)"
fi
say "$projects test project(s) reported; dotnet test exit code $rc"
if (( skipped > 0 )); then
    echo "tests: $passed passed, $failed failed, $skipped skipped"
else
    echo "tests: $passed passed, $failed failed"
fi
exit "$rc"
