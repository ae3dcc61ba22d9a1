#!/bin/sh
# cfmcp-worker --check: the shipped schemas load; each kind of broken schema
# is refused with a non-zero exit and a message naming the file and the JSON
# pointer of the fault. No stack needed.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
W="$BUILD/cfmcp-worker"
[ -x "$W" ] || { echo "1..0 # SKIP $W not built"; exit 0; }
n=0; fail=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
# the encryption key file, made as README "Encryption key" says
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/key")
export CFMCP_KEY_FILE="$T/key"

out=$(CFMCP_SCHEMAS="$ROOT/schemas" "$W" --check 2>&1); rc=$?
ok $rc "shipped schemas pass --check ($out)"
echo "$out" | grep -q "25 tools"; ok $? "the core catalogue has 25 tools"

# Mutations are sed edits of a copy of schemas/zones.json; line numbers refer
# to that file as committed (a change there makes these fail loudly, not pass).
check_bad() { # name sed-expression expected-substring
	rm -rf "$T/s"; mkdir "$T/s"; cp "$ROOT/schemas/zones.json" "$T/s/zones.json"
	sed -i "$2" "$T/s/zones.json"
	out=$(CFMCP_SCHEMAS="$T/s" "$W" --check 2>&1); rc=$?
	[ $rc -ne 0 ]; ok $? "$1: refused (exit $rc)"
	case $out in *"$3"*) ok 0 "$1: message names it: $out" ;; *) ok 1 "$1: message '$out' lacks '$3'" ;; esac
}
check_bad "unknown schema keyword" '26s/"maxLength"/"maxLenght"/' \
	"zones.json: /methods/list/query/name/maxLenght: unsupported schema keyword"
check_bad "bad enum" '31s/"enum": \[/"enum": [], "x": [/' \
	"zones.json: /methods/list/query/status/enum: must be a non-empty array"
check_bad "path placeholder without a parameter" 's#"/zones/{zone_id}"#"/zones/{zone}"#' \
	"zones.json: /methods/get/path: placeholder {zone} has no entry in path_params"
check_bad "bad HTTP method" 's/"http": "GET",/"http": "FETCH",/' "zones.json: /methods/list/http: required"
check_bad "ERE-incompatible pattern" '41s/"pattern": "[^"]*"/"pattern": "^\\\\d+$"/' \
	"patterns run as POSIX ERE"
check_bad "not JSON" 's/^{/[/' "zones.json: not valid JSON"

rm -rf "$T/s"; mkdir "$T/s"; cp "$ROOT/schemas/zones.json" "$T/s/a.json"; cp "$ROOT/schemas/zones.json" "$T/s/b.json"
out=$(CFMCP_SCHEMAS="$T/s" "$W" --check 2>&1); rc=$?
[ $rc -ne 0 ] && case $out in *"already defined"*) true ;; *) false ;; esac; ok $? "duplicate tool names refused ($out)"
out=$(CFMCP_SCHEMAS="$T/none" "$W" --check 2>&1); rc=$?
[ $rc -ne 0 ]; ok $? "missing schemas directory refused ($out)"
# the key file: missing, readable by others, malformed -> refused, naming the file, never a key
out=$(CFMCP_SCHEMAS="$ROOT/schemas" CFMCP_KEY_FILE="$T/nokey" "$W" --check 2>&1); rc=$?
[ $rc -ne 0 ] && case $out in *"CFMCP_KEY_FILE $T/nokey"*"Encryption key"*) true ;; *) false ;; esac; ok $? "missing key file refused ($out)"
cp "$T/key" "$T/key2"; chmod 644 "$T/key2"
out=$(CFMCP_SCHEMAS="$ROOT/schemas" CFMCP_KEY_FILE="$T/key2" "$W" --check 2>&1); rc=$?
[ $rc -ne 0 ] && case $out in *"readable by others"*) true ;; *) false ;; esac; ok $? "world-readable key file refused ($out)"
(umask 077; echo "not-a-key" > "$T/key3")
out=$(CFMCP_SCHEMAS="$ROOT/schemas" CFMCP_KEY_FILE="$T/key3" "$W" --check 2>&1); rc=$?
[ $rc -ne 0 ] && case $out in *"key3:1: expected 64 hex digits"*) true ;; *) false ;; esac; ok $? "malformed key line refused ($out)"
(umask 077; { echo "# comment"; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; echo; cat "$T/key"; } > "$T/key4")
out=$(CFMCP_SCHEMAS="$ROOT/schemas" CFMCP_KEY_FILE="$T/key4" "$W" --check 2>&1); ok $? "two keys and a comment accepted"
case $out in *"$(cut -c1-16 "$T/key")"*) ok 1 "no key material in the output" ;; *) ok 0 "no key material in the output" ;; esac
echo "1..$n"
exit $fail
