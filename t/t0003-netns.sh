#!/bin/sh
test_description='TEST_NETNS: the script runs with only lo up'
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'only lo is up, and loopback works' '
	ip -o link show >links &&
	test "$(wc -l <links)" = 1 &&
	grep ": lo:" links &&
	start_origin &&
	tcurl -o /dev/null "http://$ORIGIN_ADDR/"
'

test_expect_success 'no route off the machine' '
	! ip route get 192.0.2.1 2>/dev/null
'

test_done
