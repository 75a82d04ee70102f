# Command-line splitting and archiver switches: libFuzzer campaign.
# `make fuzz-cmdline FUZZ_TIME=600`.

.PHONY: fuzz-cmdline
fuzz: fuzz-cmdline

CMDLINE_DIR := collector/formats/cmdline
FUZZ_CMDLINE_DIR := $(B)/fuzz/cmdline
FUZZ_CMDLINE_SRC := $(filter-out %/fuzz_cmdline.c,$(sort $(wildcard $(CMDLINE_DIR)/*.c))) $(FUZZ_CORE_SRC)

$(B)/fuzz/fuzz_cmdline: $(CMDLINE_DIR)/fuzz_cmdline.c $(FUZZ_CMDLINE_SRC) $(wildcard $(CMDLINE_DIR)/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(CMDLINE_DIR)/fuzz_cmdline.c $(FUZZ_CMDLINE_SRC)

# Seeds: archiver command lines of the kinds the staging module reads
# (written here; none comes from the corpus).
fuzz-cmdline: $(B)/fuzz/fuzz_cmdline
	@rm -rf $(FUZZ_CMDLINE_DIR)/seeds
	@mkdir -p $(FUZZ_CMDLINE_DIR)/seeds $(FUZZ_CMDLINE_DIR)/corpus $(FUZZ_CMDLINE_DIR)/crashes
	cd $(FUZZ_CMDLINE_DIR)/seeds && \
	    printf '%s' '"C:\Windows\system32\cmd.exe" /c "rar a -r exfilthis.rar *.docx"' > s1 && \
	    printf '%s' '"C:\Program Files\WinRAR\Rar.exe" a -hpX -v200m -m0 -ep1 -df -ta20231101 \\s\f.rar C:\x' > s2 && \
	    printf '%s' '7z.exe a -t7z -mhe=on -pP -v100m -mx0 -sdel "C:\Perf Logs\d.7z" C:\Users\*\Doc -r' > s3 && \
	    printf '%s' 'tar.exe -a -cf C:\Temp\out.zip C:\Users\bob' > s4 && \
	    printf '%s' 'p a\\\"b "c\\" d"e""f' > s5
	$(FUZZ_CLOCK) cmdline $(B)/fuzz/fuzz_cmdline -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_CMDLINE_DIR)/crashes/ $(FUZZ_CMDLINE_DIR)/corpus $(FUZZ_CMDLINE_DIR)/seeds
