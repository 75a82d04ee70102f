# Pipeline benchmark: memory and speed of streaming acquisition (2 GiB).
.PHONY: bench-acquire
bench: bench-acquire
bench-acquire: gleaner
	sh tests/bench/bench_acquire.sh 2G
