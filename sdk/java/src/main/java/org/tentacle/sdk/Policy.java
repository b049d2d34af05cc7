/*
 * Policy.java: what the user and the device allow (struct tentacle_policy).
 */
package org.tentacle.sdk;

/**
 * The host's policy: what the user agreed to, what the device is doing now,
 * and the rules over both (struct tentacle_policy in libtentacle.h, field
 * for field).  The library enforces it: while a rule says no, the node takes
 * no request; without consent it does not even connect.  Zero means "no
 * rule" for every cap.  A plain mutable value: setters return this; give it
 * to {@link Node#setPolicy(Policy)} after each change (the node copies it).
 * Start from {@link #desktop()} or {@link #mobile()}: the library's own
 * defaults for the profile, consent off in both.
 */
public final class Policy {
	static final int PROFILE_DESKTOP = 0;	/* TENTACLE_PROFILE_DESKTOP */
	static final int PROFILE_MOBILE = 1;	/* TENTACLE_PROFILE_MOBILE */

	/* The order of the arrays the JNI glue reads (tentacle_jni.c). */
	static final int I_CONSENT = 0, I_UNMETERED = 1, I_CHARGING = 2,
	    I_SCREEN_OFF = 3, I_BATTERY_PCT = 4, I_NEED_UNMETERED = 5,
	    I_NEED_CHARGING = 6, I_NEED_SCREEN_OFF = 7, I_MIN_BATTERY_PCT = 8,
	    I_MAX_RELAYS = 9, I_HOURS = 10, I_GRACE_MS = 11, N_INTS = 12;
	static final int L_BYTES_PER_DAY = 0, L_BYTES_PER_MONTH = 1,
	    L_RATE_UP = 2, L_RATE_DOWN = 3, N_LONGS = 4;

	private int[] ints = new int[N_INTS];
	private long[] longs = new long[N_LONGS];

	private Policy() {
	}

	private static Policy profile(int profile) {
		Policy p = new Policy();
		Native.policyInit(profile, p.ints, p.longs);
		return p;
	}

	/** TENTACLE_PROFILE_DESKTOP: consent is the only rule. */
	public static Policy desktop() {
		return profile(PROFILE_DESKTOP);
	}

	/** TENTACLE_PROFILE_MOBILE: consent, unmetered and charging. */
	public static Policy mobile() {
		return profile(PROFILE_MOBILE);
	}

	/** A copy to change without touching this one. */
	public Policy copy() {
		Policy p = new Policy();
		p.ints = ints.clone();
		p.longs = longs.clone();
		return p;
	}

	int[] ints() { return ints.clone(); }
	long[] longs() { return longs.clone(); }

	private static int bit(boolean b) { return b ? 1 : 0; }

	private static long cap(long v, String what) {
		if (v < 0)
			throw new IllegalArgumentException(what + ": negative");
		return v;
	}

	/** The user opted in; false later: drain, close. */
	public Policy consent(boolean v) { ints[I_CONSENT] = bit(v); return this; }
	public boolean consent() { return ints[I_CONSENT] != 0; }

	/** The device now: on Wi-Fi or Ethernet, not cellular. */
	public Policy unmetered(boolean v) { ints[I_UNMETERED] = bit(v); return this; }
	public boolean unmetered() { return ints[I_UNMETERED] != 0; }

	public Policy charging(boolean v) { ints[I_CHARGING] = bit(v); return this; }
	public boolean charging() { return ints[I_CHARGING] != 0; }

	public Policy screenOff(boolean v) { ints[I_SCREEN_OFF] = bit(v); return this; }
	public boolean screenOff() { return ints[I_SCREEN_OFF] != 0; }

	/** 0..100; -1 unknown. */
	public Policy batteryPct(int v) {
		if (v < -1 || v > 100)
			throw new IllegalArgumentException("batteryPct " + v
			    + ": expected 0..100 or -1");
		ints[I_BATTERY_PCT] = v;
		return this;
	}
	public int batteryPct() { return ints[I_BATTERY_PCT]; }

