# RMM catalog loaders: libFuzzer campaign (`make fuzz-rmmcatalog FUZZ_TIME=300`)
# and the matching benchmark (`make bench-rmm-catalog`: twice the paths must
# cost at most 2.2 times the time).

.PHONY: fuzz-rmmcatalog bench-rmm-catalog
fuzz: fuzz-rmmcatalog
bench: bench-rmm-catalog

RMMCAT_DIR := collector/formats/rmmcatalog
RMMCAT_SRC := $(wildcard $(RMMCAT_DIR)/rmmcat*.c)
FUZZ_RMMCAT_DIR := $(B)/fuzz/rmmcatalog

$(B)/fuzz/fuzz_rmmcatalog: $(RMMCAT_DIR)/fuzz_rmmcatalog.c $(RMMCAT_SRC) $(wildcard $(RMMCAT_DIR)/*.h) $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(RMMCAT_DIR)/fuzz_rmmcatalog.c $(RMMCAT_SRC) $(FUZZ_CORE_SRC) \
	    $(shell pkg-config --libs libcjson) -lm

fuzz-rmmcatalog: $(B)/fuzz/fuzz_rmmcatalog
	@mkdir -p $(FUZZ_RMMCAT_DIR)/corpus $(FUZZ_RMMCAT_DIR)/crashes
	sh $(RMMCAT_DIR)/seeds.sh $(FUZZ_RMMCAT_DIR)/seeds
	$(FUZZ_CLOCK) rmmcatalog $(B)/fuzz/fuzz_rmmcatalog -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 -dict=$(RMMCAT_DIR)/rmmcatalog.dict \
	    -artifact_prefix=$(FUZZ_RMMCAT_DIR)/crashes/ $(FUZZ_RMMCAT_DIR)/corpus $(FUZZ_RMMCAT_DIR)/seeds

$(B)/bench/bench_rmm_catalog: tests/bench/bench_rmm_catalog.c $(RMMCAT_SRC) $(wildcard $(RMMCAT_DIR)/*.h) $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 $(FUZZ_INCLUDES) -o $@ tests/bench/bench_rmm_catalog.c $(RMMCAT_SRC) \
	    $(FUZZ_CORE_SRC) $(shell pkg-config --libs libcjson) -lm

bench-rmm-catalog: $(B)/bench/bench_rmm_catalog
	sh tests/bench/bench_rmm_catalog.sh $(B)/bench/bench_rmm_catalog
