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
# CFMCP_OPENAPI: the OpenAPI spec the workers import (default off: the curated
# tools only, so a copy installed on this machine never changes what tests see).
# CFMCP_LOG_FORMAT (text|json): the workers' and the streams process's log format.
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
	# STACK_REDIS_DATA (make run): the data persists there as an AOF,
	# fsynced before each write is answered (STACK_REDIS_FSYNC, default
	# always), so make stop, a crash or kill -9 loses nothing an admin
	# action made (README "Redis for cfmcp"). Unset: the test suite's
	# throwaway Redis.
	if [ -n "${STACK_REDIS_DATA:-}" ]; then
		mkdir -p "$STACK_REDIS_DATA" && chmod 700 "$STACK_REDIS_DATA"
		set -- --dir "$STACK_REDIS_DATA" --appendonly yes --appendfsync "${STACK_REDIS_FSYNC:-always}" \
			--maxmemory-policy noeviction
	else
		set -- --dir "$D" --appendonly no
	fi
	redis-server --port 0 --unixsocket "$D/redis.sock" --unixsocketperm 700 --save '' \
		"$@" --daemonize no --logfile "$D/redis.log" </dev/null >/dev/null 2>&1 &
	echo $! > "$D/redis.pid"
	wait_for 10 redis-cli -s "$D/redis.sock" ping || { echo "stack: redis did not start" >&2; return 1; }
}

# A self-signed certificate for 127.0.0.1, as an operator trying TLS would make one.
stack_make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-keyout "$1/tls.key" -out "$1/tls.crt" -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >/dev/null 2>&1 ||
		{ echo "stack: openssl could not make a certificate" >&2; return 1; }
	chmod 600 "$1/tls.key"
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

# The integrated account (CF_TOKEN in on stdin, never argv) and an API key
# for everything; prints the id, the key. run.sh redefines both to reuse
# what the previous make run made.
stack_account() { # CF_ACCOUNT_ID
	printf '%s\n' "$CF_TOKEN" | stack_admin account add acme --cf-account-id "$1" | awk '$1 == "id" { print $2 }'
}
stack_apikey() {
	stack_admin apikey create stack --accounts all | awk '$1 == "token" { print $2 }'
}

stack_start_worker() {
	D=$1
	# spawn-fcgi creates the socket, then execs the pool master with it on fd 0 (-n: no fork).
	env CFMCP_REDIS="unix:$D/redis.sock" \
	    CFMCP_UPSTREAM_URL="$UPSTREAM_URL" \
	    CFMCP_KEY_FILE="$D/key" \
	    CFMCP_SCHEMAS="${CFMCP_SCHEMAS:-$ROOT/schemas}" \
	    CFMCP_OPENAPI="${CFMCP_OPENAPI:-off}" \
	    CFMCP_PUBLIC_URL="$CFMCP_BASE" \
	    CFMCP_LOG_FILE="$D/worker.log" \
	    CFMCP_LOG_FORMAT="${CFMCP_LOG_FORMAT:-text}" \
	    CFMCP_UPSTREAM_TIMEOUT_MS="${CFMCP_UPSTREAM_TIMEOUT_MS:-3000}" \
	    CFMCP_TOOLS_PAGE_SIZE="${CFMCP_TOOLS_PAGE_SIZE:-100}" \
	    spawn-fcgi -n -s "$D/worker.sock" -M "${STACK_SOCK_MODE:-0600}" -- \
	    ${CFMCP_TEST_PREFIX:-} "$BUILD/cfmcp-worker" --workers "${STACK_WORKERS:-2}" --drain-ms 5000 \
	    </dev/null >>"$D/worker.log" 2>&1 &
	echo $! > "$D/worker.pid"
	wait_for 20 test -S "$D/worker.sock" || { echo "stack: worker socket missing" >&2; return 1; }
}

# The streams process (legacy HTTP+SSE): the pool's socket name + ".streams",
# as deploy/ routes it. Its stderr joins worker.log, where run.sh looks for
# sanitizer reports. STACK_SSE_KEEPALIVE_MS: tests use short keepalives.
stack_start_streams() {
	D=$1
	env CFMCP_REDIS="unix:$D/redis.sock" \
	    CFMCP_UPSTREAM_URL="$UPSTREAM_URL" \
	    CFMCP_KEY_FILE="$D/key" \
	    CFMCP_SCHEMAS="${CFMCP_SCHEMAS:-$ROOT/schemas}" \
	    CFMCP_OPENAPI="${CFMCP_OPENAPI:-off}" \
	    CFMCP_PUBLIC_URL="$CFMCP_BASE" \
	    CFMCP_LOG_FILE="$D/streams.log" \
	    CFMCP_LOG_FORMAT="${CFMCP_LOG_FORMAT:-text}" \
	    CFMCP_SSE_KEEPALIVE_MS="${STACK_SSE_KEEPALIVE_MS:-2000}" \
	    spawn-fcgi -n -s "$D/worker.sock.streams" -M "${STACK_SOCK_MODE:-0600}" -- \
	    ${CFMCP_TEST_PREFIX:-} "$BUILD/cfmcp-worker" --streams --drain-ms 2000 \
	    </dev/null >>"$D/worker.log" 2>&1 &
	echo $! > "$D/streams.pid"
	wait_for 20 test -S "$D/worker.sock.streams" || { echo "stack: streams socket missing" >&2; return 1; }
}

