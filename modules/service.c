/*
 * service.c: `tentacle service install|uninstall|start|stop [hub|node]
 * [flags]`: the hub (service "tentacled") or the exit node ("tentacler")
 * as a Windows service, through the Service Control Manager
 * (doc/windows.md).  The SCM runs `tentacle service run ROLE flags...`:
 * hub_main() or node_main() in the service's thread, a stop request
 * raises SIGTERM there, which the loop takes as it takes ^C (libevent's
 * signal socket), so the hub and node shut down as they do on a signal.
 * Elsewhere the command says where the system's service files are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"

#ifdef _WIN32
#include <signal.h>
#include <unistd.h>

#define SERVICE_STOP_WAIT_MS	30000
#define SERVICE_NODE_CONF	"tentacler.conf"	/* in the state dir */

struct service_role {
	const char	*word;		/* hub, node */
	const char	*alias;		/* server, start */
	const char	*name;		/* the service's name */
	const char	*display;
	const char	*desc;
	int		(*main)(int, char **);
};

static const struct service_role service_roles[] = {
	{ "hub", "server", "tentacled", "Tentacle hub",
	    "Tentacle back-connect proxy hub: control, data, SOCKS5 and "
	    "HTTP ports", hub_main },
	{ "node", "start", "tentacler", "Tentacle exit node",
	    "Tentacle exit node: connects to its hub and carries its "
	    "requests", node_main },
};

static SERVICE_STATUS_HANDLE	 service_h;
static SERVICE_STATUS		 service_st;
static const struct service_role *service_run_role;
static int			 service_argc;
static char			**service_argv;

static int
service_usage(void)
{
	fprintf(stderr, "usage: tentacle service install [hub|node] "
	    "[flags...]\n"
	    "       tentacle service uninstall|start|stop [hub|node]\n"
	    "The hub is the service \"tentacled\" (tentacle server flags), "
	    "the node\n\"tentacler\" (tentacle start flags; the default). "
	    "See doc/windows.md.\n");
	return (2);
}

/* Role word at argv[*ind] (hub, server, node, start), else the node. */
static const struct service_role *
service_role(int argc, char **argv, int *ind)
{
	size_t	 i;

	if (*ind < argc) {
		for (i = 0; i < nitems(service_roles); i++) {
			if (strcmp(argv[*ind], service_roles[i].word) == 0 ||
			    strcmp(argv[*ind], service_roles[i].alias) == 0) {
				(*ind)++;
				return (&service_roles[i]);
			}
		}
	}
	return (&service_roles[1]);
}

static const char *
service_error(DWORD e)
{
	static char	 buf[256];
	size_t		 n;

	if (FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM |
	    FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0, buf, sizeof buf,
	    NULL) == 0)
		snprintf(buf, sizeof buf, "error %lu", e);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
	    buf[n - 1] == '.'))
		buf[--n] = '\0';
	return (buf);
}

/* Append s to the command line b, quoted as CommandLineToArgv reads it. */
static void
service_quote(char **b, const char *s)
{
	char		*out, *o;
	const char	*p;
	size_t		 n, len = strlen(*b);

	out = xmalloc(len + 2 * strlen(s) + 4);
	memcpy(out, *b, len);
	o = out + len;
	*o++ = ' ';
	if (*s != '\0' && strpbrk(s, " \t\"") == NULL) {
		strcpy(o, s);
		free(*b);
		*b = out;
		return;
	}
	*o++ = '"';
	for (p = s; *p != '\0'; p++) {
		for (n = 0; p[n] == '\\'; n++)
			;
		if (p[n] == '"' || p[n] == '\0') {
			/* Backslashes before a quote (ours too): doubled. */
			memset(o, '\\', 2 * n);
			o += 2 * n;
			p += n;
			if (*p == '\0')
				break;
			*o++ = '\\';
			*o++ = '"';
		} else {
			memcpy(o, p, n + 1);
			o += n + 1;
			p += n;
		}
	}
	*o++ = '"';
	*o = '\0';
	free(*b);
	*b = out;
}

static int
service_has_flag(int argc, char **argv, const char *flag)
{
	size_t	 n = strlen(flag);
	int	 i;

	for (i = 0; i < argc; i++) {
		if (argv[i][0] != '-')
			continue;
		if (strncmp(argv[i] + (argv[i][1] == '-'), flag, n) == 0 &&
		    (argv[i][(argv[i][1] == '-') + n] == '\0' ||
		    argv[i][(argv[i][1] == '-') + n] == '='))
			return (1);
	}
	return (0);
}

