/*
 * Node.java: one Tentacle exit node in this process (struct tentacle_node).
 * Owns the native handle: made in the constructor, freed by close().
 */
package org.tentacle.sdk;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Tentacle exit node run by the library on a thread of its own.
 *
 * <pre>
 * try (Node n = new Node(new Config.Builder()
 *         .hub("hub.example.net:8443").token(token)
 *         .fingerprint("sha256:...").stateDir(dir)
 *         .policy(Policy.mobile().consent(true))
 *         .listener(listener).build())) {
 *     n.start();
 *     ...
 *     n.setPolicy(policy.charging(false));   // as the device changes
 *     ...
 *     n.stop();
 * }
 * </pre>
 *
 * Every method may be called from any thread.  {@link #stop()} blocks until
 * the node has left the hub and closed every link.  After {@link #close()}
 * every method but close() throws IllegalStateException; close() again does
 * nothing.  A node not closed keeps its thread, sockets and memory: close()
 * it (it is AutoCloseable; there is no finalizer).
 */
public final class Node implements AutoCloseable {
	/** Log levels (TENTACLE_LOG_*), for Config.Builder.logLevel and onLog. */
	public static final int LOG_DEBUG = 0;
	public static final int LOG_INFO = 1;
	public static final int LOG_WARNING = 2;
	public static final int LOG_ERROR = 3;

	private final Listener listener;
	/*
	 * Readers: every call that uses the handle.  The writer: close(),
	 * which frees it.  Readers only ever tryLock, so that a callback on
	 * the loop thread cannot wait for a close() that waits for that
	 * thread to end: it gets IllegalStateException instead.
	 */
	private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
	private final Object closeOnce = new Object();
	private volatile boolean closed;
	private long handle;
	/* > 0 while this thread is in one of our Listener's callbacks. */
	private final ThreadLocal<int[]> inCallback = new ThreadLocal<int[]>() {
		@Override
		protected int[] initialValue() {
			return new int[1];
		}
	};

	/**
	 * A node, not yet running.  IllegalArgumentException when the library
	 * refuses the config (the message says why, e.g. "hub address
	 * \"x\": expected HOST:PORT").
	 */
	public Node(Config c) {
		listener = c.listener;
		Policy p = c.policy != null ? c.policy : Policy.desktop();
		handle = Native.create(this, Config.cstring("hub", c.hub),
		    Config.cstring("token", c.token),
		    Config.cstring("name", c.name),
		    c.pools.isEmpty() ? null : Config.cstrings("pools", c.pools),
		    Config.cstring("fingerprint", c.fingerprint),
		    Config.cstring("caFile", c.caFile),
		    Config.cstring("stateDir", c.stateDir), c.insecure,
		    c.poolSize,
		    c.args.isEmpty() ? null : Config.cstrings("args", c.args),
		    c.dns.isEmpty() ? null : Config.cstrings("dns", c.dns),
		    c.logLevel, c.logStderr, listener != null,
		    p.ints(), p.longs());
	}

	/** The library's release, "1.4.0". */
	public static String version() {
		return Native.version();
	}

	/** The ABI of the library loaded (libtentacle.so.N). */
	public static int abi() {
		return Native.abi();
	}

	private long enter() {
		if (closed || !lock.readLock().tryLock())
			throw new IllegalStateException("node closed");
		if (closed) {
			lock.readLock().unlock();
			throw new IllegalStateException("node closed");
		}
		return handle;
	}

	private void leave() {
		lock.readLock().unlock();
	}

	/**
	 * Run the node on a thread of the library's.  IllegalStateException
	 * when it runs already (or is closed).  A stopped node may be started
	 * again.
	 */
	public void start() {
		long h = enter();
		try {
			if (Native.start(h) != 0)
				throw new IllegalStateException("node running already");
		} finally {
			leave();
		}
	}

	/**
	 * Leave the hub, close every link and relay, and return when the
	 * node's thread has ended.  A stopped node: nothing to do.  Allowed in
	 * a Listener callback (it closes everything before it returns).
	 */
	public void stop() {
		long h = enter();
		try {
			Native.stop(h);
		} finally {
			leave();
		}
	}

	/** Replace the policy now (the node copies it). */
	public void setPolicy(Policy p) {
		if (p == null)
			throw new NullPointerException("policy");
		int[] ints = p.ints();
		long[] longs = p.longs();
		long h = enter();
		try {
			if (Native.setPolicy(h, ints, longs) != 0)
				throw new IllegalStateException("policy refused");
		} finally {
			leave();
		}
	}

	/** A snapshot of the node. */
	public Status status() {
		long h = enter();
		try {
			return Native.status(h);
		} finally {
			leave();
		}
	}

	/**
	 * Stop if running, then free everything (the native node, its thread,
	 * the references the glue holds).  Again: nothing.  Not from a
	 * Listener callback (IllegalStateException): the node's thread cannot
	 * wait for its own end.
	 */
	@Override
	public void close() {
		if (inCallback.get()[0] > 0)
			throw new IllegalStateException(
			    "close() in a Listener callback: stop() there, close() elsewhere");
		long h;
		synchronized (closeOnce) {
			if (closed)
				return;
			closed = true;
			h = handle;
		}
		/*
		 * Stop outside the lock: callbacks still running may take the
		 * read lock; then wait for the calls in progress and free.
		 */
		Native.stop(h);
		lock.writeLock().lock();
		try {
			handle = 0;
			Native.free(h);
		} finally {
			lock.writeLock().unlock();
		}
	}

	/** Closed already. */
	public boolean isClosed() {
		return closed;
	}

	/* From the JNI glue, on the node's loop thread. */
	void onNativeState(int state, byte[] why) {
		int[] depth = inCallback.get();
		depth[0]++;
		try {
			listener.onState(State.fromCode(state), Native.string(why));
		} catch (Throwable t) {
			/* dropped: the loop thread must go on */
		} finally {
			depth[0]--;
		}
	}

	void onNativeError(int unused, byte[] what) {
		int[] depth = inCallback.get();
		depth[0]++;
		try {
			listener.onError(Native.string(what));
		} catch (Throwable t) {
			/* dropped */
		} finally {
			depth[0]--;
		}
	}

	void onNativeLog(int level, byte[] line) {
		int[] depth = inCallback.get();
		depth[0]++;
		try {
			listener.onLog(level, Native.string(line));
		} catch (Throwable t) {
			/* dropped */
		} finally {
			depth[0]--;
		}
	}
}
