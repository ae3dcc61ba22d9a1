# tests/lib/ha.sh - the issue 17 topology on loopback, for tests/e2e/9x-*.t
# and bench/soak-ha.js: Redis primary + replica (AOF, TCP), three
# Sentinels (Debian's redis-sentinel), two web hosts (lighttpd with the
# shipped config + a worker pool each, CFMCP_REDIS=sentinel://...), and
# HAProxy with deploy/haproxy/haproxy.cfg in front. Source it (after
# stack.sh's variables: ROOT, BUILD), then:
#
#   ha_up DIR        # DIR: an empty private directory; writes DIR/ha.env
#   ha_down DIR
#
# and the pieces, for tests that need a part or restart one:
#   ha_redis DIR NAME PORT [redis-server args...]   (DIR/NAME/redis.pid)
#   ha_sentinel DIR NAME PORT PRIMARY_PORT
#   ha_web DIR NAME CFMCP_REDIS [VAR=value...]       (DIR/NAME/port, worker.pid;
#        run again after its pool died: starts the pool, lighttpd only if gone)
#   ha_haproxy DIR                                   (DIR/haproxy.pid; SIGUSR2 reloads)
# Every process's pid is in a *.pid file under DIR; ha_down ends exactly those.

. "$ROOT/tests/lib/stack.sh"

HA_SERVICE=cfmcp

ha_redis() { # DIR NAME PORT [args...]
	_d=$1/$2; _p=$3; shift 3
	mkdir -p "$_d"
	# What README "Redis for cfmcp" sets, plus a fast test cadence:
	# no 5 s wait before a replica's first sync.
	redis-server --port "$_p" --bind 127.0.0.1 --dir "$_d" --save '' --appendonly yes --appendfsync always \
		--maxmemory-policy noeviction --repl-diskless-sync-delay 0 --daemonize no \
		--logfile "$_d/redis.log" "$@" </dev/null >/dev/null 2>&1 &
	echo $! > "$_d/redis.pid"
	wait_for 10 redis-cli -p "$_p" ping || { echo "ha: redis $2 did not start" >&2; return 1; }
}

ha_sentinel() { # DIR NAME PORT PRIMARY_PORT
	_d=$1/$2
	mkdir -p "$_d"
	# Sentinel rewrites its file: one per Sentinel. Quorum 2 of 3; a
	# primary silent for 1 s is down (the test cadence; see deploy/redis/).
	cat > "$_d/sentinel.conf" <<EOF
port $3
bind 127.0.0.1
dir $_d
logfile $_d/sentinel.log
sentinel monitor $HA_SERVICE 127.0.0.1 $4 2
sentinel down-after-milliseconds $HA_SERVICE 1000
sentinel failover-timeout $HA_SERVICE 10000
sentinel parallel-syncs $HA_SERVICE 1
EOF
	redis-sentinel "$_d/sentinel.conf" </dev/null >/dev/null 2>&1 &
	echo $! > "$_d/sentinel.pid"
	wait_for 10 redis-cli -p "$3" ping || { echo "ha: sentinel $2 did not start" >&2; return 1; }
}

