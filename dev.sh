#!/usr/bin/env bash
# Softphone developer entry point. On a fresh Debian/Ubuntu machine it installs what is
# needed (system packages when run as root or with sudo, a .venv, the project) and then:
#   bash dev.sh run [ARGS...]   launch the app (embedded default line, no server needed)
#   bash dev.sh test [PYTEST ARGS...]   lint, type-check, layer check and the whole test suite
#   bash dev.sh bench [NAME...] run the benchmarks (see benchmarks/README.md)
#   bash dev.sh setup           only the set-up
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD
VENV=$ROOT/.venv

# Debian packages: runtime (Qt's xcb/EGL libraries, PulseAudio, PortAudio) and the real
# peers the tests talk to (SIPp, Kamailio, baresip, linphonec), Xvfb for screenshots.
APT_RUNTIME=(python3 python3-venv python3-pip libpulse0 libportaudio2 libegl1 libgl1
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
  libxcb-xkb1 libfontconfig1 libdbus-1-3 fonts-inter openssl)
APT_TEST=(sip-tester kamailio kamailio-utils-modules kamailio-tls-modules baresip-core
  linphone-cli pulseaudio pulseaudio-utils sox xvfb xauth x11-utils dbus imagemagick sngrep
  linphone-desktop nftables)

log() { printf '\033[1m[softphone]\033[0m %s\n' "$*" >&2; }

apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
      log "missing system packages (${missing[*]}) and not root: install them and re-run"; return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "no apt-get here: install the equivalents of: ${missing[*]}"; return 1
  fi
  log "installing system packages: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pick_python() {
  local c v
  for c in "${PYTHON:-}" python3.12 python3.11 python3.10 python3; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 || continue
    v=$("$c" -c 'import sys; print("%d%02d" % sys.version_info[:2])' 2>/dev/null) || continue
    if [ "$v" -ge 310 ] && [ "$v" -le 312 ]; then echo "$c"; return 0; fi
  done
  log "need Python 3.10-3.12 (the pjsua2 wheel stops at 3.12); set PYTHON=/path/to/python"; return 1
}

setup() {
  local extras=$1; shift
  apt_install "${APT_RUNTIME[@]}" "$@"
  local py stamp want
  py=$(pick_python)
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV with $py"
    "$py" -m venv "$VENV"
  fi
  stamp=$VENV/.softphone-installed
  want="$extras $(sha256sum pyproject.toml | cut -c1-16)"
  local have; have=$(cat "$stamp" 2>/dev/null || true)
  # the [dev] install is a superset of the plain one
  if [ "$have" != "$want" ] && [ "$have" != "[dev] ${want#* }" ]; then
    log "installing the project and its pinned dependencies into .venv"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".$extras"
    echo "$want" > "$stamp"
  fi
}

cmd=${1:-run}; [ $# -gt 0 ] && shift
case "$cmd" in
  setup) setup "[dev]" "${APT_TEST[@]}" ;;
  run)
    setup ""
    exec "$VENV/bin/softphone" "$@" ;;
  test)
    setup "[dev]" "${APT_TEST[@]}"
    export PATH="$VENV/bin:$PATH"
    log "ruff";  ruff check softphone tests benchmarks
    log "mypy";  mypy
    log "import-linter (layer rules)"; lint-imports
    log "pytest"
    exec python -m pytest "$@" ;;
  bench)
    setup "[dev]" "${APT_TEST[@]}"
    exec "$VENV/bin/python" -m benchmarks "$@" ;;
  *) log "unknown command '$cmd' (run | test | bench | setup)"; exit 2 ;;
esac
