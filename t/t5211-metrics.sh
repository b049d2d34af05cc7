#!/bin/sh
test_description='GET /metrics: the Prometheus text format.  First the
strict checker (t/helper/promcheck) itself: a valid exposition passes, and
each rule broken once is refused for that rule; then a hub with two nodes
after a request through each, checked by promcheck and promtool, and its
values'
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

test_done
