#!/usr/bin/env bash
# Installs the Debian packages named as arguments when they are missing (idempotent, quiet, fast when
# everything is present). Used by tests and CI on a fresh machine, e.g.:
#   bash scripts/ensure-system-packages.sh etcd-server nginx
# Exit status: 0 when every package is installed afterwards; non-zero with a message otherwise.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <debian-package>..." >&2
  exit 2
fi

missing=()
for pkg in "$@"; do
  if ! [[ "$pkg" =~ ^[a-z0-9][a-z0-9.+-]+$ ]]; then
    echo "ensure-system-packages: '$pkg' is not a Debian package name" >&2
    exit 2
  fi
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  if [ "$status" != "installed" ]; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-system-packages: missing ${missing[*]} and apt-get is not available; install them with your system's package manager" >&2
  exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo -n)
  else
    echo "ensure-system-packages: missing ${missing[*]}; run as root or install them: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# Several test files may call this at once: one apt run at a time, the others wait and re-check.
lock_file="${TMPDIR:-/tmp}/snetd-ensure-system-packages.lock"
exec 9>"$lock_file"
flock 9

still_missing=()
for pkg in "${missing[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  [ "$status" = "installed" ] || still_missing+=("$pkg")
done
if [ "${#still_missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "ensure-system-packages: installing ${still_missing[*]}" >&2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo_cmd[@]}" apt-get update -qq >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-system-packages: apt-get update failed (network or sources.list?)" >&2
  exit 1
fi
if ! "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${still_missing[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-system-packages: apt-get install ${still_missing[*]} failed" >&2
  exit 1
fi
echo "ensure-system-packages: installed ${still_missing[*]}" >&2
