/*
 * redial_win.c: the node's redial action on Windows (doc/windows.md,
 * "Redial"); redial.c is the POSIX one, with the same contract (node.h).
 * A redial: command runs under cmd.exe /d /c in a job object (at
 * redial_timeout the job, the command and what it started, is
 * terminated), stdin from NUL, stdout and stderr to the node's log, no
 * other handle inherited.  dial_info: ENTRY[,USER,PASSWORD] hangs up the
 * RAS entry and dials it again with RasDial() from rasapi32.dll (loaded at
 * run time): the password goes to the API, never to a command line.
 * There is no SIGCHLD: a 100 ms timer polls the process (or the RAS
 * thread) and the output pipe.  Empty on POSIX.
 */
#ifdef _WIN32
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "tentacle.h"
#include "frame.h"
#include "node.h"

#define REDIAL_POLL_MS		100
#define REDIAL_EXIT_KILLED	0x7e	/* TerminateJobObject()'s */

typedef DWORD (WINAPI *ras_dial_fn)(LPRASDIALEXTENSIONS, LPCSTR,
    LPRASDIALPARAMSA, DWORD, LPVOID, LPHRASCONN);
typedef DWORD (WINAPI *ras_hangup_fn)(HRASCONN);
typedef DWORD (WINAPI *ras_enum_fn)(LPRASCONNA, LPDWORD, LPDWORD);
typedef DWORD (WINAPI *ras_status_fn)(HRASCONN, LPRASCONNSTATUSA);
typedef DWORD (WINAPI *ras_errstr_fn)(UINT, LPSTR, DWORD);

static struct {
	int		 running;	/* a callback is due */
	HANDLE		 proc;		/* the command, or NULL */
	HANDLE		 job;
	HANDLE		 out;		/* its output pipe */
	HANDLE		 thread;	/* the RAS thread, or NULL */
	volatile LONG	 ras_done;	/* the thread finished */
	DWORD		 ras_err;	/* its RAS error, 0: dialed */
	char		 ras_text[256];
	struct event	*timer;
	uint64_t	 start_us;
	int		 timeout_ms;
	struct redial_log	 log;	/* its output, as log lines */
	redial_done_cb	*cb;
	void		*arg;
} rd;

/* What the RAS thread dials: copied in, wiped when it is done. */
static RASDIALPARAMSA	 ras_params;

/* What the command wrote so far, without blocking; lines to the log. */
static void
redial_read(void)
{
	char	 buf[4096];
	DWORD	 avail, n;

	while (rd.out != NULL) {
		if (!PeekNamedPipe(rd.out, NULL, 0, NULL, &avail, NULL)) {
			redial_log_flush(&rd.log);	/* broken pipe: all read */
			CloseHandle(rd.out);
			rd.out = NULL;
			return;
		}
		if (avail == 0)
			return;
		if (!ReadFile(rd.out, buf, avail < sizeof buf ? avail :
		    sizeof buf, &n, NULL) || n == 0)
			return;
		redial_log_bytes(&rd.log, buf, n, 1);
	}
}

static void
redial_finish(int rres, int code)
{
	redial_done_cb	*cb = rd.cb;
	void		*arg = rd.arg;
	uint64_t	 us = core_now_us() - rd.start_us;
	uint32_t	 ms = us / 1000 > UINT32_MAX ? UINT32_MAX : us / 1000;

	redial_read();
	redial_log_flush(&rd.log);
	if (rd.out != NULL)
		CloseHandle(rd.out);
	if (rd.proc != NULL)
		CloseHandle(rd.proc);
	if (rd.job != NULL)
		CloseHandle(rd.job);
	rd.out = rd.proc = rd.job = NULL;
	evtimer_del(rd.timer);
	rd.running = 0;
	switch (rres) {
	case FRAME_RRES_OK:
		log_info("redial: the %s succeeded in %u ms", rd.thread !=
		    NULL ? "dial" : "command", ms);
		break;
	case FRAME_RRES_TIMEOUT:
		log_warnx("redial: the %s did not finish within %d ms; %s "
		    "(raise redial_timeout if it needs longer)", rd.thread !=
		    NULL ? "dial" : "command", rd.timeout_ms, rd.thread !=
		    NULL ? "going on without it" : "terminated");
		break;
	default:
		if (rd.thread != NULL)
			log_warnx("redial: RAS error %d after %u ms: %s", code,
			    ms, rd.ras_text);
		else
			log_warnx("redial: the command failed with exit "
			    "status %d after %u ms", code, ms);
		break;
	}
	rd.cb = NULL;
	rd.arg = NULL;
	if (cb != NULL)
		cb(rres, code, ms, arg);
}

