# yara module: benchmark against the yara tool (`make bench-yara`).
.PHONY: bench-yara
bench: bench-yara
bench-yara: gleaner
	sh tests/bench/bench_yara.sh
