/*
 * Listener.java: what a node tells its host (on_state, on_log).
 */
package org.tentacle.sdk;

/**
 * Callbacks from a running node.  They run on the node's own thread (the
 * library's loop thread, attached to the JVM as a daemon thread named
 * "tentacle-node"), never on the caller's: keep them short, hand work to
 * your own executor or the main looper.  From a callback you may call
 * {@link Node#status()}, {@link Node#setPolicy(Policy)} and
 * {@link Node#stop()}; {@link Node#close()} there throws
 * IllegalStateException (the thread cannot free the node it runs).
 * An exception a callback throws is caught and dropped.
 */
public interface Listener {
	/** The node moved to state; why is the reason ("" when none). */
	void onState(State state, String why);

	/**
	 * One log line at level (Node.LOG_DEBUG .. Node.LOG_ERROR); lines
	 * below the config's logLevel never arrive.
	 */
	void onLog(int level, String line);

	/**
	 * An error the host may show the user: the hub unreachable, refusing
	 * this node...  (also in Status.lastError()).  Nothing by default.
	 */
	default void onError(String what) {
	}
}
