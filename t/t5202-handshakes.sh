#!/bin/sh
test_description='node links before authentication: a deadline for the
whole handshake on the control and data ports (not per byte), a cap per
address and in total, counted in info and logged per interval; a
slowloris of 1000 links neither survives the deadline nor starves a node
and its users (issue 9 item 3)'
. "$(dirname "$0")/test-lib.sh"

SLOWLINK=$TENTACLE_HELPERS/slowlink

# field NAME: a number from slowlink's report in slow.out.
field () {
	awk -v f="$1" '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }' \
		slow.out
}

# sum_field NAME: a field summed over the reports in slow.all.
sum_field () {
	awk -v f="$1" '{ for (i = 1; i < NF; i++) if ($i == f) s += $(i + 1) }
		END { print s + 0 }' slow.all
}

# serve_during SECS: SOCKS and HTTP requests through the node, one every
# 100 ms for SECS seconds; every one must be served.  Prints the count.
serve_during () {
	sd_end=$(($(date +%s) + $1))
	sd_n=0
	while test "$(date +%s)" -lt $sd_end; do
		hub_serves || return 1
		sd_n=$((sd_n + 1))
		sleep 0.1
	done
	echo "$sd_n requests served during the flood"
}

test_expect_success 'setup: plaintext hub, 2 s handshake deadline, node from 127.0.0.1' '
	start_origin &&
	start_hub -insecure -handshake-timeout 2s &&
	start_node n1 -insecure -pool-size 4 &&
	hub_serves &&
	FD0=$(fd_count $HUB_PID) &&
	echo "hub descriptors before: $FD0"
'

test_expect_success 'data port: 1000 links dripping a byte every 300 ms' '
	"$SLOWLINK" -b 127.0.0.2 -n 1000 -d 300 -T 8 $DATA_PORT >slow.out &
	SL=$! &&
	serve_during 4 &&
	wait $SL &&
	cat slow.out &&
	test "$(field opened)" = 1000 &&
	test "$(field quick)" = 936 &&
	test "$(field closed)" = 64 &&
	test "$(field open)" = 0 &&
	test "$(field first)" -ge 1900 && test "$(field last)" -le 2600
'

test_expect_success 'the hub is back to its descriptors, and still serves' '
	wait_until 5 test "$(fd_count $HUB_PID)" -le $((FD0 + 4)) &&
	echo "hub descriptors after: $(fd_count $HUB_PID)" &&
	hub_serves
'

test_expect_success 'control port: the same slowloris, a HELLO that never ends' '
	"$SLOWLINK" -b 127.0.0.3 -n 1000 -d 300 -T 8 \
		-p 01000100544e5443 $CONTROL_PORT >slow.out &
	SL=$! &&
	serve_during 3 &&
	wait $SL &&
	cat slow.out &&
	test "$(field quick)" = 936 &&
	test "$(field closed)" = 64 &&
	test "$(field open)" = 0 &&
	test "$(field last)" -le 2600
'

test_expect_success 'logged per interval, not per link; counted in info' '
	n=$(grep -c "node links: .* refused at -max-handshakes" "$HUB_LOG") &&
	echo "$n summary lines" &&
	test "$n" -ge 1 && test "$n" -le 4 &&
	! grep -v " DEBUG " "$HUB_LOG" | grep "127\.0\.0\.[23]:" &&
	wait_for_log "$HUB_LOG" "node links: .* closed at the 2000 ms handshake deadline" &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >info.json &&
	grep "\"handshakes_refused\":1872" info.json &&
	grep "\"handshakes_expired\":128" info.json &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" >info.out &&
	grep "guards: 0 node links in handshake; 1872 refused at the handshake limits, 128" info.out
'

test_expect_success 'a real node still joins, and its links still bind' '
	start_node n2 -insecure &&
	hub_serves
'

test_expect_success 'total cap: -max-handshakes 100 over many addresses' '
	stop_daemon $HUB_PID &&
	start_hub -insecure -handshake-timeout 2s -max-handshakes 100 \
		-max-handshakes-per-ip 0 &&
	i=2; : >pids &&
	while test $i -le 5; do
		"$SLOWLINK" -b 127.0.1.$i -n 50 -d 300 -T 5 $DATA_PORT \
			>slow.$i.out &
		echo $! >>pids
		i=$((i + 1))
	done &&
	for p in $(cat pids); do wait $p || return 1; done &&
	cat slow.*.out >slow.all &&
	cat slow.all &&
	q=$(sum_field quick) && c=$(sum_field closed) &&
	test "$q" = 100 && test "$c" = 100 &&
	wait_for_log "$HUB_LOG" "node links: .* refused at -max-handshakes (100)"
'

test_expect_success 'TLS hub: the deadline covers the TLS handshake too' '
	stop_daemon $HUB_PID &&
	start_hub -handshake-timeout 2s &&
	"$SLOWLINK" -b 127.0.0.4 -n 30 -d 300 -T 5 \
		-p 16030100ff0100 $DATA_PORT >slow.out &&
	cat slow.out &&
	test "$(field closed)" = 30 && test "$(field open)" = 0 &&
	test "$(field last)" -le 2600
'

test_done
