#!/usr/bin/env bash
# Unit tests, in the release build and again under ASan+UBSan.
set -u
cd "$MELD_ROOT"
p=0 f=0
for bin in build/test_unit build/asan/test_unit; do
	out=$("$bin" 2>&1)
	rc=$?
	echo "$out" | grep -v '^[a-z]* *ok$' | sed "s|^|$bin: |"
	last=$(echo "$out" | tail -n 1)
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]] && [ $rc -eq 0 -o "${BASH_REMATCH[2]}" != 0 ]; then
		p=$((p + BASH_REMATCH[1])) f=$((f + BASH_REMATCH[2]))
	else
		echo "$bin: crashed (exit $rc)"
		f=$((f + 1))
	fi
done
echo "$p passed, $f failed"
