# EVTX parser: libFuzzer campaign and benchmark against evtxexport and
# python-evtx. `make fuzz-evtx FUZZ_TIME=1800`, `make bench-evtx`.

.PHONY: fuzz-evtx bench-evtx
fuzz: fuzz-evtx
bench: bench-evtx

EVTX_DIR := collector/formats/evtx
EVTX_FUZZ_MAX_LEN ?= 262144
# The parser and core only, so the fuzzer links without the collector's
# archive/crypto libraries.
FUZZ_EVTX_SRC := $(filter-out %/fuzz_evtx.c,$(sort $(wildcard $(EVTX_DIR)/*.c))) $(FUZZ_CORE_SRC)
FUZZ_EVTX_DIR := $(B)/fuzz/evtx

$(B)/fuzz/fuzz_evtx: $(EVTX_DIR)/fuzz_evtx.c $(EVTX_DIR)/evtx_exercise.h $(FUZZ_EVTX_SRC) $(wildcard $(EVTX_DIR)/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(EVTX_DIR)/fuzz_evtx.c $(FUZZ_EVTX_SRC) \
	    $(shell pkg-config --libs libcjson)

# Seeds are assembled under $(B)/ at run time from the generated logs and,
# when present, the shared corpus logs (never copied into the repository). New inputs accumulate in
# $(FUZZ_EVTX_DIR)/corpus across runs; crashes land in $(FUZZ_EVTX_DIR)/crashes.
fuzz-evtx: $(B)/fuzz/fuzz_evtx $(FIXTURES)
	@rm -rf $(FUZZ_EVTX_DIR)/seeds
	@mkdir -p $(FUZZ_EVTX_DIR)/seeds $(FUZZ_EVTX_DIR)/corpus $(FUZZ_EVTX_DIR)/crashes
	cp $(B)/fixtures/evtx/*.evtx $(FUZZ_EVTX_DIR)/seeds/
	-for f in ../shared/corpus/dev/evtx/*/*.evtx ../shared/corpus/dev/robustness/evtx/*; do \
	    [ -f "$$f" ] && cp "$$f" $(FUZZ_EVTX_DIR)/seeds/; done; true
	$(FUZZ_CLOCK) evtx $(B)/fuzz/fuzz_evtx -max_total_time=$(FUZZ_TIME) -max_len=$(EVTX_FUZZ_MAX_LEN) -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 -dict=$(EVTX_DIR)/evtx.dict \
	    -artifact_prefix=$(FUZZ_EVTX_DIR)/crashes/ $(FUZZ_EVTX_DIR)/corpus $(FUZZ_EVTX_DIR)/seeds

bench-evtx: gleaner
	sh tests/bench/bench_evtx.sh


# The regression tests include the fuzz driver: rebuild them when it changes.
$(B)/test/tests/unit/test_evtx_fuzz_regressions.o $(B)/san/tests/unit/test_evtx_fuzz_regressions.o: \
    $(EVTX_DIR)/evtx_exercise.h
