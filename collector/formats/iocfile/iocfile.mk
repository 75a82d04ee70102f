# Indicator files: libFuzzer campaign (`make fuzz-iocfile FUZZ_TIME=600`).

.PHONY: fuzz-iocfile
fuzz: fuzz-iocfile

IOCFILE_DIR := collector/formats/iocfile
FUZZ_IOCFILE_DIR := $(B)/fuzz/iocfile

$(B)/fuzz/fuzz_iocfile: $(IOCFILE_DIR)/fuzz_iocfile.c $(IOCFILE_DIR)/iocfile.c $(IOCFILE_DIR)/iocfile.h $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(IOCFILE_DIR)/fuzz_iocfile.c $(IOCFILE_DIR)/iocfile.c $(FUZZ_CORE_SRC)

fuzz-iocfile: $(B)/fuzz/fuzz_iocfile
	@mkdir -p $(FUZZ_IOCFILE_DIR)/corpus $(FUZZ_IOCFILE_DIR)/crashes $(FUZZ_IOCFILE_DIR)/seeds
	cp modules/ioc/data/*.txt $(FUZZ_IOCFILE_DIR)/seeds/
	$(FUZZ_CLOCK) iocfile $(B)/fuzz/fuzz_iocfile -max_total_time=$(FUZZ_TIME) -max_len=8192 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -dict=$(IOCFILE_DIR)/iocfile.dict \
	    -artifact_prefix=$(FUZZ_IOCFILE_DIR)/crashes/ $(FUZZ_IOCFILE_DIR)/corpus $(FUZZ_IOCFILE_DIR)/seeds
