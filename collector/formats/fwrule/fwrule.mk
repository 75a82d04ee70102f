# Firewall rule grammar: libFuzzer campaign (`make fuzz-fwrule FUZZ_TIME=600`).
# Seeds are written by tests/fixtures/fwrule_seeds.sh at run time.

.PHONY: fuzz-fwrule
fuzz: fuzz-fwrule

FWRULE_DIR := collector/formats/fwrule
FUZZ_FWRULE_DIR := $(B)/fuzz/fwrule

$(B)/fuzz/fuzz_fwrule: $(FWRULE_DIR)/fuzz_fwrule.c $(FWRULE_DIR)/fwrule_exercise.h $(FWRULE_DIR)/fwrule.c $(FWRULE_DIR)/fwrule.h $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(FWRULE_DIR)/fuzz_fwrule.c $(FWRULE_DIR)/fwrule.c $(FUZZ_CORE_SRC)

fuzz-fwrule: $(B)/fuzz/fuzz_fwrule
	@mkdir -p $(FUZZ_FWRULE_DIR)/corpus $(FUZZ_FWRULE_DIR)/crashes
	sh $(FWRULE_DIR)/seeds.sh $(FUZZ_FWRULE_DIR)/seeds
	$(FUZZ_CLOCK) fwrule $(B)/fuzz/fuzz_fwrule -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -dict=$(FWRULE_DIR)/fwrule.dict \
	    -artifact_prefix=$(FUZZ_FWRULE_DIR)/crashes/ $(FUZZ_FWRULE_DIR)/corpus $(FUZZ_FWRULE_DIR)/seeds
