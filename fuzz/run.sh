#!/usr/bin/env bash
# run.sh: build every libFuzzer target in fuzz/ (clang, ASan+UBSan) into fuzz/out/ and run
# each for SECONDS (default 30) on its seed corpus. Exits non-zero when any target crashes.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
#   targets: csv utf8 route geo json_body form query attachment text facts open311 appeal_json
#   (docs/fuzzing.md says what each covers). Everything it writes stays under fuzz/out/.
set -uo pipefail
cd "$(dirname "$0")/.."
ALL_TARGETS="csv utf8 route geo json_body form query attachment text facts open311 appeal_json"
SECONDS_EACH=${1:-30}
shift || true
TARGETS=${*:-$ALL_TARGETS}
for t in $TARGETS; do
	[ -f "fuzz/fuzz_$t.c" ] || { echo "fuzz: unknown target $t (known: $ALL_TARGETS)"; exit 2; }
done
CC=${CC_FUZZ:-clang}
OUT=${FUZZ_OUT:-fuzz/out}
GEN="$OUT/gen"
PKGS="libmicrohttpd jansson sqlite3 libpq libsodium libcurl libutf8proc xlsxwriter zlib"
CFLAGS="-std=gnu17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Isrc -I$GEN $(pkg-config --cflags $PKGS)"
SAN="address,undefined"
LIBS="$(pkg-config --libs $PKGS) -lstemmer -lpthread -lm"

# The embedded files table (migrations, demo data, openapi.json), generated as the Makefile does
# for $(BUILD)/gen/embedded.c but into fuzz/out/gen, so the main build directory is not touched.
mkdir -p "$OUT/obj" "$OUT/crashes" "$OUT/tools" "$GEN" "$OUT/tmp"
rm -rf "$OUT"/tmp/otklik-fuzz-* # stores left by a target that stopped on a finding
[ -f src/http/openapi.json ] || make -s src/http/openapi.json ||
	{ echo "fuzz: cannot merge src/http/openapi.json"; exit 2; }
mapfile -t ASSETS < <(find web migrations data -type f 2>/dev/null | grep -v -e '/\.' -e '~$' | sort)
ASSETS+=(src/http/openapi.json)
if [ ! -x "$OUT/tools/embed" ] || [ tools/embed.c -nt "$OUT/tools/embed" ]; then
	${CC_HOST:-cc} -O1 -o "$OUT/tools/embed" tools/embed.c || { echo "fuzz: building embed failed"; exit 2; }
fi
stale=1
if [ -f "$GEN/embedded.c" ] && [ "$OUT/tools/embed" -ot "$GEN/embedded.c" ]; then
	stale=0
	for f in "${ASSETS[@]}"; do [ "$f" -nt "$GEN/embedded.c" ] && { stale=1; break; }; done
fi
if [ $stale = 1 ]; then
	"$OUT/tools/embed" "$GEN/embedded.c.tmp" ./ "${ASSETS[@]}" && mv "$GEN/embedded.c.tmp" "$GEN/embedded.c" ||
		{ echo "fuzz: cannot generate $GEN/embedded.c"; exit 2; }
fi

# All the code but main.c as one archive, so each target links only the objects it needs.
SRCS="$(find src -name '*.c' ! -path src/main.c | sort) $GEN/embedded.c"
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
	$CC $CFLAGS -Ifuzz -fsanitize=fuzzer,$SAN -fno-sanitize-recover=all -o "$bin" "fuzz/fuzz_$t.c" \
		"$OUT/libotklik.a" $LIBS || { echo "fuzz: building $t failed"; status=1; continue; }
	corpus="$OUT/corpus/$t" # a working copy; the seeds in fuzz/corpus stay small
	mkdir -p "$corpus"
	dict=()
	[ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
	echo "== fuzz_$t (${SECONDS_EACH}s)"
	FUZZ_TMPDIR="$(cd "$OUT/tmp" && pwd)" ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=print_stacktrace=1 \
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
