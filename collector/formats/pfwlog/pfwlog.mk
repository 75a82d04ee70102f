# Firewall packet log parser: libFuzzer campaign (`make fuzz-pfwlog FUZZ_TIME=60`).

.PHONY: fuzz-pfwlog
fuzz: fuzz-pfwlog

PFWLOG_DIR := collector/formats/pfwlog
FUZZ_PFWLOG_DIR := $(B)/fuzz/pfwlog

$(B)/fuzz/fuzz_pfwlog: $(PFWLOG_DIR)/fuzz_pfwlog.c $(PFWLOG_DIR)/pfwlog.c $(PFWLOG_DIR)/pfwlog.h $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(PFWLOG_DIR)/fuzz_pfwlog.c $(PFWLOG_DIR)/pfwlog.c $(FUZZ_CORE_SRC)

fuzz-pfwlog: $(B)/fuzz/fuzz_pfwlog
	@mkdir -p $(FUZZ_PFWLOG_DIR)/corpus $(FUZZ_PFWLOG_DIR)/crashes $(FUZZ_PFWLOG_DIR)/seeds
	printf '#Version: 1.5\r\n#Time Format: Local\r\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\r\n2026-11-20 10:20:01 ALLOW TCP 198.51.100.23 10.0.0.5 50123 3389 0 - 0 0 0 - - - RECEIVE 1234\r\n' > $(FUZZ_PFWLOG_DIR)/seeds/one
	$(FUZZ_CLOCK) pfwlog $(B)/fuzz/fuzz_pfwlog -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_PFWLOG_DIR)/crashes/ $(FUZZ_PFWLOG_DIR)/corpus $(FUZZ_PFWLOG_DIR)/seeds