/* The RAS thread is done: join it (its result is already reported). */
static void
redial_ras_reap(void)
{
	if (rd.thread != NULL && rd.ras_done) {
		WaitForSingleObject(rd.thread, INFINITE);
		CloseHandle(rd.thread);
		rd.thread = NULL;
	}
}

static void
redial_timer_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct timeval	 tv;
	DWORD		 code;
	int		 late;

	late = core_now_us() - rd.start_us >= (uint64_t)rd.timeout_ms * 1000;
	if (!rd.running) {
		redial_ras_reap();	/* a dial that outlived its timeout */
		if (rd.thread != NULL)
			evtimer_add(rd.timer, core_ms_tv(&tv, REDIAL_POLL_MS));
		return;
	}
	if (rd.thread != NULL) {
		if (rd.ras_done) {
			code = rd.ras_err;
			redial_finish(code == 0 ? FRAME_RRES_OK :
			    FRAME_RRES_FAILED, (int)code);
			redial_ras_reap();
		} else if (late) {
			redial_finish(FRAME_RRES_TIMEOUT, 0);
			evtimer_add(rd.timer, core_ms_tv(&tv, REDIAL_POLL_MS));
		} else
			evtimer_add(rd.timer, core_ms_tv(&tv, REDIAL_POLL_MS));
		return;
	}
	redial_read();
	if (WaitForSingleObject(rd.proc, 0) == WAIT_OBJECT_0) {
		if (!GetExitCodeProcess(rd.proc, &code))
			code = 255;
		redial_finish(code == 0 ? FRAME_RRES_OK : FRAME_RRES_FAILED,
		    (int)code);
		return;
	}
	if (late) {
		TerminateJobObject(rd.job, REDIAL_EXIT_KILLED);
		WaitForSingleObject(rd.proc, 2000);
		redial_finish(FRAME_RRES_TIMEOUT, 0);
		return;
	}
	evtimer_add(rd.timer, core_ms_tv(&tv, REDIAL_POLL_MS));
}

/* cmd.exe /d /c cmd, suspended in a job, only NUL and the pipe inherited. */
static int
redial_spawn(const char *cmd, char **cause)
{
	SECURITY_ATTRIBUTES	 sa = { sizeof sa, NULL, TRUE };
	STARTUPINFOEXA		 si;
	PROCESS_INFORMATION	 pi;
	HANDLE			 rpipe, wpipe, nul, inherit[2];
	SIZE_T			 alen = 0;
	char			 shell[MAX_PATH], *line;
	DWORD			 flags;
	int			 ok;

	flags = CREATE_NO_WINDOW | CREATE_SUSPENDED;
	if (GetEnvironmentVariableA("ComSpec", shell, sizeof shell) == 0 ||
	    strlen(shell) >= sizeof shell)
		strlcpy(shell, "cmd.exe", sizeof shell);
	if (!CreatePipe(&rpipe, &wpipe, &sa, 0)) {
		xasprintf(cause, "CreatePipe: error %lu", GetLastError());
		return (-1);
	}
	SetHandleInformation(rpipe, HANDLE_FLAG_INHERIT, 0);
	nul = CreateFileA("NUL", GENERIC_READ, FILE_SHARE_READ |
	    FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0, NULL);
	memset(&si, 0, sizeof si);
	si.StartupInfo.cb = sizeof si;
	si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
	si.StartupInfo.hStdInput = nul;
	si.StartupInfo.hStdOutput = wpipe;
	si.StartupInfo.hStdError = wpipe;
	/* Our sockets are inheritable handles too: name the two we mean. */
	inherit[0] = wpipe;
	inherit[1] = nul;
	InitializeProcThreadAttributeList(NULL, 1, 0, &alen);
	if ((si.lpAttributeList = malloc(alen)) != NULL &&
	    InitializeProcThreadAttributeList(si.lpAttributeList, 1, 0,
	    &alen) && UpdateProcThreadAttribute(si.lpAttributeList, 0,
	    PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherit,
	    (nul != INVALID_HANDLE_VALUE ? 2 : 1) * sizeof inherit[0], NULL,
	    NULL))
		flags |= EXTENDED_STARTUPINFO_PRESENT;
	else {
		log_warnx("redial: cannot limit the handles the command "
		    "inherits (error %lu)", GetLastError());
		si.StartupInfo.cb = sizeof si.StartupInfo;
	}
	xasprintf(&line, "\"%s\" /d /c %s", shell, cmd);
	ok = CreateProcessA(NULL, line, NULL, NULL, TRUE, flags, NULL, NULL,
	    &si.StartupInfo, &pi);
	if (!ok)
		xasprintf(cause, "cannot start %s: error %lu", shell,
		    GetLastError());
	free(line);
	if (flags & EXTENDED_STARTUPINFO_PRESENT)
		DeleteProcThreadAttributeList(si.lpAttributeList);
	free(si.lpAttributeList);
	CloseHandle(wpipe);
	if (nul != INVALID_HANDLE_VALUE)
		CloseHandle(nul);
	if (!ok) {
		CloseHandle(rpipe);
		return (-1);
	}
	/* In a job before it runs: the timeout ends all it starts. */
	if ((rd.job = CreateJobObjectA(NULL, NULL)) != NULL &&
	    !AssignProcessToJobObject(rd.job, pi.hProcess)) {
		CloseHandle(rd.job);
		rd.job = NULL;
	}
	ResumeThread(pi.hThread);
	CloseHandle(pi.hThread);
	rd.proc = pi.hProcess;
	rd.out = rpipe;
	log_info("redial: running the redial command (pid %lu, timeout %d "
	    "ms)", pi.dwProcessId, rd.timeout_ms);
	return (0);
}

