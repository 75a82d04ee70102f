# Defender 5007/5013 text: libFuzzer campaign (`make fuzz-mpevent FUZZ_TIME=600`).

.PHONY: fuzz-mpevent
fuzz: fuzz-mpevent

MPEVENT_DIR := collector/formats/mpevent
FUZZ_MPEVENT_DIR := $(B)/fuzz/mpevent

$(B)/fuzz/fuzz_mpevent: $(MPEVENT_DIR)/fuzz_mpevent.c $(MPEVENT_DIR)/mpevent_exercise.h $(MPEVENT_DIR)/mpevent.c $(MPEVENT_DIR)/mpevent.h $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(MPEVENT_DIR)/fuzz_mpevent.c $(MPEVENT_DIR)/mpevent.c $(FUZZ_CORE_SRC)

fuzz-mpevent: $(B)/fuzz/fuzz_mpevent
	@mkdir -p $(FUZZ_MPEVENT_DIR)/corpus $(FUZZ_MPEVENT_DIR)/crashes
	sh $(MPEVENT_DIR)/seeds.sh $(FUZZ_MPEVENT_DIR)/seeds
	$(FUZZ_CLOCK) mpevent $(B)/fuzz/fuzz_mpevent -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -dict=$(MPEVENT_DIR)/mpevent.dict \
	    -artifact_prefix=$(FUZZ_MPEVENT_DIR)/crashes/ $(FUZZ_MPEVENT_DIR)/corpus $(FUZZ_MPEVENT_DIR)/seeds
