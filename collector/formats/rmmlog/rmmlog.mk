# RMM log parsers: libFuzzer campaign (`make fuzz-rmmlog FUZZ_TIME=300`).

.PHONY: fuzz-rmmlog
fuzz: fuzz-rmmlog

RMMLOG_DIR := collector/formats/rmmlog
RMMLOG_SRC := $(filter-out $(RMMLOG_DIR)/fuzz_rmmlog.c,$(wildcard $(RMMLOG_DIR)/*.c))
FUZZ_RMMLOG_DIR := $(B)/fuzz/rmmlog

$(B)/fuzz/fuzz_rmmlog: $(RMMLOG_DIR)/fuzz_rmmlog.c $(RMMLOG_SRC) $(wildcard $(RMMLOG_DIR)/*.h) $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(RMMLOG_DIR)/fuzz_rmmlog.c $(RMMLOG_SRC) $(FUZZ_CORE_SRC)

fuzz-rmmlog: $(B)/fuzz/fuzz_rmmlog
	@mkdir -p $(FUZZ_RMMLOG_DIR)/corpus $(FUZZ_RMMLOG_DIR)/crashes
	sh $(RMMLOG_DIR)/seeds.sh $(FUZZ_RMMLOG_DIR)/seeds
	$(FUZZ_CLOCK) rmmlog $(B)/fuzz/fuzz_rmmlog -max_total_time=$(FUZZ_TIME) -max_len=16384 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -dict=$(RMMLOG_DIR)/rmmlog.dict \
	    -artifact_prefix=$(FUZZ_RMMLOG_DIR)/crashes/ $(FUZZ_RMMLOG_DIR)/corpus $(FUZZ_RMMLOG_DIR)/seeds
