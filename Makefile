# gleaner build. `make` builds ./gleaner, `make test` runs the whole suite
# (plain and under ASan+UBSan), `make demo` collects from the generated
# sample host. Parser- and module-specific targets (fuzzing, benchmarks)
# live in mk/*.mk so each area owns its rules.

CC      ?= cc
# Where objects, test binaries and fixtures go; `make B=/tmp/x` keeps parallel work apart.
B       ?= build
PKGS    := libarchive yara libcrypto libzstd libcjson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
# Start-up weighs on every dump of a small hive or log. The shared
# libarchive loads libxml2, ICU and libstdc++ for formats gleaner never
# writes (1.3 ms), and resolving libcrypto's symbols costs another 0.7 ms.
# Where Debian ships the static archives, gleaner links them with section
# garbage collection, so only the tar+zstd and SHA-256 code stays and the
# binary carries its libraries, as the release build does. gleaner only
# reads and writes tar+zstd, so libarchive needs none of its other
# compression or crypto libraries (whose constructors would probe the CPU
# on every start). The Criterion test binaries keep their tests in sections
# nothing references, so they link the shared libraries.
LIBDIR := $(shell pkg-config --variable=libdir libarchive)
STATIC_A := $(foreach l,archive crypto zstd,$(wildcard $(LIBDIR)/lib$(l).a))
ifeq ($(words $(STATIC_A)),3)
LINK_LIBS := -Wl,--gc-sections -Wl,-Bstatic -larchive -lcrypto -lzstd -Wl,-Bdynamic \
             $(shell pkg-config --libs yara libcjson) -ldl -pthread
else
LINK_LIBS := $(PKG_LIBS)
endif
VERSION := 0.1.0
# The build date only feeds `gleaner version`; SOURCE_DATE_EPOCH makes it reproducible.
BUILD_DATE := $(shell date -u -d @$${SOURCE_DATE_EPOCH:-$$(date +%s)} +%Y-%m-%dT%H:%M:%SZ)

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
CSTD    := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(INCLUDES) $(PLATFORM_CFLAGS) $(PKG_CFLAGS) \
             -DGLEANER_VERSION='"$(VERSION)"' -DGLEANER_BUILD_DATE='"$(BUILD_DATE)"'
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g

# Layers (docs/hacking.md): collector/{core,formats/*,source,view,engine,
# detect} is the library, collector/cli the program, modules/<name>/ the
# evidence modules. Headers are included by bare name, so every folder is on
# the include path; `make layering` checks who may include whom.
# Platform boundary (docs/hacking.md): files named *_win32.c are the
# Windows build's (mingw-w64), *_posix.c and *_linux.c everyone else's;
# the Windows build also gets the POSIX shims of collector/core/win32,
# force-included, so the code above the boundary stays POSIX.
ifneq ($(findstring mingw,$(shell $(CC) -dumpmachine)),)
PLATFORM_SKIP   := %_posix.c %_linux.c
# Formats are checked by the Linux build: GCC checks printf formats
# against msvcrt's dialect here, though mingw's own printf runs them.
PLATFORM_CFLAGS := -Icollector/core/win32 -include posix_win32.h -D__USE_MINGW_ANSI_STDIO=1 \
                   -DLIBARCHIVE_STATIC -Wno-format
