# bin/find-jdk.sh - sourced by ./yakima and the benchmark scripts: finds a JDK
# of version $MIN_JAVA (default 25) or newer. `find_jdk` prints its home:
# $JAVA_HOME if it is new enough, else the newest in the usual install
# locations, else the `java` on PATH if it is new enough; nothing if none.
# `jvm_options FILE` prints the options listed in bin/jvm-options on one line.
# shellcheck shell=bash
MIN_JAVA="${MIN_JAVA:-25}"

# The major version of the Java installation at $1 (8, 17, 25...), or nothing.
java_major() {
  local home="$1" v=""
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n 1)"
  fi
  if [ -z "$v" ]; then
    v="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)" || true
  fi
  v="${v#1.}"          # 1.8.0_292 -> 8.0_292
  v="${v%%[!0-9]*}"    # 25.0.1 -> 25, 25-ea -> 25
  [ -n "$v" ] && echo "$v"
  return 0
}

find_jdk() {
  local home major
  if [ -n "${JAVA_HOME:-}" ]; then
    major="$(java_major "$JAVA_HOME")"
    if [ -n "$major" ] && [ "$major" -ge "$MIN_JAVA" ]; then
      echo "$JAVA_HOME"
      return 0
    fi
  fi
  local best="" best_major=0 candidates=()
  shopt -s nullglob
  candidates+=(/usr/lib/jvm/* /opt/java/* /usr/local/*jdk* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home)
  shopt -u nullglob
  if command -v java >/dev/null 2>&1; then
    local j
    j="$(command -v java)"
    j="$(readlink -f "$j" 2>/dev/null || echo "$j")"
    candidates+=("$(dirname "$(dirname "$j")")")
  fi
  for home in "${candidates[@]}"; do
    [ -d "$home" ] || continue
    major="$(java_major "$home")"
    if [ -n "$major" ] && [ "$major" -ge "$MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
      best="$home"
      best_major="$major"
    fi
  done
  [ -n "$best" ] && echo "$best"
  return 0
}


# The JVM options in $1 (bin/jvm-options): one per line, '#' comments and blank lines skipped.
jvm_options() {
  sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$1" | tr '\n' ' '
}
