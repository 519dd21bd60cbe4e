#!/usr/bin/env bash
# Soak run of the jobs' kill -9 test: many more rounds than the suite's 50.
#   Tests/soak-jobs.sh [ROUNDS]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
SPATE_JOB_CRASH_ROUNDS="${1:-300}" swift test --filter JobCrashTests