ha_web() { # DIR NAME CFMCP_REDIS [VAR=value...]
	_top=$1; _d=$1/$2; _redis=$3; shift 3
	mkdir -p "$_d/docroot"
	_port=$(free_port); _tls=$(free_port)
	env CFMCP_REDIS="$_redis" CFMCP_UPSTREAM_URL="$HA_UPSTREAM" CFMCP_KEY_FILE="$_top/key" \
	    CFMCP_SCHEMAS="${CFMCP_SCHEMAS:-$ROOT/schemas}" CFMCP_PUBLIC_URL="${HA_PUBLIC_URL:-http://127.0.0.1:$_port}" \
	    CFMCP_LOG_FILE="$_d/worker.log" CFMCP_UPSTREAM_TIMEOUT_MS=3000 CFMCP_CONFIG_FILE= "$@" \
	    spawn-fcgi -n -s "$_d/worker.sock" -M 0600 -- \
	    ${CFMCP_TEST_PREFIX:-} "$BUILD/cfmcp-worker" --workers "${HA_WORKERS:-2}" --drain-ms 3000 \
	    </dev/null >>"$_d/worker.log" 2>&1 &
	echo $! > "$_d/worker.pid"
	wait_for 20 test -S "$_d/worker.sock" || { echo "ha: worker $2 socket missing" >&2; return 1; }
	if [ -n "${HA_STREAMS:-}" ]; then
		# the legacy HTTP+SSE streams process, on the socket deploy/ routes /sse to
		env CFMCP_REDIS="$_redis" CFMCP_UPSTREAM_URL="$HA_UPSTREAM" CFMCP_KEY_FILE="$_top/key" \
		    CFMCP_SCHEMAS="${CFMCP_SCHEMAS:-$ROOT/schemas}" CFMCP_PUBLIC_URL="${HA_PUBLIC_URL:-http://127.0.0.1:$_port}" \
		    CFMCP_LOG_FILE="$_d/streams.log" CFMCP_SSE_KEEPALIVE_MS=2000 CFMCP_CONFIG_FILE= "$@" \
		    spawn-fcgi -n -s "$_d/worker.sock.streams" -M 0600 -- \
		    ${CFMCP_TEST_PREFIX:-} "$BUILD/cfmcp-worker" --streams --drain-ms 2000 \
		    </dev/null >>"$_d/worker.log" 2>&1 &
		echo $! > "$_d/streams.pid"
		wait_for 20 test -S "$_d/worker.sock.streams" || { echo "ha: streams $2 socket missing" >&2; return 1; }
	fi
	if [ ! -f "$_d/lighttpd.conf" ]; then
		stack_make_cert "$_d" || return 1
		mkdir -p "$_d/cfmcp/lighttpd"
		for f in cfmcp.conf cfmcp-tls.conf; do
			CFMCP_SOCKET="$_d/worker.sock" CFMCP_LOGMASK="$BUILD/cfmcp-logmask" LOGDIR="$_d" WWWDIR="$ROOT/deploy/www" \
			TLS_LISTEN="127.0.0.1:$_tls" TLS_CERT="$_d/tls.crt" TLS_KEY="$_d/tls.key" \
			sh "$ROOT/deploy/render.sh" "$ROOT/deploy/lighttpd/$f" > "$_d/cfmcp/lighttpd/$f" || return 1
		done
		DIR="$_d" PORT="$_port" sh "$ROOT/deploy/render.sh" "$ROOT/deploy/lighttpd/lighttpd-test.conf" > "$_d/lighttpd.conf" || return 1
		echo "$_port" > "$_d/port"
	fi
	_port=$(cat "$_d/port")
	if ! { [ -f "$_d/httpd.pid" ] && kill -0 "$(cat "$_d/httpd.pid")" 2>/dev/null; }; then
		lighttpd -D -f "$_d/lighttpd.conf" </dev/null >>"$_d/lighttpd-error.log" 2>&1 &
		echo $! > "$_d/httpd.pid"
	fi
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$_port/healthz-probe" || { echo "ha: lighttpd $2 did not start" >&2; return 1; }
}

ha_haproxy() { # DIR
	_d=$1
	LISTEN="127.0.0.1:$(cat "$_d/haproxy.port")" WEB1="127.0.0.1:$(cat "$_d/web1/port")" \
	WEB2="127.0.0.1:$(cat "$_d/web2/port")" ERRORS="$ROOT/deploy/haproxy" ADMIN_SOCKET="$_d/haproxy.sock" \
		sh "$ROOT/deploy/render.sh" "$ROOT/deploy/haproxy/haproxy.cfg" > "$_d/haproxy.cfg" || return 1
	haproxy -c -q -f "$_d/haproxy.cfg" || { echo "ha: haproxy.cfg invalid" >&2; return 1; }
	# -W master-worker (SIGUSR2 reloads), -db foreground
	haproxy -W -db -f "$_d/haproxy.cfg" </dev/null >>"$_d/haproxy.log" 2>&1 &
	echo $! > "$_d/haproxy.pid"
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$(cat "$_d/haproxy.port")/healthz" ||
		{ echo "ha: haproxy did not start" >&2; return 1; }
}

ha_sim() { # DIR: the Cloudflare API simulator; sets HA_SIM_TOKEN, HA_SIM_URL, HA_UPSTREAM
	HA_SIM_TOKEN=$(node -e "console.log(require('crypto').randomBytes(20).toString('hex'))")
	node "$ROOT/tests/cf-sim/sim.js" --token "$HA_SIM_TOKEN" --portfile "$1/sim.port" </dev/null >"$1/sim.log" 2>&1 &
	echo $! > "$1/sim.pid"
	wait_for 10 test -s "$1/sim.port" || { echo "ha: simulator did not start" >&2; return 1; }
	HA_SIM_URL="http://127.0.0.1:$(cat "$1/sim.port")"
	HA_UPSTREAM="$HA_SIM_URL/client/v4"
}

