/*
 * tentacle_jni.c: the JNI glue between org.tentacle.sdk (sdk/java/src) and
 * libtentacle (include/libtentacle.h).  Owns one struct jnode per Java
 * Node: the native node, a global reference to the Java object for the
 * callbacks, and copies of every string the config points at.  Java's Node
 * does the locking (close() against calls in flight, IllegalStateException
 * after close); this file only refuses a handle of 0.
 *
 * Threads.  The library calls on_state and on_log on the node's loop
 * thread, which the JVM does not know.  The first callback on such a
 * thread attaches it (AttachCurrentThreadAsDaemon: a node left running
 * does not keep the JVM from exiting) and records that in a pthread key
 * whose destructor detaches it when the thread ends.  That is the pattern
 * Android's "JNI tips" gives, and the only one that is right whatever the
 * library does with its threads: a thread per start() or one kept across
 * restarts, callbacks after TENTACLE_STOPPED (log lines while closing) or
 * none.  Detaching in the STOPPED callback would be wrong twice: a log
 * line after it would attach again and leak the attachment, and stop()
 * called from a callback returns into that same thread's Java frames.
 * A thread that was already a Java thread (stop() or free() called by the
 * app, a callback made on the caller's thread) is found by GetEnv and left
 * alone.  Each callback runs in its own local frame (PushLocalFrame /
 * PopLocalFrame): an attached thread that never returns to Java would
 * otherwise keep every local reference until it ends.
 *
 * Strings cross as UTF-8 byte arrays, both ways, decoded and encoded by
 * Java: NewStringUTF wants modified UTF-8 and aborts under Android's
 * CheckJNI on bytes a log line may hold (a hostile hub's text).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jni.h>

#include "libtentacle.h"
#ifdef TENTACLE_JNI_HEADERS
#include "org_tentacle_sdk_Native.h"	/* javac -h: the prototypes */
#endif

/* Android's jni.h takes JNIEnv ** where the JDK's takes void **. */
#ifdef __ANDROID__
#define JNI_ENVP(e)	(&(e))
#else
#define JNI_ENVP(e)	((void **)&(e))
#endif

#define POLICY_INTS	12	/* Policy.N_INTS */
#define POLICY_LONGS	4	/* Policy.N_LONGS */

struct jnode {
	struct tentacle_node	*n;
	jobject			 self;	/* global: the Java Node */
	char			*hub, *token, *name, *fingerprint;
	char			*ca_file, *state_dir;
	char			**pools;	/* NULL-ended, or NULL */
	char			**args;
	char			**dns;
};

static JavaVM		*jni_vm;
static pthread_key_t	 jni_detach_key;
/* Node's onNativeState, onNativeLog, onNativeError: (int, byte[]) */
static jmethodID	 jni_on_state;
static jmethodID	 jni_on_log;
static jmethodID	 jni_on_error;
static jclass		 jni_status_class;	/* global */
static jmethodID	 jni_status_new;	/* static Status.fromNative */

static void
jni_detach(void *env)
{
	(void)env;
	(*jni_vm)->DetachCurrentThread(jni_vm);
}

/*
 * The calling thread's JNIEnv, attaching a thread the JVM does not know
 * (see the top of the file); NULL if it cannot be attached.
 */
static JNIEnv *
jni_env(void)
{
	JavaVMAttachArgs	 a;
	JNIEnv			*env;
	jint			 r;

	r = (*jni_vm)->GetEnv(jni_vm, (void **)&env, JNI_VERSION_1_6);
	if (r == JNI_OK)
		return (env);
	if (r != JNI_EDETACHED)
		return (NULL);
	a.version = JNI_VERSION_1_6;
	a.name = (char *)"tentacle-node";
	a.group = NULL;
	if ((*jni_vm)->AttachCurrentThreadAsDaemon(jni_vm, JNI_ENVP(env),
	    &a) != JNI_OK)
		return (NULL);
	if (pthread_setspecific(jni_detach_key, env) != 0) {
		/* No destructor to detach later: do not stay attached. */
		(*jni_vm)->DetachCurrentThread(jni_vm);
		return (NULL);
	}
	return (env);
}

