#!/bin/sh
# cfmcp-worker --check with the OpenAPI import (issue 12): counts and skips
# by reason, --list-tools (one line per tool: name, method, path, class,
# tags), a broken spec named by file and JSON pointer, CFMCP_OPENAPI=off.
# No stack needed; the spec is vendored, so this never skips once built.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
W="$BUILD/cfmcp-worker"
SPEC="$ROOT/schemas/openapi/openapi.json"
[ -x "$W" ] || { echo "1..0 # SKIP $W not built"; exit 0; }
n=0; fail=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/key")
export CFMCP_KEY_FILE="$T/key" CFMCP_SCHEMAS="$ROOT/schemas" CFMCP_CONFIG_FILE=

out=$(CFMCP_OPENAPI="$SPEC" "$W" --check 2>&1); rc=$?
ok $rc "the vendored spec passes --check"
line=$(echo "$out" | grep '^openapi:')
echo "# $line"
echo "$line" | grep -q "^openapi: 1533 operations read, [0-9]* tools made, 24 replaced by curated tools, [0-9]* skipped$"
ok $? "--check prints operations read, tools made, curated replacements, skips"
total=$(echo "$out" | sed -n 's/.*configuration OK: \([0-9]*\) tools.*/\1/p')
[ "${total:-0}" -ge 1420 ]; ok $? "at least 1,420 tools in all ($total)"
echo "$out" | grep -q '^skipped (deprecated): 75$'; ok $? "deprecated operations are a reason of their own"
echo "$out" | grep -q '^skipped (multipart/form-data body (not JSON)): '; ok $? "bodies that are not JSON are skipped with their media type"
echo "$out" | grep -q '^  DELETE /accounts/{account_id}/addressing/address_maps/{address_map_id}/accounts/{account_id}$'
ok $? "each skipped operation is listed under its reason"

list=$(CFMCP_OPENAPI="$SPEC" "$W" --check --list-tools 2>&1); rc=$?
ok $rc "--check --list-tools runs"
[ "$(echo "$list" | wc -l)" -eq "$total" ]; ok $? "one line per tool"
echo "$list" | awk -F'\t' 'NF != 5 || $1 !~ /^[a-z][a-z0-9_]*$/ || length($1) > 64 || $2 !~ /^(GET|POST|PUT|PATCH|DELETE)$/ || $3 !~ /^\// || $4 !~ /^(list|get|create|update|delete|custom)$/ || $5 == "" { bad++ } END { exit bad > 0 }'
ok $? "each line: name, method, path, class, tags"
echo "$list" | grep -q '^purge_cloudflare_purge_cache	POST	/zones/{zone_id}/purge_cache	custom	cache$'
ok $? "purge the cache is purge_cloudflare_purge_cache (custom, tag cache)"
[ -z "$(echo "$list" | cut -f1 | sort | uniq -d)" ]; ok $? "names are unique"

head -c 200000 "$SPEC" > "$T/cut.json"
out=$(CFMCP_OPENAPI="$T/cut.json" "$W" --check 2>&1); rc=$?
[ $rc -ne 0 ]; ok $? "a truncated spec is refused (exit $rc)"
case $out in *"$T/cut.json: /"*"the file ends early"*) ok 0 "... naming the file, the JSON pointer and the cut: $out" ;;
	*) ok 1 "message '$out' lacks file, pointer or cut" ;; esac
out=$(CFMCP_OPENAPI="$T/none.json" "$W" --check 2>&1); rc=$?
[ $rc -ne 0 ] && case $out in *"$T/none.json: cannot read"*) true ;; *) false ;; esac
ok $? "a spec named but missing is refused ($out)"
out=$(CFMCP_OPENAPI=off "$W" --check 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "25 tools" && echo "$out" | grep -q "openapi: off"
ok $? "CFMCP_OPENAPI=off: the curated 25 tools only"
"$W" --list-tools >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "--list-tools without --check is a usage error"

echo "1..$n"
exit $fail
