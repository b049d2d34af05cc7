#!/bin/sh
test_description='admin commands: -state-dir after the command, info -json totals'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# The hub's state directory is not the client's default one.
HUBDIR=$TRASH_DIRECTORY/hubstate

test_expect_success 'setup: hub in its own state directory, two nodes' '
	mkdir -p "$HUBDIR" &&
	start_hub -state-dir "$HUBDIR" &&
	test "$ADMIN_SOCK" = "$HUBDIR/admin.sock" &&
	start_node n1 alpha beta &&
	start_node n2 alpha &&
	start_origin
'

test_expect_success 'info -state-dir DIR (after the command) finds the hub' '
	"$TENTACLE" info -state-dir "$HUBDIR" >info.out 2>info.err &&
	cat info.out info.err &&
	grep -w n1 info.out && grep -w n2 info.out
'

test_expect_success 'info -json -state-dir DIR, and -state-dir before info' '
	"$TENTACLE" info -json -state-dir "$HUBDIR" >a.json &&
	grep "\"nodes\"" a.json &&
	"$TENTACLE" -state-dir "$HUBDIR" info -json >b.json &&
	grep "\"nodes\"" b.json
'

test_expect_success 'drain, undrain, redial take -state-dir after the command' '
	"$TENTACLE" drain -state-dir "$HUBDIR" n2 >d.out &&
	cat d.out &&
	"$TENTACLE" info -state-dir "$HUBDIR" | grep -w n2 | grep drained &&
	"$TENTACLE" undrain n2 -state-dir "$HUBDIR" &&
	"$TENTACLE" info -state-dir "$HUBDIR" | grep -w n2 | grep -w up &&
	test_expect_code 1 "$TENTACLE" redial -state-dir "$HUBDIR" n2 \
		2>r.err &&
	cat r.err && grep "redial" r.err
'

test_expect_success 'without it the default state directory is asked' '
	test_expect_code 1 "$TENTACLE" info 2>e.err &&
	grep "$TENTACLE_STATE_DIR/admin.sock" e.err
'

test_expect_success 'info -json carries the totals the table prints' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/100000 -o got &&
	"$TENTACLE" drain -state-dir "$HUBDIR" n2 &&
	"$TENTACLE" info -state-dir "$HUBDIR" >t.out &&
	cat t.out &&
	grep "^2 nodes online (1 drained or redialing), 0 relays" t.out &&
	grep "^pool alpha: 2 nodes, beta: 1" t.out &&
	"$TENTACLE" info -state-dir "$HUBDIR" -json | tr -d " \n" >t.json &&
	cat t.json && echo &&
	grep "\"totals\":{\"nodes_online\":2,\"nodes_resting\":1,\"nodes_away\":0,\"relays_total\":0," t.json &&
	grep "\"nodes_per_pool\":{\"alpha\":2,\"beta\":1}}" t.json &&
	up=$(sed -n "s/.*\"totals\":{[^}]*\"bytes_down_total\":\([0-9]*\).*/\1/p" t.json) &&
	test "$up" -ge 100000 &&
	grep "\"hub\":{\"handshakes\":" t.json &&
	if command -v python3 >/dev/null 2>&1; then
		python3 -c "import json; d=json.load(open(\"t.json\")); t=d[\"totals\"]; assert t[\"nodes_online\"]==2 and len(d[\"nodes\"])==2 and \"hub\" in d, t"
	fi
'

test_expect_success 'info -json -pool counts only that pool' '
	"$TENTACLE" info -state-dir "$HUBDIR" -json -pool beta | tr -d " \n" >p.json &&
	grep "\"totals\":{\"nodes_online\":1,\"nodes_resting\":0," p.json &&
	grep "\"nodes_per_pool\":{\"beta\":1}}" p.json
'

test_done
