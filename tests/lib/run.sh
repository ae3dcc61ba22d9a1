#!/bin/sh
# tests/lib/run.sh - `make run` / `make stop`: the same stack the tests use,
# kept running in ./run/, lighttpd on 127.0.0.1:${CFMCP_HTTP_PORT:-8080}.
# Upstream: the real Cloudflare API when CLOUDFLARE_API_TOKEN is set
# (CLOUDFLARE_ACCOUNT_ID optional), else the bundled simulator.
#
# What make stop keeps: run/data/ - Redis's AOF (run/data/redis/, fsynced
# per write), the encryption key, and the ids of the integrated account,
# the API key and the demo MCP URL this script made. The next make run
# reuses all of them (the account gets the current upstream token), so
# accounts, URLs and API keys made by hand survive and the demo URL does
# not pile up. rm -rf run/ starts over.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export ROOT
. "$ROOT/tests/lib/stack.sh"
D="$ROOT/run"
DATA="$D/data"

# Everything in run/ but the data.
clean_run_dir() {
	[ -d "$D" ] && find "$D" -mindepth 1 -maxdepth 1 ! -name data -exec rm -rf {} +
	mkdir -p "$DATA" && chmod 700 "$DATA"
}

case "${1:-start}" in
stop)
	if [ -f "$D/redis.pid" ] || [ -f "$D/httpd.pid.bg" ]; then
		stack_stop "$D"; clean_run_dir
		echo "cfmcp stopped (data kept in $DATA; rm -rf $D to start over)"
	else
		echo "cfmcp is not running"
	fi
	exit 0 ;;
start) ;;
*) echo "usage: run.sh start|stop" >&2; exit 2 ;;
esac

if [ -f "$D/httpd.pid.bg" ] && kill -0 "$(cat "$D/httpd.pid.bg")" 2>/dev/null; then
	echo "cfmcp is already running (make stop first)" >&2
	exit 1
fi
clean_run_dir
[ -s "$DATA/key" ] && cp -p "$DATA/key" "$D/key"
export STACK_REDIS_DATA="$DATA/redis"

