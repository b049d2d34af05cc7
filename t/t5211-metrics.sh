#!/bin/sh
test_description='GET /metrics: the Prometheus text format.  First the
strict checker (t/helper/promcheck) itself: a valid exposition passes, and
each rule broken once is refused for that rule; then a hub with two nodes
after a request through each, checked by promcheck and promtool, and its
values; last, the same on a loopback TCP admin port with its cookie'
. "$(dirname "$0")/test-lib.sh"

PROMCHECK=$TENTACLE_HELPERS/promcheck
test -x "$PROMCHECK" || error "helper not found: $PROMCHECK (run make)"
if command -v promtool >/dev/null 2>&1; then
	test_set_prereq PROMTOOL
fi

# refused REASON FORMAT: printf FORMAT is refused with REASON on stderr.
refused () {
	printf "$2" >bad.prom &&
	test_expect_code 1 "$PROMCHECK" bad.prom 2>bad.err
	rc=$?
	cat bad.err
	test $rc = 0 || { echo "accepted: $2"; return 1; }
	grep "^line [0-9]*: .*$1" bad.err >/dev/null ||
	{ echo "refused, but not for \"$1\": $2"; return 1; }
}

# A HELP and TYPE for NAME (TYPE $2, default gauge).
meta () {
	printf '# HELP %s Help.\\n# TYPE %s %s\\n' "$1" "$1" "${2:-gauge}"
}

test_expect_success 'promcheck: a valid exposition with every feature passes' '
	cat >good.prom <<-\EOF &&
	# A comment that is not HELP or TYPE: ignored, "even \q escapes"
	# HELP t_x_total Things, with a \\ backslash and a\nline feed.
	# TYPE t_x_total counter
	t_x_total{a="b\\c",b="q\"uote",c="l\nf"} 1.5e3
	t_x_total{b="2", a="1",} 0 1700000000000
	t_x_total{a="1", b="22"}	  7	-12

	# HELP t_g A gauge.
	# TYPE t_g gauge
	t_g NaN
	t_g{x="+"} +Inf
	t_g{x="-"} -Inf
	t_g{x="ünïcode"} -0.5
	t_g{x=""} .5
	t_g{x="e"} 1E-3
	# TYPE t_hist_seconds histogram
	# HELP t_hist_seconds A histogram.
	t_hist_seconds_bucket{le="0.1"} 1
	t_hist_seconds_bucket{le="+Inf"} 2
	t_hist_seconds_sum 0.3
	t_hist_seconds_count 2
	# HELP t_sum_seconds A summary.
	# TYPE t_sum_seconds summary
	t_sum_seconds{quantile="0.5"} 1
	t_sum_seconds_sum 2
	t_sum_seconds_count 2
	# HELP t_u An untyped one.
	# TYPE t_u untyped
	t_u 1
	EOF
	"$PROMCHECK" good.prom &&
	"$PROMCHECK" <good.prom &&
	: >empty.prom && "$PROMCHECK" empty.prom
'

test_expect_success PROMTOOL 'promtool agrees: the valid exposition passes' '
	promtool check metrics <good.prom
'

test_expect_success 'promcheck: the input must end in a line feed' '
	refused "no line feed" "$(meta t_a)t_a 1"
'

test_expect_success 'promcheck: names' '
	refused "not a metric name" "$(meta t_a)1a 1\n" &&
	refused "bad character in metric name" "# HELP t-a Help.\n" &&
	refused "bad label name" "$(meta t_a)t_a{1x=\"v\"} 1\n" &&
	refused "reserved" "$(meta t_a)t_a{__x=\"v\"} 1\n" &&
	refused "label x twice" "$(meta t_a)t_a{x=\"1\",x=\"2\"} 1\n" &&
	refused "not snake_case" "$(meta t_aB)t_aB 1\n" &&
	refused "not snake_case" "$(meta t_a)t_a{aB=\"1\"} 1\n" &&
	refused "recording rules" "$(meta t:a)t:a 1\n"
'

test_expect_success 'promcheck: label values and their escapes' '
	refused "bad escape" "$(meta t_a)t_a{x=\"\\\\q\"} 1\n" &&
	refused "closing quote" "$(meta t_a)t_a{x=\"v} 1\n" &&
	refused "closing quote" "$(meta t_a)t_a{x=\"a\nb\"} 1\n" &&
	refused "expected after a label" "$(meta t_a)t_a{x=\"1\" y=\"2\"} 1\n" &&
	refused "invalid UTF-8" "$(meta t_a)t_a{x=\"\377\"} 1\n" &&
	refused "invalid UTF-8" "$(meta t_a)t_a{x=\"\300\257\"} 1\n"
'

