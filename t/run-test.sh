#!/bin/sh
#
# run-test.sh: how prove runs one test (prove --exec t/run-test.sh):
# shell scripts with sh, anything else directly.  The test's exit status
# is ours.  Shaped like git's t/run-test.sh.
#
# With TENTACLE_SKIP_LOG set (make test and make check set it), every line
# the test prints still reaches prove unchanged, one line at a time, and
# each skip (`ok N # skip ...`, a whole script's `1..0 # SKIP ...`) is also
# appended to that file as "TEST: LINE", so make can count them.
#

test=$1
case "$1" in
*.sh)
	set -- ${TEST_SHELL_PATH:-/bin/sh} "$@"
	;;
esac

if [ -z "${TENTACLE_SKIP_LOG:-}" ]; then
	exec "$@"
fi

# Copy stdin to stdout line by line; log the skips.
tee_skips() {
	while IFS= read -r l || [ -n "$l" ]; do
		printf '%s\n' "$l"
		case $l in
		ok\ *\#\ [Ss][Kk][Ii][Pp]*|ok\ *\#[Ss][Kk][Ii][Pp]*|\
		1..0|1..0\ *)
			printf '%s: %s\n' "$test" "$l" >>"$TENTACLE_SKIP_LOG"
			;;
		esac
		l=
	done
}

# The test's status comes back on fd 3; fd 4 is our stdout.  The test gets
# neither, so a daemon it leaves behind cannot hold them open.
exec 4>&1
rc=$( { { "$@" 3>&- 4>&-; echo $? >&3; } | tee_skips >&4; } 3>&1 )
exec 4>&-
exit "${rc:-1}"
