/*
 * Native.java: the JNI glue's methods (sdk/java/jni/tentacle_jni.c) and
 * loading it.  Package-private: Node, Policy and Status are the API.
 */
package org.tentacle.sdk;

import java.nio.charset.Charset;

final class Native {
	/** The TENTACLE_ABI these classes were written for. */
	static final int ABI = 1;

	private static final Charset UTF8 = Charset.forName("UTF-8");

	static {
		/*
		 * -Dorg.tentacle.sdk.library=/path/libtentacle_jni.so loads
		 * that file; else the usual search (java.library.path, the
		 * APK's lib/ABI/ on Android).
		 */
		String path = System.getProperty("org.tentacle.sdk.library");
		if (path != null && !path.isEmpty())
			System.load(path);
		else
			System.loadLibrary("tentacle_jni");
		int abi = abi();
		if (abi != ABI)
			throw new UnsatisfiedLinkError("libtentacle ABI " + abi
			    + ", these classes need " + ABI);
	}

	private Native() {
	}

	/* Decode what C gave as bytes: malformed UTF-8 becomes U+FFFD. */
	static String string(byte[] b) {
		return b == null ? "" : new String(b, UTF8);
	}

	static native int abi();
	static native String version();
	static native void policyInit(int profile, int[] ints, long[] longs);

	/*
	 * Returns the handle (a C pointer), or throws IllegalArgumentException
	 * with the library's message.  self gets the callbacks.
	 */
	static native long create(Node self, byte[] hub, byte[] token,
	    byte[] name, byte[][] pools, byte[] fingerprint, byte[] caFile,
	    byte[] stateDir, boolean insecure, int poolSize, byte[][] args,
	    byte[][] dns, int logLevel, boolean logStderr, boolean wantLog,
	    int[] policyInts, long[] policyLongs);
	/* 0, or -1: running already. */
	static native int start(long handle);
	static native void stop(long handle);
	/* 0, or -1. */
	static native int setPolicy(long handle, int[] ints, long[] longs);
	static native Status status(long handle);
	/* Stops, frees, drops the global references; handle is dead after. */
	static native void free(long handle);
}
