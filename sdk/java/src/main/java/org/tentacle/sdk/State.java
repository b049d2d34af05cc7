/*
 * State.java: where a node is (enum tentacle_state in libtentacle.h).
 */
package org.tentacle.sdk;

/**
 * Where a node is.  The order and codes are those of
 * {@code enum tentacle_state} in libtentacle.h.
 */
public enum State {
	/** Not started, or stopped. */
	STOPPED,
	/** No consent: no link to the hub at all. */
	WAITING,
	/** Connecting to the hub, or backing off after a loss. */
	CONNECTING,
	/** Joined: the hub may send requests. */
	SHARING,
	/** Joined, told the hub it is unavailable (a policy rule; see why). */
	PAUSED,
	/** Stopped sharing: relays finishing. */
	DRAINING,
	/** Gave up: a setting the hub refuses. */
	FAILED;

	private static final State[] BY_CODE = values();

	/** The C value (TENTACLE_STOPPED is 0). */
	public int code() {
		return ordinal();
	}

	/**
	 * The state for a C value; a value this class does not know (a newer
	 * library) is reported as FAILED rather than thrown on the loop thread.
	 */
	public static State fromCode(int code) {
		if (code < 0 || code >= BY_CODE.length)
			return FAILED;
		return BY_CODE[code];
	}
}
