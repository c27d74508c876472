#!/usr/bin/env bash
# Installs the SysLens agent as a systemd service (docs/operations.md):
#   install-agent.sh --server HOST:PORT --token TOKEN [--ca-file PEM | --ca-fingerprint SHA256]
#                    [--jar syslens-agent-all.jar] [--node-id ID] [--label K=V]... [--java PATH]
#                    [--root DIR] [--dry-run]
# Puts the jar in /opt/syslens-agent, the configuration in /etc/syslens-agent (agent.args, read by
# the agent as an @-file; token 0640), creates the system user syslens-agent, installs and enables
# syslens-agent.service. --dry-run prints what it would do and changes nothing; --root DIR
# installs the files under DIR (a test or image root) without creating the user or calling
# systemctl. Run again to change settings: it overwrites the configuration and restarts.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
server="" token="" token_file="" ca_file="" ca_fp="" node_id="" java="" root="" dry=""
jar=""
labels=()

die() { echo "install-agent: $*" >&2; exit 2; }
usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --server) server=${2:-}; shift 2 ;;
    --token) token=${2:-}; shift 2 ;;
    --token-file) token_file=${2:-}; shift 2 ;;
    --ca-file) ca_file=${2:-}; shift 2 ;;
    --ca-fingerprint) ca_fp=${2:-}; shift 2 ;;
    --jar) jar=${2:-}; shift 2 ;;
    --node-id) node_id=${2:-}; shift 2 ;;
    --label) labels+=("${2:-}"); shift 2 ;;
    --java) java=${2:-}; shift 2 ;;
    --root) root=${2:-}; shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

[[ "$server" =~ ^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$ ]] \
  || die "--server: '$server' (expected: HOST:PORT, e.g. monitor.example.com:8443)"
if [ -n "$token_file" ]; then
  [ -r "$token_file" ] || die "--token-file: $token_file (expected: a readable file)"
  token=$(tr -d '\r\n' < "$token_file")
fi
[ -n "$token" ] || die "--token: none (expected: the server's enrollment token, DATA/secrets/enrollment-token)"
[[ "$token" =~ ^[A-Za-z0-9._~+/=-]{8,512}$ ]] || die "--token: not a token (expected: 8-512 characters of [A-Za-z0-9._~+/=-])"
if [ -n "$ca_file" ] && [ -n "$ca_fp" ]; then die "--ca-file and --ca-fingerprint: both given (expected: one)"; fi
if [ -z "$ca_file" ] && [ -z "$ca_fp" ]; then die "--ca-file / --ca-fingerprint: neither given (expected: one; the agent always uses TLS)"; fi
[ -z "$ca_file" ] || [ -r "$ca_file" ] || die "--ca-file: $ca_file (expected: a readable PEM file)"
[ -z "$ca_fp" ] || [[ "${ca_fp//:/}" =~ ^[0-9A-Fa-f]{64}$ ]] || die "--ca-fingerprint: '$ca_fp' (expected: SHA-256 as 64 hex digits, colons optional)"
[ -z "$node_id" ] || [[ "$node_id" =~ ^[A-Za-z0-9._:-]{1,128}$ ]] || die "--node-id: '$node_id' (expected: 1-128 of [A-Za-z0-9._:-])"
for l in ${labels[@]+"${labels[@]}"}; do
  [[ "$l" =~ ^[a-zA-Z_][a-zA-Z0-9_]*=[^[:cntrl:]]*$ ]] || die "--label: '$l' (expected: name=value)"
done
if [ -z "$jar" ]; then
  for j in "$here/../target/syslens-agent-all.jar" "$here/syslens-agent-all.jar"; do
    if [ -f "$j" ]; then jar=$j; break; fi
  done
fi
if [ -z "$jar" ] || [ ! -f "$jar" ]; then die "--jar: '${jar:-none found}' (expected: syslens-agent-all.jar, built by './mvnw -pl agent -am package')"; fi
if [ -z "$java" ]; then java=$(command -v java || true); fi
if [ -z "$dry" ] && [ -z "$root" ]; then
  [ "$(id -u)" -eq 0 ] || die "must run as root (or use --dry-run / --root DIR)"
  [ -x "$java" ] || die "--java: '${java:-not on PATH}' (expected: a Java 21+ runtime, e.g. apt-get install openjdk-21-jre-headless)"
  major=$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  [ "${major:-0}" -ge 21 ] || die "--java: $java is Java ${major:-?} (expected: 21 or newer)"
fi
java=${java:-/usr/bin/java}

run() { # prints in dry-run, else runs
  if [ -n "$dry" ]; then printf 'would run:'; printf ' %q' "$@"; printf '\n'; else "$@"; fi
}
write() { # write FILE MODE < content
  local file=$1 mode=$2
  if [ -n "$dry" ]; then
    echo "would write $file (mode $mode):"; sed 's/^/    /; s/\(--token\) .*/\1 <hidden>/'
  else
    install -d -m 0755 "$(dirname "$file")"
    local tmp; tmp=$(mktemp "$file.XXXXXX"); cat > "$tmp"; chmod "$mode" "$tmp"; mv -f "$tmp" "$file"
  fi
}

etc="$root/etc/syslens-agent"
user=syslens-agent
if [ -z "$root" ]; then
  if ! getent passwd "$user" >/dev/null; then
    run useradd --system --user-group --no-create-home --home-dir /var/lib/syslens-agent \
      --shell /usr/sbin/nologin --comment "SysLens agent" "$user"
  fi
fi
run install -d -m 0755 "$root/opt/syslens-agent" "$etc"
run install -m 0644 "$jar" "$root/opt/syslens-agent/syslens-agent.jar"
if [ -n "$dry" ]; then echo "would write $etc/token (mode 0640, group $user): <hidden>"; else
  write "$etc/token" 0640 <<<"$token"
fi
if [ -n "$ca_file" ]; then run install -m 0644 "$ca_file" "$etc/ca.crt"; fi
{
  echo "# SysLens agent options, one per line (syslens-agent --help); written by install-agent.sh"
  echo "--server"; echo "$server"
  if [ -n "$ca_file" ]; then echo "--ca-file"; echo "/etc/syslens-agent/ca.crt"; else echo "--ca-fingerprint"; echo "$ca_fp"; fi
  echo "--token-file"; echo "/etc/syslens-agent/token"
  echo "--state-dir"; echo "/var/lib/syslens-agent"
  if [ -n "$node_id" ]; then echo "--node-id"; echo "$node_id"; fi
  for l in ${labels[@]+"${labels[@]}"}; do echo "--label"; echo "$l"; done
} | write "$etc/agent.args" 0644
# ServiceThreadCleanupInterval was measured on Java 25; an older JVM might not know it and would not start.
sed -e "s#@JAVA@#$java#" -e "$([ "${major:-25}" -ge 25 ] || echo 's# -XX:ServiceThreadCleanupInterval=10000##')" \
  "$here/syslens-agent.service" | write "$root/etc/systemd/system/syslens-agent.service" 0644
if [ -z "$root" ]; then
  run chgrp "$user" "$etc/token"
  run systemctl daemon-reload
  run systemctl enable syslens-agent.service
  run systemctl restart syslens-agent.service
  [ -n "$dry" ] || echo "install-agent: syslens-agent is running; 'journalctl -u syslens-agent' shows its log"
else
  echo "install-agent: files installed under $root (no user created, systemctl not called)"
fi
