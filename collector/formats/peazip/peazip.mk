# PeaZip conf.txt parser: libFuzzer campaign (`make fuzz-peazip FUZZ_TIME=60`).

.PHONY: fuzz-peazip
fuzz: fuzz-peazip

PEAZIP_DIR := collector/formats/peazip
FUZZ_PEAZIP_DIR := $(B)/fuzz/peazip

$(B)/fuzz/fuzz_peazip: $(PEAZIP_DIR)/fuzz_peazip.c $(PEAZIP_DIR)/peazip_conf.c $(PEAZIP_DIR)/peazip_conf.h $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(PEAZIP_DIR)/fuzz_peazip.c $(PEAZIP_DIR)/peazip_conf.c $(FUZZ_CORE_SRC)

fuzz-peazip: $(B)/fuzz/fuzz_peazip
	@mkdir -p $(FUZZ_PEAZIP_DIR)/corpus $(FUZZ_PEAZIP_DIR)/crashes $(FUZZ_PEAZIP_DIR)/seeds
	printf '[save history of recent archives]\r\n1\r\nC:\\PerfLogs\\a.7z\r\n\r\n[save history of recent directories]\r\nC:\\x\\\r\n[last output path]\r\nD:\\o\r\n[last successful extraction path]\r\n\351\r\n' > $(FUZZ_PEAZIP_DIR)/seeds/one
	$(FUZZ_CLOCK) peazip $(B)/fuzz/fuzz_peazip -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_PEAZIP_DIR)/crashes/ $(FUZZ_PEAZIP_DIR)/corpus $(FUZZ_PEAZIP_DIR)/seeds
