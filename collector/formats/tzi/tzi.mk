# Windows time-zone rules: libFuzzer campaign (`make fuzz-tzi FUZZ_TIME=60`).

.PHONY: fuzz-tzi
fuzz: fuzz-tzi

TZI_DIR := collector/formats/tzi
FUZZ_TZI_DIR := $(B)/fuzz/tzi

$(B)/fuzz/fuzz_tzi: $(TZI_DIR)/fuzz_tzi.c $(TZI_DIR)/tzi.c $(TZI_DIR)/tzi.h $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(TZI_DIR)/fuzz_tzi.c $(TZI_DIR)/tzi.c $(FUZZ_CORE_SRC)

# Seed: Eastern time (Bias 300, DaylightBias -60, first Sunday of November
# at 2:00, second Sunday of March at 2:00) and a July local time.
fuzz-tzi: $(B)/fuzz/fuzz_tzi
	@mkdir -p $(FUZZ_TZI_DIR)/corpus $(FUZZ_TZI_DIR)/crashes $(FUZZ_TZI_DIR)/seeds
	printf '\054\001\000\000\000\000\000\000\304\377\377\377\000\000\013\000\000\000\001\000\002\000\000\000\000\000\000\000\000\000\003\000\000\000\002\000\002\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' \
	    > $(FUZZ_TZI_DIR)/seeds/eastern
	$(FUZZ_CLOCK) tzi $(B)/fuzz/fuzz_tzi -max_total_time=$(FUZZ_TIME) -max_len=64 -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_TZI_DIR)/crashes/ $(FUZZ_TZI_DIR)/corpus $(FUZZ_TZI_DIR)/seeds