# Reuse the previous run's account (its upstream token replaced: the
# simulator's changes every run) and API key while they exist.
stack_account() { # CF_ACCOUNT_ID
	_id=$(cat "$DATA/account-id" 2>/dev/null)
	if [ -n "$_id" ] && stack_admin account show "$_id" 2>/dev/null | grep -q "^cf account  *$1\$" &&
	   printf '%s\n' "$CF_TOKEN" | stack_admin account set-token "$_id" >/dev/null; then
		echo "$_id"; return
	fi
	_name=acme
	[ -n "${STACK_UPSTREAM_URL:-}" ] && _name="cloudflare-$(printf %s "$1" | cut -c1-8)"
	_id=$(printf '%s\n' "$CF_TOKEN" | stack_admin account add "$_name" --cf-account-id "$1" | awk '$1 == "id" { print $2 }')
	[ -n "$_id" ] && echo "$_id" > "$DATA/account-id"
	echo "$_id"
}
stack_apikey() {
	if [ -s "$DATA/apikey" ]; then
		read -r _id _key < "$DATA/apikey"
		if stack_admin apikey list 2>/dev/null | grep -q "^id  *$_id\$"; then echo "$_key"; return; fi
	fi
	_out=$(stack_admin apikey create make-run --accounts all) || return 1
	_id=$(echo "$_out" | awk '$1 == "id" { print $2 }'); _key=$(echo "$_out" | awk '$1 == "token" { print $2 }')
	(umask 077; echo "$_id $_key" > "$DATA/apikey")
	echo "$_key"
}
# Node is needed for the simulator; the test-only npm packages are not.
export STACK_HTTP_PORT="${CFMCP_HTTP_PORT:-8080}"
if [ -n "${CLOUDFLARE_API_TOKEN:-}" ]; then
	export STACK_UPSTREAM_URL="${CFMCP_UPSTREAM_URL:-https://api.cloudflare.com/client/v4}"
	export STACK_CF_TOKEN="$CLOUDFLARE_API_TOKEN"
	if [ -z "${CLOUDFLARE_ACCOUNT_ID:-}" ]; then
		# The integrated account needs its Cloudflare account id: ask the API.
		CLOUDFLARE_ACCOUNT_ID=$(curl -s -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" \
			"$STACK_UPSTREAM_URL/accounts?per_page=1" | grep -o '"id":"[0-9a-f]\{32\}"' | head -1 | cut -d'"' -f4)
		[ -n "$CLOUDFLARE_ACCOUNT_ID" ] || { echo "could not find your Cloudflare account id; set CLOUDFLARE_ACCOUNT_ID" >&2; exit 1; }
	fi
	export STACK_CF_ACCOUNT_ID="$CLOUDFLARE_ACCOUNT_ID"
	echo "upstream: the real Cloudflare API ($STACK_UPSTREAM_URL), with CLOUDFLARE_API_TOKEN"
else
	echo "upstream: CLOUDFLARE_API_TOKEN is not set, so the Cloudflare API SIMULATOR (tests/cf-sim) answers."
	echo "          Its data is made up. Set CLOUDFLARE_API_TOKEN and run make run again for your real account."
fi
# the production keepalive (the test suite uses a short one)
export STACK_SSE_KEEPALIVE_MS="${STACK_SSE_KEEPALIVE_MS:-15000}"
# the whole API, as an installed worker has it (the tests keep it off, stack.sh)
export CFMCP_OPENAPI="${CFMCP_OPENAPI:-$ROOT/schemas/openapi/openapi.json}"
if ! stack_start "$D"; then
	echo "could not start; logs in $D" >&2
	stack_stop "$D"
	exit 1
fi
[ -s "$DATA/key" ] || cp -p "$D/key" "$DATA/key"
# The demo URL: the previous run's while it exists (not revoked, not
# expired), else a new read-scoped one - one at a time, never a pile.
TOKEN=
if [ -s "$DATA/mcp" ]; then
	read -r _id TOKEN < "$DATA/mcp"
	stack_admin mcp show "$_id" >/dev/null 2>&1 || TOKEN=
fi
if [ -z "$TOKEN" ]; then
	_out=$(stack_admin mcp create "$ACCOUNT_ID" --name make-run --methods read)
	_id=$(echo "$_out" | awk '$1 == "id" { print $2 }'); _url=$(echo "$_out" | awk '$1 == "url" { print $2 }')
	TOKEN=${_url##*/}
	(umask 077; echo "$_id $TOKEN" > "$DATA/mcp")
fi
URL="$CFMCP_BASE/mcp/$TOKEN"
echo "$URL" > "$D/mcp-url"
chmod 600 "$D/mcp-url"
# Everything cfmcp-admin needs to reach this stack, public URL included, in
# one file: the printed command then works as printed, whatever CFMCP_*
# settings the shell that pastes it has (a file overrides the environment).
(umask 077; cat > "$D/cfmcp.conf" <<CONF
# written by make run: cfmcp-admin (and cfmcp-worker) settings for this stack
CFMCP_REDIS=unix:$D/redis.sock
CFMCP_KEY_FILE=$D/key
CFMCP_SCHEMAS=$ROOT/schemas
CFMCP_OPENAPI=$CFMCP_OPENAPI
CFMCP_PUBLIC_URL=$CFMCP_BASE
CONF
)
# q WORD: WORD quoted for sh when it needs it (paths may hold spaces).
q() {
	case $1 in
	*[!A-Za-z0-9_./:@%+=-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*) printf '%s' "$1" ;;
	esac
}
echo
echo "MCP URL: $URL"
echo "SSE URL (legacy HTTP+SSE clients, e.g. mcp-remote --transport sse-only): $URL/sse"
echo
echo "Try it:"
echo "  curl -s -X POST $(q "$URL") -H 'Content-Type: application/json' -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}'"
if [ "$CFMCP_OPENAPI" != off ]; then
	echo "Search the whole API (the URL is in discovery mode: README \"Discovery mode\"):"
	echo "  curl -s -X POST $(q "$URL") -H 'Content-Type: application/json' -d '{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"search_cloudflare_operations\",\"arguments\":{\"query\":\"list my R2 buckets\",\"limit\":3}}}'"
fi
echo
echo "Data (kept by make stop): $DATA"
echo "Manage it: CFMCP_CONFIG_FILE=$(q "$D/cfmcp.conf") $(q "$BUILD/cfmcp-admin") mcp list $ACCOUNT_ID"
echo "Management API: (. $(q "$D/env") && curl -s --cacert \"\$CFMCP_CA\" -H \"Authorization: Bearer \$ADMIN_KEY\" \"\$CFMCP_TLS_BASE/integrated-account\")"
echo "           (the API key and the self-signed certificate of $CFMCP_TLS_BASE are in $D)"
echo
echo "Admin page: $CFMCP_BASE/admin/"
echo "           sign in with the API key this prints: (. $(q "$D/env") && echo \"\$ADMIN_KEY\")"
echo "Logs: $D/worker.log  Stop: make -C $(q "$ROOT") stop"
