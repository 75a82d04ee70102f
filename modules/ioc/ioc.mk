# ioc module: matching cost against record count (`make bench-ioc`).
.PHONY: bench-ioc
bench: bench-ioc
bench-ioc: gleaner
	sh tests/bench/bench_ioc.sh
