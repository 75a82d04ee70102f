# TaskCache value decoders: libFuzzer campaign. `make fuzz-taskcache FUZZ_TIME=600`.

.PHONY: fuzz-taskcache
fuzz: fuzz-taskcache

TASKCACHE_DIR := collector/formats/taskcache
FUZZ_TASKCACHE_SRC := $(filter-out %/fuzz_taskcache.c,$(sort $(wildcard $(TASKCACHE_DIR)/*.c))) $(FUZZ_CORE_SRC)
FUZZ_TASKCACHE_DIR := $(B)/fuzz/taskcache

$(B)/fuzz/fuzz_taskcache: $(TASKCACHE_DIR)/fuzz_taskcache.c $(FUZZ_TASKCACHE_SRC) $(wildcard $(TASKCACHE_DIR)/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(TASKCACHE_DIR)/fuzz_taskcache.c $(FUZZ_TASKCACHE_SRC)

# Seeds: the generated values (make fixtures). New inputs accumulate in
# $(FUZZ_TASKCACHE_DIR)/corpus, crashes in $(FUZZ_TASKCACHE_DIR)/crashes.
fuzz-taskcache: $(B)/fuzz/fuzz_taskcache $(FIXTURES)
	@rm -rf $(FUZZ_TASKCACHE_DIR)/seeds
	@mkdir -p $(FUZZ_TASKCACHE_DIR)/seeds $(FUZZ_TASKCACHE_DIR)/corpus $(FUZZ_TASKCACHE_DIR)/crashes
	cp $(B)/fixtures/taskcache/*.bin $(FUZZ_TASKCACHE_DIR)/seeds/
	$(FUZZ_CLOCK) taskcache $(B)/fuzz/fuzz_taskcache -max_total_time=$(FUZZ_TIME) -max_len=8192 -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_TASKCACHE_DIR)/crashes/ $(FUZZ_TASKCACHE_DIR)/corpus $(FUZZ_TASKCACHE_DIR)/seeds
