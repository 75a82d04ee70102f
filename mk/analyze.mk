# gleaner analyze: memory and time over a fleet of generated bundles
# (N=500 and 2N=1000; docs/analysis.md).
.PHONY: bench-fleet
bench: bench-fleet
bench-fleet: gleaner
	sh tests/bench/bench_fleet.sh 500