ha_up() { # DIR
	D=$1
	mkdir -p "$D"
	stack_make_key "$D/key"
	ha_sim "$D" || return 1
	p1=$(free_port); p2=$(free_port); s1=$(free_port); s2=$(free_port); s3=$(free_port)
	ha_redis "$D" redis1 "$p1" || return 1
	ha_redis "$D" redis2 "$p2" --replicaof 127.0.0.1 "$p1" || return 1
	wait_for 10 sh -c "redis-cli -p $p2 info replication | grep -q master_link_status:up" ||
		{ echo "ha: the replica did not sync" >&2; return 1; }
	ha_sentinel "$D" sentinel1 "$s1" "$p1" && ha_sentinel "$D" sentinel2 "$s2" "$p1" &&
		ha_sentinel "$D" sentinel3 "$s3" "$p1" || return 1
	# every Sentinel must know the replica before a failover can pick it
	wait_for 20 sh -c "for s in $s1 $s2 $s3; do redis-cli -p \$s sentinel replicas $HA_SERVICE | grep -q $p2 || exit 1; done" ||
		{ echo "ha: the Sentinels did not find the replica" >&2; return 1; }
	HA_REDIS="sentinel://127.0.0.1:$s1,127.0.0.1:$s2,127.0.0.1:$s3/$HA_SERVICE"
	free_port > "$D/haproxy.port"
	HA_PUBLIC_URL="http://127.0.0.1:$(cat "$D/haproxy.port")"
	ha_web "$D" web1 "$HA_REDIS" || return 1
	ha_web "$D" web2 "$HA_REDIS" || return 1
	ha_haproxy "$D" || return 1
	# The integrated account and an API key, with the CLI through Sentinel.
	HA_ACCOUNT=$(printf '%s\n' "$HA_SIM_TOKEN" | ha_admin "$D" account add acme \
		--cf-account-id "$(printf account:acme | md5sum | cut -c1-32)" | awk '$1 == "id" { print $2 }')
	[ -n "$HA_ACCOUNT" ] || { echo "ha: cfmcp-admin account add failed" >&2; return 1; }
	HA_ADMIN_KEY=$(ha_admin "$D" apikey create ha --accounts all | awk '$1 == "token" { print $2 }')
	[ -n "$HA_ADMIN_KEY" ] || { echo "ha: cfmcp-admin apikey create failed" >&2; return 1; }
	cat > "$D/ha.env" <<ENV
HA_DIR='$D'
HA_BASE='$HA_PUBLIC_URL'
HA_REDIS='$HA_REDIS'
HA_SERVICE='$HA_SERVICE'
HA_SENTINELS='$s1 $s2 $s3'
HA_REDIS_PORTS='$p1 $p2'
HA_SIM_URL='$HA_SIM_URL'
HA_SIM_TOKEN='$HA_SIM_TOKEN'
HA_UPSTREAM='$HA_UPSTREAM'
HA_ACCOUNT='$HA_ACCOUNT'
HA_ADMIN_KEY='$HA_ADMIN_KEY'
ENV
	chmod 600 "$D/ha.env"
}

ha_admin() { # DIR args...: cfmcp-admin through Sentinel
	_d=$1; shift
	CFMCP_REDIS="$HA_REDIS" CFMCP_KEY_FILE="$_d/key" CFMCP_SCHEMAS="${CFMCP_SCHEMAS:-$ROOT/schemas}" \
	CFMCP_PUBLIC_URL="$HA_PUBLIC_URL" CFMCP_CONFIG_FILE= "$BUILD/cfmcp-admin" "$@"
}

ha_down() { # DIR: every process a *.pid file under DIR names, web servers first
	for f in "$1"/haproxy.pid "$1"/web*/httpd.pid "$1"/web*/worker.pid "$1"/web*/streams.pid "$1"/sentinel*/sentinel.pid \
		"$1"/redis*/redis.pid "$1"/redis.pid "$1"/sim.pid; do
		[ -f "$f" ] && _kill_pidfile "$f" TERM
	done
	return 0
}
