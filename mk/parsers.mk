# Both parsers together: their speed floors, and what start-up costs them.

# The speed floors of both parsers (docs/evtx.md, docs/regf.md), each tool
# side by side with its peer in one run: rounds in rotated order, medians,
# CPU and wall time, one core (taskset -c 0) and two.
.PHONY: bench-parsers
bench: bench-parsers
bench-parsers: gleaner
	GLEANER=$(CURDIR)/gleaner sh tests/bench/bench_evtx.sh floors
	GLEANER=$(CURDIR)/gleaner sh tests/bench/bench_regf.sh floors

# Start-up is most of a small hive's or log's dump. The shared libyara
# loads the shared libcrypto (21 000 relocations to resolve on every
# start) even though gleaner links libcrypto statically: 3.0 ms of CPU
# for `gleaner version`, 1.3 ms with libyara and what it needs (libmagic,
# libjansson) linked statically too, against the one static libcrypto.
# Only where the static link is used and Debian ships those archives.
ifneq ($(findstring -Bstatic,$(LINK_LIBS)),)
ifneq ($(and $(wildcard $(LIBDIR)/libyara.a),$(wildcard $(LIBDIR)/libmagic.a),$(wildcard $(LIBDIR)/libjansson.a)),)
LINK_LIBS := $(patsubst -lcrypto,-lyara -lmagic -ljansson -lcrypto,$(filter-out -lyara,$(LINK_LIBS)))
endif
endif
