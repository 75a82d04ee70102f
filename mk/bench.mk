# End-to-end benchmark (issue [bench]): the reference host (generated once by
# tests/bench/mkrefhost.py and cached under ~/.cache/gleaner-bench), the
# standard and full profiles, the bundle stage against tar|zstd+openssl and
# bsdtar, flat memory; results into BENCHMARKS.md.
.PHONY: bench-e2e
bench: bench-e2e
bench-e2e: gleaner $(FIXTURES)
	GLEANER_BIN=$(CURDIR)/gleaner GLEANER_FIXTURES=$(abspath $(B))/fixtures GLEANER_CORPUS=$(CURDIR)/../shared/corpus \
	BENCH_WORK=$(abspath $(B))/bench/e2e sh tests/bench/bench_e2e.sh
# The bundle stage alone, side by side with its peers (BENCHMARKS.md, bundle-stage block).
.PHONY: bench-bundle
bench-bundle: gleaner $(FIXTURES)
	GLEANER_BIN=$(CURDIR)/gleaner GLEANER_FIXTURES=$(abspath $(B))/fixtures GLEANER_CORPUS=$(CURDIR)/../shared/corpus \
	BENCH_WORK=$(abspath $(B))/bench/bundle BENCH_ONLY=stage BENCH_ROUNDS=$${BENCH_ROUNDS:-5} sh tests/bench/bench_e2e.sh
# Every stage ratio of the issues in one run on the static release binary
# (the floors are judged on it): event logs, hives, YARA, end to end.
.PHONY: bench-stages
bench-stages: $(FIXTURES)
	RELEASE_TARGETS=linux-x64 $(MAKE) release
	GLEANER_BIN=$(CURDIR)/dist/gleaner-$(VERSION)-linux-x64 GLEANER_FIXTURES=$(abspath $(B))/fixtures \
	GLEANER_CORPUS=$(CURDIR)/../shared/corpus BENCH_WORK=$(abspath $(B))/bench/e2e sh tests/bench/bench_stages.sh
