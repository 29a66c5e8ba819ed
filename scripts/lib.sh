# Helpers shared by the scripts (sourced, not run).

section() { printf '\n=== %s ===\n' "$*"; }

# Runs a command with sudo when not root (CI and fresh machines run as root).
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs Debian packages that are missing (one apt-get update per run at most).
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ ! -f /tmp/.dharma-apt-updated ]; then
    as_root apt-get update -qq && touch /tmp/.dharma-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Makes sure cargo is on PATH (rustup installs it in ~/.cargo/bin).
ensure_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  fi
  command -v cargo >/dev/null 2>&1 || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 2; }
}