	/** Rule: share only on an unmetered network. */
	public Policy needUnmetered(boolean v) { ints[I_NEED_UNMETERED] = bit(v); return this; }
	public boolean needUnmetered() { return ints[I_NEED_UNMETERED] != 0; }

	public Policy needCharging(boolean v) { ints[I_NEED_CHARGING] = bit(v); return this; }
	public boolean needCharging() { return ints[I_NEED_CHARGING] != 0; }

	public Policy needScreenOff(boolean v) { ints[I_NEED_SCREEN_OFF] = bit(v); return this; }
	public boolean needScreenOff() { return ints[I_NEED_SCREEN_OFF] != 0; }

	/** 0: none. */
	public Policy minBatteryPct(int v) {
		if (v < 0 || v > 100)
			throw new IllegalArgumentException("minBatteryPct " + v
			    + ": expected 0..100");
		ints[I_MIN_BATTERY_PCT] = v;
		return this;
	}
	public int minBatteryPct() { return ints[I_MIN_BATTERY_PCT]; }

	/** Both directions, local day; 0: no cap. */
	public Policy bytesPerDay(long v) { longs[L_BYTES_PER_DAY] = cap(v, "bytesPerDay"); return this; }
	public long bytesPerDay() { return longs[L_BYTES_PER_DAY]; }

	public Policy bytesPerMonth(long v) { longs[L_BYTES_PER_MONTH] = cap(v, "bytesPerMonth"); return this; }
	public long bytesPerMonth() { return longs[L_BYTES_PER_MONTH]; }

	/** Bytes/s toward targets; 0: none. */
	public Policy rateUp(long v) { longs[L_RATE_UP] = cap(v, "rateUp"); return this; }
	public long rateUp() { return longs[L_RATE_UP]; }

	/** Bytes/s back to the hub; 0: none. */
	public Policy rateDown(long v) { longs[L_RATE_DOWN] = cap(v, "rateDown"); return this; }
	public long rateDown() { return longs[L_RATE_DOWN]; }

	/** Relays at once; 0: no cap. */
	public Policy maxRelays(int v) {
		if (v < 0)
			throw new IllegalArgumentException("maxRelays: negative");
		ints[I_MAX_RELAYS] = v;
		return this;
	}
	public int maxRelays() { return ints[I_MAX_RELAYS]; }

	/**
	 * Allowed hours, local time: bit h (0..23) allows h:00-h:59; 0: all
	 * day.
	 */
	public Policy hours(int mask) {
		if ((mask & ~0xffffff) != 0)
			throw new IllegalArgumentException("hours: bits above 23");
		ints[I_HOURS] = mask;
		return this;
	}
	public int hours() { return ints[I_HOURS]; }

	/** When sharing stops, relays may finish this long, then close. */
	public Policy graceMs(int v) {
		if (v < 0)
			throw new IllegalArgumentException("graceMs: negative");
		ints[I_GRACE_MS] = v;
		return this;
	}
	public int graceMs() { return ints[I_GRACE_MS]; }

	@Override
	public String toString() {
		return "consent=" + consent() + " unmetered=" + unmetered()
		    + " charging=" + charging() + " screenOff=" + screenOff()
		    + " batteryPct=" + batteryPct()
		    + " needUnmetered=" + needUnmetered()
		    + " needCharging=" + needCharging()
		    + " needScreenOff=" + needScreenOff()
		    + " minBatteryPct=" + minBatteryPct()
		    + " bytesPerDay=" + bytesPerDay()
		    + " bytesPerMonth=" + bytesPerMonth()
		    + " rateUp=" + rateUp() + " rateDown=" + rateDown()
		    + " maxRelays=" + maxRelays()
		    + " hours=0x" + Integer.toHexString(hours())
		    + " graceMs=" + graceMs();
	}
}
