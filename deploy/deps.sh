#!/bin/sh
# deploy/deps.sh - install the Debian 12 packages cfmcp needs, if missing.
#   deps.sh build   compile-time packages
#   deps.sh valgrind  test packages plus valgrind (`make valgrind`)
#   deps.sh bench   test packages plus wrk (`make bench`)
#   deps.sh fuzz    build packages plus clang and libFuzzer (`make fuzz`)
#   deps.sh test    also what `make test` and `make run` start (Redis,
#                   lighttpd (+ mod-openssl), Apache 2.4, spawn-fcgi, openssl,
#                   Node.js + npm for the simulator
#                   and the official MCP SDK clients, perl's prove,
#                   headless Chromium for the admin page's browser test,
#                   for the HA tests (issue 17) HAProxy and redis-sentinel,
#                   and Prometheus + promtool for tests/e2e/93-metrics.t)
# As root it runs apt-get; otherwise it prints the exact line to run.
set -eu

BUILD_PKGS="gcc make pkg-config libc6-dev libfcgi-dev libcurl4-openssl-dev libhiredis-dev libcjson-dev libssl-dev"
TEST_PKGS="redis-server redis-tools lighttpd lighttpd-mod-openssl apache2 spawn-fcgi openssl curl ca-certificates perl nodejs npm procps chromium"
# tests/e2e/96-ha.t and make soak-ha: the load balancer and Sentinel
HA_PKGS="haproxy redis-sentinel"
# tests/e2e/93-metrics.t: promtool check metrics, and a real Prometheus scraping
METRICS_PKGS="prometheus"

want=$BUILD_PKGS
case ${1:-build} in
test) want="$BUILD_PKGS $TEST_PKGS $HA_PKGS $METRICS_PKGS" ;;
valgrind) want="$BUILD_PKGS $TEST_PKGS $HA_PKGS $METRICS_PKGS valgrind" ;;
bench) want="$BUILD_PKGS $TEST_PKGS $HA_PKGS $METRICS_PKGS wrk" ;;
fuzz) want="$BUILD_PKGS clang libclang-rt-14-dev" ;;
esac

missing=""
for p in $want; do
	# nodejs/npm may come from elsewhere (e.g. a nodesource install): a
	# working `node` and `npm` on PATH is enough.
	case $p in
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root:  apt-get update && $line" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
