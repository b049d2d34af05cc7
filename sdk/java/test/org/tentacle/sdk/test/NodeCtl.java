/*
 * NodeCtl.java: a node driven line by line, for t/t9101-sdk-java.sh.
 *
 *	java org.tentacle.sdk.test.NodeCtl HUB TOKEN NAME FINGERPRINT STATEDIR
 *
 * Reads one command a line on stdin and answers each on stdout with
 * "R<n> ok [text]" or "R<n> err text", n counting commands from 1.
 * Listener callbacks print "event state NAME why=WHY cbstatus=STATE" (the
 * node's status() as seen from the callback) and "event error WHAT" on
 * stdout, log lines on stderr.  Commands:
 *
 *	new		a Node: the arguments, pool jpool, -allow 127.0.0.0/8,
 *			consent on
 *	start, stop, close
 *	consent on|off	setPolicy(Policy.desktop().consent(...))
 *	wait STATE SECS	until status().state() is STATE
 *	status		status().toString()
 *	threads		live Java threads named tentacle-node
 *	cbclose		the next state callback calls close(): "event cbclose"
 *			says what it threw
 *	cbstop		the next SHARING callback calls stop() (allowed)
 *	afterclose	start, stop, status, setPolicy each throw
 *			IllegalStateException
 *	badconfig	a hub address, then a name server, the library refuses:
 *			IllegalArgumentException, twice
 *	badtoken TOKEN	a second Node with a token the hub does not know: its
 *			onError (within 20 s), lastError and state, then closed
 *	version		Node.version() and Node.abi()
 *	quit		exit 0 (after close() if not closed)
 *
 * At end of input it closes the node and exits.
 */
package org.tentacle.sdk.test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.tentacle.sdk.Config;
import org.tentacle.sdk.Listener;
import org.tentacle.sdk.Node;
import org.tentacle.sdk.Policy;
import org.tentacle.sdk.State;
import org.tentacle.sdk.Status;

public final class NodeCtl {
	private static final PrintStream out = new PrintStream(System.out, true);
	private static String[] argv;
	private static volatile Node node;
	private static volatile boolean cbClose;
	private static volatile boolean cbStop;

	private static synchronized void say(String s) {
		out.println(s);
	}

	private static final Listener listener = new Listener() {
		@Override
		public void onState(State state, String why) {
			Node n = node;
			String st = "none";
			try {
				if (n != null)
					st = n.status().state().name().toLowerCase();
			} catch (IllegalStateException e) {
				st = "closed";
			}
			say("event state " + state.name().toLowerCase() + " why="
			    + why + " cbstatus=" + st + " thread="
			    + Thread.currentThread().getName());
			if (n == null)
				return;
			if (cbClose) {
				cbClose = false;
				try {
					n.close();
					say("event cbclose none");
				} catch (IllegalStateException e) {
					say("event cbclose IllegalStateException");
				}
			}
			if (cbStop && state == State.SHARING) {
				cbStop = false;
				n.stop();
				say("event cbstop returned");
			}
		}

		@Override
		public void onError(String what) {
			say("event error " + what);
		}

		@Override
		public void onLog(int level, String line) {
			System.err.println("log " + level + " " + line);
		}
	};

	private static Policy consent(boolean on) {
		return Policy.desktop().consent(on);
	}

	private static Node make(String hub) {
		return make(hub, "127.0.0.1");
	}

	/* dns: the name server given (the hub is an address: never asked). */
	private static Node make(String hub, String dns) {
		Config.Builder b = new Config.Builder().hub(hub).token(argv[1])
		    .name(argv[2]).pools("jpool").stateDir(argv[4]).dns(dns)
		    .args("-allow", "127.0.0.0/8")
		    .logLevel(Node.LOG_DEBUG).listener(listener)
		    .policy(consent(true));
		if (!argv[3].isEmpty())
			b.fingerprint(argv[3]);
		return new Node(b.build());
	}

	private static int threads() {
		int n = 0;
		for (Thread t : Thread.getAllStackTraces().keySet())
			if (t.isAlive() && "tentacle-node".equals(t.getName()))
				n++;
		return n;
	}