static int
service_install(const struct service_role *r, int argc, char **argv)
{
	SC_HANDLE		 scm, svc;
	SERVICE_DESCRIPTIONA	 d;
	char			 exe[MAX_PATH], log[MAX_PATH + 64], *line;
	char			 conf[MAX_PATH + 64];
	const char		*dir = core_state_dir();
	int			 i;

	if (GetModuleFileNameA(NULL, exe, sizeof exe) == 0 ||
	    strlen(exe) >= sizeof exe - 1) {
		fprintf(stderr, "tentacle service: cannot tell where "
		    "tentacle.exe is\n");
		return (1);
	}
	if (service_has_flag(argc, argv, "token") ||
	    service_has_flag(argc, argv, "auth_token"))
		fprintf(stderr, "tentacle service: warning: -token on the "
		    "service's command line is readable by every user "
		    "(the registry's ImagePath); put auth_token: in the "
		    "config file instead\n");
	xasprintf(&line, "\"%s\"", exe);
	service_quote(&line, "service");
	service_quote(&line, "run");
	service_quote(&line, r->word);
	/* The SCM's processes have no console: a log file by default. */
	if (!service_has_flag(argc, argv, "log")) {
		(void)mkdir(dir, 0700);
		snprintf(log, sizeof log, "%s\\%s.log", dir, r->name);
		service_quote(&line, "-log");
		service_quote(&line, log);
	}
	/* A service has no HOME: the node's config file is in the state dir. */
	snprintf(conf, sizeof conf, "%s\\%s", dir, SERVICE_NODE_CONF);
	if (r->main == node_main && !service_has_flag(argc, argv, "config") &&
	    access(conf, F_OK) == 0) {
		service_quote(&line, "-config");
		service_quote(&line, conf);
	}
	for (i = 0; i < argc; i++)
		service_quote(&line, argv[i]);
	if ((scm = OpenSCManagerA(NULL, NULL, SC_MANAGER_CREATE_SERVICE)) ==
	    NULL) {
		fprintf(stderr, "tentacle service: cannot open the service "
		    "manager: %s (run as an administrator)\n",
		    service_error(GetLastError()));
		free(line);
		return (1);
	}
	svc = CreateServiceA(scm, r->name, r->display, SERVICE_ALL_ACCESS,
	    SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
	    SERVICE_ERROR_NORMAL, line, NULL, NULL, NULL, NULL, NULL);
	if (svc == NULL) {
		fprintf(stderr, "tentacle service: install %s: %s\n", r->name,
		    service_error(GetLastError()));
		CloseServiceHandle(scm);
		free(line);
		return (1);
	}
	d.lpDescription = (char *)r->desc;
	(void)ChangeServiceConfig2A(svc, SERVICE_CONFIG_DESCRIPTION, &d);
	printf("installed service %s: %s\n", r->name, line);
	CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	free(line);
	return (0);
}

/* Wait for the service to reach state, up to ms: 0, or -1. */
static int
service_wait(SC_HANDLE svc, DWORD state, int ms)
{
	SERVICE_STATUS	 st;

	for (; ms > 0; ms -= 200) {
		if (!QueryServiceStatus(svc, &st))
			return (-1);
		if (st.dwCurrentState == state)
			return (0);
		Sleep(200);
	}
	return (-1);
}

/* uninstall, start, stop. */
static int
service_control(const struct service_role *r, const char *what)
{
	SC_HANDLE	 scm, svc;
	SERVICE_STATUS	 st;
	DWORD		 access;
	int		 rc = 0;

	access = strcmp(what, "uninstall") == 0 ? DELETE | SERVICE_STOP |
	    SERVICE_QUERY_STATUS : strcmp(what, "start") == 0 ?
	    SERVICE_START | SERVICE_QUERY_STATUS : SERVICE_STOP |
	    SERVICE_QUERY_STATUS;
	if ((scm = OpenSCManagerA(NULL, NULL, SC_MANAGER_CONNECT)) == NULL) {
		fprintf(stderr, "tentacle service: cannot open the service "
		    "manager: %s\n", service_error(GetLastError()));
		return (1);
	}
	if ((svc = OpenServiceA(scm, r->name, access)) == NULL) {
		fprintf(stderr, "tentacle service %s: %s: %s\n", what, r->name,
		    service_error(GetLastError()));
		CloseServiceHandle(scm);
		return (1);
	}
	if (strcmp(what, "start") == 0) {
		if (!StartServiceA(svc, 0, NULL)) {
			fprintf(stderr, "tentacle service start: %s: %s\n",
			    r->name, service_error(GetLastError()));
			rc = 1;
		} else if (service_wait(svc, SERVICE_RUNNING, 10000) == -1) {
			fprintf(stderr, "tentacle service start: %s did not "
			    "report running within 10 s (see its log)\n",
			    r->name);
			rc = 1;
		} else
			printf("started service %s\n", r->name);
	} else {
		/* stop, and before uninstall: stop if running. */
		if (ControlService(svc, SERVICE_CONTROL_STOP, &st)) {
			if (service_wait(svc, SERVICE_STOPPED,
			    SERVICE_STOP_WAIT_MS) == -1) {
				fprintf(stderr, "tentacle service %s: %s did "
				    "not stop within %d s\n", what, r->name,
				    SERVICE_STOP_WAIT_MS / 1000);
				rc = 1;
			} else
				printf("stopped service %s\n", r->name);
		} else if (strcmp(what, "stop") == 0) {
			fprintf(stderr, "tentacle service stop: %s: %s\n",
			    r->name, service_error(GetLastError()));
			rc = 1;
		}
		if (strcmp(what, "uninstall") == 0) {
			if (!DeleteService(svc)) {
				fprintf(stderr, "tentacle service uninstall: "
				    "%s: %s\n", r->name,
				    service_error(GetLastError()));
				rc = 1;
			} else
				printf("uninstalled service %s\n", r->name);
		}
	}
	CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	return (rc);
}

