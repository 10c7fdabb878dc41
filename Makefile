# Otklik: plain Makefile. `make` builds ./otklik; see README for the other targets.
CC      ?= gcc
BUILD   ?= build
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium libcurl libutf8proc xlsxwriter zlib
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla
OPT     ?= -O2
SAN     ?=
CFLAGS  := -std=c17 -D_GNU_SOURCE $(OPT) -g $(WARN) $(SAN) -Isrc -I$(BUILD)/gen \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer -lpthread -lm
TESTCFLAGS := -std=gnu17 -D_GNU_SOURCE -O1 -g $(WARN) $(SAN) -Isrc -I$(BUILD)/gen \
           $(shell pkg-config --cflags $(PKGS) criterion 2>/dev/null)

SRC     := $(shell find src -name '*.c' | sort)
LIBSRC  := $(filter-out src/main.c,$(SRC))
OBJ     := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIBSRC))
OPENAPI := $(sort $(wildcard src/http/openapi/*.json))
ASSETS  := $(shell find web migrations data -type f 2>/dev/null | grep -v -e '/\.' -e '~$$' | sort) src/http/openapi.json
UNIT    := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNITBIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT))

.PHONY: all run test unit check-san lint fmt clean deps fuzz openapi valgrind torture
openapi: src/http/openapi.json
all: otklik

otklik: $(BUILD)/otklik
	cp $(BUILD)/otklik otklik

$(BUILD)/otklik: $(BUILD)/obj/main.o $(OBJ) $(BUILD)/obj/gen/embedded.o
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h) $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

# The OpenAPI contract is kept in parts (src/http/openapi/*.json, one per area) and merged here:
# objects merge recursively, so each part adds its paths and schemas.
src/http/openapi.json: $(OPENAPI)
	jq -S -s 'reduce .[] as $$x ({}; . * $$x)' $(OPENAPI) > $@.tmp.$$$$ && mv $@.tmp.$$$$ $@

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(ASSETS) Makefile
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed $@ ./ $(ASSETS)

$(BUILD)/obj/gen/embedded.o: $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(OBJ) $(BUILD)/obj/gen/embedded.o
	@mkdir -p $(dir $@)
	$(CC) $(TESTCFLAGS) -Itests/unit -o $@ $^ $(LDLIBS) -lcriterion

deps:
	./tools/install-deps.sh

run: deps otklik
	@mkdir -p var
	./otklik serve --db sqlite:var/otklik.db --listen 127.0.0.1:8080 --demo

unit: $(UNITBIN)
	@set -e; for t in $(UNITBIN); do echo "== $$t"; $$t --jobs 2 --short-filename; done

test: deps otklik unit
	./tests/run-api.sh sqlite
	./tests/run-api.sh postgres
	./tests/run-e2e.sh

check-san:
	$(MAKE) BUILD=build-san OPT=-O1 SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" build-san/otklik unit
	OTKLIK_BIN=build-san/otklik ASAN_OPTIONS=detect_leaks=1 ./tests/run-api.sh sqlite
	OTKLIK_BIN=build-san/otklik ASAN_OPTIONS=detect_leaks=1 ./tests/run-api.sh postgres

# The long crash test (docs/reliability.md): 200 kill -9 rounds on SQLite and PostgreSQL; ~40 min.
torture: deps otklik
	./tests/crash/torture.sh

# The unit tests and a server driven by API tests under valgrind (no errors, no leaks); ~10 min.
valgrind: deps otklik unit
	./tools/valgrind.sh

lint:
	./tools/lint.sh

fmt:
	clang-format -i $$(find src tests/unit tools -name '*.[ch]')

fuzz: otklik
	./fuzz/run.sh $${FUZZ_SECONDS:-30}

clean:
	rm -rf build build-san otklik src/http/openapi.json

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Benchmarks: intake and queue figures with their ceilings (bench/README.md); ~15 minutes.
.PHONY: bench bench-dashboard
bench: $(BUILD)/otklik
	OTKLIK_BIN=$(BUILD)/otklik ./bench/run.sh
# Dashboard requests over 10 million stored appeals on SQLite and PostgreSQL (bench/README.md).
bench-dashboard: $(BUILD)/otklik
	OTKLIK_BIN=$(BUILD)/otklik ./bench/dashboard.sh