/* The RAS connection named entry, or NULL. */
static HRASCONN
redial_ras_find(ras_enum_fn ras_enum, const char *entry)
{
	RASCONNA	 c[16];
	DWORD		 size = sizeof c, n = 0, i;

	memset(c, 0, sizeof c);
	c[0].dwSize = sizeof c[0];
	if (ras_enum(c, &size, &n) != 0)
		return (NULL);
	for (i = 0; i < n && i < 16; i++)
		if (strcmp(c[i].szEntryName, entry) == 0)
			return (c[i].hrasconn);
	return (NULL);
}

/*
 * The RAS thread: hang up ENTRY (RasHangUp returns before the line is
 * down: wait for it, as Microsoft says), a second, dial again.  It only
 * touches rd.ras_* and ras_params; the loop reads them once ras_done.
 */
static DWORD WINAPI
redial_ras_thread(LPVOID arg __unused)
{
	HMODULE		 dll;
	ras_dial_fn	 ras_dial;
	ras_hangup_fn	 ras_hangup;
	ras_enum_fn	 ras_enum;
	ras_status_fn	 ras_status;
	ras_errstr_fn	 ras_errstr;
	RASCONNSTATUSA	 st;
	HRASCONN	 h;
	DWORD		 err;
	int		 i;

	if ((dll = LoadLibraryA("rasapi32.dll")) == NULL) {
		rd.ras_err = 1;
		strlcpy(rd.ras_text, "rasapi32.dll not found (Remote Access "
		    "is not installed)", sizeof rd.ras_text);
		goto out;
	}
	ras_dial = (ras_dial_fn)(void *)GetProcAddress(dll, "RasDialA");
	ras_hangup = (ras_hangup_fn)(void *)GetProcAddress(dll, "RasHangUpA");
	ras_enum = (ras_enum_fn)(void *)GetProcAddress(dll,
	    "RasEnumConnectionsA");
	ras_status = (ras_status_fn)(void *)GetProcAddress(dll,
	    "RasGetConnectStatusA");
	ras_errstr = (ras_errstr_fn)(void *)GetProcAddress(dll,
	    "RasGetErrorStringA");
	if (ras_dial == NULL || ras_hangup == NULL || ras_enum == NULL ||
	    ras_status == NULL) {
		rd.ras_err = 1;
		strlcpy(rd.ras_text, "rasapi32.dll lacks RasDialA",
		    sizeof rd.ras_text);
		goto out;
	}
	if ((h = redial_ras_find(ras_enum, ras_params.szEntryName)) != NULL) {
		ras_hangup(h);
		for (i = 0; i < 100; i++) {
			memset(&st, 0, sizeof st);
			st.dwSize = sizeof st;
			if (ras_status(h, &st) == ERROR_INVALID_HANDLE)
				break;
			Sleep(50);
		}
	}
	Sleep(1000);
	h = NULL;
	err = ras_dial(NULL, NULL, &ras_params, 0, NULL, &h);
	if (err != 0 && h != NULL)
		ras_hangup(h);	/* a failed dial still holds its handle */
	rd.ras_err = err;
	if (err != 0 && (ras_errstr == NULL || ras_errstr(err, rd.ras_text,
	    sizeof rd.ras_text) != 0))
		snprintf(rd.ras_text, sizeof rd.ras_text, "RasDial failed");
out:
	SecureZeroMemory(&ras_params, sizeof ras_params);
	if (dll != NULL)
		FreeLibrary(dll);
	InterlockedExchange(&rd.ras_done, 1);
	return (0);
}

