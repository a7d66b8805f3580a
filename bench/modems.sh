#!/bin/sh
# Compare softfax's fax modems with spandsp's on the same signals:
# speed (multiples of real time on one core) and BER vs SNR.
# Needs gcc and libspandsp-dev. Options go to modembench, e.g.
#   bench/modems.sh -run 'V.29' -bits 1000000
set -eu
cd "$(dirname "$0")/.."
exec go run ./internal/cmd/modembench "$@"
