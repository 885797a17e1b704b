#!/usr/bin/env bash
# Makes sure Centrifugo, a benchmark peer (bench/src/systems/centrifugo.ts), is installed at
# .tools/centrifugo/<version>/centrifugo, and prints that path (the only thing on stdout). Built from the Go
# module proxy with the Go toolchain, pinned to the one version below (the only place it is named): no
# prebuilt binary download works here, and a pinned module build is reproducible. Idempotent: builds only
# when that binary is missing. Needs `go` (1.26 or newer: its go.mod says so) on PATH or in /usr/local/go/bin.
#   bash scripts/ensure-centrifugo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=v6.9.1
dir="$PWD/.tools/centrifugo/$version"
if [ ! -x "$dir/centrifugo" ]; then
  export PATH="$PATH:/usr/local/go/bin"
  if ! command -v go >/dev/null; then
    echo "[parley] the benchmark peer Centrifugo needs the Go toolchain (go) to build" >&2
    exit 1
  fi
  echo "[parley] building Centrifugo $version with go install (first time only, a few minutes)…" >&2
  mkdir -p "$dir"
  # Into a temporary folder, then renamed, so an interrupted build never leaves a binary the check above
  # would take as installed. GOFLAGS from the environment (here -buildvcs=false) are kept.
  rm -rf "$dir/.partial"
  GOBIN="$dir/.partial" go install "github.com/centrifugal/centrifugo/v6@$version" >&2
  mv "$dir/.partial/centrifugo" "$dir/centrifugo"
  rmdir "$dir/.partial"
fi
echo "$dir/centrifugo"
