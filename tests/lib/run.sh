#!/bin/sh
# tests/lib/run.sh - `make run` / `make stop`: the same stack the tests use,
# kept running in ./run/, lighttpd on 127.0.0.1:${CFMCP_HTTP_PORT:-8080}.
# Upstream: the real Cloudflare API when CLOUDFLARE_API_TOKEN is set
# (CLOUDFLARE_ACCOUNT_ID optional), else the bundled simulator.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export ROOT
. "$ROOT/tests/lib/stack.sh"
D="$ROOT/run"

case "${1:-start}" in
stop)
	if [ -d "$D" ]; then stack_stop "$D"; rm -rf "$D"; echo "cfmcp stopped"; else echo "cfmcp is not running"; fi
	exit 0 ;;
start) ;;
*) echo "usage: run.sh start|stop" >&2; exit 2 ;;
esac

if [ -f "$D/lighttpd.pid.bg" ] && kill -0 "$(cat "$D/lighttpd.pid.bg")" 2>/dev/null; then
	echo "cfmcp is already running (make stop first)" >&2
	exit 1
fi
rm -rf "$D"; mkdir -p "$D"
# Node is needed for the simulator; the test-only npm packages are not.
export STACK_HTTP_PORT="${CFMCP_HTTP_PORT:-8080}"
if [ -n "${CLOUDFLARE_API_TOKEN:-}" ]; then
	export STACK_UPSTREAM_URL="${CFMCP_UPSTREAM_URL:-https://api.cloudflare.com/client/v4}"
	export STACK_CF_TOKEN="$CLOUDFLARE_API_TOKEN"
	export STACK_CF_ACCOUNT_ID="${CLOUDFLARE_ACCOUNT_ID:-}"
	echo "upstream: the real Cloudflare API ($STACK_UPSTREAM_URL), with CLOUDFLARE_API_TOKEN"
else
	echo "upstream: CLOUDFLARE_API_TOKEN is not set, so the Cloudflare API SIMULATOR (tests/cf-sim) answers."
	echo "          Its data is made up. Set CLOUDFLARE_API_TOKEN and run make run again for your real account."
fi
if ! stack_start "$D"; then
	echo "could not start; logs in $D" >&2
	stack_stop "$D"
	exit 1
fi
# An integrated account record and a read-scoped MCP server token (README "Key layout").
redis-cli -s "$REDIS_SOCK" HSET cfmcp:account:local name "make run" cf_account_id "${CLOUDFLARE_ACCOUNT_ID:-}" >/dev/null
TOKEN=$(stack_mint_token read "")
URL="$CFMCP_BASE/mcp/$TOKEN"
echo "$URL" > "$D/mcp-url"
chmod 600 "$D/mcp-url"
echo
echo "MCP URL: $URL"
echo
echo "Try it:"
echo "  curl -s -X POST '$URL' -H 'Content-Type: application/json' -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}'"
echo
echo "Logs: $D/worker.log  Stop: make stop"
