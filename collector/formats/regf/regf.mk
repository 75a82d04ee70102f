# Registry hive parser: libFuzzer campaign and benchmark against hivex and
# libregf. `make fuzz-regf FUZZ_TIME=1800`, `make bench-regf`.

.PHONY: fuzz-regf bench-regf
fuzz: fuzz-regf
bench: bench-regf

REGF_DIR := collector/formats/regf
FUZZ_MAX_LEN ?= 1048576
# Only the parser and what it stands on, so the fuzzer links without the
# archive/crypto libraries of the collector. REGF_JSON_CHECK_PATHS: every
# path reg dump builds a level at a time is checked against the whole
# path escaped in one piece (regf_json.c).
FUZZ_REGF_SRC := $(filter-out %/fuzz_regf.c,$(sort $(wildcard $(REGF_DIR)/*.c))) $(FUZZ_CORE_SRC) \
                 collector/core/prefault.c
FUZZ_REGF_DIR := $(B)/fuzz/regf

$(B)/fuzz/fuzz_regf: $(REGF_DIR)/fuzz_regf.c $(FUZZ_REGF_SRC) $(wildcard $(REGF_DIR)/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -DREGF_JSON_CHECK_PATHS \
	    $(FUZZ_INCLUDES) -o $@ $(REGF_DIR)/fuzz_regf.c $(FUZZ_REGF_SRC)

# Seeds are assembled under $(B)/ at run time: the generated hives, the
# checked-in tests/fuzz/regf-seeds and, when present, the shared corpus
# hives (never copied into the repository). New inputs accumulate in
# $(FUZZ_REGF_DIR)/corpus across runs; crashes land in $(FUZZ_REGF_DIR)/crashes.
fuzz-regf: $(B)/fuzz/fuzz_regf $(FIXTURES)
	@rm -rf $(FUZZ_REGF_DIR)/seeds
	@mkdir -p $(FUZZ_REGF_DIR)/seeds $(FUZZ_REGF_DIR)/corpus $(FUZZ_REGF_DIR)/crashes
	cp $(B)/fixtures/hives/*.hive $(FUZZ_REGF_DIR)/seeds/
	if [ -d tests/fuzz/regf-seeds ]; then cp tests/fuzz/regf-seeds/* $(FUZZ_REGF_DIR)/seeds/; fi
	-for f in ../shared/corpus/dev/hives/*/* ../shared/corpus/dev/robustness/hives/*; do \
	    [ -f "$$f" ] && cp "$$f" $(FUZZ_REGF_DIR)/seeds/; done; true
	@# dirty hive + log in one input, the hive cut where its base block says
	-for log in $(B)/fixtures/hives/*.LOG1 $(B)/fixtures/hives/*.LOG2 \
	           ../shared/corpus/dev/robustness/hives/*.LOG1 ../shared/corpus/dev/robustness/hives/*.LOG2; do \
	    hive=$${log%.*}; [ -s "$$log" ] && [ -f "$$hive" ] || continue; \
	    n=$$(od -An -tu4 -j40 -N4 "$$hive" | tr -d ' '); \
	    { head -c $$((4096 + n)) "$$hive"; cat "$$log"; } > $(FUZZ_REGF_DIR)/seeds/pair-$$(basename "$$log"); done; true
	$(FUZZ_CLOCK) regf $(B)/fuzz/fuzz_regf -max_total_time=$(FUZZ_TIME) -max_len=$(FUZZ_MAX_LEN) -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 -dict=$(REGF_DIR)/regf.dict \
	    -artifact_prefix=$(FUZZ_REGF_DIR)/crashes/ $(FUZZ_REGF_DIR)/corpus $(FUZZ_REGF_DIR)/seeds

bench-regf: gleaner
	sh tests/bench/bench_regf.sh