/* dial_info ENTRY[,USER[,PASSWORD]] into ras_params; -1: too long. */
static int
redial_ras_params(const char *info)
{
	const char	*user = "", *pass = "";
	size_t		 ne, nu;

	ne = strcspn(info, ",");
	if (info[ne] == ',') {
		user = info + ne + 1;
		nu = strcspn(user, ",");
		if (user[nu] == ',')
			pass = user + nu + 1;
	} else
		nu = 0;
	memset(&ras_params, 0, sizeof ras_params);
	ras_params.dwSize = sizeof ras_params;
	if (ne >= sizeof ras_params.szEntryName ||
	    nu >= sizeof ras_params.szUserName ||
	    strlen(pass) >= sizeof ras_params.szPassword)
		return (-1);
	memcpy(ras_params.szEntryName, info, ne);
	memcpy(ras_params.szUserName, user, nu);
	strlcpy(ras_params.szPassword, pass, sizeof ras_params.szPassword);
	return (0);
}

/* see node.h */
int
redial_start(const char *cmd, int timeout_ms, redial_done_cb *cb, void *arg,
    char **cause)
{
	struct timeval	 tv;

	if (rd.running || rd.thread != NULL) {
		xasprintf(cause, "a redial %s is already running",
		    rd.thread != NULL ? "dial" : "command");
		return (-1);
	}
	if (rd.timer == NULL && (rd.timer = evtimer_new(core_base,
	    redial_timer_cb, NULL)) == NULL) {
		xasprintf(cause, "cannot watch for the command's exit");
		return (-1);
	}
	rd.start_us = core_now_us();
	rd.timeout_ms = timeout_ms;
	memset(&rd.log, 0, sizeof rd.log);
	if (node_conf->redial == FRAME_REDIAL_DIALINFO &&
	    node_conf->dial_info != NULL) {
		if (redial_ras_params(node_conf->dial_info) == -1) {
			xasprintf(cause, "dial_info: entry, user or password "
			    "too long for RAS");
			return (-1);
		}
		rd.ras_done = 0;
		rd.ras_err = 0;
		rd.ras_text[0] = '\0';
		if ((rd.thread = CreateThread(NULL, 0, redial_ras_thread, NULL,
		    0, NULL)) == NULL) {
			SecureZeroMemory(&ras_params, sizeof ras_params);
			xasprintf(cause, "CreateThread: error %lu",
			    GetLastError());
			return (-1);
		}
		log_info("redial: hanging up and redialing RAS entry %s "
		    "(timeout %d ms)", ras_params.szEntryName, timeout_ms);
	} else if (redial_spawn(cmd, cause) == -1)
		return (-1);
	rd.running = 1;
	rd.cb = cb;
	rd.arg = arg;
	evtimer_add(rd.timer, core_ms_tv(&tv, REDIAL_POLL_MS));
	return (0);
}

/* see node.h */
int
redial_running(void)
{
	return (rd.running);
}

/* see node.h: on Windows the command's job is terminated at once. */
void
redial_abort(void)
{
	if (!rd.running)
		return;
	log_info("redial: stopping the running %s", rd.thread != NULL ?
	    "dial" : "command");
	if (rd.job != NULL)
		TerminateJobObject(rd.job, REDIAL_EXIT_KILLED);
	else if (rd.proc != NULL)
		TerminateProcess(rd.proc, REDIAL_EXIT_KILLED);
	rd.cb = NULL;
}
#endif /* _WIN32 */