test_expect_success 'promcheck: HELP and TYPE' '
	refused "second TYPE" "$(meta t_a)# TYPE t_a gauge\nt_a 1\n" &&
	refused "second HELP" "$(meta t_a)# HELP t_a Again.\nt_a 1\n" &&
	refused "TYPE of t_a after its samples" \
	    "# HELP t_a Help.\n# TYPE t_a gauge\nt_a 1\n# TYPE t_a gauge\n" &&
	refused "HELP of t_a after its samples" \
	    "# TYPE t_a gauge\n# HELP t_a Help.\nt_a 1\n# HELP t_a More.\n" &&
	refused "no TYPE for t_a before" "# HELP t_a Help.\nt_a 1\n" &&
	refused "no HELP for t_a before" "# TYPE t_a gauge\nt_a 1\n" &&
	refused "empty HELP" "# HELP t_a \n# TYPE t_a gauge\nt_a 1\n" &&
	refused "unknown type" "# HELP t_a Help.\n# TYPE t_a gauges\n" &&
	refused "HELP of t_a: bad escape" "# HELP t_a A \\\\t tab.\n"
'

test_expect_success 'promcheck: a family'"'"'s lines are one group' '
	refused "lines of t_a are not together" \
	    "$(meta t_a)t_a{x=\"1\"} 1\n$(meta t_b)t_b 1\nt_a{x=\"2\"} 1\n" &&
	refused "lines of t_h_seconds are not together" \
	    "$(meta t_h_seconds histogram)t_h_seconds_bucket{le=\"+Inf\"} 1\n$(meta t_b)t_b 1\nt_h_seconds_count 1\n" &&
	refused "lines of t_a are not together" \
	    "# HELP t_a Help.\n$(meta t_b)t_b 1\n# TYPE t_a gauge\n"
'

test_expect_success 'promcheck: no series twice' '
	refused "twice (same name and labels)" \
	    "$(meta t_a)t_a{x=\"1\",y=\"2\"} 1\nt_a{y=\"2\",x=\"1\"} 2\n" &&
	refused "twice (same name and labels)" "$(meta t_a)t_a 1\nt_a 2\n"
'

test_expect_success 'promcheck: values and timestamps' '
	refused "bad value" "$(meta t_a)t_a 1.2.3\n" &&
	refused "bad value" "$(meta t_a)t_a inf\n" &&
	refused "bad value" "$(meta t_a)t_a 0x10\n" &&
	refused "bad value" "$(meta t_a)t_a 1e\n" &&
	refused "no value for t_a" "$(meta t_a)t_a\n" &&
	refused "a blank expected before the value" "$(meta t_a)t_a{x=\"1\"}1\n" &&
	refused "bad timestamp" "$(meta t_a)t_a 1 1.5\n" &&
	refused "bad timestamp" "$(meta t_a)t_a 1 99999999999999999999\n" &&
	refused "text after the timestamp" "$(meta t_a)t_a 1 2 3\n"
'

test_expect_success 'promcheck: types and their names (promtool lint)' '
	refused "does not end in _total" "$(meta t_a counter)t_a 1\n" &&
	refused "ends in _total (counters only)" "$(meta t_a_total)t_a_total 1\n" &&
	refused "histogram or summary suffix" "$(meta t_a_count)t_a_count 1\n" &&
	refused "below zero" "$(meta t_a_total counter)t_a_total -1\n" &&
	refused "without le" "$(meta t_h histogram)t_h_bucket 1\n" &&
	refused "without _bucket" "$(meta t_h histogram)t_h 1\n" &&
	refused "label le outside" "$(meta t_a)t_a{le=\"1\"} 1\n" &&
	refused "without quantile" "$(meta t_s summary)t_s 1\n" &&
	refused "label quantile outside" "$(meta t_a)t_a{quantile=\"1\"} 1\n" &&
	refused "not a number" "$(meta t_h histogram)t_h_bucket{le=\"x\"} 1\n"
'

# The hub: GET /metrics over the admin socket.

# scrape: GET /metrics into metrics.prom (head: metrics.head).
scrape () {
	curl -q -sS --max-time 10 --unix-socket "$ADMIN_SOCK" \
	    -D metrics.head -o metrics.prom http://localhost/metrics &&
	grep "^HTTP/1.1 200" metrics.head >/dev/null
}
# series REGEX: the value of the one sample whose name and labels match
# the basic regular expression (anchored at the line's start).
series () {
	sr_v=$(grep "^$1 " metrics.prom | awk "{ print \$NF }")
	test "$(printf '%s\n' "$sr_v" | grep -c .)" = 1 ||
	{ echo "not one sample for $1: $sr_v" >&2; return 1; }
	printf '%s\n' "$sr_v"
}
# node_series METRIC NODE [LABELS]: METRIC of node NODE (any id).
node_series () {
	series "$1{id=\"[0-9]*\",node=\"$2\"${3:+,$3}}"
}
# sum_of REGEX: the sum of the samples matching REGEX.
sum_of () {
	grep "^$1" metrics.prom | awk "{ s += \$NF } END { print s + 0 }"
}
# bytes_grew NODE: its bytes down passed 100000 and up grew.
bytes_grew () {
	scrape &&
	test "$(node_series tentacle_node_bytes_total $1 \
	    'direction="down"')" -gt $(($(cat down.$1) + 100000)) &&
	test "$(node_series tentacle_node_bytes_total $1 \
	    'direction="up"')" -gt "$(cat up.$1)"
}