stack_start() {
	D=$1
	mkdir -p "$D/docroot"
	: > "$D/env"
	[ -s "$D/key" ] || stack_make_key "$D/key" # make run brings the previous run's key
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
	tls_port=$(free_port)
	CFMCP_BASE="http://127.0.0.1:$port"
	CFMCP_TLS_BASE="https://127.0.0.1:$tls_port"
	CFMCP_DIR=$D
	stack_make_cert "$D" || return 1
	# The integrated account (the upstream token goes in on stdin, never argv)
	# and an API key for everything, both with the CLI as an operator would.
	ACCOUNT_ID=$(stack_account "${STACK_CF_ACCOUNT_ID:-$(printf account:acme | md5sum | cut -c1-32)}")
	[ -n "$ACCOUNT_ID" ] || { echo "stack: cfmcp-admin account add failed" >&2; return 1; }
	ADMIN_KEY=$(stack_apikey)
	[ -n "$ADMIN_KEY" ] || { echo "stack: cfmcp-admin apikey create failed" >&2; return 1; }
	STACK_SERVER=${STACK_SERVER:-lighttpd}
	if [ "$STACK_SERVER" = apache ] && [ "$(id -u)" = 0 ]; then
		# Apache's children run as nobody: let them reach the socket (only it).
		chmod 711 "$D"
		STACK_SOCK_MODE=0666
	fi
	stack_start_worker "$D" || return 1
	stack_start_streams "$D" || return 1
	# The admin page from a copy in the stack's directory: Apache's children
	# run as nobody and cannot read a checkout under a private home (/root).
	rm -rf "$D/www" && cp -R "$ROOT/deploy/www" "$D/www" && chmod -R a+rX "$D/www" || return 1
	# The shipped web server configs, templated only for paths and ports.
	_render() { # TEMPLATE: fill in this stack's paths and ports (no exports leak to the tests)
		CFMCP_SOCKET="$D/worker.sock" CFMCP_LOGMASK="$BUILD/cfmcp-logmask" LOGDIR="$D" WWWDIR="$D/www" \
		TLS_LISTEN="127.0.0.1:$tls_port" TLS_CERT="$D/tls.crt" TLS_KEY="$D/tls.key" \
		SYSCONFDIR="$D" DIR="$D" PORT="$port" TLS_PORT="$tls_port" APACHE_USER=nobody APACHE_GROUP=nogroup \
		sh "$ROOT/deploy/render.sh" "$1"
	}
	mkdir -p "$D/cfmcp/lighttpd" "$D/cfmcp/apache"
	for f in cfmcp.conf cfmcp-tls.conf; do
		_render "$ROOT/deploy/lighttpd/$f" > "$D/cfmcp/lighttpd/$f" || return 1
	done
	for f in cfmcp.conf cfmcp-site.conf; do
		_render "$ROOT/deploy/apache/$f" > "$D/cfmcp/apache/$f" || return 1
	done
	case $STACK_SERVER in
	lighttpd)
		_render "$ROOT/deploy/lighttpd/lighttpd-test.conf" > "$D/lighttpd.conf" || return 1
		lighttpd -t -f "$D/lighttpd.conf" >/dev/null || { echo "stack: lighttpd config invalid" >&2; return 1; }
		lighttpd -D -f "$D/lighttpd.conf" </dev/null >>"$D/lighttpd-error.log" 2>&1 &
		echo $! > "$D/httpd.pid.bg" ;;
	apache)
		_render "$ROOT/deploy/apache/apache-test.conf" > "$D/apache.conf" || return 1
		apache2 -t -f "$D/apache.conf" >/dev/null 2>&1 || { apache2 -t -f "$D/apache.conf"; echo "stack: apache config invalid" >&2; return 1; }
		apache2 -f "$D/apache.conf" -DFOREGROUND </dev/null >>"$D/apache-stderr.log" 2>&1 &
		echo $! > "$D/httpd.pid.bg" ;;
	*) echo "stack: STACK_SERVER must be lighttpd or apache" >&2; return 1 ;;
	esac
	wait_for 10 curl -s -o /dev/null "$CFMCP_BASE/healthz-probe" || { echo "stack: $STACK_SERVER did not start" >&2; return 1; }
	wait_for 10 curl -s -o /dev/null --cacert "$D/tls.crt" "$CFMCP_TLS_BASE/healthz-probe" || { echo "stack: $STACK_SERVER TLS did not start" >&2; return 1; }
	cat > "$D/env" <<ENV
CFMCP_DIR='$D'
CFMCP_BASE='$CFMCP_BASE'
SIM_URL='$SIM_URL'
SIM_TOKEN='$SIM_TOKEN'
REDIS_SOCK='$D/redis.sock'
WORKER_SOCK='$D/worker.sock'
STREAMS_SOCK='$D/worker.sock.streams'
CFMCP_KEY_FILE='$D/key'
CFMCP_TLS_BASE='$CFMCP_TLS_BASE'
CFMCP_CA='$D/tls.crt'
STACK_SERVER='$STACK_SERVER'
ACCOUNT_ID='$ACCOUNT_ID'
ADMIN_KEY='$ADMIN_KEY'
CFMCP_LOG_FORMAT='${CFMCP_LOG_FORMAT:-text}'
ENV
	chmod 600 "$D/env"
	export CFMCP_DIR="$D" CFMCP_BASE SIM_URL SIM_TOKEN REDIS_SOCK="$D/redis.sock" WORKER_SOCK="$D/worker.sock" \
		CFMCP_KEY_FILE="$D/key" ACCOUNT_ID ADMIN_KEY CFMCP_TLS_BASE CFMCP_CA="$D/tls.crt" STACK_SERVER
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
	_kill_pidfile "$D/httpd.pid.bg" TERM
	_kill_pidfile "$D/worker.pid" TERM
	_kill_pidfile "$D/streams.pid" TERM
	_kill_pidfile "$D/sim.pid" TERM
	_kill_pidfile "$D/redis.pid" TERM
	# workers die with their master (PR_SET_PDEATHSIG); make sure
	pkill -9 -f "$D/worker.sock" 2>/dev/null || true
	return 0
}
