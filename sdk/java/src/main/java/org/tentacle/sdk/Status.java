/*
 * Status.java: a snapshot of a node (struct tentacle_status).
 */
package org.tentacle.sdk;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A snapshot of a node, from {@link Node#status()}.  Immutable. */
public final class Status {
	private final State state;
	private final String why;
	private final String hub;
	private final List<String> pools;
	private final long nodeId;
	private final int relays;
	private final int spareLinks;
	private final long bytesUp;
	private final long bytesDown;
	private final long bytesToday;
	private final long bytesMonth;
	private final String lastError;

	Status(State state, String why, String hub, List<String> pools,
	    long nodeId, int relays,
	    int spareLinks, long bytesUp, long bytesDown, long bytesToday,
	    long bytesMonth, String lastError) {
		this.state = state;
		this.why = why;
		this.hub = hub;
		this.pools = pools;
		this.nodeId = nodeId;
		this.relays = relays;
		this.spareLinks = spareLinks;
		this.bytesUp = bytesUp;
		this.bytesDown = bytesDown;
		this.bytesToday = bytesToday;
		this.bytesMonth = bytesMonth;
		this.lastError = lastError;
	}

	/* Called by the JNI glue (the strings come as UTF-8 bytes). */
	static Status fromNative(int state, byte[] why, byte[] hub,
	    byte[] pools, long nodeId, int relays, int spareLinks, long bytesUp,
	    long bytesDown, long bytesToday, long bytesMonth, byte[] lastError) {
		return new Status(State.fromCode(state), Native.string(why),
		    Native.string(hub), list(Native.string(pools)),
		    nodeId & 0xffffffffL, relays, spareLinks,
		    bytesUp, bytesDown, bytesToday, bytesMonth,
		    Native.string(lastError));
	}

	/* "a,b" as [a, b]; "" as []. */
	private static List<String> list(String s) {
		List<String> l = new ArrayList<String>();
		for (String p : s.split(","))
			if (!p.isEmpty())
				l.add(p);
		return Collections.unmodifiableList(l);
	}

	public State state() { return state; }
	/** PAUSED, WAITING, FAILED: the reason; else "". */
	public String why() { return why; }
	/** The hub, HOST:PORT. */
	public String hub() { return hub; }
	/** The pools the node is in; empty: none. */
	public List<String> pools() { return pools; }
	/** The hub's id for this node; 0: none yet. */
	public long nodeId() { return nodeId; }
	/** Relays running. */
	public int relays() { return relays; }
	/** Spare links open. */
	public int spareLinks() { return spareLinks; }
	/**
	 * Bytes toward targets since the node was made (unsigned 64 bits in
	 * C; Java's long wraps at 8 EiB).
	 */
	public long bytesUp() { return bytesUp; }
	/** Bytes back to the hub since the node was made. */
	public long bytesDown() { return bytesDown; }
	/** Bytes counted against Policy.bytesPerDay. */
	public long bytesToday() { return bytesToday; }
	/** Bytes counted against Policy.bytesPerMonth. */
	public long bytesMonth() { return bytesMonth; }
	/** The last error; "" when none. */
	public String lastError() { return lastError; }

	@Override
	public String toString() {
		return "state=" + state.name().toLowerCase() + " node_id=" + nodeId
		    + " relays=" + relays + " spare=" + spareLinks
		    + " up=" + Long.toUnsignedString(bytesUp)
		    + " down=" + Long.toUnsignedString(bytesDown)
		    + " today=" + Long.toUnsignedString(bytesToday)
		    + " month=" + Long.toUnsignedString(bytesMonth)
		    + " hub=" + hub + " pools=" + String.join(",", pools)
		    + " why=" + why + " last_error=" + lastError;
	}
}