test_expect_success 'setup: a hub, n1 (pool alpha) and n2 (pool beta), an origin' '
	before=$(date +%s) &&
	start_hub -heartbeat 200ms &&
	start_node n1 alpha &&
	start_node n2 beta &&
	start_origin &&
	echo "$before" >started
'

test_expect_success 'GET /metrics: 200, text/plain version 0.0.4, valid (promcheck)' '
	scrape &&
	cat metrics.head &&
	tr -d "\r" <metrics.head |
	    grep -i "^content-type: text/plain; version=0.0.4; charset=utf-8$" &&
	"$PROMCHECK" metrics.prom
'

test_expect_success PROMTOOL 'promtool check metrics accepts it' '
	promtool check metrics <metrics.prom
'

test_expect_success 'build info and start time' '
	v=$("$TENTACLE" version | head -n 1) &&
	ver=$(echo "$v" | awk "{ print \$2 }") &&
	rev=$(echo "$v" | sed -n "s/.*(\(.*\)).*/\1/p") &&
	test -n "$ver" && test -n "$rev" &&
	test "$(series "tentacle_build_info{version=\"$ver\",revision=\"$rev\",libevent=\"[^\"]*\"}")" = 1 &&
	t=$(series tentacle_start_time_seconds) &&
	test "$t" -ge "$(cat started)" && test "$t" -le "$(date +%s)"
'

test_expect_success 'two nodes, up, one in each pool' '
	test "$(series tentacle_nodes_connected)" = 2 &&
	test "$(sum_of "tentacle_nodes{pool=\"[a-z]*\",state=\"up\"}")" = 2 &&
	test "$(series "tentacle_nodes{pool=\"alpha\",state=\"up\"}")" = 1 &&
	test "$(series "tentacle_nodes{pool=\"beta\",state=\"up\"}")" = 1 &&
	test "$(series "tentacle_nodes{pool=\"beta\",state=\"drained\"}")" = 0 &&
	test "$(node_series tentacle_node_up n1)" = 1 &&
	test "$(node_series tentacle_node_up n2)" = 1 &&
	test "$(series tentacle_metrics_nodes_omitted)" = 0 &&
	for n in n1 n2; do
		node_series tentacle_node_bytes_total $n "direction=\"down\"" \
		    >down.$n &&
		node_series tentacle_node_bytes_total $n "direction=\"up\"" \
		    >up.$n &&
		node_series tentacle_node_dials_total $n "result=\"ok\"" \
		    >ok.$n || return 1
	done
'

test_expect_success 'a request through each node: its bytes and dials grow' '
	for n in n1 n2; do
		tcurl -x "socks5h://u-node-$n:pw@127.0.0.1:$SOCKS_PORT" \
		    http://127.0.0.1:$ORIGIN_PORT/bytes/200000 -o out.$n &&
		test $(wc -c <out.$n) = 200000 || return 1
	done &&
	for n in n1 n2; do
		wait_until 10 bytes_grew $n &&
		test "$(node_series tentacle_node_dials_total $n \
		    "result=\"ok\"")" -gt "$(cat ok.$n)" || return 1
	done &&
	"$PROMCHECK" metrics.prom
'

test_expect_success 'a node that leaves: its series go, the count follows' '
	stop_daemon $NODE_PID_n2 &&
	wait_until 10 eval "scrape && test \"\$(series tentacle_nodes_connected)\" = 1" &&
	! grep "node=\"n2\"" metrics.prom &&
	test "$(node_series tentacle_node_up n1)" = 1 &&
	"$PROMCHECK" metrics.prom
'

test_expect_success 'on a loopback TCP admin port: the cookie as Bearer, refusals counted' '
	stop_daemon $NODE_PID_n1 && stop_daemon $HUB_PID &&
	start_hub -admin 127.0.0.1:0 &&
	port=${ADMIN_SOCK##*:} && test -n "$port" &&
	tcurl -s -o body -w "%{http_code}" \
	    http://127.0.0.1:$port/metrics >code &&
	test "$(cat code)" = 401 && ! grep "^tentacle_" body &&
	hex=$(cut -d" " -f2 "$TENTACLE_STATE_DIR/admin.cookie") &&
	tcurl -s -D metrics.head -o metrics.prom \
	    -H "Authorization: Bearer $hex" http://127.0.0.1:$port/metrics &&
	grep "^HTTP/1.1 200" metrics.head &&
	"$PROMCHECK" metrics.prom &&
	test "$(series tentacle_admin_refused_total)" = 1 &&
	test "$(series tentacle_nodes_connected)" = 0
'

test_done
