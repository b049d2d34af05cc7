#!/bin/sh
#
# run-test.sh: how prove runs one test (prove --exec t/run-test.sh):
# shell scripts with sh, anything else directly.  The test's exit status
# is ours.  Shaped like git's t/run-test.sh.
#

case "$1" in
*.sh)
	exec ${TEST_SHELL_PATH:-/bin/sh} "$@"
	;;
*)
	exec "$@"
	;;
esac