JNIEXPORT jint JNICALL
JNI_OnLoad(JavaVM *vm, void *reserved)
{
	JNIEnv	*env;
	jclass	 c;

	(void)reserved;
	jni_vm = vm;
	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_6) != JNI_OK)
		return (JNI_ERR);
	/*
	 * Looked up now, on the thread loading us: on Android a thread we
	 * attach later finds only the system class loader.
	 */
	c = (*env)->FindClass(env, "org/tentacle/sdk/Node");
	if (c == NULL)
		return (JNI_ERR);
	jni_on_state = (*env)->GetMethodID(env, c, "onNativeState", "(I[B)V");
	jni_on_log = (*env)->GetMethodID(env, c, "onNativeLog", "(I[B)V");
	jni_on_error = (*env)->GetMethodID(env, c, "onNativeError", "(I[B)V");
	(*env)->DeleteLocalRef(env, c);
	if (jni_on_state == NULL || jni_on_log == NULL || jni_on_error == NULL)
		return (JNI_ERR);
	c = (*env)->FindClass(env, "org/tentacle/sdk/Status");
	if (c == NULL)
		return (JNI_ERR);
	jni_status_new = (*env)->GetStaticMethodID(env, c, "fromNative",
	    "(I[B[B[BJIIJJJJ[B)Lorg/tentacle/sdk/Status;");
	if (jni_status_new == NULL)
		return (JNI_ERR);
	jni_status_class = (*env)->NewGlobalRef(env, c);
	(*env)->DeleteLocalRef(env, c);
	if (jni_status_class == NULL)
		return (JNI_ERR);
	if (pthread_key_create(&jni_detach_key, jni_detach) != 0)
		return (JNI_ERR);
	return (JNI_VERSION_1_6);
}

static void
jni_throw(JNIEnv *env, const char *class, const char *msg)
{
	jclass	c;

	if ((*env)->ExceptionCheck(env))
		return;
	c = (*env)->FindClass(env, class);
	if (c != NULL)
		(*env)->ThrowNew(env, c, msg);
}

static struct jnode *
jni_node(JNIEnv *env, jlong h)
{
	if (h == 0) {
		jni_throw(env, "java/lang/IllegalStateException",
		    "node closed");
		return (NULL);
	}
	return ((struct jnode *)(intptr_t)h);
}

/* A C string as a byte[] (NULL stays NULL); at most max bytes. */
static jbyteArray
jni_bytes(JNIEnv *env, const char *s, size_t max)
{
	jbyteArray	b;
	size_t		len;

	if (s == NULL)
		return (NULL);
	for (len = 0; len < max && s[len] != '\0'; len++)
		;
	b = (*env)->NewByteArray(env, (jsize)len);
	if (b != NULL)
		(*env)->SetByteArrayRegion(env, b, 0, (jsize)len,
		    (const jbyte *)s);
	return (b);
}

/* A byte[] as a NUL-terminated copy; NULL for NULL, or (thrown) no memory. */
static int
jni_cstr(JNIEnv *env, jbyteArray b, char **out)
{
	jsize	len;
	char	*s;

	*out = NULL;
	if (b == NULL)
		return (0);
	len = (*env)->GetArrayLength(env, b);
	if ((s = malloc((size_t)len + 1)) == NULL) {
		jni_throw(env, "java/lang/OutOfMemoryError", "tentacle_jni");
		return (-1);
	}
	(*env)->GetByteArrayRegion(env, b, 0, len, (jbyte *)s);
	s[len] = '\0';
	*out = s;
	return (0);
}

