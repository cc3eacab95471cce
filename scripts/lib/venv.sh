# Sourced by scripts/demo and scripts/test: make .venv and install pinned requirements.
#   ensure_venv requirements/base.txt [requirements/dev.txt ...]
# A stamp per requirements file (its sha256) makes a second run skip pip entirely.

VENV=${VENV:-.venv}
PY="$VENV/bin/python"

ensure_venv() {
  if [ ! -x "$PY" ]; then
    local python
    python=$(command -v python3.11 || command -v python3 || true)
    if [ -z "$python" ]; then
      echo "python3 (3.11 or newer) is needed: apt-get install -y python3 python3-venv" >&2
      return 1
    fi
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "$python is $("$python" -V 2>&1); callviewer needs Python 3.11 or newer." >&2
      return 1
    fi
    echo "Creating $VENV with $("$python" -V 2>&1)"
    if ! "$python" -m venv "$VENV"; then
      echo "Could not create $VENV: on Debian, apt-get install -y python3-venv" >&2
      rm -rf "$VENV"
      return 1
    fi
  fi
  local file stale=() args=()
  for file in "$@"; do
    args+=(-r "$file")
    [ "$(cat "$VENV/.installed-$(basename "$file")" 2>/dev/null)" = "$(sha256sum < "$file")" ] \
      || stale+=("$file")
  done
  [ ${#stale[@]} -eq 0 ] && return 0
  echo "Installing ${*} into $VENV"
  "$PY" -m pip install --quiet --disable-pip-version-check --require-hashes "${args[@]}" || return 1
  for file in "$@"; do
    sha256sum < "$file" > "$VENV/.installed-$(basename "$file")"
  done
}
