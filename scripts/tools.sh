#!/usr/bin/env bash
# Tools the benchmarks need beyond Python packages: wrk (HTTP load generator) from Debian.
set -euo pipefail
if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (HTTP load generator for the intake benchmark)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get install -y -qq wrk >/dev/null || {
        echo "could not install wrk; install it with your package manager" >&2
        exit 1
    }
fi
