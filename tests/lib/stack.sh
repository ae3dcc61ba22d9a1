# tests/lib/stack.sh - start and stop the real stack for tests and `make run`:
# redis-server (unix socket), the Cloudflare API simulator, the worker pool
# under spawn-fcgi, and lighttpd with the shipped config. Source it, then:
#
#   stack_start DIR      # DIR: an empty private directory
#   stack_stop DIR
#
# Inputs (environment): BUILD (build dir), STACK_HTTP_PORT (0 = ephemeral),
# STACK_WORKERS (default 2), CFMCP_TEST_PREFIX (e.g. valgrind ...),
# STACK_UPSTREAM_URL + STACK_CF_TOKEN (real Cloudflare; default: simulator).
# STACK_CF_ACCOUNT_ID: the Cloudflare account id of the integrated account
# (default: the simulator's "acme" account).
# Outputs (written to DIR/env, also exported): CFMCP_BASE, SIM_URL,
# REDIS_SOCK, WORKER_SOCK, SIM_TOKEN, CFMCP_DIR, CFMCP_KEY_FILE, ACCOUNT_ID
# (an integrated account made with cfmcp-admin, holding the upstream token),
# ADMIN_KEY (an API key for all accounts).

ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
[ -f "$ROOT/GNUmakefile" ] || ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

