#!/bin/sh
test_description='tentacle passwd -limits: the users file sixth field
(doc/users.md): set, changed without a password, kept when the password
changes, cleared; bad limits refused; the hub loads the file'
. "$(dirname "$0")/test-lib.sh"

# field6 USER: the sixth field of USER's line in users ("" if none).
field6 () {
	sed -n "s/^$1:[^:]*:[^:]*:[^:]*:[^:]*:\{0,1\}//p" users
}

# hash USER: the fifth field (the hash) of USER's line.
hash () {
	sed -n "s/^$1:[^:]*:[^:]*:[^:]*:\([^:]*\).*/\1/p" users
}

test_expect_success 'passwd -limits for a new user: asked a password, limits in canonical form' '
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -file users alice &&
	printf "pw\n" | "$TENTACLE" passwd -iter 10 \
		-limits "conns=2,rate=1000k,day=5GiB" -file users bob &&
	cat users &&
	test "$(field6 bob)" = "conns=2,rate=1M,day=5Gi" &&
	test "$(field6 alice)" = ""
'

test_expect_success 'passwd -limits for a user in the file: only the limits change' '
	h=$(hash alice) &&
	"$TENTACLE" passwd -limits "day=100k,pools=a+b" -file users alice \
		</dev/null 2>l.err &&
	cat l.err users &&
	test "$(hash alice)" = "$h" &&
	test "$(field6 alice)" = "day=100k,pools=a+b" &&
	test "$(field6 bob)" = "conns=2,rate=1M,day=5Gi"
'

test_expect_success 'a new password keeps the limits' '
	h=$(hash bob) &&
	printf "new\n" | "$TENTACLE" passwd -iter 10 -file users bob &&
	test "$(hash bob)" != "$h" &&
	test "$(field6 bob)" = "conns=2,rate=1M,day=5Gi"
'

test_expect_success 'passwd -limits "" clears them' '
	"$TENTACLE" passwd -limits "" -file users bob </dev/null &&
	test "$(field6 bob)" = "" &&
	! grep "^bob:.*:.*:.*:.*:" users
'

test_expect_success 'bad limits: exit 2, named, file untouched' '
	cp users users.before &&
	test_expect_code 2 "$TENTACLE" passwd -limits "day=1e9" -file users \
		alice 2>b.err </dev/null &&
	cat b.err &&
	grep "day: .1e9. is not a size" b.err &&
	test_expect_code 2 "$TENTACLE" passwd -limits "conns=1,speed=2" \
		-file users alice 2>b2.err </dev/null &&
	grep "unknown key .speed." b2.err &&
	test_cmp users.before users
'

test_expect_success 'printed line (no -file) carries the limits' '
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -limits "up=1k" carol \
		>line.out &&
	grep "^carol:pbkdf2-sha256:10:[^:]*:[^:]*:up=1k\$" line.out
'

test_expect_success 'the hub loads a users file with limits (alice: pools=a+b, no such node); a bad one is refused with its line' '
	start_origin &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	start_node n1 &&
	tcurl -x "socks5h://bob:new@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/small >got.out &&
	grep "quick brown fox" got.out &&
	test_must_fail tcurl -x "socks5h://alice:pw@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/small 2>err.out &&
	grep "no exit node online" "$HUB_LOG" &&
	cp users users.good &&
	printf "dave:pbkdf2-sha256:10:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:rate=fast\n" >>users &&
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: keeping the old 2 proxy users: .*users:3: limits: rate: .fast. is not a size" &&
	tcurl -x "socks5h://bob:new@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/small >got.out &&
	grep "quick brown fox" got.out
'

test_done
