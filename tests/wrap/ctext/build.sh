#!/usr/bin/env bash
# Builds tests/wrap/ctext into OUT (a composed component): C → core modules
# with clang for wasm32-wasi (the provider a reactor, the app a command),
# then compose.mjs with the WASI preview1 adapters of ADAPTERS.  Run from
# the repository root:  tests/wrap/ctext/build.sh ADAPTERS OUT
set -eu
adapters=$1 out=$2
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clang --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-debug \
	-o "$tmp/provider.core.wasm" "$here/provider.c"
clang --target=wasm32-wasi -O2 -Wl,--strip-debug \
	-o "$tmp/app.core.wasm" "$here/app.c"
node "$here/compose.mjs" "$tmp/provider.core.wasm" "$tmp/app.core.wasm" \
	"$here/text.wit" "$adapters" "$out"
