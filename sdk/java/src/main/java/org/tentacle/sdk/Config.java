/*
 * Config.java: how a node is made (struct tentacle_node_config).
 */
package org.tentacle.sdk;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A node's settings, immutable; made with {@link Builder}.  The fields are
 * those of struct tentacle_node_config: hub and token are required; the
 * rest have the library's defaults.
 */
public final class Config {
	final String hub;
	final String token;
	final String name;
	final List<String> pools;
	final String fingerprint;
	final String caFile;
	final String stateDir;
	final boolean insecure;
	final int poolSize;
	final List<String> args;
	final List<String> dns;
	final int logLevel;
	final boolean logStderr;
	final Listener listener;
	final Policy policy;

	private Config(Builder b) {
		hub = b.hub;
		token = b.token;
		name = b.name;
		pools = Collections.unmodifiableList(new ArrayList<String>(b.pools));
		fingerprint = b.fingerprint;
		caFile = b.caFile;
		stateDir = b.stateDir;
		insecure = b.insecure;
		poolSize = b.poolSize;
		args = Collections.unmodifiableList(new ArrayList<String>(b.args));
		dns = Collections.unmodifiableList(new ArrayList<String>(b.dns));
		logLevel = b.logLevel;
		logStderr = b.logStderr;
		listener = b.listener;
		policy = b.policy == null ? null : b.policy.copy();
	}

	public String hub() { return hub; }
	public String token() { return token; }
	public String name() { return name; }
	public List<String> pools() { return pools; }
	public String fingerprint() { return fingerprint; }
	public String caFile() { return caFile; }
	public String stateDir() { return stateDir; }
	public boolean insecure() { return insecure; }
	public int poolSize() { return poolSize; }
	public List<String> args() { return args; }
	public List<String> dns() { return dns; }
	public int logLevel() { return logLevel; }
	public boolean logStderr() { return logStderr; }
	public Listener listener() { return listener; }
	/** A copy of the starting policy; null: Policy.desktop(). */
	public Policy policy() { return policy == null ? null : policy.copy(); }

	/* A Java string as the NUL-free UTF-8 a C string needs; null stays. */
	static byte[] cstring(String what, String s) {
		if (s == null)
			return null;
		if (s.indexOf('\0') >= 0)
			throw new IllegalArgumentException(what + ": contains NUL");
		return s.getBytes(Charset.forName("UTF-8"));
	}

	static byte[][] cstrings(String what, List<String> l) {
		byte[][] r = new byte[l.size()][];
		for (int i = 0; i < r.length; i++) {
			if (l.get(i) == null)
				throw new IllegalArgumentException(what + ": null");
			r[i] = cstring(what, l.get(i));
		}
		return r;
	}

	/** Builds a Config; every setter returns the builder. */
	public static final class Builder {
		private String hub;
		private String token;
		private String name;
		private final List<String> pools = new ArrayList<String>();
		private String fingerprint;
		private String caFile;
		private String stateDir;
		private boolean insecure;
		private int poolSize;
		private final List<String> args = new ArrayList<String>();
		private final List<String> dns = new ArrayList<String>();
		private int logLevel = Node.LOG_INFO;
		private boolean logStderr;
		private Listener listener;
		private Policy policy;

		/** The hub's control address, HOST:PORT.  Required. */
		public Builder hub(String v) { hub = v; return this; }
		/** The node token (tentacle token add).  Required. */
		public Builder token(String v) { token = v; return this; }
		/** The node's name; null: the host name. */
		public Builder name(String v) { name = v; return this; }
		/** Pools to join (added to those given before). */
		public Builder pools(String... v) { pools.addAll(Arrays.asList(v)); return this; }
		/** The hub key's "sha256:..." pin. */
		public Builder fingerprint(String v) { fingerprint = v; return this; }
		/** A CA file to check the hub's certificate with. */
		public Builder caFile(String v) { caFile = v; return this; }
		/**
		 * A directory of the app's own (Context.getFilesDir() on
		 * Android): known_hosts for trust on first use; null: no TOFU
		 * (a pin or a CA is needed).
		 */
		public Builder stateDir(String v) { stateDir = v; return this; }
		/** Plaintext links (the hub runs -insecure too); tests only. */
		public Builder insecure(boolean v) { insecure = v; return this; }
		/** Spare links kept open; 0: none. */
		public Builder poolSize(int v) {
			if (v < 0)
				throw new IllegalArgumentException("poolSize: negative");
			poolSize = v;
			return this;
		}
		/**
		 * More settings as `tentacle start` flags, e.g. "-allow",
		 * "10.1.2.3:80" (tentacle(1)); the fields above win.
		 */
		public Builder args(String... v) { args.addAll(Arrays.asList(v)); return this; }
		/**
		 * Name servers (numeric addresses); none: /etc/resolv.conf.
		 * Android has none: give the active network's
		 * (LinkProperties.getDnsServers()).
		 */
		public Builder dns(String... v) { dns.addAll(Arrays.asList(v)); return this; }
		/** Node.LOG_DEBUG .. Node.LOG_ERROR; lines below are dropped. */
		public Builder logLevel(int v) {
			if (v < Node.LOG_DEBUG || v > Node.LOG_ERROR)
				throw new IllegalArgumentException("logLevel " + v);
			logLevel = v;
			return this;
		}
		/** Also write log lines to stderr (not seen on Android). */
		public Builder logStderr(boolean v) { logStderr = v; return this; }
		/** Who hears states and log lines; null: nobody. */
		public Builder listener(Listener v) { listener = v; return this; }
		/** The policy it starts with (copied); null: Policy.desktop(). */
		public Builder policy(Policy v) { policy = v == null ? null : v.copy(); return this; }

		public Config build() {
			if (hub == null || hub.isEmpty())
				throw new IllegalArgumentException("hub: required");
			if (token == null || token.isEmpty())
				throw new IllegalArgumentException("token: required");
			return new Config(this);
		}
	}
}
