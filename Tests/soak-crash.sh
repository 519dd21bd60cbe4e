#!/usr/bin/env bash
# Soak run of the kill -9 crash test: many more rounds than the suite's 24.
#   Tests/soak-crash.sh [ROUNDS]   (default 500)
set -euo pipefail
cd "$(dirname "$0")/.."
SPATE_CRASH_ROUNDS="${1:-500}" swift test --filter CrashTests
