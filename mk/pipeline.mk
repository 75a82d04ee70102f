# Pipeline benchmark: memory and speed of streaming acquisition (2 GiB).
.PHONY: bench-acquire
bench: bench-acquire
bench-acquire: gleaner
	sh tests/bench/bench_acquire.sh 2G
# Event-log helper: three modules reading the same Security log vs one.
.PHONY: bench-events
bench: bench-events
bench-events: $(B)/test/gleaner
	sh tests/bench/bench_events.sh
