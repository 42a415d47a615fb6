#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# heapctl: output and exit codes of list / info / create / delete / watch, --json
# that parses as (roughly) valid JSON, 1 for a missing heap or a refused
# operation, 2 for usage errors; what an unprivileged user sees.

name=t_heapctl.$$
name2=t_heapctl2.$$
out=${TMPDIR:-/tmp}/t_heapctl.$$
fails=0

fail() {
	echo "t_heapctl.sh: FAIL line $1: $2"
	fails=$((fails + 1))
}

# expect LINE STATUS CMD...: run CMD (output in $out.1 / $out.2), check status.
expect() {
	line=$1 want=$2
	shift 2
	"$@" >"$out.1" 2>"$out.2"
	got=$?
	if [ "$got" != "$want" ]; then
		fail "$line" "'$*' exited $got, expected $want"
		sed 's/^/    stdout: /' "$out.1"
		sed 's/^/    stderr: /' "$out.2"
	fi
}

# grep_out LINE FILE REGEX: FILE ($out.1 or $out.2) must match REGEX.
grep_out() {
	if ! grep -Eq "$3" "$2"; then
		fail "$1" "no line matching /$3/ in $(basename "$2"):"
		sed 's/^/    | /' "$2"
	fi
}

no_grep_out() {
	if grep -Eq "$3" "$2"; then
		fail "$1" "a line matches /$3/ in $(basename "$2"):"
		sed 's/^/    | /' "$2"
	fi
}

# Rough JSON check: one object, brackets balance, no trailing commas.
json_ok() {
	txt=$(tr -d ' \n\t' <"$2")
	case $txt in
	\{*\}) ;;
	*) fail "$1" "JSON output is not one object: $txt"; return ;;
	esac
	for pair in '{}' '[]'; do
		o=$(printf '%s' "$txt" | tr -cd "$(echo "$pair" | cut -c1)" | wc -c)
		c=$(printf '%s' "$txt" | tr -cd "$(echo "$pair" | cut -c2)" | wc -c)
		[ "$o" = "$c" ] || fail "$1" "unbalanced $pair in JSON: $o vs $c"
	done
	if printf '%s' "$txt" | grep -Eq ',[]}]|[[{],|,,|:[,}]'; then
		fail "$1" "malformed JSON: $txt"
	fi
	printf '%s' "$txt" | grep -q '"[a-z_]*"[^:]*:' ||
		fail "$1" "JSON without \"key\": value pairs"
}

as_user() {	# as rtuser (1000)
	su -s /bin/sh rtuser -c "$*"
}

cleanup() {
	heapctl delete "$name" >/dev/null 2>&1
	heapctl delete "$name2" >/dev/null 2>&1
	rm -f "$out.1" "$out.2"
}
trap cleanup EXIT

command -v heapctl >/dev/null || { echo "heapctl not on PATH"; exit 1; }

# Usage errors: 2.
expect $LINENO 2 heapctl
expect $LINENO 2 heapctl no-such-command
expect $LINENO 2 heapctl --no-such-option list
expect $LINENO 2 heapctl info
expect $LINENO 2 heapctl create "$name"
expect $LINENO 2 heapctl create
expect $LINENO 2 heapctl delete
expect $LINENO 2 heapctl info a b
expect $LINENO 2 heapctl create "$name" 64K extra
expect $LINENO 2 heapctl create "$name" notasize
grep_out $LINENO "$out.2" 'heapctl'
expect $LINENO 0 heapctl --help
grep_out $LINENO "$out.1" 'usage'
expect $LINENO 0 heapctl --version

# Missing heaps: 1, with a message.
expect $LINENO 1 heapctl info "$name"
grep_out $LINENO "$out.2" "$name"
expect $LINENO 1 heapctl delete "$name"
grep_out $LINENO "$out.2" "$name"
expect $LINENO 1 heapctl --json info "$name"

