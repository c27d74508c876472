# shellcheck shell=bash
# Sourced by ./syslens and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# Order: $JAVA_HOME if new enough, then `java` on PATH, then the usual install places.

syslens_java_major() { # $1 = path to a java binary; prints its feature version or nothing
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

syslens_find_java() { # $1 = "jre" when a runtime without javac will do (running the agent)
  local min=21 cand major need_javac=1
  [ "${1:-}" = "jre" ] && need_javac=0
  local -a cands=()
  [ -n "${JAVA_HOME:-}" ] && cands+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    cands+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  local -a places=(/usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home)
  if [ -n "${HOME:-}" ]; then places+=("$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*); fi
  for cand in "${places[@]}"; do
    [ -d "$cand" ] && cands+=("$cand")
  done
  local best="" best_major=0
  for cand in "${cands[@]}"; do
    [ -x "$cand/bin/java" ] || continue
    [ "$need_javac" -eq 0 ] || [ -x "$cand/bin/javac" ] || continue
    major=$(syslens_java_major "$cand/bin/java")
    [ -n "$major" ] || continue
    if [ "$major" -ge "$min" ] && [ "$major" -gt "$best_major" ]; then
      best="$cand"; best_major="$major"
      # JAVA_HOME wins when it is new enough, whatever else is installed.
      [ "$cand" = "${JAVA_HOME:-}" ] && break
    fi
  done
  if [ -z "$best" ]; then
    cat >&2 <<'MSG'
syslens: no JDK 21 or newer found (looked at $JAVA_HOME, `java` on PATH and /usr/lib/jvm, /usr/java, /opt).
Install one, for example:
  Debian/Ubuntu:  sudo apt-get install openjdk-21-jdk      (or Temurin 21/25 from adoptium.net)
  macOS:          brew install openjdk@21
then run again, or point JAVA_HOME at it.
MSG
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
}
