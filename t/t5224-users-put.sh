#!/bin/sh
test_description='PUT and DELETE /api/v1/users/{name}: the users file
rewritten as tentacle passwd does (limits kept with a new password, mode
kept), reloaded at once; errors 400, 403, 404, 409, 413'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# call METHOD NAME [BODY]: the API on the admin socket; status in code.
call () {
	tcurl --unix-socket "$ADMIN_SOCK" -X "$1" -H "X-Tentacle-Csrf: 1" \
		-H "Content-Type: application/json" ${3:+--data-binary "$3"} \
		-o api.out -w "%{http_code}" \
		"http://localhost/api/v1/users/$2" >code
	cat api.out
	cat code
	echo
}

# got USER PASS: a request through SOCKS as USER works.
got () {
	tcurl -x "socks5h://$1:$2@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/small >got.out 2>&1 &&
	grep "quick brown fox" got.out
}

# hash USER: the fifth field of USER's line.
hash () {
	sed -n "s/^$1:[^:]*:[^:]*:[^:]*:\([^:]*\).*/\1/p" users
}

test_expect_success 'setup: a users file (mode 640) with alice; hub, node' '
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -limits day=5G \
		-file users alice &&
	chmod 640 users &&
	start_origin &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	start_node n1 &&
	got alice pw
'

test_expect_success 'PUT a new user: 201, in the file, logs in at once' '
	call PUT bob "{\"password\":\"s3cret\",\"limits\":\"rate=1000k\"}" &&
	test "$(cat code)" = 201 &&
	grep "\"name\":\"bob\"" api.out &&
	grep "\"limits\":\"rate=1M\"" api.out &&
	grep "^bob:pbkdf2-sha256:10000:[^:]*:[^:]*:rate=1M\$" users &&
	test "$(stat -c %a users)" = 640 &&
	got bob s3cret &&
	grep "users: admin uid [0-9]* pid [0-9]*: user bob added (password, limits)" "$HUB_LOG"
'

test_expect_success 'PUT limits only: the hash stays, the limits change' '
	h=$(hash alice) &&
	call PUT alice "{\"limits\":\"conns=2,pools=a+b\"}" &&
	test "$(cat code)" = 200 &&
	test "$(hash alice)" = "$h" &&
	grep "^alice:.*:conns=2,pools=a+b\$" users &&
	grep "\"conns\":2" api.out
'

test_expect_success 'PUT a password only: the limits stay' '
	call PUT alice "{\"password\":\"new\"}" &&
	test "$(cat code)" = 200 &&
	grep "^alice:pbkdf2-sha256:10000:.*:conns=2,pools=a+b\$" users &&
	got bob s3cret &&
	test_must_fail got alice pw &&
	call PUT alice "{\"limits\":\"\"}" &&
	grep "^alice:pbkdf2-sha256:10000:[^:]*:[^:]*\$" users &&
	got alice new
'

test_expect_success 'PUT errors: 400 with the reason, file untouched' '
	cp users users.before &&
	call PUT carol "{\"limits\":\"day=1G\"}" &&
	test "$(cat code)" = 400 && grep "a new user needs a password" api.out &&
	call PUT alice "{\"limits\":\"day=1e9\"}" &&
	test "$(cat code)" = 400 && grep "limits: day: .1e9. is not a size" api.out &&
	call PUT alice "{\"limits\":\"speed=1\"}" &&
	test "$(cat code)" = 400 && grep "unknown key .speed." api.out &&
	call PUT alice "not json" &&
	test "$(cat code)" = 400 && grep "not JSON" api.out &&
	call PUT alice "[1]" &&
	test "$(cat code)" = 400 && grep "want an object" api.out &&
	call PUT alice "{}" &&
	test "$(cat code)" = 400 &&
	call PUT alice "{\"password\":\"\"}" &&
	test "$(cat code)" = 400 &&
	call PUT alice "{\"password\":7}" &&
	test "$(cat code)" = 400 &&
	call PUT "a%3Ab" "{\"password\":\"x\"}" &&
	test "$(cat code)" = 400 && grep "bad user name" api.out &&
	big=$(head -c 5000 /dev/zero | tr "\\0" a) &&
	call PUT alice "{\"limits\":\"$big\"}" &&
	test "$(cat code)" = 413 &&
	test_cmp users.before users
'

test_expect_success 'PUT without X-Tentacle-Csrf: 403' '
	tcurl --unix-socket "$ADMIN_SOCK" -X PUT --data-binary "{\"password\":\"x\"}" \
		-o api.out -w "%{http_code}" http://localhost/api/v1/users/eve >code &&
	test "$(cat code)" = 403 &&
	! grep "^eve:" users
'

test_expect_success 'DELETE: 200, gone from the file and the hub; again: 404' '
	call DELETE bob &&
	test "$(cat code)" = 200 && grep "\"deleted\":\"bob\"" api.out &&
	! grep "^bob:" users &&
	test_must_fail got bob s3cret &&
	call DELETE bob &&
	test "$(cat code)" = 404 &&
	got alice new &&
	tcurl --unix-socket "$ADMIN_SOCK" -o list.out http://localhost/api/v1/users &&
	cat list.out &&
	grep "{\"name\":\"bob\",\"in_users_file\":false,\"limits\":\"\".*\"total\":{\"up\":[1-9]" list.out &&
	grep "{\"name\":\"alice\",\"in_users_file\":true" list.out
'

test_expect_success 'a hub without -users: 409' '
	stop_daemon $HUB_PID &&
	start_hub &&
	call PUT zed "{\"password\":\"x\"}" &&
	test "$(cat code)" = 409 &&
	call DELETE zed &&
	test "$(cat code)" = 409
'

test_done
