#!/usr/bin/env bash
# bench/run.sh: Lockbox against curl and lftp, on this machine, against a real
# vsftpd with explicit TLS (AUTH TLS, require_ssl_reuse=YES) on 127.0.0.1.
#
#   sudo bench/run.sh            (needs root: vsftpd logs a local user in and chroots it)
#
# Measures, side by side:
#   1. one 512 MiB file, download (to a file on disk) and upload:
#      lockbox get/put, curl --ssl-reqd -k, lftp; MB/s, median of 5, and the
#      client's CPU (user+sys from /usr/bin/time) per GB (10^9 bytes);
#   2. 2,000 files of 8 KiB in 20 folders, recursive download over 4
#      connections: lockbox get -r --parallel 4 vs lftp mirror --parallel=4;
#      seconds, median of 3 (and lockbox over one connection, for reference);
#   3. one directory of 100,000 empty files: lockbox ls --json, time and peak
#      RSS (curl and lftp listing the same directory for reference);
#   4. where lockbox's CPU goes: perf profiles of the real binary (download,
#      tree, listing) and strace -c system-call counts of one download per tool;
#   1b. the same download and upload by lockbox in active mode (--active),
#      in the same rotation;
#   1c. a single file (PAIR_MIB, 256) downloaded by lockbox and lftp in
#      alternating pairs (PAIRS, 8), with the median of the per-pair ratios
#      of wall time and of CPU time;
#   5. the Go micro-benchmarks (tap passthrough, progress accounting, copy
#      loop, engine against vsftpd, folder synchronisation against lftp
#      mirror, compare memory) and a pprof CPU profile of the engine.
# Prints a markdown report and writes it to bench/results.md.
#
# Environment: RUNS_BIG (5), RUNS_TREE (3), RUNS_LIST (3), BIG_MIB (512),
# TREE_DIRS (20), TREE_FILES_PER_DIR (100), LIST_ENTRIES (100000),
# PAIRS (8), PAIR_MIB (256), GO_BENCH (1; 0 skips step 5), PERF (1; 0 skips step 4),
# RESULTS (bench/results.md).
#
# Everything lives in one temporary folder, removed on exit with the server
# and every process the script started. Installs what it lacks with apt-get.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
COMMAND_LINE="bench/run.sh${*:+ $*}"
ENV_USED=""
for v in RUNS_BIG RUNS_TREE RUNS_LIST PAIRS PAIR_MIB BIG_MIB TREE_DIRS TREE_FILES_PER_DIR LIST_ENTRIES GO_BENCH PERF; do
  [ -n "${!v:-}" ] && ENV_USED+="$v=${!v} "
done
COMMAND_LINE="sudo ${ENV_USED}${COMMAND_LINE}"

RUNS_BIG=${RUNS_BIG:-5}
RUNS_TREE=${RUNS_TREE:-3}
RUNS_LIST=${RUNS_LIST:-3}
BIG_MIB=${BIG_MIB:-512}
PAIRS=${PAIRS:-8}
PAIR_MIB=${PAIR_MIB:-256}
TREE_DIRS=${TREE_DIRS:-20}
TREE_FILES_PER_DIR=${TREE_FILES_PER_DIR:-100}
LIST_ENTRIES=${LIST_ENTRIES:-100000}
GO_BENCH=${GO_BENCH:-1}
PERF=${PERF:-1}
RESULTS=${RESULTS:-$HERE/results.md}

FTP_USER=lockboxftp
PAM_SERVICE=lockbox-vsftpd-test
STATE_DIR=/var/lib/lockbox-servertest
SECURE_CHROOT=/var/run/vsftpd/empty

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root (vsftpd logs a local user in and chroots it): sudo $0"