# Create, then see it everywhere.
expect $LINENO 0 heapctl create "$name" 64K
expect $LINENO 1 heapctl create "$name" 64K
grep_out $LINENO "$out.2" 'exist'
expect $LINENO 0 heapctl list
grep_out $LINENO "$out.1" 'NAME'
grep_out $LINENO "$out.1" "^ *[0-9]+ +$name "
expect $LINENO 0 heapctl info "$name"
grep_out $LINENO "$out.1" "^name: +$name\$"
grep_out $LINENO "$out.1" '^heap size: +64(\.0)? ?K'
grep_out $LINENO "$out.1" '^used: +0'
grep_out $LINENO "$out.1" '^mode: .*(FIFO|fifo)'
expect $LINENO 0 heapctl -b info "$name"
grep_out $LINENO "$out.1" '^heap size: +65536'
grep_out $LINENO "$out.1" '^usable: +65536'
expect $LINENO 0 heapctl --json info "$name"
json_ok $LINENO "$out.1"
grep_out $LINENO "$out.1" "\"name\": *\"$name\""
grep_out $LINENO "$out.1" '"heap_size": *65536'
grep_out $LINENO "$out.1" '"used_mem": *0'
expect $LINENO 0 heapctl --json list
json_ok $LINENO "$out.1"
grep_out $LINENO "$out.1" '"heaps": *\['
grep_out $LINENO "$out.1" "\"name\": *\"$name\""
grep -q "^ *[0-9]* *$name " /proc/rtheap || fail $LINENO "$name not in /proc/rtheap"

# watch: N samples, then exit 0; a line per sample when not on a terminal.
expect $LINENO 0 heapctl watch -n 3 -i 0.05 "$name"
grep_out $LINENO "$out.1" 'USED'
[ "$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] ' "$out.1")" = 3 ] ||
	fail $LINENO "watch -n 3 did not print 3 samples"
expect $LINENO 0 heapctl --json watch -n 2 -i 0.05 "$name"
[ "$(grep -c '"heap_size":65536' "$out.1")" = 2 ] ||
	fail $LINENO "watch --json -n 2 did not print 2 objects"
expect $LINENO 1 heapctl watch -n 2 -i 0.05 "$name.none"
expect $LINENO 2 heapctl watch -n 0 "$name"
expect $LINENO 2 heapctl --json create "$name.x" 4096

# Options of create.
expect $LINENO 0 heapctl create --prio --perm 0644 --group rtuser "$name2" 8192
expect $LINENO 0 heapctl info "$name2"
grep_out $LINENO "$out.1" '^perms: .*0644'
grep_out $LINENO "$out.1" '^group: .*1000'
grep_out $LINENO "$out.1" '^mode: .*(PRIO|prio)'
expect $LINENO 2 heapctl create --perm 999 "$name2.x" 4096
expect $LINENO 2 heapctl create --perm rwx "$name2.x" 4096

# An unprivileged user: sees 0644, not 0600; may not delete root's heap.
if as_user true; then
	as_user "heapctl list" >"$out.1" 2>"$out.2" || fail $LINENO "list as rtuser failed"
	no_grep_out $LINENO "$out.1" " $name "
	grep_out $LINENO "$out.1" " $name2 "
	as_user "heapctl info $name" >"$out.1" 2>"$out.2"
	[ $? = 1 ] || fail $LINENO "info of a 0600 root heap as rtuser did not exit 1"
	as_user "heapctl delete $name" >"$out.1" 2>"$out.2"
	[ $? = 1 ] || fail $LINENO "delete of a 0600 root heap as rtuser did not exit 1"
	as_user "heapctl delete $name2" >"$out.1" 2>"$out.2"
	[ $? = 1 ] || fail $LINENO "delete of a root 0644 heap as rtuser did not exit 1"
	heapctl info "$name2" >/dev/null 2>&1 || fail $LINENO "rtuser deleted root's $name2"
	as_user "heapctl create $name.u 4096 && heapctl delete $name.u" >"$out.1" 2>"$out.2" ||
		fail $LINENO "rtuser could not create and delete its own heap"
else
	fail $LINENO "cannot run commands as rtuser (su)"
fi

# Delete: gone from every view.
expect $LINENO 0 heapctl delete "$name"
expect $LINENO 0 heapctl delete "$name2"
expect $LINENO 1 heapctl info "$name"
expect $LINENO 0 heapctl list
no_grep_out $LINENO "$out.1" " $name "
grep -q " $name " /proc/rtheap && fail $LINENO "$name still in /proc/rtheap"

[ "$fails" = 0 ] || exit 1
exit 0
