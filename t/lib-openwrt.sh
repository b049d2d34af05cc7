# lib-openwrt.sh: a small stand-in for OpenWrt's /etc/rc.common,
# /lib/functions.sh (UCI) and /lib/functions/procd.sh, enough to run an
# init script's start_service and service_triggers here and see what it
# asks procd to start.  Sourced by t/t8202-openwrt.sh after test-lib.sh.
#
#	rc_procd SCRIPT UCI-DIR OUT [VAR=VALUE...]
#
# runs SCRIPT (a "#!/bin/sh /etc/rc.common" script with USE_PROCD=1) in a
# subshell: config_load NAME reads UCI-DIR/NAME; the assignments are made
# after the script is sourced (CONF_DIR=... moves its files into the
# trash); then start_service and service_triggers.  OUT gets one line per
# procd call, each argument single-quoted:
#
#	instance 'main'
#	param command '/usr/bin/tentacle' 'start' '-config' '/var/etc/...'
#	close
#	reload_trigger 'tentacle'
#
# The UCI part follows functions.sh: config_load evaluates the file the
# way `uci export` prints it (config, option and list lines; a section
# without a name gets cfgNN), and values live in CONFIG_<section>_<option>.

# ---------------------------------------------------------- functions.sh

uci_q_ () {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

config () {
	uci_n_=$((uci_n_ + 1))
	uci_cur_=${2:-cfg$(printf '%02d' $uci_n_)}
	CONFIG_SECTIONS="$CONFIG_SECTIONS $uci_cur_"
	eval "CONFIG_${uci_cur_}_TYPE=\$1"
}

option () {
	eval "CONFIG_${uci_cur_}_$1=\$2"
}

list () {
	eval "uci_l_=\${CONFIG_${uci_cur_}_$1_LENGTH:-0}"
	uci_l_=$((uci_l_ + 1))
	eval "CONFIG_${uci_cur_}_$1_ITEM$uci_l_=\$2"
	eval "CONFIG_${uci_cur_}_$1_LENGTH=$uci_l_"
	# functions.sh also keeps the items space-joined in the option.
	eval "CONFIG_${uci_cur_}_$1=\"\${CONFIG_${uci_cur_}_$1:+\$CONFIG_${uci_cur_}_$1 }\$2\""
}

package () {
	:
}

config_load () {
	CONFIG_SECTIONS=
	uci_n_=0
	# shellcheck disable=SC1090
	. "$UCI_CONFIG_DIR/$1"
}

# config_get VAR SECTION OPTION [DEFAULT]
config_get () {
	eval "uci_v_=\${CONFIG_$2_$3-}"
	if test -z "$uci_v_" && test $# -ge 4; then
		uci_v_=$4
	fi
	eval "$1=\$uci_v_"
}

# config_get_bool VAR SECTION OPTION [DEFAULT]: 1 or 0, as functions.sh.
config_get_bool () {
	config_get "$1" "$2" "$3" "${4:-}"
	eval "uci_b_=\$$1"
	case $uci_b_ in
	1|on|true|yes|enabled) uci_b_=1 ;;
	0|off|false|no|disabled) uci_b_=0 ;;
	*) uci_b_=${4:-} ;;
	esac
	eval "$1=\$uci_b_"
}

# config_foreach FUNCTION TYPE [ARGS...]
config_foreach () {
	uci_f_=$1
	uci_t_=$2
	shift 2
	for uci_s_ in $CONFIG_SECTIONS; do
		eval "uci_st_=\$CONFIG_${uci_s_}_TYPE"
		# shellcheck disable=SC2154 # set by the eval
		test -z "$uci_t_" || test "$uci_st_" = "$uci_t_" || continue
		"$uci_f_" "$uci_s_" "$@"
	done
}

# config_list_foreach SECTION OPTION FUNCTION [ARGS...]: FUNCTION ITEM
# ARGS for each item, as functions.sh (which uses local too: busybox ash
# and dash have it).
config_list_foreach () {
	local section="$1" option="$2" function="$3" val len c=1
	shift 3
	config_get len "$section" "${option}_LENGTH"
	test -n "$len" || return 0
	while test "$c" -le "$len"; do
		config_get val "$section" "${option}_ITEM$c"
		"$function" "$val" "$@"
		c=$((c + 1))
	done
}

# ------------------------------------------------------------- procd.sh

procd_record_ () {
	pr_line=$1
	shift
	for pr_a in "$@"; do
		pr_line="$pr_line $(uci_q_ "$pr_a")"
	done
	printf '%s\n' "$pr_line" >>"$PROCD_OUT"
}

procd_open_instance () {
	procd_record_ instance "$@"
}

procd_set_param () {
	pr_k=$1
	shift
	procd_record_ "param $pr_k" "$@"
}

procd_append_param () {
	pr_k=$1
	shift
	procd_record_ "append $pr_k" "$@"
}

procd_close_instance () {
	procd_record_ close
}

procd_add_reload_trigger () {
	procd_record_ reload_trigger "$@"
}

procd_add_interface_trigger () {
	procd_record_ interface_trigger "$@"
}

# ------------------------------------------------------------- rc.common

rc_procd () {
	(
		rc_script=$1
		UCI_CONFIG_DIR=$2
		PROCD_OUT=$3
		shift 3
		: >"$PROCD_OUT"
		# shellcheck disable=SC1090
		. "$rc_script" || exit 1
		test "${USE_PROCD:-}" = 1 || {
			echo "$rc_script: USE_PROCD is not 1" >&2
			exit 1
		}
		for rc_a in "$@"; do
			eval "${rc_a%%=*}=\${rc_a#*=}"
		done
		start_service && service_triggers
	)
}
