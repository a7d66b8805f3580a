#!/usr/bin/env bash
# bench/iax.sh — the IAX2 layer under load: 200 simultaneous calls between
# two softfax endpoints on loopback, 20 ms frames both ways, for SECONDS
# (default 30, the acceptance load), asserting no voice frame is lost; then
# the per-frame CPU benchmark and the heap per call.
#
# Usage: bench/iax.sh [SECONDS]   (needs go)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
SOFTFAX_LOAD_SECONDS=$secs go test -count=1 -timeout 10m -run '^TestLoad$' -v ./iax | grep -E 'load_test|^(---|ok|FAIL)'
go test -count=1 -run '^$' -bench '^BenchmarkVoiceFrame$' -benchtime 3000x ./iax | grep -E '^Benchmark'
go test -count=1 -run '^$' -bench '^BenchmarkCallMemory$' -benchtime 1x ./iax | grep -E '^Benchmark'
