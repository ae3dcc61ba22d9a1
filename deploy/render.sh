#!/bin/sh
# deploy/render.sh TEMPLATE > OUT - fill the @NAME@ placeholders of a shipped
# config from environment variables of the same name. Only paths, ports and
# addresses are templated; a placeholder without a value is an error, so a
# half-filled config never reaches a server.
set -eu
[ $# -eq 1 ] || { echo "usage: render.sh TEMPLATE" >&2; exit 2; }
awk '
{
	line = $0; out = ""
	while (match(line, /@[A-Z][A-Z0-9_]*@/)) {
		name = substr(line, RSTART + 1, RLENGTH - 2)
		if (!(name in ENVIRON) || ENVIRON[name] == "") {
			printf "render.sh: %s: no value for @%s@\n", FILENAME, name > "/dev/stderr"; bad = 1; exit 1
		}
		out = out substr(line, 1, RSTART - 1) ENVIRON[name]
		line = substr(line, RSTART + RLENGTH)
	}
	print out line
}
END { exit bad }' "$1"
