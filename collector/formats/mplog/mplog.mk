# MPLog parser: libFuzzer campaign (`make fuzz-mplog FUZZ_TIME=60`).

.PHONY: fuzz-mplog
fuzz: fuzz-mplog

MPLOG_DIR := collector/formats/mplog
FUZZ_MPLOG_DIR := $(B)/fuzz/mplog

$(B)/fuzz/fuzz_mplog: $(MPLOG_DIR)/fuzz_mplog.c $(MPLOG_DIR)/mplog.c $(MPLOG_DIR)/mplog.h $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(MPLOG_DIR)/fuzz_mplog.c $(MPLOG_DIR)/mplog.c $(FUZZ_CORE_SRC)

fuzz-mplog: $(B)/fuzz/fuzz_mplog
	@mkdir -p $(FUZZ_MPLOG_DIR)/corpus $(FUZZ_MPLOG_DIR)/crashes $(FUZZ_MPLOG_DIR)/seeds
	printf '2026-11-20T10:05:00.123Z ProcessImageName: rclone.exe, Pid: 4242, TotalTime: 5120, Count: 3, MaxTime: 400, MaxTimeFile: \\Device\\HarddiskVolume3\\Users\\Public\\r.exe, EstimatedImpact: 65%%\r\n2026-11-20T10:06:00.000Z [Exclusion] C:\\x -> \\Device\\HarddiskVolume3\\x\r\n2026-11-20T10:07:00.000Z DETECTIONEVENT MPSOURCE_REALTIME HackTool:Win32/Mimikatz.D file:C:\\m.exe\r\n**RTP Perf Log**\r\nPath Exclusions:\r\n  C:\\x\r\nWorker Threads\r\n' > $(FUZZ_MPLOG_DIR)/seeds/one
	$(FUZZ_CLOCK) mplog $(B)/fuzz/fuzz_mplog -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_MPLOG_DIR)/crashes/ $(FUZZ_MPLOG_DIR)/corpus $(FUZZ_MPLOG_DIR)/seeds
