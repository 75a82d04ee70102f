# SAM value decoders: libFuzzer campaign. `make fuzz-sam FUZZ_TIME=600`.

.PHONY: fuzz-sam
fuzz: fuzz-sam

SAM_DIR := collector/formats/sam
FUZZ_SAM_DIR := $(B)/fuzz/sam

$(B)/fuzz/fuzz_sam: $(SAM_DIR)/fuzz_sam.c $(SAM_DIR)/sam.c $(SAM_DIR)/sam.h $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(SAM_DIR)/fuzz_sam.c $(SAM_DIR)/sam.c $(FUZZ_CORE_SRC)

# Seeds: every F/V/C value of the corpus SAM hives, extracted under $(B)/
# at run time (never copied into the repository).
fuzz-sam: $(B)/fuzz/fuzz_sam
	@rm -rf $(FUZZ_SAM_DIR)/seeds
	@mkdir -p $(FUZZ_SAM_DIR)/seeds $(FUZZ_SAM_DIR)/corpus $(FUZZ_SAM_DIR)/crashes
	/usr/bin/python3 $(SAM_DIR)/sam_seeds.py $(FUZZ_SAM_DIR)/seeds $(wildcard ../shared/corpus/dev/hives/sam/*)
	$(FUZZ_CLOCK) sam $(B)/fuzz/fuzz_sam -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_SAM_DIR)/crashes/ $(FUZZ_SAM_DIR)/corpus $(FUZZ_SAM_DIR)/seeds
