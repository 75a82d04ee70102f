# Attack-chain rule files: libFuzzer campaign (`make fuzz-chainrule FUZZ_TIME=600`).

.PHONY: fuzz-chainrule
fuzz: fuzz-chainrule

CHAINRULE_DIR := collector/formats/chainrule
FUZZ_CHAINRULE_DIR := $(B)/fuzz/chainrule

$(B)/fuzz/fuzz_chainrule: $(CHAINRULE_DIR)/fuzz_chainrule.c $(CHAINRULE_DIR)/chainrule.c $(CHAINRULE_DIR)/chainrule.h $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(CHAINRULE_DIR)/fuzz_chainrule.c $(CHAINRULE_DIR)/chainrule.c $(FUZZ_CORE_SRC)

fuzz-chainrule: $(B)/fuzz/fuzz_chainrule
	@mkdir -p $(FUZZ_CHAINRULE_DIR)/corpus $(FUZZ_CHAINRULE_DIR)/crashes $(FUZZ_CHAINRULE_DIR)/seeds
	cp modules/chain/data/*.txt $(FUZZ_CHAINRULE_DIR)/seeds/
	$(FUZZ_CLOCK) chainrule $(B)/fuzz/fuzz_chainrule -max_total_time=$(FUZZ_TIME) -max_len=8192 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -dict=$(CHAINRULE_DIR)/chainrule.dict \
	    -artifact_prefix=$(FUZZ_CHAINRULE_DIR)/crashes/ $(FUZZ_CHAINRULE_DIR)/corpus $(FUZZ_CHAINRULE_DIR)/seeds
