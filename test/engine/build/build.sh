#!/usr/bin/env bash
# `npm run engine:build`: builds the Pulumi engine pieces pinned in this folder's go.mod (and
# checked by its go.sum) from the Go module proxy into .tools/engine/bin, which git ignores.
# Nothing here is copied from another project: go.mod names published modules at fixed
# versions, and the go command fetches and builds them. A warm rebuild relinks nothing that is
# up to date; the first one on a machine downloads the modules and compiles everything.
#
# ENGINE_BUILD_JOBS (default 1) caps parallel compiles: the machines are small and shared.
set -euo pipefail
case "${1:-}" in
  "") ;;
  -h | --help)
    echo "Usage: npm run engine:build -- [options]"
    echo
    echo "Build the Pulumi CLI pinned in test/engine/build/go.mod (and checked by its go.sum) from the Go module"
    echo "proxy into .tools/engine/bin (needs Go 1.25.11 or newer; ENGINE_BUILD_JOBS caps parallel compiles)."
    echo
    echo "Options:"
    echo "  -h, --help  display help for command"
    exit 0
    ;;
  *)
    echo "engine:build takes no arguments (got: $*); see npm run engine:build -- --help" >&2
    exit 1
    ;;
esac
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bin="$root/.tools/engine/bin"

if ! command -v go >/dev/null 2>&1; then
  echo "engine:build needs Go (go1.25.11 or newer) on PATH" >&2
  exit 1
fi

export CGO_ENABLED=0
# go.mod and go.sum are the pins: refuse to change them while building.
export GOFLAGS=-mod=readonly
jobs="${ENGINE_BUILD_JOBS:-1}"
mkdir -p "$bin"
cd "$here"

# The CLI reports the version it was stamped with; stamp the one go.mod pins.
pulumi_version="$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)"

started=$SECONDS
nice -n 19 go build -p "$jobs" -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${pulumi_version}" \
  -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
echo "built $bin/pulumi ${pulumi_version} in $((SECONDS - started)) s"

# Not built, because the Go module proxy does not serve them (see docs/engine.md, "What it cannot run here"):
#   the Node.js language host  github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
#   the auth0 provider         github.com/pulumi/pulumi-auth0/provider/v3
#   the random provider        github.com/pulumi/pulumi-random/provider/v4
# and what their bridge build needs: github.com/auth0/terraform-provider-auth0 and
# github.com/pulumi/terraform-plugin-sdk/v2 (the fork the bridge's replace names).
