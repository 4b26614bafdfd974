#!/usr/bin/env bash
# Builds tests/fuse/cgreet into OUT (a composed component): C → core modules
# with clang (wasm32-wasi, reactor), then compose.mjs.  Run from the
# repository root:  tests/fuse/cgreet/build.sh OUT
set -eu
out=$1
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for m in provider consumer; do
	clang --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-debug \
		-o "$tmp/$m.core.wasm" "$here/$m.c"
done
node "$here/compose.mjs" "$tmp/provider.core.wasm" "$tmp/consumer.core.wasm" \
	"$here/greet.wit" "$out"