static void
jni_vec_free(char **v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* A byte[][] as a NULL-terminated vector of copies; NULL for NULL. */
static int
jni_vec(JNIEnv *env, jobjectArray a, char ***out)
{
	jsize		 i, n;
	jbyteArray	 b;
	char		**v;
	int		 r;

	*out = NULL;
	if (a == NULL)
		return (0);
	n = (*env)->GetArrayLength(env, a);
	if ((v = calloc((size_t)n + 1, sizeof *v)) == NULL) {
		jni_throw(env, "java/lang/OutOfMemoryError", "tentacle_jni");
		return (-1);
	}
	for (i = 0; i < n; i++) {
		b = (*env)->GetObjectArrayElement(env, a, i);
		r = jni_cstr(env, b, &v[i]);
		if (b != NULL)
			(*env)->DeleteLocalRef(env, b);
		if (r == -1 || v[i] == NULL) {
			jni_vec_free(v);
			jni_throw(env, "java/lang/IllegalArgumentException",
			    "null string in a list");
			return (-1);
		}
	}
	*out = v;
	return (0);
}

/* Policy's int[] and long[] (Policy.I_*, Policy.L_*) into p. */
static int
jni_policy(JNIEnv *env, jintArray ia, jlongArray la,
    struct tentacle_policy *p)
{
	jint	i[POLICY_INTS];
	jlong	l[POLICY_LONGS];

	if (ia == NULL || la == NULL ||
	    (*env)->GetArrayLength(env, ia) != POLICY_INTS ||
	    (*env)->GetArrayLength(env, la) != POLICY_LONGS) {
		jni_throw(env, "java/lang/IllegalArgumentException",
		    "policy arrays");
		return (-1);
	}
	(*env)->GetIntArrayRegion(env, ia, 0, POLICY_INTS, i);
	(*env)->GetLongArrayRegion(env, la, 0, POLICY_LONGS, l);
	/* The library's defaults first: fields newer than Policy.java. */
	tentacle_policy_init(p, TENTACLE_PROFILE_DESKTOP);
	p->consent = i[0];
	p->unmetered = i[1];
	p->charging = i[2];
	p->screen_off = i[3];
	p->battery_pct = i[4];
	p->need_unmetered = i[5];
	p->need_charging = i[6];
	p->need_screen_off = i[7];
	p->min_battery_pct = i[8];
	p->max_relays = i[9];
	p->hours = (uint32_t)i[10];
	p->grace_ms = i[11];
	p->bytes_per_day = (uint64_t)l[0];
	p->bytes_per_month = (uint64_t)l[1];
	p->rate_up = (uint64_t)l[2];
	p->rate_down = (uint64_t)l[3];
	return (0);
}

/* The loop thread's callbacks: into Node.onNativeState, onNativeLog and
 * onNativeError. */
static void
jni_call(struct jnode *jn, jmethodID m, int v, const char *s)
{
	JNIEnv		*env;
	jbyteArray	 b;

	if ((env = jni_env()) == NULL)
		return;
	if ((*env)->PushLocalFrame(env, 4) != 0) {
		(*env)->ExceptionClear(env);
		return;
	}
	b = jni_bytes(env, s, 65536);
	if (!(*env)->ExceptionCheck(env))
		(*env)->CallVoidMethod(env, jn->self, m, (jint)v, b);
	/* Node catches what a Listener throws; this is for OOM here. */
	if ((*env)->ExceptionCheck(env))
		(*env)->ExceptionClear(env);
	(*env)->PopLocalFrame(env, NULL);
}

static void
jni_state_cb(void *arg, enum tentacle_state state, const char *why)
{
	jni_call(arg, jni_on_state, (int)state, why);
}

static void
jni_log_cb(void *arg, int level, const char *line)
{
	jni_call(arg, jni_on_log, level, line);
}

static void
jni_error_cb(void *arg, const char *what)
{
	jni_call(arg, jni_on_error, 0, what);
}

static void
jnode_free(JNIEnv *env, struct jnode *jn)
{
	if (jn->self != NULL)
		(*env)->DeleteGlobalRef(env, jn->self);
	free(jn->hub);
	free(jn->token);
	free(jn->name);
	free(jn->fingerprint);
	free(jn->ca_file);
	free(jn->state_dir);
	jni_vec_free(jn->pools);
	jni_vec_free(jn->args);
	jni_vec_free(jn->dns);
	free(jn);
}

JNIEXPORT jint JNICALL
Java_org_tentacle_sdk_Native_abi(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return (tentacle_abi());
}

JNIEXPORT jstring JNICALL
Java_org_tentacle_sdk_Native_version(JNIEnv *env, jclass cls)
{
	(void)cls;
	/* ASCII: NewStringUTF is safe here. */
	return ((*env)->NewStringUTF(env, tentacle_version()));
}

JNIEXPORT void JNICALL
Java_org_tentacle_sdk_Native_policyInit(JNIEnv *env, jclass cls,
    jint profile, jintArray ia, jlongArray la)
{
	struct tentacle_policy	p;
	jint			i[POLICY_INTS];
	jlong			l[POLICY_LONGS];

	(void)cls;
	if (ia == NULL || la == NULL ||
	    (*env)->GetArrayLength(env, ia) != POLICY_INTS ||
	    (*env)->GetArrayLength(env, la) != POLICY_LONGS) {
		jni_throw(env, "java/lang/IllegalArgumentException",
		    "policy arrays");
		return;
	}
	tentacle_policy_init(&p, profile);
	i[0] = p.consent;
	i[1] = p.unmetered;
	i[2] = p.charging;
	i[3] = p.screen_off;
	i[4] = p.battery_pct;
	i[5] = p.need_unmetered;
	i[6] = p.need_charging;
	i[7] = p.need_screen_off;
	i[8] = p.min_battery_pct;
	i[9] = p.max_relays;
	i[10] = (jint)p.hours;
	i[11] = p.grace_ms;
	l[0] = (jlong)p.bytes_per_day;
	l[1] = (jlong)p.bytes_per_month;
	l[2] = (jlong)p.rate_up;
	l[3] = (jlong)p.rate_down;
	(*env)->SetIntArrayRegion(env, ia, 0, POLICY_INTS, i);
	(*env)->SetLongArrayRegion(env, la, 0, POLICY_LONGS, l);
}

JNIEXPORT jlong JNICALL
Java_org_tentacle_sdk_Native_create(JNIEnv *env, jclass cls, jobject self,
    jbyteArray hub, jbyteArray token, jbyteArray name, jobjectArray pools,
    jbyteArray fingerprint, jbyteArray ca_file, jbyteArray state_dir,
    jboolean insecure, jint pool_size, jobjectArray args, jobjectArray dns,
    jint log_level,
    jboolean log_stderr, jboolean callbacks, jintArray pi, jlongArray pl)
{
	struct tentacle_node_config	 c;
	struct tentacle_policy		 p;
	struct jnode			*jn;
	char				 err[256];

	(void)cls;
	if ((jn = calloc(1, sizeof *jn)) == NULL) {
		jni_throw(env, "java/lang/OutOfMemoryError", "tentacle_jni");
		return (0);
	}
	if (jni_cstr(env, hub, &jn->hub) == -1 ||
	    jni_cstr(env, token, &jn->token) == -1 ||
	    jni_cstr(env, name, &jn->name) == -1 ||
	    jni_vec(env, pools, &jn->pools) == -1 ||
	    jni_cstr(env, fingerprint, &jn->fingerprint) == -1 ||
	    jni_cstr(env, ca_file, &jn->ca_file) == -1 ||
	    jni_cstr(env, state_dir, &jn->state_dir) == -1 ||
	    jni_vec(env, args, &jn->args) == -1 ||
	    jni_vec(env, dns, &jn->dns) == -1 ||
	    jni_policy(env, pi, pl, &p) == -1)
		goto fail;
	/* Before new(): a callback may come as soon as the node exists. */
	if ((jn->self = (*env)->NewGlobalRef(env, self)) == NULL) {
		jni_throw(env, "java/lang/OutOfMemoryError", "tentacle_jni");
		goto fail;
	}

	tentacle_node_config_init(&c);
	c.hub = jn->hub;
	c.token = jn->token;
	c.name = jn->name;
	c.pools = (const char *const *)jn->pools;
	c.fingerprint = jn->fingerprint;
	c.ca_file = jn->ca_file;
	c.state_dir = jn->state_dir;
	c.insecure = insecure ? 1 : 0;
	c.pool_size = pool_size;
	c.args = (const char *const *)jn->args;
	c.dns = (const char *const *)jn->dns;
	c.log_level = log_level;
	c.log_stderr = log_stderr ? 1 : 0;
	if (callbacks) {
		c.on_log = jni_log_cb;
		c.on_state = jni_state_cb;
		c.on_error = jni_error_cb;
	}
	c.arg = jn;
	c.policy = &p;

	err[0] = '\0';
	if ((jn->n = tentacle_node_new(&c, err, sizeof err)) == NULL) {
		jni_throw(env, "java/lang/IllegalArgumentException",
		    err[0] != '\0' ? err : "tentacle_node_new failed");
		goto fail;
	}
	return ((jlong)(intptr_t)jn);

fail:
	jnode_free(env, jn);
	return (0);
}

JNIEXPORT jint JNICALL
Java_org_tentacle_sdk_Native_start(JNIEnv *env, jclass cls, jlong h)
{
	struct jnode	*jn;

	(void)cls;
	if ((jn = jni_node(env, h)) == NULL)
		return (-1);
	return (tentacle_node_start(jn->n));
}

JNIEXPORT void JNICALL
Java_org_tentacle_sdk_Native_stop(JNIEnv *env, jclass cls, jlong h)
{
	struct jnode	*jn;

	(void)cls;
	if ((jn = jni_node(env, h)) == NULL)
		return;
	tentacle_node_stop(jn->n);
}

JNIEXPORT jint JNICALL
Java_org_tentacle_sdk_Native_setPolicy(JNIEnv *env, jclass cls, jlong h,
    jintArray ia, jlongArray la)
{
	struct tentacle_policy	 p;
	struct jnode		*jn;

	(void)cls;
	if ((jn = jni_node(env, h)) == NULL)
		return (-1);
	if (jni_policy(env, ia, la, &p) == -1)
		return (-1);
	return (tentacle_node_set_policy(jn->n, &p));
}

JNIEXPORT jobject JNICALL
Java_org_tentacle_sdk_Native_status(JNIEnv *env, jclass cls, jlong h)
{
	struct tentacle_status	 st;
	struct jnode		*jn;
	jbyteArray		 why, hub, pools, last;

	(void)cls;
	if ((jn = jni_node(env, h)) == NULL)
		return (NULL);
	memset(&st, 0, sizeof st);
	st.size = sizeof st;
	if (tentacle_node_status(jn->n, &st) == -1) {
		jni_throw(env, "java/lang/IllegalStateException",
		    "tentacle_node_status failed");
		return (NULL);
	}
	why = jni_bytes(env, st.why, sizeof st.why);
	hub = jni_bytes(env, st.hub, sizeof st.hub);
	pools = jni_bytes(env, st.pools, sizeof st.pools);
	last = jni_bytes(env, st.last_error, sizeof st.last_error);
	if ((*env)->ExceptionCheck(env))
		return (NULL);
	return ((*env)->CallStaticObjectMethod(env, jni_status_class,
	    jni_status_new, (jint)st.state, why, hub, pools, (jlong)st.node_id,
	    (jint)st.relays, (jint)st.spare_links, (jlong)st.bytes_up,
	    (jlong)st.bytes_down, (jlong)st.bytes_today, (jlong)st.bytes_month,
	    last));
}

JNIEXPORT void JNICALL
Java_org_tentacle_sdk_Native_free(JNIEnv *env, jclass cls, jlong h)
{
	struct jnode	*jn;

	(void)cls;
	if (h == 0)
		return;
	jn = (struct jnode *)(intptr_t)h;
	/* Stops (joins the loop): no callback uses jn->self after this. */
	tentacle_node_free(jn->n);
	jnode_free(env, jn);
}