else
PLATFORM_SKIP   := %_win32.c
PLATFORM_CFLAGS :=
endif
SRC_DIRS   := $(filter-out collector/core/win32/%,$(sort $(dir $(shell find collector modules -name '*.c' -o -name '*.h'))))
INCLUDES   := -I. $(patsubst %/,-I%,$(SRC_DIRS))
LIB_SRC    := $(sort $(filter-out collector/cli/% $(PLATFORM_SKIP),$(shell find collector -name '*.c' ! -name 'fuzz_*')))
CLI_SRC    := $(sort $(filter-out collector/cli/main.c,$(wildcard collector/cli/*.c)))
MODULE_SRC := $(sort $(shell find modules -name '*.c' ! -name 'fuzz_*'))
TESTMOD_SRC:= $(wildcard tests/modules/*.c)
UNIT_SRC   := $(wildcard tests/unit/*.c)
PROFILES   := $(sort $(wildcard profiles/*.profile))
YARA_RULES := $(sort $(wildcard yara/*.yar))
# Detection data beside each module (modules/<m>/data/<file>), embedded as "<m>/<file>".
MODULE_DATA:= $(sort $(wildcard modules/*/data/*))
# The HTML report's templates, style and scripts (collector/engine/report_data/), embedded as "report/<file>".
REPORT_DATA:= $(sort $(wildcard collector/engine/report_data/*))
EMBED_ARGS := $(foreach f,$(PROFILES),$(notdir $f)=$f) $(foreach f,$(YARA_RULES),yara/$(notdir $f)=$f) \
              $(foreach f,$(MODULE_DATA),$(word 2,$(subst /, ,$f))/$(notdir $f)=$f) \
              $(foreach f,$(REPORT_DATA),report/$(notdir $f)=$f)
# The engine's own analysis data (fleet view, cross-host correlation), embedded as "engine/<file>".
ENGINE_DATA:= $(sort $(wildcard collector/engine/data/*))
EMBED_ARGS += $(foreach f,$(ENGINE_DATA),engine/$(notdir $f)=$f)
# What fuzz targets link: core without OpenSSL, and every folder on the include path.
FUZZ_CORE_SRC := collector/core/buf.c collector/core/err.c collector/core/fold.c collector/core/reader.c \
                 collector/core/text.c collector/core/json.c
FUZZ_INCLUDES := $(INCLUDES) $(shell pkg-config --cflags libcjson)
FUZZ_TIME ?= 60
FUZZ_CC ?= clang

.PHONY: all test test-plain test-san demo clean fixtures bench fuzz layering
all: gleaner

# A build tool: runs here, so the host's compiler even when CC cross-compiles.
HOST_CC ?= cc
$(B)/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(HOST_CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $< $(shell pkg-config --cflags --libs libzstd)

# Profiles and YARA rules are data, compiled into the binary so one file is
# all a responder carries.
$(B)/gen/embedded.c: $(B)/tools/embed $(PROFILES) $(YARA_RULES) $(MODULE_DATA) $(REPORT_DATA) $(ENGINE_DATA)
	@mkdir -p $(@D)
	$(B)/tools/embed $@ $(EMBED_ARGS)

define variant # $1 = name, $2 = extra cflags, $3 = extra sources
$(B)/$1/%.o: %.c
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $2 -MMD -MP -c -o $$@ $$<
$(B)/$1/gen/embedded.o: $(B)/gen/embedded.c
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $2 -c -o $$@ $$<
$1_OBJ := $$(patsubst %.c,$(B)/$1/%.o,$$(LIB_SRC) $$(CLI_SRC) $$(MODULE_SRC) $3) $(B)/$1/gen/embedded.o
endef
$(eval $(call variant,rel,,))
$(eval $(call variant,test,-DGLEANER_TEST_BUILD,$(TESTMOD_SRC)))
$(eval $(call variant,san,-DGLEANER_TEST_BUILD $(SAN_FLAGS),$(TESTMOD_SRC)))

gleaner: $(rel_OBJ) $(B)/rel/collector/cli/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(LINK_LIBS) -lm

$(B)/test/gleaner: $(test_OBJ) $(B)/test/collector/cli/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(LINK_LIBS) -lm
# The sanitizer build links the shared libraries: with ASan the linker keeps
# libarchive's unused writers, and their lzma/nettle references, alive.
$(B)/san/gleaner: $(san_OBJ) $(B)/san/collector/cli/main.o
	$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(B)/test/unit: $(test_OBJ) $(patsubst %.c,$(B)/test/%.o,$(UNIT_SRC))
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lcriterion -lm
$(B)/san/unit: $(san_OBJ) $(patsubst %.c,$(B)/san/%.o,$(UNIT_SRC))
	$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lcriterion -lm

# Tests find the binary under test through GLEANER_BIN; fixtures are
# generated into $(B)/fixtures by the generators in tests/.
FIXTURES := $(B)/fixtures/.stamp
TEST_ENV = GLEANER_FIXTURES=$(abspath $(B))/fixtures GLEANER_TMP=$(abspath $(B))/tmp GLEANER_ROOT=$(CURDIR) \
           GLEANER_CORPUS=$(CURDIR)/../shared/corpus
# Criterion exits 0 when it finds no test at all (a link that dropped the
# test sections, say); CHECK_RAN turns that into a failure.
CHECK_RAN = rc=$$?; cat $1; grep -q 'Tested: [1-9]' $1 || { echo "$1: no test ran" >&2; exit 1; }; exit $$rc
test-plain: $(B)/test/unit $(B)/test/gleaner $(FIXTURES)
	$(TEST_ENV) GLEANER_BIN=$(abspath $(B))/test/gleaner $(B)/test/unit -j2 --ascii \
	> $(B)/test/unit.log 2>&1; $(call CHECK_RAN,$(B)/test/unit.log)
test-san: $(B)/san/unit $(B)/san/gleaner $(FIXTURES)
	$(TEST_ENV) GLEANER_BIN=$(abspath $(B))/san/gleaner \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	$(B)/san/unit -j2 --ascii > $(B)/san/unit.log 2>&1; $(call CHECK_RAN,$(B)/san/unit.log)
# Who may include whom (docs/hacking.md); tests/unit/test_layering.c proves
# the check fails on a planted bad include.
layering:
	/usr/bin/python3 tools/layering.py .
# Last, once the Linux suites passed: the Windows release collecting a
# planted live host under wine (mk/wine.mk; cold, it first builds the
# static mingw libraries, release/README.md).
test: layering test-plain test-san
	@$(MAKE) --no-print-directory test-wine

fixtures: $(FIXTURES)
$(FIXTURES): $(wildcard tests/fixtures/*) $(wildcard tests/fixtures/*/*)
	@mkdir -p $(B)/fixtures
	sh tests/fixtures/generate.sh $(B)/fixtures
	@touch $@

demo: gleaner $(FIXTURES)
	sh tests/demo.sh $(B)/fixtures/sample-host $(B)/demo

clean:
	rm -rf $(B) gleaner

-include $(shell find $(B) -name '*.d' 2>/dev/null)
-include $(sort $(wildcard mk/*.mk collector/*/*.mk collector/formats/*/*.mk modules/*/*.mk))

# zstd compresses the bundle on a worker thread of its own (bundle.c), but
# Debian's static libzstd.a is built without threads; its shared library
# has them, and costs 0.06 ms of CPU per start (`gleaner version` 1.15 ->
# 1.21 ms). Moved here, after the includes: archive.mk puts the static
# libraries libarchive's readers need right after -lzstd.
comma := ,
ifneq ($(findstring -Bstatic,$(LINK_LIBS)),)
LINK_LIBS := $(patsubst -Wl$(comma)-Bdynamic,-Wl$(comma)-Bdynamic -lzstd,$(filter-out -lzstd,$(LINK_LIBS)))
endif
