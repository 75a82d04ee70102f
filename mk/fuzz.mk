# Fuzzing ledger. Each fragment's campaign runs under $(FUZZ_CLOCK) NAME, which
# adds its wall time to $(FUZZ_LEDGER); `make fuzz-times` sums it per target.
# `make -k fuzz FUZZ_TIME=300` runs every target for 5 minutes (-k: a crash in
# one does not stop the others; its input is in $(B)/fuzz/<name>/crashes).

.PHONY: fuzz-times
FUZZ_LEDGER ?= $(B)/fuzz/fuzz-time.log
FUZZ_CLOCK = sh tools/fuzz_clock.sh $(FUZZ_LEDGER)

fuzz-times:
	@awk '{ s[$$1] += $$2; n[$$1]++; if ($$3 != 0) bad[$$1]++ } \
	    END { for (t in s) printf "%-14s %6d s in %d campaign(s)%s\n", t, s[t], n[t], bad[t] ? ", " bad[t] " failed" : "" }' \
	    $(FUZZ_LEDGER) | sort
