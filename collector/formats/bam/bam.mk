# BAM value decoder: libFuzzer campaign (`make fuzz-bam FUZZ_TIME=60`).

.PHONY: fuzz-bam
fuzz: fuzz-bam

BAM_DIR := collector/formats/bam
FUZZ_BAM_DIR := $(B)/fuzz/bam

$(B)/fuzz/fuzz_bam: $(BAM_DIR)/fuzz_bam.c $(BAM_DIR)/bam.c $(BAM_DIR)/bam.h $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(BAM_DIR)/fuzz_bam.c $(BAM_DIR)/bam.c $(FUZZ_CORE_SRC)

fuzz-bam: $(B)/fuzz/fuzz_bam
	@mkdir -p $(FUZZ_BAM_DIR)/corpus $(FUZZ_BAM_DIR)/crashes $(FUZZ_BAM_DIR)/seeds
	printf '\052\\Device\\HarddiskVolume3\\Users\\x\\a.exe\000\210\254\323\360\162\335\001' > $(FUZZ_BAM_DIR)/seeds/one
	$(FUZZ_CLOCK) bam $(B)/fuzz/fuzz_bam -max_total_time=$(FUZZ_TIME) -max_len=512 -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_BAM_DIR)/crashes/ $(FUZZ_BAM_DIR)/corpus $(FUZZ_BAM_DIR)/seeds
