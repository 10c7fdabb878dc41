#!/usr/bin/env bash
# run.sh: build every libFuzzer target in fuzz/ (clang, ASan+UBSan) into fuzz/out/ and run
# each for SECONDS (default 30) on its seed corpus. Exits non-zero when any target crashes.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]   (targets: csv utf8 route geo json_body form)
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-30}
shift || true
TARGETS=${*:-csv utf8 route geo json_body form}
CC=${CC_FUZZ:-clang}
OUT=fuzz/out
PKGS="libmicrohttpd jansson sqlite3 libpq libsodium libcurl libutf8proc xlsxwriter"
CFLAGS="-std=gnu17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Isrc -Ibuild/gen $(pkg-config --cflags $PKGS)"
SAN="address,undefined"
LIBS="$(pkg-config --libs $PKGS) -lstemmer -lpthread -lm"

# The embedded files table (migrations, demo data, openapi.json) comes from the main build.
make -s -j1 build/gen/embedded.c || { echo "fuzz: cannot generate build/gen/embedded.c"; exit 2; }

# The foundation code (everything but main.c and the text engine) as one archive, so each
# target links only the objects it needs.
mkdir -p "$OUT/obj" "$OUT/crashes"
SRCS="$(find src/core src/store src/auth src/audit src/registry src/http -name '*.c' | sort) src/open311/form.c src/open311/xml.c build/gen/embedded.c"
objs=()
for s in $SRCS; do
	o="$OUT/obj/$(echo "$s" | tr / _).o"
	if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ -n "$(find src -name '*.h' -newer "$o" -print -quit)" ]; then
		$CC $CFLAGS -fsanitize=fuzzer-no-link,$SAN -fno-sanitize-recover=all -c -o "$o" "$s" ||
			{ echo "fuzz: compiling $s failed"; exit 2; }
	fi
	objs+=("$o")
done
rm -f "$OUT/libotklik.a"
ar rcs "$OUT/libotklik.a" "${objs[@]}"

status=0
for t in $TARGETS; do
	bin="$OUT/fuzz_$t"
	$CC $CFLAGS -fsanitize=fuzzer,$SAN -fno-sanitize-recover=all -o "$bin" "fuzz/fuzz_$t.c" \
		"$OUT/libotklik.a" $LIBS || { echo "fuzz: building $t failed"; status=1; continue; }
	corpus="$OUT/corpus/$t" # a working copy; the seeds in fuzz/corpus stay small
	mkdir -p "$corpus"
	dict=()
	[ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
	echo "== fuzz_$t (${SECONDS_EACH}s)"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=print_stacktrace=1 \
		"$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$OUT/crashes/${t}-" "${dict[@]}" \
		"$corpus" "fuzz/corpus/$t" >"$OUT/$t.log" 2>&1
	rc=$?
	grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$OUT/$t.log" | tail -3
	if [ $rc -ne 0 ]; then
		echo "fuzz_$t FAILED (exit $rc); see $OUT/$t.log and $OUT/crashes/"
		grep -m3 -E 'ERROR: |runtime error|SUMMARY' "$OUT/$t.log"
		status=1
	fi
done
exit $status