free_port() {
	node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

wait_for() { # wait_for SECONDS CMD... : retry CMD every 50 ms
	_t=$(( $1 * 20 )); shift
	while [ "$_t" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05; _t=$((_t - 1))
	done
	return 1
}

stack_start_redis() {
	D=$1
	redis-server --port 0 --unixsocket "$D/redis.sock" --unixsocketperm 700 --save '' \
		--appendonly no --daemonize no --logfile "$D/redis.log" --dir "$D" </dev/null >/dev/null 2>&1 &
	echo $! > "$D/redis.pid"
	wait_for 10 redis-cli -s "$D/redis.sock" ping || { echo "stack: redis did not start" >&2; return 1; }
}

# The encryption key for secrets at rest, made as README "Encryption key" says.
stack_make_key() {
	(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$1"; echo >> "$1")
}

# cfmcp-admin against this stack's Redis and key.
stack_admin() {
	CFMCP_REDIS="unix:$CFMCP_DIR/redis.sock" CFMCP_KEY_FILE="$CFMCP_DIR/key" \
	CFMCP_SCHEMAS="${CFMCP_SCHEMAS:-$ROOT/schemas}" CFMCP_PUBLIC_URL="$CFMCP_BASE" \
	CFMCP_CONFIG_FILE= "$BUILD/cfmcp-admin" "$@"
}

stack_start_worker() {
	D=$1
	# spawn-fcgi creates the socket, then execs the pool master with it on fd 0 (-n: no fork).
	env CFMCP_REDIS="unix:$D/redis.sock" \
	    CFMCP_UPSTREAM_URL="$UPSTREAM_URL" \
	    CFMCP_KEY_FILE="$D/key" \
	    CFMCP_SCHEMAS="${CFMCP_SCHEMAS:-$ROOT/schemas}" \
	    CFMCP_PUBLIC_URL="$CFMCP_BASE" \
	    CFMCP_LOG_FILE="$D/worker.log" \
	    CFMCP_UPSTREAM_TIMEOUT_MS="${CFMCP_UPSTREAM_TIMEOUT_MS:-3000}" \
	    CFMCP_TOOLS_PAGE_SIZE="${CFMCP_TOOLS_PAGE_SIZE:-100}" \
	    spawn-fcgi -n -s "$D/worker.sock" -M 0600 -- \
	    ${CFMCP_TEST_PREFIX:-} "$BUILD/cfmcp-worker" --workers "${STACK_WORKERS:-2}" --drain-ms 5000 \
	    </dev/null >>"$D/worker.log" 2>&1 &
	echo $! > "$D/worker.pid"
	wait_for 20 test -S "$D/worker.sock" || { echo "stack: worker socket missing" >&2; return 1; }
}

stack_start() {
	D=$1
	mkdir -p "$D/docroot"
	: > "$D/env"
	stack_make_key "$D/key"
	stack_start_redis "$D" || return 1
	if [ -n "${STACK_UPSTREAM_URL:-}" ]; then
		UPSTREAM_URL=$STACK_UPSTREAM_URL
		CF_TOKEN=$STACK_CF_TOKEN
		SIM_URL=
		SIM_TOKEN=
	else
		SIM_TOKEN=$(node -e "console.log(require('crypto').randomBytes(20).toString('hex'))")
		node "$ROOT/tests/cf-sim/sim.js" --token "$SIM_TOKEN" --portfile "$D/sim.port" </dev/null >"$D/sim.log" 2>&1 &
		echo $! > "$D/sim.pid"
		wait_for 10 test -s "$D/sim.port" || { echo "stack: simulator did not start" >&2; return 1; }
		SIM_URL="http://127.0.0.1:$(cat "$D/sim.port")"
		UPSTREAM_URL="$SIM_URL/client/v4"
		CF_TOKEN=$SIM_TOKEN
	fi
	port=${STACK_HTTP_PORT:-0}
	[ "$port" = 0 ] && port=$(free_port)
	CFMCP_BASE="http://127.0.0.1:$port"
	CFMCP_DIR=$D
	# The integrated account (the upstream token goes in on stdin, never argv)
	# and an API key for everything, both with the CLI as an operator would.
	ACCOUNT_ID=$(printf '%s\n' "$CF_TOKEN" | stack_admin account add acme \
		--cf-account-id "${STACK_CF_ACCOUNT_ID:-$(printf account:acme | md5sum | cut -c1-32)}" |
		awk '$1 == "id" { print $2 }')
	[ -n "$ACCOUNT_ID" ] || { echo "stack: cfmcp-admin account add failed" >&2; return 1; }
	ADMIN_KEY=$(stack_admin apikey create stack --accounts all | awk '$1 == "token" { print $2 }')
	[ -n "$ADMIN_KEY" ] || { echo "stack: cfmcp-admin apikey create failed" >&2; return 1; }
	stack_start_worker "$D" || return 1
	sed -e "s#@CFMCP_SOCKET@#$D/worker.sock#g" "$ROOT/deploy/lighttpd/cfmcp.conf" > "$D/cfmcp.conf"
	sed -e "s#@DIR@#$D#g" -e "s#@PORT@#$port#g" "$ROOT/deploy/lighttpd/lighttpd-test.conf" > "$D/lighttpd.conf"
	lighttpd -t -f "$D/lighttpd.conf" >/dev/null || { echo "stack: lighttpd config invalid" >&2; return 1; }
	lighttpd -D -f "$D/lighttpd.conf" </dev/null >>"$D/lighttpd-error.log" 2>&1 &
	echo $! > "$D/lighttpd.pid.bg"
	wait_for 10 curl -s -o /dev/null "$CFMCP_BASE/healthz-probe" || { echo "stack: lighttpd did not start" >&2; return 1; }
	cat > "$D/env" <<ENV
CFMCP_DIR='$D'
CFMCP_BASE='$CFMCP_BASE'
SIM_URL='$SIM_URL'
SIM_TOKEN='$SIM_TOKEN'
REDIS_SOCK='$D/redis.sock'
WORKER_SOCK='$D/worker.sock'
CFMCP_KEY_FILE='$D/key'
ACCOUNT_ID='$ACCOUNT_ID'
ADMIN_KEY='$ADMIN_KEY'
ENV
	chmod 600 "$D/env"
	export CFMCP_DIR="$D" CFMCP_BASE SIM_URL SIM_TOKEN REDIS_SOCK="$D/redis.sock" WORKER_SOCK="$D/worker.sock" \
		CFMCP_KEY_FILE="$D/key" ACCOUNT_ID ADMIN_KEY
}

# Mint an MCP URL token with cfmcp-admin. Prints the token.
# Args: [methods] [tags] (comma lists; empty = all)
stack_mint_token() {
	set -- "${1:-}" "${2:-}"
	_url=$(stack_admin mcp create "$ACCOUNT_ID" --name stack ${1:+--methods "$1"} ${2:+--tags "$2"} |
		awk '$1 == "url" { print $2 }')
	echo "${_url##*/}"
}

_kill_pidfile() { # _kill_pidfile FILE SIGNAL
	[ -f "$1" ] || return 0
	_p=$(cat "$1")
	kill "-$2" "$_p" 2>/dev/null || true
	_i=0
	while kill -0 "$_p" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	kill -9 "$_p" 2>/dev/null || true
	rm -f "$1"
}

stack_stop() {
	D=$1
	_kill_pidfile "$D/lighttpd.pid.bg" TERM
	_kill_pidfile "$D/worker.pid" TERM
	_kill_pidfile "$D/sim.pid" TERM
	_kill_pidfile "$D/redis.pid" TERM
	# workers die with their master (PR_SET_PDEATHSIG); make sure
	pkill -9 -f "$D/worker.sock" 2>/dev/null || true
	return 0
}
