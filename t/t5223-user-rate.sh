#!/bin/sh
test_description='per-user bandwidth caps (rate=, up=, down= in the users
file) with libevent rate-limit groups: downloads and an upload never more
than 10 % over the cap (and not starved: at least half of it, the rest
being a loaded machine, not the cap), through SOCKS and HTTP, on a TLS hub
and an -insecure one, where a capped relay never splices but an uncapped
one does; each measured rate is printed'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# within SECONDS BYTES CAP: BYTES in SECONDS is at most 10 % over CAP
# bytes/s (what the cap promises) and at least half of it (a cap that
# starves would show; slower than the cap is the machine's load, and the
# printed deviation says how much); the rate goes to rate.out.
within () {
	awk -v t="$1" -v n="$2" -v cap="$3" 'BEGIN {
		r = n / t
		printf "%d bytes in %.2f s: %.0f bytes/s, cap %d (%+.1f %%)\n",
		    n, t, r, cap, (r - cap) * 100 / cap
		exit !(r >= cap * 0.5 && r <= cap * 1.1) }' >>rate.out
	wi_rc=$?
	tail -n 1 rate.out
	return $wi_rc
}

# down USER N [PROXY]: GET N bytes as USER (socks5h, or PROXY "http");
# the time taken in time.out.
down () {
	if test "${3:-socks}" = http; then
		px_url="http://$1:pw@127.0.0.1:$HTTP_PORT"
	else
		px_url="socks5h://$1:pw@127.0.0.1:$SOCKS_PORT"
	fi
	CURL_MAX_TIME=60 tcurl -x "$px_url" -o got.out \
		-w "%{time_total} %{time_pretransfer}" \
		http://127.0.0.1:$ORIGIN_PORT/bytes/$2 >times.out &&
	test "$(wc -c <got.out)" = "$2" &&
	xfer_time
}

# xfer_time: from times.out (total, pretransfer), the seconds the bytes
# took after the proxy connected (the TLS link to the node, slow under the
# sanitizers, is not the cap's) into time.out.
xfer_time () {
	awk "{ print \$1 - \$2 }" times.out >time.out
}

test_expect_success 'setup: users capped (rate=400k; up=250k) and free' '
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -limits rate=400k \
		-file users capped &&
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -limits up=250k \
		-file users upcap &&
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -file users free &&
	dd if=/dev/zero bs=1000 count=1000 2>/dev/null >up.bin &&
	start_origin
'

for mode in tls insecure; do
	flag=
	test $mode = insecure && flag=-insecure

	test_expect_success "$mode: hub and node" '
		: >rate.out &&
		start_hub -users "$TRASH_DIRECTORY/users" $flag &&
		start_node n1 $flag
	'

	test_expect_success "$mode: rate=400k, 2 MB down through SOCKS: at most 10 % over" '
		down capped 2000000 &&
		within "$(cat time.out)" 2000000 400000
	'
	say "# $mode socks: $(tail -n 1 rate.out)"

	test_expect_success "$mode: rate=400k, 2 MB down through the HTTP proxy: at most 10 % over" '
		down capped 2000000 http &&
		within "$(cat time.out)" 2000000 400000
	'
	say "# $mode http: $(tail -n 1 rate.out)"

	test_expect_success "$mode: up=250k, 1 MB up (POST): at most 10 % over" '
		CURL_MAX_TIME=60 tcurl -x "socks5h://upcap:pw@127.0.0.1:$SOCKS_PORT" \
			-H "Expect:" --data-binary @up.bin -o echo.out \
			-w "%{time_total} %{time_pretransfer}" \
			http://127.0.0.1:$ORIGIN_PORT/echo >times.out &&
		xfer_time &&
		grep "len=1000000 " echo.out &&
		within "$(cat time.out)" 1000000 250000
	'
	say "# $mode up: $(tail -n 1 rate.out)"

	test_expect_success "$mode: an uncapped user is far faster" '
		down free 4000000 &&
		awk -v t="$(cat time.out)" "BEGIN { exit !(4000000 / t > 4000000) }"
	'

	if test $mode = insecure; then
		test_expect_success 'insecure: the uncapped relay spliced, the capped ones never' '
			grep "user free.*: splice, pipes \|: splice, pipes " "$HUB_LOG" >splice.out &&
			test $(wc -l <splice.out) = 1 &&
			grep "socks.* user free " "$HUB_LOG" | grep -q "dial" &&
			! grep "user capped.*splice\|user upcap.*splice" "$HUB_LOG"
		'
	fi

	test_expect_success "$mode: stop the hub" '
		stop_daemon $HUB_PID
	'
done

test_done