# ---------------------------------------------------------------- tools
install_missing() {
  local pkgs=()
  command -v vsftpd >/dev/null || [ -x /usr/sbin/vsftpd ] || pkgs+=(vsftpd)
  command -v lftp >/dev/null || pkgs+=(lftp)
  command -v curl >/dev/null || pkgs+=(curl)
  command -v openssl >/dev/null || pkgs+=(openssl)
  [ -x /usr/bin/time ] || pkgs+=(time)
  command -v flock >/dev/null && command -v setpriv >/dev/null || pkgs+=(util-linux)
  command -v ps >/dev/null || pkgs+=(procps)
  [ ${#pkgs[@]} -eq 0 ] && return 0
  say "installing ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${pkgs[@]}" >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq "${pkgs[@]}" >/dev/null; }
}
install_missing
command -v go >/dev/null || die "go is not on PATH (Go 1.26 is needed to build lockbox)"
VSFTPD=$(command -v vsftpd || echo /usr/sbin/vsftpd)
HAVE_PERF=0
[ "$PERF" = 1 ] && command -v perf >/dev/null && perf version >/dev/null 2>&1 && HAVE_PERF=1

# ---------------------------------------------------------------- clean-up
WORK=""
VSFTPD_PID=""
CLIENT_PID=""

# descendants PID: every process below PID (from /proc).
descendants() {
  local queue=("$1") out=() p c
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
      out+=("$c")
      queue+=("$c")
    done
  done
  echo "${out[@]:-}"
}

# kill_tree PID: freeze PID and everything below it, then kill them all.
kill_tree() {
  local pid=$1 all=() d
  kill -0 "$pid" 2>/dev/null || return 0
  kill -STOP "$pid" 2>/dev/null || true
  all=("$pid")
  for _ in 1 2 3; do
    for d in $(descendants "$pid"); do
      kill -STOP "$d" 2>/dev/null || true
      all+=("$d")
    done
  done
  for d in "${all[@]}"; do kill -KILL "$d" 2>/dev/null || true; done
  wait "$pid" 2>/dev/null || true
}

# vsftpd sessions call setsid, and one whose parent died is reparented: find
# any left by the exact (unique) config path on their command line.
kill_leftover_sessions() {
  [ -n "$WORK" ] || return 0
  local f pid
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    if tr '\0' ' ' <"$f" 2>/dev/null | grep -qF -- "$WORK/vsftpd.conf"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$CLIENT_PID" ] && kill_tree "$CLIENT_PID"
  [ -n "$VSFTPD_PID" ] && kill_tree "$VSFTPD_PID"
  kill_leftover_sessions
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    rm -rf -- "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

WORK=$(mktemp -d /tmp/lockbox-bench.XXXXXX)
# vsftpd enters local_root as the FTP user before chroot: it must be able to
# traverse every ancestor.
chmod 711 "$WORK"
mkdir -p "$WORK/bin" "$WORK/dl" "$WORK/cfg" "$WORK/out"
chmod 700 "$WORK/cfg" "$WORK/out"
ROOT="$WORK/root"
say "working in $WORK"

# ---------------------------------------------------------------- account
# The test harness's account (client/servertest/vsftpd.go): reused
# when present, else created the same way. Under the harness's setup lock.
setup_account() {
  mkdir -p "$STATE_DIR" "$SECURE_CHROOT"
  chmod 700 "$STATE_DIR"
  exec {setup_fd}>"$STATE_DIR/setup.lock"
  flock "$setup_fd"
  if ! getent passwd "$FTP_USER" >/dev/null; then
    local shell=/usr/sbin/nologin
    [ -e "$shell" ] || shell=/bin/false
    useradd --system --no-create-home --home-dir "$SECURE_CHROOT" --shell "$shell" \
      --user-group --comment "Lockbox test FTP user" "$FTP_USER"
  fi
  local pwfile="$STATE_DIR/$FTP_USER.password"
  if [ ! -s "$pwfile" ] || [ "$(tr -d '[:space:]' <"$pwfile" | wc -c)" -lt 16 ]; then
    (umask 077 && openssl rand -hex 16 >"$pwfile")
  fi
  FTP_PASS=$(tr -d '[:space:]' <"$pwfile")
  # Idempotent: the same password the harness sets; expired so that other
  # services (sshd, login, su) refuse the account.
  echo "$FTP_USER:$FTP_PASS" | chpasswd
  usermod --expiredate 1 "$FTP_USER" >/dev/null 2>&1 || usermod --expiredate 1 "$FTP_USER"
  if [ "$(getent passwd "$FTP_USER" | cut -d: -f6)" != "$SECURE_CHROOT" ]; then
    usermod --home "$SECURE_CHROOT" "$FTP_USER"
  fi
  if [ ! -f "/etc/pam.d/$PAM_SERVICE" ]; then
    cat >"/etc/pam.d/$PAM_SERVICE" <<EOF
# Written by lockbox/client/servertest for test vsftpd servers.
# Only the test account $FTP_USER may log in through this service.
auth     required pam_succeed_if.so quiet user = $FTP_USER
auth     required pam_unix.so
account  required pam_permit.so
session  required pam_permit.so
EOF
    chmod 644 "/etc/pam.d/$PAM_SERVICE"
  fi
  flock -u "$setup_fd"
  exec {setup_fd}>&-
}
setup_account

# ---------------------------------------------------------------- lockbox
say "building lockbox (go build)"
(cd "$REPO" && go build -o "$WORK/bin/lockbox" .) || die "go build failed"
LOCKBOX="$WORK/bin/lockbox"
LOCKBOX_REV=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(cd "$REPO" && git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  LOCKBOX_REV+=" + uncommitted changes"
fi

# ---------------------------------------------------------------- certificate
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=localhost/O=Lockbox bench" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -addext "keyUsage=critical,digitalSignature" \
  -addext "extendedKeyUsage=serverAuth" \
  -keyout "$WORK/server.key" -out "$WORK/server.pem" 2>/dev/null
chmod 600 "$WORK/server.key"

# ---------------------------------------------------------------- data
say "creating the served files"
mkdir -p "$ROOT/tree" "$ROOT/many"
head -c "$((BIG_MIB << 20))" /dev/urandom >"$ROOT/big.bin"
BIG_BYTES=$(stat -c %s "$ROOT/big.bin")
ln "$ROOT/big.bin" "$WORK/src.bin" # the upload source: same bytes, same filesystem
head -c "$((PAIR_MIB << 20))" /dev/urandom >"$ROOT/pair.bin"
TREE_TOTAL=$((TREE_DIRS * TREE_FILES_PER_DIR))
for ((d = 0; d < TREE_DIRS; d++)); do
  dir=$(printf '%s/tree/d%02d' "$ROOT" "$d")
  mkdir -p "$dir"
  head -c $((TREE_FILES_PER_DIR * 8192)) /dev/urandom | split -b 8192 -d -a 3 - "$dir/f"
done
(cd "$ROOT/many" && seq -f 'e%06g' 1 "$LIST_ENTRIES" | xargs touch)
chown -R "$FTP_USER:" "$ROOT"
chmod 755 "$ROOT"

# ---------------------------------------------------------------- ports
# The harness's port locks (STATE_DIR/ports/<base>.lock, blocks of 16 below
# the ephemeral range): take four consecutive blocks, so that neither the
# tests nor another run of this script use them meanwhile. The first port is
# the control port, the other 63 are the passive range.
read -r EPH_LO _ </proc/sys/net/ipv4/ip_local_port_range
mkdir -p "$STATE_DIR/ports"
PORT_FDS=()
release_ports() {
  local fd
  for fd in "${PORT_FDS[@]:-}"; do [ -n "$fd" ] && exec {fd}>&-; done
  PORT_FDS=()
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
reserve_ports() { # reserve_ports BASE: lock the 4 blocks at BASE or fail
  local base=$1 b fd
  for ((b = base; b < base + 64; b += 16)); do
    exec {fd}>"$STATE_DIR/ports/$b.lock"
    if ! flock -n "$fd"; then
      exec {fd}>&-
      release_ports
      return 1
    fi
    PORT_FDS+=("$fd")
  done
  port_free "$base" || {
    release_ports
    return 1
  }
}

NONCE=$(openssl rand -hex 8)
write_config() { # write_config PORT
  cat >"$WORK/vsftpd.conf" <<EOF
# Written by lockbox bench/run.sh.
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$1
background=NO
ftpd_banner=Lockbox bench vsftpd $NONCE
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
pam_service_name=$PAM_SERVICE
local_root=$ROOT
chroot_local_user=YES
allow_writeable_chroot=YES
secure_chroot_dir=$SECURE_CHROOT
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$(($1 + 1))
pasv_max_port=$(($1 + 63))
ssl_enable=YES
implicit_ssl=NO
rsa_cert_file=$WORK/server.pem
rsa_private_key_file=$WORK/server.key
ssl_ciphers=HIGH
require_ssl_reuse=YES
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_cert=NO
validate_cert=NO
# A transfer log and the TLS debug line per connection (version, cipher,
# resumed or not): one or two short lines per transfer.
xferlog_enable=YES
xferlog_std_format=NO
vsftpd_log_file=$WORK/vsftpd.log
debug_ssl=YES
log_ftp_protocol=NO
syslog_enable=NO
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
EOF
  chmod 600 "$WORK/vsftpd.conf"
}

# wait_banner PORT: poll the control port (bounded; no sleeps) until our
# vsftpd greets with its nonce, or it exits.
wait_banner() {
  local port=$1 i line fd
  for ((i = 0; i < 20000; i++)); do
    kill -0 "$VSFTPD_PID" 2>/dev/null || return 2
    if { exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      line=""
      read -r -t 5 -u "$fd" line || true
      printf 'QUIT\r\n' >&"$fd" 2>/dev/null || true
      exec {fd}>&-
      case "$line" in
      *"$NONCE"*) return 0 ;;
      *) return 3 ;; # someone else's server
      esac
    fi
  done
  return 1
}

start_vsftpd() {
  local bases=() b tries=0 rc
  for ((b = 10240; b + 64 <= EPH_LO; b += 64)); do bases+=("$b"); done
  [ ${#bases[@]} -gt 0 ] || die "no port range below the ephemeral range ($EPH_LO)"
  local start=$((RANDOM % ${#bases[@]})) n=${#bases[@]} k
  for ((k = 0; k < n && tries < 8; k++)); do
    b=${bases[$(((start + k) % n))]}
    reserve_ports "$b" || continue
    tries=$((tries + 1))
    write_config "$b"
    : >"$WORK/vsftpd.stdio"
    # Also asked to die with this script (PDEATHSIG), should the trap not run.
    setpriv --pdeathsig KILL -- "$VSFTPD" "$WORK/vsftpd.conf" \
      <>"$WORK/vsftpd.stdio" >&0 2>&0 &
    VSFTPD_PID=$!
    rc=0
    wait_banner "$b" || rc=$?
    if [ "$rc" -eq 0 ]; then
      PORT=$b
      return 0
    fi
    kill_tree "$VSFTPD_PID"
    VSFTPD_PID=""
    release_ports
    if [ "$rc" -eq 2 ] && ! grep -q "could not bind" "$WORK/vsftpd.stdio"; then
      die "vsftpd exited during startup: $(cat "$WORK/vsftpd.stdio")"
    fi
  done
  die "vsftpd could not start on any of $tries port blocks"
}
say "starting vsftpd"
start_vsftpd
say "vsftpd $VSFTPD_PID on 127.0.0.1:$PORT (passive $((PORT + 1))-$((PORT + 63)))"

# ---------------------------------------------------------------- clients
export LOCKBOX_PASSWORD="$FTP_PASS"
export LOCKBOX_CONFIG_DIR="$WORK/cfg"
URL="ftpes://$FTP_USER@127.0.0.1:$PORT"
LB_TRUST=(--ca "$WORK/server.pem" --servername localhost --no-system-roots)

# curl reads the password from a netrc file (not the command line).
printf 'machine 127.0.0.1 login %s password %s\n' "$FTP_USER" "$FTP_PASS" >"$WORK/cfg/netrc"
chmod 600 "$WORK/cfg/netrc"
CURL=(curl --ssl-reqd -k -s -S --fail --netrc-file "$WORK/cfg/netrc")
CURL_URL="ftp://127.0.0.1:$PORT"

# lftp reads its settings and the login from a script file (mode 0600).
lftp_script() { # lftp_script NAME COMMAND...: write $WORK/cfg/NAME.lftp
  local f="$WORK/cfg/$1.lftp"
  shift
  {
    echo "set ssl:verify-certificate no"
    echo "set ftp:ssl-force yes"
    echo "set ftp:ssl-protect-data yes"
    echo "set xfer:clobber yes"
    echo "set net:max-retries 1"
    echo "set cmd:fail-exit yes"
    echo "open -u $FTP_USER,$FTP_PASS ftp://127.0.0.1:$PORT"
    printf '%s\n' "$@"
    echo "bye"
  } >"$f"
  chmod 600 "$f"
  echo "$f"
}

# timed CMD...: run CMD under /usr/bin/time; sets WALL (s, from the shell's
# clock), CPU (user+sys s) and RSS (KiB). Output goes to $WORK/out/last.*.
timed() {
  local t0 t1 rc=0 u s m e
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/out/time" "$@" >"$WORK/out/last.out" 2>"$WORK/out/last.err" &
  CLIENT_PID=$!
  wait "$CLIENT_PID" || rc=$?
  CLIENT_PID=""
  t1=$EPOCHREALTIME
  if [ "$rc" -ne 0 ]; then
    say "FAILED ($rc): $*"
    tail -n 20 "$WORK/out/last.err" "$WORK/out/last.out" >&2 || true
    return "$rc"
  fi
  read -r e u s m < <(tail -n 1 "$WORK/out/time")
  WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
  USR=$u
  SYS=$s
  RSS=$m
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mbps() { awk -v b="$BIG_BYTES" -v t="$1" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }
per_gb() { awk -v c="$1" -v b="$2" 'BEGIN { printf "%.2f", c / (b / 1e9) }'; }

check_file() { # check_file GOT WANT
  [ -f "$1" ] && [ "$(stat -c %s "$1")" -eq "$(stat -c %s "$2")" ] || die "$1: wrong size after the transfer"
}

DL="$WORK/dl/big.bin"
UP="$ROOT/up.bin"
clear_dl() { rm -rf -- "$WORK/dl" && mkdir -p "$WORK/dl"; }
clear_up() { rm -f -- "$UP"; }

# One command per tool and test.
dl_lockbox() { timed "$LOCKBOX" get --json "${LB_TRUST[@]}" --exists overwrite -o "$DL" "$URL/big.bin"; }
dl_curl() { timed "${CURL[@]}" -o "$DL" "$CURL_URL/big.bin"; }
dl_lftp() { timed lftp -f "$(lftp_script dl "get big.bin -o $DL")"; }
dl_lockboxA() { timed "$LOCKBOX" get --json --active "${LB_TRUST[@]}" --exists overwrite -o "$DL" "$URL/big.bin"; }
up_lockboxA() { timed "$LOCKBOX" put --json --active "${LB_TRUST[@]}" --exists overwrite "$WORK/src.bin" "$URL/up.bin"; }
pair_lockbox() { timed "$LOCKBOX" get --json "${LB_TRUST[@]}" --exists overwrite -o "$WORK/dl/pair.bin" "$URL/pair.bin"; }
pair_lftp() { timed lftp -f "$(lftp_script pair "get pair.bin -o $WORK/dl/pair.bin")"; }
up_lockbox() { timed "$LOCKBOX" put --json "${LB_TRUST[@]}" --exists overwrite "$WORK/src.bin" "$URL/up.bin"; }
up_curl() { timed "${CURL[@]}" -T "$WORK/src.bin" "$CURL_URL/up.bin"; }
up_lftp() { timed lftp -f "$(lftp_script up "put $WORK/src.bin -o up.bin")"; }
tree_lockbox() { timed "$LOCKBOX" get --json "${LB_TRUST[@]}" -r --parallel 4 -o "$WORK/dl/tree" "$URL/tree"; }
tree_lockbox1() { timed "$LOCKBOX" get --json "${LB_TRUST[@]}" -r --parallel 1 -o "$WORK/dl/tree" "$URL/tree"; }
tree_lftp() { timed lftp -f "$(lftp_script tree "mirror --parallel=4 tree $WORK/dl/tree")"; }
ls_lockbox() { timed "$LOCKBOX" ls --json "${LB_TRUST[@]}" "$URL/many"; }
ls_curl() { timed "${CURL[@]}" "$CURL_URL/many/"; }
ls_lftp() { timed lftp -f "$(lftp_script ls "cls -1 many")"; }

# ---------------------------------------------------------------- sanity
say "checking every client once (not timed into the results)"
# tls_seen: what vsftpd logged about the TLS connections since the last
# call: "TLSv1.3 TLS_AES_256_GCM_SHA384: 1 new, 1 resumed".
LOG_SEEN=0
tls_seen() {
  local total
  total=$(wc -l <"$WORK/vsftpd.log")
  tail -n "+$((LOG_SEEN + 1))" "$WORK/vsftpd.log" | head -n "$((total - LOG_SEEN))" |
    sed -n 's/.*SSL version: \([^,]*\), SSL cipher: \([^,]*\), \(not reused\|reused\).*/\1 \2|\3/p' |
    sort | uniq -c | awk '{ n = $1; $1 = ""; split(substr($0, 2), f, "|"); k = f[1]; r = (f[2] == "reused") ? "resumed" : "new"
      out[k] = out[k] (out[k] == "" ? "" : ", ") n " " r } END { for (k in out) printf "%s%s (%s)", (i++ ? "; " : ""), k, out[k] }'
  LOG_SEEN=$total
}
declare -A TLS_OF
for t in lockbox lockboxA curl lftp; do
  clear_dl
  tls_seen >/dev/null
  "dl_$t"
  cmp -s "$DL" "$ROOT/big.bin" || die "$t: the download differs from the source"
  TLS_OF[$t]=$(tls_seen)
done
clear_dl
for t in lockbox lockboxA curl lftp; do
  clear_up
  "up_$t"
  cmp -s "$UP" "$ROOT/big.bin" || die "$t: the upload differs from the source"
done
clear_up
for t in lockbox lftp; do
  "tree_$t"
  n=$(find "$WORK/dl/tree" -type f | wc -l)
  [ "$n" -eq "$TREE_TOTAL" ] || die "$t: the tree download has $n files, not $TREE_TOTAL"
  diff -r -q "$WORK/dl/tree" "$ROOT/tree" >/dev/null || die "$t: the tree download differs"
  clear_dl
done
ls_lockbox
n=$(jq '.entries | length' "$WORK/out/last.out")
[ "$n" -eq "$LIST_ENTRIES" ] || die "lockbox ls: $n entries, not $LIST_ENTRIES"
ls_curl
n=$(grep -c ' e[0-9]' "$WORK/out/last.out" || true)
[ "$n" -eq "$LIST_ENTRIES" ] || die "curl: $n entries listed, not $LIST_ENTRIES"
ls_lftp
n=$(grep -cE '(^|/)e[0-9]+$' "$WORK/out/last.out" || true)
[ "$n" -eq "$LIST_ENTRIES" ] || die "lftp cls: $n entries listed, not $LIST_ENTRIES"

# ---------------------------------------------------------------- measure
declare -A W C U S R # wall, cpu, user, sys, rss lists keyed by "tool test"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
record() { W["$1"]+="$WALL "; C["$1"]+="$CPU "; U["$1"]+="$USR "; S["$1"]+="$SYS "; R["$1"]+="$RSS "; }

# Round robin over the tools within each run, so that drift (page cache,
# thermal, other load) falls on every tool alike; the order rotates from
# run to run, so that no tool always goes first (right after another test's
# files were removed and synced).
rotate() { # rotate I WORD...: the words, starting at the (I mod count)-th
  local i=$1
  shift
  local n=$# k
  for ((k = 0; k < n; k++)); do
    local j=$(((i + k) % n + 1))
    printf '%s ' "${!j}"
  done
}
for ((i = 1; i <= RUNS_BIG; i++)); do
  say "512 MiB download and upload, run $i/$RUNS_BIG"
  for t in $(rotate "$i" lockbox lockboxA curl lftp); do
    clear_dl
    sync
    "dl_$t"
    check_file "$DL" "$ROOT/big.bin"
    record "$t download"
  done
  clear_dl
  for t in $(rotate "$i" lockbox lockboxA curl lftp); do
    clear_up
    sync
    "up_$t"
    check_file "$UP" "$ROOT/big.bin"
    record "$t upload"
  done
  clear_up
done
sync
# Alternating pairs, lockbox and lftp, the order swapped every pair: the
# ratio of each pair cancels the drift both runs share.
PAIR_W=""
PAIR_C=""
PAIR_LINES=""
for ((i = 1; i <= PAIRS; i++)); do
  say "$PAIR_MIB MiB download, pair $i/$PAIRS"
  declare -A PW PC
  for t in $(rotate "$i" lockbox lftp); do
    clear_dl
    sync
    "pair_$t"
    check_file "$WORK/dl/pair.bin" "$ROOT/pair.bin"
    PW[$t]=$WALL
    PC[$t]=$CPU
  done
  PAIR_W+="$(awk -v a="${PW[lockbox]}" -v b="${PW[lftp]}" 'BEGIN { printf "%.3f", a / b }') "
  PAIR_C+="$(awk -v a="${PC[lockbox]}" -v b="${PC[lftp]}" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }') "
  PAIR_LINES+="${PW[lockbox]}/${PW[lftp]} s, "
done
clear_dl
sync
for ((i = 1; i <= RUNS_TREE; i++)); do
  say "small-files tree, run $i/$RUNS_TREE"
  for t in $(rotate "$i" lockbox lockbox1 lftp); do
    clear_dl
    sync
    "tree_$t"
    n=$(find "$WORK/dl/tree" -type f | wc -l)
    [ "$n" -eq "$TREE_TOTAL" ] || die "$t: the tree download has $n files, not $TREE_TOTAL"
    record "$t tree"
  done
done
clear_dl
for ((i = 1; i <= RUNS_LIST; i++)); do
  say "listing $LIST_ENTRIES entries, run $i/$RUNS_LIST"
  for t in $(rotate "$i" lockbox curl lftp); do
    "ls_$t"
    record "$t list"
  done
done

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- perf
# Where lockbox's own CPU goes, from the real binary (Go keeps frame
# pointers, so perf can walk the stacks).
PERF_OUT=""
if [ "$HAVE_PERF" = 1 ]; then
  say "perf profiles of lockbox"
  perf_top() { # perf_top NAME CMD...
    local name=$1
    shift
    clear_dl
    clear_up
    if perf record -q -F 999 -g -o "$WORK/out/$name.perf" -- "$@" >/dev/null 2>"$WORK/out/perf.err"; then
      PERF_OUT+=$'\n'"#### lockbox $name: perf report --no-children (top 25 by self time)"$'\n\n```\n'
      PERF_OUT+=$(perf report -q --stdio -i "$WORK/out/$name.perf" --no-children -F overhead,dso,sym \
        --percent-limit 0.8 -g none 2>/dev/null | grep -v '^$' | sed 's/[[:space:]]*$//' | head -n 25)
      PERF_OUT+=$'\n```\n'
    fi
  }
  perf_top download "$LOCKBOX" get --json "${LB_TRUST[@]}" --exists overwrite -o "$DL" "$URL/big.bin"
  perf_top tree "$LOCKBOX" get --json "${LB_TRUST[@]}" -r --parallel 4 -o "$WORK/dl/tree" "$URL/tree"
  perf_top list "$LOCKBOX" ls --json "${LB_TRUST[@]}" "$URL/many"
  clear_dl
fi
# System calls of one 512 MiB download per tool (strace -f -c: counts are
# exact, times are inflated by strace itself).
if [ "$PERF" = 1 ] && command -v strace >/dev/null; then
  say "system calls of one download per tool"
  PERF_OUT+=$'\n'"#### System calls of one $BIG_MIB MiB download (strace -f -c, calls; top 8)"$'\n\n```\n'
  for t in lockbox curl lftp; do
    clear_dl
    case $t in
    lockbox) cmd=("$LOCKBOX" get --json "${LB_TRUST[@]}" --exists overwrite -o "$DL" "$URL/big.bin") ;;
    curl) cmd=("${CURL[@]}" -o "$DL" "$CURL_URL/big.bin") ;;
    lftp) cmd=(lftp -f "$(lftp_script dl "get big.bin -o $DL")") ;;
    esac
    if strace -f -c -S calls -o "$WORK/out/strace.$t" "${cmd[@]}" >/dev/null 2>&1; then
      PERF_OUT+="$t: $(awk 'NR > 2 && $1 !~ /^-/ && $NF != "total" { n = (NF == 6) ? $4 : $4; e = (NF == 6) ? "/" $5 " err" : ""; printf "%s%s %s%s", (c++ ? ", " : ""), $NF, n, e; if (c == 8) exit }' "$WORK/out/strace.$t")"$'\n'
    fi
  done
  PERF_OUT+=$'```\n'
  # How the part file is written and closed: a truncate of it (even of an
  # empty file) makes ext4 write the whole file back inside the last close.
  clear_dl
  if strace -f -T -e trace=ftruncate,fsync,fdatasync,close,renameat,renameat2 -o "$WORK/out/strace.files" \
    "$LOCKBOX" get --json "${LB_TRUST[@]}" --exists overwrite -o "$DL" "$URL/big.bin" >/dev/null 2>&1; then
    PERF_OUT+=$'\n'"#### lockbox's part file, one download (strace -f -T: calls, slowest)"$'\n\n```\n'
    PERF_OUT+=$(awk '{ name = "" }
      $2 ~ /^(ftruncate|fsync|fdatasync|close|renameat2?)\(/ && $NF ~ /^<[0-9.]+>$/ { name = $2; sub(/\(.*/, "", name) }
      $2 == "<..." && $3 ~ /^(ftruncate|fsync|fdatasync|close|renameat2?)$/ && $NF ~ /^<[0-9.]+>$/ { name = $3 }
      name != "" { t = $NF; gsub(/[<>]/, "", t); n[name]++; if (t + 0 > max[name]) max[name] = t + 0 }
      END { for (k in n) printf "%s %d, slowest %.3f s\n", k, n[k], max[k] }' "$WORK/out/strace.files" | sort)
    PERF_OUT+=$'\n```\n'
  fi
  clear_dl
fi

# ---------------------------------------------------------------- Go benchmarks
GO_OUT=""
if [ "$GO_BENCH" = 1 ]; then
  say "Go micro-benchmarks"
  gobench() { # gobench TITLE ARGS...
    local title=$1 out
    shift
    GO_OUT+=$'\n'"#### $title"$'\n\n```\n'"\$ go test $*"$'\n'
    if out=$(cd "$REPO" && go test "$@" 2>&1); then
      GO_OUT+=$(grep -E '^(Benchmark|goos|goarch|cpu|ok|PASS)' <<<"$out" | grep -vE '^(PASS|goos|goarch)')
    else
      GO_OUT+="FAILED:"$'\n'$(tail -n 15 <<<"$out")
    fi
    GO_OUT+=$'\n```\n'
  }
  gobench "Tap passthrough (tapped vs untapped) and handshake parsing" \
    -run '^$' -bench 'TapPassthrough|TapHandshake' -benchtime 2s -count 1 ./client/tlstap/
  gobench "Progress accounting and the copy loop" \
    -run '^$' -bench 'ProgressAdd|MeterSampleAndSnapshot|CopyData' -benchtime 1s -count 1 ./client/ ./client/transfer/
  gobench "The engine against vsftpd (128 MiB, loopback), with a CPU profile" \
    -run '^$' -bench 'VsftpdTransfer' -benchtime 3x -count 1 \
    -cpuprofile "$WORK/out/engine.pprof" -o "$WORK/out/client.test" ./client/
  gobench "Folder synchronisation against lftp mirror -R --parallel=4 (vsftpd, 10,000 files in 100 folders, 4 connections; seconds)" \
    -run '^$' -bench 'SyncAgainstLftp' -benchtime 1x -count 1 -timeout 30m ./client/dirsync/
  gobench "Comparing two trees of 100,000 files (heap in use at the end)" \
    -run '^$' -bench 'Compare100k' -benchtime 3x -count 1 ./client/dirsync/
  if [ -s "$WORK/out/engine.pprof" ]; then
    GO_OUT+=$'\n'"#### go tool pprof -top -focus 'Session\\)\\.[dD]ownload' (the engine's downloads only, top 20 by flat time)"$'\n\n```\n'
    GO_OUT+=$(cd "$REPO" && go tool pprof -top -nodecount 20 -focus 'Session\)\.[dD]ownload' "$WORK/out/client.test" "$WORK/out/engine.pprof" 2>/dev/null |
      sed -n '/flat%/,$p')
    GO_OUT+=$'\n```\n'
  fi
fi

# ---------------------------------------------------------------- report
row() { # row TOOL KEY LABEL KIND: one table row from the recorded runs
  local tool=$1 key="$1 $2" label=$3 kind=$4 walls cpus usrs syss rsss mw mc mu ms mr runs="" v
  read -r -a walls <<<"${W[$key]}"
  read -r -a cpus <<<"${C[$key]}"
  read -r -a usrs <<<"${U[$key]}"
  read -r -a syss <<<"${S[$key]}"
  read -r -a rsss <<<"${R[$key]}"
  mw=$(median "${walls[@]}")
  mc=$(median "${cpus[@]}")
  mu=$(median "${usrs[@]}")
  ms=$(median "${syss[@]}")
  mr=$(median "${rsss[@]}")
  mr=$(awk -v k="$mr" 'BEGIN { printf "%.0f", k / 1024 }') # KiB to MiB
  if [ "$kind" = rate ]; then
    for v in "${walls[@]}"; do runs+="$(mbps "$v"), "; done
    printf '| %s | %s | **%s MB/s** (%s s) | **%s s/GB** (%s s: user %s, sys %s) | %s MiB | %s MB/s |\n' "$tool" "$label" \
      "$(mbps "$mw")" "$mw" "$(per_gb "$mc" "$BIG_BYTES")" "$mc" "$mu" "$ms" "$mr" "${runs%, }"
  else
    for v in "${walls[@]}"; do runs+="$v, "; done
    printf '| %s | %s | **%s s** | %s s (user %s, sys %s) | %s MiB | %s s |\n' "$tool" "$label" "$mw" "$mc" "$mu" "$ms" "$mr" "${runs%, }"
  fi
}

{
  echo "## Lockbox speed benchmark"
  echo
  echo "Command: \`$COMMAND_LINE\` (from the repository root; $(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "| tool | test | median (wall) | client CPU user+sys, median | peak RSS | every run |"
  echo "|---|---|---|---|---|---|"
  for t in lockbox curl lftp; do row "$t" download "download $BIG_MIB MiB" rate; done
  row lockboxA download "download $BIG_MIB MiB, active mode (\`--active\`)" rate | sed 's/^| lockboxA |/| lockbox |/'
  for t in lockbox curl lftp; do row "$t" upload "upload $BIG_MIB MiB" rate; done
  row lockboxA upload "upload $BIG_MIB MiB, active mode (\`--active\`)" rate | sed 's/^| lockboxA |/| lockbox |/'
  for t in lockbox lftp; do row "$t" tree "$TREE_TOTAL × 8 KiB in $TREE_DIRS folders, 4 connections" time; done
  row lockbox1 tree "the same, 1 connection (\`--parallel 1\`)" time | sed 's/^| lockbox1 |/| lockbox |/'
  for t in lockbox curl lftp; do row "$t" list "list $LIST_ENTRIES entries" time; done
  echo
  read -r -a pw <<<"$PAIR_W"
  read -r -a pc <<<"$PAIR_C"
  echo "**Single file against lftp, $PAIRS alternating pairs of $PAIR_MIB MiB downloads:** lockbox's wall time is"
  echo "**$(median "${pw[@]}")× lftp's** (median of the per-pair ratios; every pair, lockbox/lftp: ${PAIR_LINES%, }),"
  echo "at $(median "${pc[@]}")× its CPU time."
  echo
  echo "Medians of $RUNS_BIG runs (single file), $RUNS_TREE (tree) and $RUNS_LIST (listing); the tools"
  echo "take turns within each run, in an order that rotates from run to run. MB = 10^6 bytes,"
  echo "GB = 10^9 bytes. Wall time is the whole process"
  echo "(start, connect, TLS, login, transfer, exit); CPU is the client process's user+sys time"
  echo "(/usr/bin/time), which does not include the server's. Downloads go to a file on the same"
  echo "filesystem, removed (and \`sync\`ed) between runs; uploads read a file from the page cache."
  echo
  echo "Commands (\`\$URL\` = ftpes://lockboxftp@127.0.0.1:PORT, \`T\` = --ca server.pem --servername localhost --no-system-roots,"
  echo "password from LOCKBOX_PASSWORD, curl's from a netrc file, lftp's from its script):"
  echo
  echo "- lockbox: \`lockbox get --json T --exists overwrite -o dl/big.bin \$URL/big.bin\`,"
  echo "  \`lockbox put --json T --exists overwrite src.bin \$URL/up.bin\`,"
  echo "  \`lockbox get --json T -r --parallel 4 -o dl/tree \$URL/tree\`, \`lockbox ls --json T \$URL/many\`"
  echo "- curl: \`curl --ssl-reqd -k -s -S --fail --netrc-file netrc\` with \`-o dl/big.bin ftp://127.0.0.1:PORT/big.bin\`,"
  echo "  \`-T src.bin ftp://127.0.0.1:PORT/up.bin\`, \`ftp://127.0.0.1:PORT/many/\` (LIST)"
  echo "- lftp: \`lftp -f script\` with \`set ssl:verify-certificate no; set ftp:ssl-force yes;"
  echo "  set ftp:ssl-protect-data yes; set xfer:clobber yes\` and \`get big.bin -o dl/big.bin\`,"
  echo "  \`put src.bin -o up.bin\`, \`mirror --parallel=4 tree dl/tree\`, \`cls -1 many\`"
  echo
  echo "TLS as vsftpd logged it for one download (control connection, then the data connection):"
  echo "lockbox ${TLS_OF[lockbox]:-?}; curl ${TLS_OF[curl]:-?}; lftp ${TLS_OF[lftp]:-?}."
  echo
  echo "### Machine"
  echo
  echo "- $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -g | awk '/^Mem:/ { print $2 " GiB RAM" }')"
  echo "- kernel $(uname -r) ($(uname -m)); $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "- load average (1, 5, 15 min) before the timed runs $LOAD_START, after them $LOAD_END"
  echo "- filesystem of the files: $(df -T "$WORK" | awk 'NR == 2 { print $2 }')"
  echo "- vsftpd $("$VSFTPD" -v 0>&1 2>&1 | sed -n 's/.*version //p' | head -n 1) (Debian $(dpkg-query -W -f '${Version}' vsftpd 2>/dev/null || echo '?')),"
  echo "  OpenSSL $(openssl version | awk '{ print $2 }')"
  echo "- $(curl --version | head -n 1 | awk '{ print $1, $2, $4 }')"
  echo "- $(lftp --version | head -n 1 | sed 's/ | Copyright.*//; s/|//g; s/  */ /g')"
  echo "- $(go version | sed 's/^go version //')"
  echo "- lockbox at $LOCKBOX_REV"
  echo
  echo "vsftpd: explicit TLS, \`require_ssl_reuse=YES\`, \`ssl_ciphers=HIGH\`, \`force_local_data_ssl=YES\`,"
  echo "self-signed ECDSA P-256 certificate (openssl), passive ports on 127.0.0.1, transfer log and"
  echo "\`debug_ssl=YES\` (one line per transfer and per TLS connection)."
  if [ -n "$PERF_OUT" ]; then
    echo
    echo "### Where lockbox's CPU goes (perf, the real binary)"
    echo "$PERF_OUT"
  fi
  if [ -n "$GO_OUT" ]; then
    echo
    echo "### Go micro-benchmarks"
    echo "$GO_OUT"
  fi
} >"$WORK/out/results.md"

cp "$WORK/out/results.md" "$RESULTS"
cat "$RESULTS"
say "written to $RESULTS"