	/* A second node, refused by the hub: what onError and status say. */
	private static String badToken(String token) throws Exception {
		final AtomicReference<String> err = new AtomicReference<String>();
		final CountDownLatch got = new CountDownLatch(1);
		Listener l = new Listener() {
			@Override
			public void onState(State state, String why) {
			}

			@Override
			public void onLog(int level, String line) {
			}

			@Override
			public void onError(String what) {
				err.compareAndSet(null, what);
				got.countDown();
			}
		};
		Config.Builder b = new Config.Builder().hub(argv[0]).token(token)
		    .name("jbad").stateDir(argv[4]).listener(l)
		    .policy(consent(true));
		if (!argv[3].isEmpty())
			b.fingerprint(argv[3]);
		try (Node bad = new Node(b.build())) {
			bad.start();
			if (!got.await(20, TimeUnit.SECONDS))
				throw new Exception("no onError: " + bad.status());
			Status st = bad.status();
			return "onError=" + err.get() + " | state="
			    + st.state().name().toLowerCase() + " last_error="
			    + st.lastError();
		}
	}

	private static String afterClose(Node n) {
		StringBuilder bad = new StringBuilder();
		try { n.start(); bad.append(" start"); }
		catch (IllegalStateException e) { }
		try { n.stop(); bad.append(" stop"); }
		catch (IllegalStateException e) { }
		try { n.status(); bad.append(" status"); }
		catch (IllegalStateException e) { }
		try { n.setPolicy(consent(true)); bad.append(" setPolicy"); }
		catch (IllegalStateException e) { }
		return bad.toString();
	}

	private static String run(String[] w) throws Exception {
		String c = w[0];
		Node n = node;
		if (c.equals("new")) {
			node = make(argv[0]);
			return "";
		} else if (c.equals("start")) {
			n.start();
			return "";
		} else if (c.equals("stop")) {
			n.stop();
			return n.status().state().name().toLowerCase();
		} else if (c.equals("close")) {
			n.close();
			return "";
		} else if (c.equals("consent")) {
			n.setPolicy(consent(w[1].equals("on")));
			return "";
		} else if (c.equals("wait")) {
			State want = State.valueOf(w[1].toUpperCase());
			long end = System.nanoTime()
			    + Long.parseLong(w[2]) * 1000000000L;
			Status st;
			while ((st = n.status()).state() != want) {
				if (System.nanoTime() > end)
					throw new Exception("timeout: " + st);
				Thread.sleep(20);
			}
			return st.state().name().toLowerCase();
		} else if (c.equals("status")) {
			return n.status().toString();
		} else if (c.equals("threads")) {
			return Integer.toString(threads());
		} else if (c.equals("cbclose")) {
			cbClose = true;
			return "";
		} else if (c.equals("cbstop")) {
			cbStop = true;
			return "";
		} else if (c.equals("afterclose")) {
			String bad = afterClose(n);
			if (!bad.isEmpty())
				throw new Exception("no IllegalStateException from" + bad);
			return "";
		} else if (c.equals("badconfig")) {
			String r;
			try {
				make("no port here").close();
				throw new Exception("a bad hub address was taken");
			} catch (IllegalArgumentException e) {
				r = "IllegalArgumentException: " + e.getMessage();
			}
			try {
				make(argv[0], "not.an.address").close();
				throw new Exception("a bad name server was taken");
			} catch (IllegalArgumentException e) {
				return r + " | IllegalArgumentException: " +
				    e.getMessage();
			}
		} else if (c.equals("badtoken")) {
			return badToken(w[1]);
		} else if (c.equals("version")) {
			return Node.version() + " abi " + Node.abi();
		} else if (c.equals("quit")) {
			if (n != null)
				n.close();
			say("R" + seq + " ok");
			System.exit(0);
		}
		throw new Exception("unknown command " + c);
	}

	private static int seq;

	public static void main(String[] args) throws Exception {
		if (args.length != 5) {
			System.err.println("usage: NodeCtl HUB TOKEN NAME FINGERPRINT STATEDIR");
			System.exit(2);
		}
		argv = args;
		BufferedReader in = new BufferedReader(
		    new InputStreamReader(System.in, "UTF-8"));
		String line;
		while ((line = in.readLine()) != null) {
			line = line.trim();
			if (line.isEmpty())
				continue;
			seq++;
			try {
				String r = run(line.split("\\s+"));
				say("R" + seq + " ok" + (r.isEmpty() ? "" : " " + r));
			} catch (Exception e) {
				say("R" + seq + " err " + e);
			}
		}
		if (node != null)
			node.close();
	}
}