static void
service_status(DWORD state, DWORD code)
{
	service_st.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	service_st.dwCurrentState = state;
	service_st.dwControlsAccepted = state == SERVICE_RUNNING ?
	    SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN |
	    SERVICE_ACCEPT_PARAMCHANGE : 0;
	service_st.dwWin32ExitCode = code == 0 ? NO_ERROR :
	    ERROR_SERVICE_SPECIFIC_ERROR;
	service_st.dwServiceSpecificExitCode = code;
	service_st.dwWaitHint = state == SERVICE_STOP_PENDING ?
	    SERVICE_STOP_WAIT_MS : 0;
	(void)SetServiceStatus(service_h, &service_st);
}

/*
 * The SCM's requests, on the dispatcher's thread: raise the signal the
 * loop already handles (libevent's handler writes to its signal socket,
 * the loop runs the callback in the service thread).
 */
static DWORD WINAPI
service_ctrl(DWORD ctrl, DWORD type __unused, LPVOID data __unused,
    LPVOID ctx __unused)
{
	switch (ctrl) {
	case SERVICE_CONTROL_STOP:
	case SERVICE_CONTROL_SHUTDOWN:
		service_status(SERVICE_STOP_PENDING, 0);
		raise(SIGTERM);
		return (NO_ERROR);
	case SERVICE_CONTROL_PARAMCHANGE:
		raise(SIGHUP);		/* reload, as SIGHUP on POSIX */
		return (NO_ERROR);
	case SERVICE_CONTROL_INTERROGATE:
		return (NO_ERROR);
	}
	return (ERROR_CALL_NOT_IMPLEMENTED);
}

static void WINAPI
service_main_cb(DWORD argc __unused, LPSTR *argv __unused)
{
	int	 rc;

	service_h = RegisterServiceCtrlHandlerExA(service_run_role->name,
	    service_ctrl, NULL);
	if (service_h == NULL)
		return;
	service_status(SERVICE_RUNNING, 0);
	rc = service_run_role->main(service_argc, service_argv);
	service_status(SERVICE_STOPPED, (DWORD)rc);
}

/* `service run ROLE flags...`, as the SCM starts it. */
static int
service_run(const struct service_role *r, int argc, char **argv)
{
	SERVICE_TABLE_ENTRYA	 t[2];

	memset(t, 0, sizeof t);
	t[0].lpServiceName = (char *)r->name;
	t[0].lpServiceProc = service_main_cb;
	service_run_role = r;
	/* argv[0] is the command word the main expects. */
	service_argc = argc + 1;
	service_argv = xcalloc(argc + 2, sizeof *service_argv);
	service_argv[0] = (char *)r->alias;
	memcpy(service_argv + 1, argv, argc * sizeof *argv);
	if (!StartServiceCtrlDispatcherA(t)) {
		if (GetLastError() == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
			fprintf(stderr, "tentacle service run: only the "
			    "service manager runs this; use tentacle %s to "
			    "run the %s in a console\n", r->alias, r->word);
		else
			fprintf(stderr, "tentacle service run: %s\n",
			    service_error(GetLastError()));
		return (1);
	}
	return (service_st.dwServiceSpecificExitCode);
}

/* see tentacle.h */
int
service_main(int argc, char **argv)
{
	const struct service_role	*r;
	const char			*what;
	int				 ind = 2;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "-help") == 0 || strcmp(argv[1], "--help") == 0)
		return (argc < 2 ? service_usage() : (service_usage(), 0));
	what = argv[1];
	r = service_role(argc, argv, &ind);
	if (strcmp(what, "install") == 0)
		return (service_install(r, argc - ind, argv + ind));
	if (strcmp(what, "run") == 0)
		return (service_run(r, argc - ind, argv + ind));
	if (ind < argc)
		return (service_usage());
	if (strcmp(what, "uninstall") == 0 || strcmp(what, "start") == 0 ||
	    strcmp(what, "stop") == 0)
		return (service_control(r, what));
	fprintf(stderr, "tentacle service: unknown action \"%s\"\n", what);
	return (service_usage());
}
#else /* !_WIN32 */

/* see tentacle.h */
int
service_main(int argc __unused, char **argv __unused)
{
	fprintf(stderr, "tentacle service: Windows only.  Here the system's "
	    "service manager runs tentacle:\n"
	    "  systemd: the units in dist/ (tentacle server, tentacle start "
	    "as services)\n"
	    "  OpenWrt: the init script in dist/\n"
	    "See doc/windows.md for the Windows service.\n");
	return (1);
}
#endif /* _WIN32 */
