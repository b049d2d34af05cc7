/*
 * hub_acct.c: per-user accounting and limits on the hub (doc/admin.md,
 * "Users and accounting"; the bookkeeping is acct.c's).  A record per
 * proxy user that logged in (or is in the usage file), in a hash by name:
 * its usage, counted as bytes move (relay_exit.count, which every relay
 * path calls, splice included), its quotas and connection limit as the
 * users file gives them.  Logins over a quota are refused; a relay that
 * reaches one is cut.  The usage is written to STATE-DIR/usage at most
 * every HUB_ACCT_SAVE_S seconds when it changed, and at shutdown; read at
 * start.  GET /api/v1/users and users/{name} show it.  A user with a
 * rate= (up=, down=) has a libevent rate-limit group while it has capped
 * relays: each relay's client-side bufferevent is in it (read = up, write
 * = down), and such a relay never splices (relay_exit.capped).
 *
 * Only users whose password was checked are counted: in open mode (a
 * client in -allow-clients) a user name is routing, not identity.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>

#include "tentacle.h"
#include "acct.h"
#include "auth.h"
#include "json.h"
#include "limit.h"
#include "opt.h"
#include "hub.h"

#define HUB_ACCT_FILE		"usage"
#define HUB_ACCT_SAVE_S		5	/* at most one write this often */
#define HUB_ACCT_BUCKETS	1024
#define HUB_ACCT_TICK_MS	100	/* the rate-limit groups' tick */
#define HUB_ACCT_BODY_MAX	4096	/* a PUT's JSON */
/* Records: every user of a full users file, and as many old ones. */
#define HUB_ACCT_MAX		(2 * AUTH_USERS_MAX)

struct hub_acct_user {
	LIST_ENTRY(hub_acct_user) a_hash;
	char		 a_name[ACCT_NAME_MAX + 1];
	struct acct_usage a_u;
	/* The limits the accounting needs, from the users file. */
	uint64_t	 a_quota_day;
	uint64_t	 a_quota_month;
	u_int		 a_refs;	/* exits counting on the record */
	int64_t		 a_logged_day;	/* the day's refusal was logged */
	int64_t		 a_logged_month;
	/* Rate: totals at the last tick, and bytes/s over the last one. */
	uint64_t	 a_mark_up, a_mark_down;
	uint64_t	 a_rate_up, a_rate_down;
	/* The caps' group while a capped relay runs; its rates. */
	struct bufferevent_rate_limit_group *a_group;
	u_int		 a_gmembers;
	uint64_t	 a_cap_up, a_cap_down;
};
LIST_HEAD(hub_acct_list, hub_acct_user);

static struct hub_acct_list	 acct_hash[HUB_ACCT_BUCKETS];
static size_t			 acct_n;
static uint8_t			 acct_key[16];
static int			 acct_keyed;
static char			 acct_path[1024];
static int			 acct_dirty;
static int			 acct_warned;	/* a write failed: said once */
static int			 acct_full;	/* the table is full: said once */
static struct event		*acct_tick;
static u_int			 acct_ticks;

static struct hub_acct_list *hub_acct_bucket(const char *);
static struct hub_acct_user *hub_acct_find(const char *, int);
static void	 hub_acct_limits_set(struct hub_acct_user *,
		    const struct acct_limits *);
static int	 hub_acct_count_cb(struct relay_exit *, size_t, size_t);
static struct ev_token_bucket_cfg *hub_acct_cfg(uint64_t, uint64_t);
static void	 hub_acct_caps(struct hub_acct_user *,
		    const struct acct_limits *);
static void	 hub_acct_refused(struct hub_acct_user *, int,
		    const struct acct_limits *, int64_t, char *, size_t);
static void	 hub_acct_save(void);
static void	 hub_acct_tick_cb(evutil_socket_t, short, void *);
static void	 hub_acct_user_json(struct json_w *, const char *,
		    struct hub_acct_user *);
static int	 hub_acct_cmp(const void *, const void *);
static int	 hub_acct_in_file(const char *);
static const char *hub_acct_line_find(const char *, size_t, const char *,
		    size_t *);
static int	 hub_acct_file_put(const char *, const char *, int,
		    const char *, char **);
static int	 hub_acct_file_reload(struct evhttp_request *, const char *);
static void	 hub_acct_put(struct evhttp_request *, const char *,
		    const char *);
static void	 hub_acct_delete(struct evhttp_request *, const char *,
		    const char *);
static void	 hub_acct_one(struct evhttp_request *, int, const char *);

static struct hub_acct_list *
hub_acct_bucket(const char *name)
{
	if (!acct_keyed) {
		evutil_secure_rng_get_bytes(acct_key, sizeof acct_key);
		acct_keyed = 1;
	}
	return (&acct_hash[limit_siphash(acct_key, name, strlen(name)) %
	    HUB_ACCT_BUCKETS]);
}

/* name's record; with add, a new one when none (NULL: full or no memory). */
static struct hub_acct_user *
hub_acct_find(const char *name, int add)
{
	struct hub_acct_list	*b;
	struct hub_acct_user	*a;

	if (!acct_name_ok(name))
		return (NULL);
	b = hub_acct_bucket(name);
	LIST_FOREACH(a, b, a_hash)
		if (strcmp(a->a_name, name) == 0)
			return (a);
	if (!add)
		return (NULL);
	if (acct_n >= HUB_ACCT_MAX || (a = calloc(1, sizeof *a)) == NULL) {
		if (!acct_full)
			log_warnx("users: no room to count user %s (%zu "
			    "users counted, or out of memory): its bytes are "
			    "not counted", name, acct_n);
		acct_full = 1;
		return (NULL);
	}
	strlcpy(a->a_name, name, sizeof a->a_name);
	a->a_logged_day = a->a_logged_month = -1;
	LIST_INSERT_HEAD(b, a, a_hash);
	acct_n++;
	return (a);
}

static void
hub_acct_limits_set(struct hub_acct_user *a, const struct acct_limits *l)
{
	a->a_quota_day = l->quota_day;
	a->a_quota_month = l->quota_month;
}

/*
 * The limits the record's quotas come from (acct_quota_left() etc.).  It
 * runs for every read of a user with a quota: one static struct, zeroed
 * once, whose two quota fields are set, not a kilobyte cleared a read.
 */
static const struct acct_limits *
hub_acct_limits_of(const struct hub_acct_user *a)
{
	static struct acct_limits	 l;

	l.quota_day = a->a_quota_day;
	l.quota_month = a->a_quota_month;
	return (&l);
}

/*
 * A refusal (or a cut) for code at now: logged once per user per period
 * (day or month), not once per request.  text gets the reason.
 */
static void
hub_acct_refused(struct hub_acct_user *a, int code,
    const struct acct_limits *l, int64_t now, char *text, size_t len)
{
	int64_t	*logged, period;

	acct_check_text(text, len, code, l, &a->a_u, now);
	if (code == ACCT_QUOTA_DAY) {
		logged = &a->a_logged_day;
		period = a->a_u.day;
	} else if (code == ACCT_QUOTA_MONTH) {
		logged = &a->a_logged_month;
		period = a->a_u.month;
	} else
		return;
	if (*logged == period)
		return;
	*logged = period;
	log_warnx("users: user %s: %s; its connections are refused until "
	    "then", a->a_name, text);
	hub_event(HUB_EV_REFUSED, 0, "limit", code == ACCT_QUOTA_DAY ?
	    "quota_day" : "quota_month", "user", a->a_name, "reason", text,
	    NULL);
}

/* see hub.h */
int
hub_acct_login(const char *name, char *text, size_t len)
{
	struct hub_acct_user	*a;
	struct acct_limits	 l;
	int64_t			 now = time(NULL);
	int			 code;

	text[0] = '\0';
	if (auth_user_limits(name, &l) == -1)
		return (ACCT_OK);	/* not a user of the file */
	if ((a = hub_acct_find(name, 1)) == NULL)
		return (ACCT_OK);
	hub_acct_limits_set(a, &l);
	l.max_conns = 0;	/* limit.c counts connections */
	if ((code = acct_check(&l, &a->a_u, now, NULL)) != ACCT_OK)
		hub_acct_refused(a, code, &l, now, text, len);
	return (code);
}

/* see hub.h */
int
hub_acct_max_conns(const char *name, int dflt)
{
	struct acct_limits	 l;

	if (auth_user_limits(name, &l) == -1 || l.max_conns == 0)
		return (dflt);
	return ((int)l.max_conns);
}

/*
 * A token-bucket configuration for up and down bytes a second (0: no
 * cap), per HUB_ACCT_TICK_MS tick, a tick's worth of burst: the rate
 * holds within a tick.  NULL when out of memory.
 */
static struct ev_token_bucket_cfg *
hub_acct_cfg(uint64_t up, uint64_t down)
{
	struct timeval	 tick;
	size_t		 r, w;

	r = up == 0 ? EV_RATE_LIMIT_MAX :
	    (size_t)(up * HUB_ACCT_TICK_MS / 1000);
	w = down == 0 ? EV_RATE_LIMIT_MAX :
	    (size_t)(down * HUB_ACCT_TICK_MS / 1000);
	if (r < 1)
		r = 1;
	if (w < 1)
		w = 1;
	return (ev_token_bucket_cfg_new(r, r, w, w,
	    core_ms_tv(&tick, HUB_ACCT_TICK_MS)));
}

/*
 * a's group takes l's rates (a reload changed them): the group copies
 * the configuration, so it is freed here.
 */
static void
hub_acct_caps(struct hub_acct_user *a, const struct acct_limits *l)
{
	struct ev_token_bucket_cfg	*cfg;

	if (a->a_group == NULL || (a->a_cap_up == l->rate_up &&
	    a->a_cap_down == l->rate_down))
		return;
	/* No cap left: the group stays uncapped until it empties. */
	if ((cfg = hub_acct_cfg(l->rate_up, l->rate_down)) == NULL)
		return;
	bufferevent_rate_limit_group_set_cfg(a->a_group, cfg);
	ev_token_bucket_cfg_free(cfg);
	a->a_cap_up = l->rate_up;
	a->a_cap_down = l->rate_down;
}

/* see hub.h */
void
hub_acct_exit(struct relay_exit *ex, const char *name,
    struct bufferevent *bev)
{
	struct srelay		*sr;
	struct hub_acct_user	*a;
	struct acct_limits	 l;
	struct ev_token_bucket_cfg *cfg;

	if (ex == NULL)
		return;
	sr = (struct srelay *)((char *)ex - offsetof(struct srelay, sr_exit));
	if (sr->sr_acct != NULL || (a = hub_acct_find(name, 1)) == NULL)
		return;
	a->a_refs++;
	sr->sr_acct = a;
	ex->count = hub_acct_count_cb;
	if (bev == NULL || auth_user_limits(name, &l) == -1 ||
	    (l.rate_up == 0 && l.rate_down == 0))
		return;
	if (a->a_group == NULL) {
		if ((cfg = hub_acct_cfg(l.rate_up, l.rate_down)) == NULL ||
		    (a->a_group = bufferevent_rate_limit_group_new(core_base,
		    cfg)) == NULL) {
			if (cfg != NULL)
				ev_token_bucket_cfg_free(cfg);
			log_warnx("users: user %s: out of memory for its rate "
			    "limit; this relay runs uncapped", name);
			return;
		}
		ev_token_bucket_cfg_free(cfg);	/* the group has a copy */
		a->a_cap_up = l.rate_up;
		a->a_cap_down = l.rate_down;
	} else
		hub_acct_caps(a, &l);
	if (bufferevent_add_to_rate_limit_group(bev, a->a_group) == -1) {
		log_warnx("users: user %s: cannot cap this relay's rate; it "
		    "runs uncapped", name);
		if (a->a_gmembers == 0) {
			bufferevent_rate_limit_group_free(a->a_group);
			a->a_group = NULL;
		}
		return;
	}
	a->a_gmembers++;
	sr->sr_acct_bev = bev;
	ex->capped = 1;
}

/* see hub.h */
void
hub_acct_exit_done(struct srelay *sr)
{
	struct hub_acct_user	*a = sr->sr_acct;

	if (a == NULL)
		return;
	if (sr->sr_acct_bev != NULL) {
		/* The relay frees it after this: it is still ours to move. */
		bufferevent_remove_from_rate_limit_group(sr->sr_acct_bev);
		sr->sr_acct_bev = NULL;
		if (--a->a_gmembers == 0) {
			bufferevent_rate_limit_group_free(a->a_group);
			a->a_group = NULL;
		}
	}
	a->a_refs--;
	sr->sr_acct = NULL;
	sr->sr_exit.count = NULL;
	sr->sr_exit.capped = 0;
}

/* Bytes of a counted exit: -1 (cut) once a quota is reached. */
static int
hub_acct_count_cb(struct relay_exit *ex, size_t up, size_t down)
{
	struct srelay		*sr = (struct srelay *)((char *)ex -
				    offsetof(struct srelay, sr_exit));
	struct hub_acct_user	*a = sr->sr_acct;
	const struct acct_limits *l;
	char			 text[ACCT_TEXT_LEN];
	int64_t			 now;
	int			 code;

	if (a == NULL)
		return (0);
	now = time(NULL);
	acct_add(&a->a_u, up, down, now);
	acct_dirty = 1;
	if (a->a_quota_day == 0 && a->a_quota_month == 0)
		return (0);
	l = hub_acct_limits_of(a);
	if (acct_quota_left(l, &a->a_u, now) > 0)
		return (0);
	code = acct_check(l, &a->a_u, now, NULL);
	hub_acct_refused(a, code, l, now, text, sizeof text);
	return (-1);
}

/* see hub.h */
void
hub_acct_reload(void)
{
	struct hub_acct_user	*a;
	struct acct_limits	 l;
	size_t			 i;

	for (i = 0; i < HUB_ACCT_BUCKETS; i++)
		LIST_FOREACH(a, &acct_hash[i], a_hash) {
			auth_user_limits(a->a_name, &l);
			hub_acct_limits_set(a, &l);
			hub_acct_caps(a, &l);
		}
}

/* see hub.h */
void
hub_acct_load(const char *dir)
{
	struct hub_acct_user	*a;
	struct acct_usage	 u;
	struct timeval		 tv;
	FILE			*fp;
	char			 line[ACCT_USAGE_LINE_MAX + 2];
	char			 name[ACCT_NAME_MAX + 1], *cause = NULL;
	u_int			 lineno = 0, n = 0, bad = 0;
	int			 k;

	snprintf(acct_path, sizeof acct_path, "%s/%s", dir, HUB_ACCT_FILE);
	if ((acct_tick = evtimer_new(core_base, hub_acct_tick_cb,
	    NULL)) == NULL)
		fatalx("out of memory");
	evtimer_add(acct_tick, core_ms_tv(&tv, 1000));
	if ((fp = fopen(acct_path, "r")) == NULL) {
		if (errno != ENOENT)
			log_warn("users: %s: usage starts afresh", acct_path);
		return;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			if (lineno == 1) {
				log_warnx("users: %s: not a usage file; usage "
				    "starts afresh (the file is rewritten)",
				    acct_path);
				fclose(fp);
				return;
			}
			log_warnx("users: %s line %u: too long; skipped",
			    acct_path, lineno);
			bad++;
			/* The rest of it is no line of its own. */
			while (fgets(line, sizeof line, fp) != NULL &&
			    strchr(line, '\n') == NULL)
				;
			continue;
		}
		if (lineno == 1) {
			if (acct_usage_header_parse(line, &cause) == -1) {
				log_warnx("users: %s: %s; usage starts afresh "
				    "(the file is rewritten)", acct_path,
				    cause);
				free(cause);
				fclose(fp);
				return;
			}
			continue;
		}
		if ((k = acct_usage_parse_line(line, name, sizeof name, &u,
		    &cause)) == -1) {
			log_warnx("users: %s line %u: %s; skipped", acct_path,
			    lineno, cause);
			free(cause);
			cause = NULL;
			bad++;
			continue;
		}
		if (k == 0)
			continue;
		if (hub_acct_find(name, 0) != NULL) {
			log_warnx("users: %s line %u: user %s again; skipped",
			    acct_path, lineno, name);
			bad++;
			continue;
		}
		if ((a = hub_acct_find(name, 1)) == NULL)
			break;
		a->a_u = u;
		a->a_mark_up = u.total_up;
		a->a_mark_down = u.total_down;
		n++;
	}
	fclose(fp);
	hub_acct_reload();
	log_info("users: usage of %u users from %s%s", n, acct_path,
	    bad > 0 ? " (damaged lines skipped)" : "");
	if (bad > 0)
		acct_dirty = 1;	/* write the good lines back */
}

/* Write the usage file now (opt_file_replace_*: crash-safe). */
static void
hub_acct_save(void)
{
	struct hub_acct_user	*a;
	FILE			*fp;
	char			 line[ACCT_USAGE_LINE_MAX + 1], *tmp = NULL;
	char			*cause = NULL;
	size_t			 i, n;

	if (acct_path[0] == '\0')
		return;
	acct_dirty = 0;
	if ((fp = opt_file_replace_open(acct_path, NULL, 0, &tmp,
	    &cause)) == NULL)
		goto fail;
	fputs(ACCT_USAGE_HEADER, fp);
	for (i = 0; i < HUB_ACCT_BUCKETS; i++)
		LIST_FOREACH(a, &acct_hash[i], a_hash) {
			n = acct_usage_format(a->a_name, &a->a_u, line,
			    sizeof line);
			if (n > 0 && n < sizeof line)
				fputs(line, fp);
		}
	if (opt_file_replace_commit(fp, tmp, acct_path, &cause) == -1)
		goto fail;
	acct_warned = 0;
	return;
fail:
	if (!acct_warned)
		log_warnx("users: cannot write %s: %s (usage since the last "
		    "write is lost if the hub stops)", acct_path, cause);
	acct_warned = 1;
	acct_dirty = 1;
	free(cause);
}

/* see hub.h */
void
hub_acct_flush(void)
{
	if (acct_dirty)
		hub_acct_save();
}

/* Every second: the rates; every HUB_ACCT_SAVE_S, the file if changed. */
static void
hub_acct_tick_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct hub_acct_user	*a;
	struct timeval		 tv;
	size_t			 i;

	for (i = 0; i < HUB_ACCT_BUCKETS; i++)
		LIST_FOREACH(a, &acct_hash[i], a_hash) {
			a->a_rate_up = a->a_u.total_up - a->a_mark_up;
			a->a_rate_down = a->a_u.total_down - a->a_mark_down;
			a->a_mark_up = a->a_u.total_up;
			a->a_mark_down = a->a_u.total_down;
		}
	if (++acct_ticks % HUB_ACCT_SAVE_S == 0 && acct_dirty)
		hub_acct_save();
	evtimer_add(acct_tick, core_ms_tv(&tv, 1000));
}

/* One user as GET users shows it (a may be NULL: never counted). */
static void
hub_acct_user_json(struct json_w *w, const char *name, struct hub_acct_user *a)
{
	struct acct_limits	 l;
	struct acct_usage	 u;
	char			 text[ACCT_LIMITS_LEN + 1];
	int64_t			 now = time(NULL);
	uint64_t		 left;
	int			 known, i;

	known = auth_user_limits(name, &l) == 0;
	if (a != NULL)
		u = a->a_u;
	else
		memset(&u, 0, sizeof u);
	acct_roll(&u, now);	/* today's counters, not yesterday's */
	acct_limits_format(&l, text, sizeof text);
	json_obj_open(w, NULL);
	json_str(w, "name", name);
	json_bool(w, "in_users_file", known);
	json_str(w, "limits", text);
	json_obj_open(w, "limit");
	json_u64(w, "conns", l.max_conns);
	json_u64(w, "rate_up", l.rate_up);
	json_u64(w, "rate_down", l.rate_down);
	json_u64(w, "day", l.quota_day);
	json_u64(w, "month", l.quota_month);
	json_arr_open(w, "pools");
	for (i = 0; i < l.npools; i++)
		json_str(w, NULL, l.pools[i]);
	json_arr_close(w);
	json_obj_close(w);
	json_u64(w, "connections", limit_user_count(name));
	json_obj_open(w, "day");
	json_u64(w, "up", u.day_up);
	json_u64(w, "down", u.day_down);
	json_obj_close(w);
	json_obj_open(w, "month");
	json_u64(w, "up", u.month_up);
	json_u64(w, "down", u.month_down);
	json_obj_close(w);
	json_obj_open(w, "total");
	json_u64(w, "up", u.total_up);
	json_u64(w, "down", u.total_down);
	json_obj_close(w);
	json_obj_open(w, "rate");
	json_u64(w, "up", a != NULL ? a->a_rate_up : 0);
	json_u64(w, "down", a != NULL ? a->a_rate_down : 0);
	json_obj_close(w);
	if (u.last_seen > 0)
		json_i64(w, "last_seen", u.last_seen);
	else
		json_null(w, "last_seen");
	left = acct_quota_left(&l, &u, now);
	if (left == UINT64_MAX)
		json_null(w, "quota_left");
	else
		json_u64(w, "quota_left", left);
	json_bool(w, "over_quota", left == 0);
	json_obj_close(w);
}

/* Has the users file a line for name? */
static int
hub_acct_in_file(const char *name)
{
	struct acct_limits	 l;

	return (auth_user_limits(name, &l) == 0);
}

static int
hub_acct_cmp(const void *x, const void *y)
{
	return (strcmp(*(const char * const *)x, *(const char * const *)y));
}

/* see hub.h */
void
hub_acct_walk(void (*cb)(const char *, const struct acct_usage *,
    uint64_t, uint64_t, void *), void *arg)
{
	struct hub_acct_user	*a;
	struct acct_usage	 u;
	int64_t			 now = time(NULL);
	size_t			 i;

	for (i = 0; i < HUB_ACCT_BUCKETS; i++)
		LIST_FOREACH(a, &acct_hash[i], a_hash) {
			u = a->a_u;
			acct_roll(&u, now);
			cb(a->a_name, &u, a->a_rate_up, a->a_rate_down, arg);
		}
}

/* hub_acct_walk(): the counted users the users file no longer has. */
struct hub_acct_gone {
	const char	**names;
	size_t		  n;
};

static void
hub_acct_gone_cb(const char *name, const struct acct_usage *u __unused,
    uint64_t up __unused, uint64_t down __unused, void *arg)
{
	struct hub_acct_gone	*g = arg;

	if (!hub_acct_in_file(name))
		g->names[g->n++] = name;
}

/* see hub.h */
void
hub_acct_api(struct evhttp_request *req, const char *peer, int method,
    char **parts, int nparts)
{
	struct hub_acct_user	*a;
	struct hub_acct_gone	 g;
	struct evbuffer		*b;
	struct json_w		 w;
	const char		*name, **names;
	size_t			 i, n = 0, nu;

	if (nparts > 1) {
		hub_api_error(req, peer, 404, "no such API path: %s "
		    "(doc/admin.md lists them)", evhttp_request_get_uri(req));
		return;
	}
	if (nparts == 1 && (method == EVHTTP_REQ_PUT ||
	    method == EVHTTP_REQ_DELETE)) {
		if (!acct_name_ok(parts[0])) {
			hub_api_error(req, peer, 400, "bad user name (want 1 "
			    "to 64 of A-Z a-z 0-9 . _)");
			return;
		}
		if (method == EVHTTP_REQ_PUT)
			hub_acct_put(req, peer, parts[0]);
		else
			hub_acct_delete(req, peer, parts[0]);
		return;
	}
	if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", nparts == 1 ? "GET, PUT, DELETE" : "GET");
		hub_api_error(req, peer, 405, "%s takes %s",
		    evhttp_request_get_uri(req), nparts == 1 ?
		    "GET, PUT or DELETE" : "GET");
		return;
	}
	if (nparts == 1) {
		name = parts[0];
		a = hub_acct_find(name, 0);
		if (!acct_name_ok(name) || (a == NULL &&
		    !hub_acct_in_file(name))) {
			hub_api_error(req, peer, 404, "no such user");
			return;
		}
		hub_acct_one(req, 200, name);
		return;
	}
	/* The users file's users, and counted ones no longer in it. */
	nu = auth_users_count();
	names = xreallocarray(NULL, nu + acct_n + 1, sizeof *names);
	for (i = 0; i < nu; i++)
		names[n++] = auth_user_name(i);
	g.names = names + n;
	g.n = 0;
	hub_acct_walk(hub_acct_gone_cb, &g);
	n += g.n;
	qsort(names, n, sizeof *names, hub_acct_cmp);
	if ((b = hub_api_buf(req)) == NULL)
		return;
	json_w_init(&w, b);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "users");
	for (i = 0; i < n; i++)
		hub_acct_user_json(&w, names[i], hub_acct_find(names[i], 0));
	json_arr_close(&w);
	json_obj_close(&w);
	free(names);
	hub_api_send(req, 200, b);
	evbuffer_free(b);
}

/* Answer status with user name's object. */
static void
hub_acct_one(struct evhttp_request *req, int status, const char *name)
{
	struct evbuffer	*b;
	struct json_w	 w;

	if ((b = hub_api_buf(req)) == NULL)
		return;
	json_w_init(&w, b);
	hub_acct_user_json(&w, name, hub_acct_find(name, 0));
	hub_api_send(req, status, b);
	evbuffer_free(b);
}

/* name's line in buf (len bytes), *llen its length without a CR. */
static const char *
hub_acct_line_find(const char *buf, size_t len, const char *name,
    size_t *llen)
{
	const char	*p, *nl;
	size_t		 nlen = strlen(name), ll;

	for (p = buf; p < buf + len; p = nl) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		ll = nl != NULL ? (size_t)(nl - p) : (size_t)(buf + len - p);
		nl = nl != NULL ? nl + 1 : buf + len;
		if (ll > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == ':') {
			if (p[ll - 1] == '\r')
				ll--;
			*llen = ll;
			return (p);
		}
	}
	return (NULL);
}

/*
 * The users file with name's line made from pass (NULL: keep the hash)
 * and limits (NULL: keep them), or without it (del), as `tentacle passwd`
 * writes it: crash-safe, owner and group kept, mode less others' bits.
 * Returns 0, 1 when name was added, or -1 with *cause and status
 * (400, 404, 409, 500) in *cause's first three bytes.
 */
static int
hub_acct_file_put(const char *name, const char *pass, int del,
    const char *limits, char **cause)
{
	const char	*path = hub.conf.users_path, *old, *p, *nl;
	struct stat	 st;
	FILE		*out;
	char		*buf = NULL, *tmp = NULL, *why = NULL;
	char		 line[AUTH_LINE_MAX + 1], base[AUTH_LINE_MAX + 1];
	char		 keep[ACCT_LIMITS_LEN + 1];
	size_t		 len = 0, olen = 0, ll;
	int		 rc = -1;

	if (opt_file_read(path, path, AUTH_FILE_MAX, &buf, &len, NULL,
	    &why) == -1 || stat(path, &st) == -1) {
		xasprintf(cause, "500 %s", why != NULL ? why : path);
		free(why);
		goto out;
	}
	old = hub_acct_line_find(buf, len, name, &olen);
	if (old == NULL && (del || pass == NULL)) {
		xasprintf(cause, "%s", del ? "404 no such user" : "400 a new "
		    "user needs a password");
		goto out;
	}
	if (!del) {
		keep[0] = '\0';
		if (old != NULL && auth_line_get_limits(old, olen, keep,
		    sizeof keep) == -1) {
			xasprintf(cause, "500 the user's limits are too long");
			goto out;
		}
		if (pass != NULL) {
			if (auth_line_make(base, sizeof base, name, pass,
			    AUTH_ITER_DEFAULT, &why) == -1) {
				xasprintf(cause, "400 %s", why);
				free(why);
				goto out;
			}
		} else {
			memcpy(base, old, olen);
			base[olen] = '\0';
		}
		if (auth_line_set_limits(line, sizeof line, base, strlen(base),
		    limits != NULL ? limits : keep, &why) == -1) {
			xasprintf(cause, "500 %s", why);
			free(why);
			goto out;
		}
		explicit_bzero(base, sizeof base);
	}
	if ((out = opt_file_replace_open(path, &st, 0770, &tmp,
	    &why)) == NULL) {
		xasprintf(cause, "500 %s", why);
		free(why);
		goto out;
	}
	for (p = buf; p < buf + len; p = nl) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		ll = nl != NULL ? (size_t)(nl - p) : (size_t)(buf + len - p);
		nl = nl != NULL ? nl + 1 : buf + len;
		if (p == old) {
			if (!del)
				fprintf(out, "%s\n", line);
			continue;
		}
		fwrite(p, 1, ll, out);
		fputc('\n', out);
	}
	if (old == NULL)
		fprintf(out, "%s\n", line);
	if (opt_file_replace_commit(out, tmp, path, &why) == -1) {
		xasprintf(cause, "500 %s", why);
		free(why);
		goto out;
	}
	rc = old == NULL ? 1 : 0;
out:
	explicit_bzero(line, sizeof line);
	if (buf != NULL) {
		explicit_bzero(buf, len);
		free(buf);
	}
	return (rc);
}

/*
 * PUT users/{name}: {"password":"...","limits":"conns=2,day=5Gi"}, either
 * or both (a new user needs a password); "limits":"" clears them.  The
 * users file is rewritten and reloaded.  201 for a new user, else 200,
 * with the user's object.
 */
static void
hub_acct_put(struct evhttp_request *req, const char *peer, const char *name)
{
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	struct json_doc		 doc;
	struct acct_limits	 l;
	const char		*jwhy;
	char			 pass[AUTH_PASSWORD_MAX + 2];
	char			 ltext[ACCT_LIMITS_LEN + 2];
	char			 canon[ACCT_LIMITS_LEN + 1], *cause = NULL;
	char			*body;
	size_t			 len = evbuffer_get_length(in);
	int			 haspass, haslim, rc, ip, il;

	if (hub.conf.users_path == NULL) {
		hub_api_error(req, peer, 409, "the hub has no -users file");
		return;
	}
	if (len > HUB_ACCT_BODY_MAX) {
		hub_api_error(req, peer, 413, "the body is over %d bytes",
		    HUB_ACCT_BODY_MAX);
		return;
	}
	if ((body = (char *)evbuffer_pullup(in, -1)) == NULL && len > 0) {
		evhttp_send_error(req, 503, NULL);
		return;
	}
	if (json_parse(&doc, body != NULL ? body : "", len, 64,
	    &jwhy) == -1) {
		hub_api_error(req, peer, 400, "the body is not JSON: %s", jwhy);
		return;
	}
	ip = json_get(&doc, 0, "password");
	il = json_get(&doc, 0, "limits");
	haspass = ip != -1;
	haslim = il != -1;
	rc = 0;
	if (doc.ntok == 0 || doc.tok[0].type != JSON_OBJECT)
		rc = -1, jwhy = "want an object";
	else if (!haspass && !haslim)
		rc = -1, jwhy = "give \"password\", \"limits\" or both";
	else if (haspass && (json_get_str(&doc, ip, pass, sizeof pass) == -1 ||
	    pass[0] == '\0' || strlen(pass) > AUTH_PASSWORD_MAX))
		rc = -1, jwhy = "\"password\": a string of 1 to 255 bytes";
	else if (haslim && json_get_str(&doc, il, ltext, sizeof ltext) == -1)
		rc = -1, jwhy = "\"limits\": a string of at most 1280 bytes";
	json_doc_free(&doc);
	if (body != NULL)
		explicit_bzero(body, len);	/* the password is read */
	if (rc == -1) {
		explicit_bzero(pass, sizeof pass);
		hub_api_error(req, peer, 400, "%s", jwhy);
		return;
	}
	if (haslim) {
		if (acct_limits_parse(ltext, &l, &cause) == -1) {
			explicit_bzero(pass, sizeof pass);
			/* Admin text, but quoted into a log line: escaped. */
			log_escape(ltext, sizeof ltext, cause, strlen(cause));
			free(cause);
			hub_api_error(req, peer, 400, "limits: %s", ltext);
			return;
		}
		acct_limits_format(&l, canon, sizeof canon);
	}
	rc = hub_acct_file_put(name, haspass ? pass : NULL, 0,
	    haslim ? canon : NULL, &cause);
	explicit_bzero(pass, sizeof pass);
	if (rc == -1) {
		hub_api_error(req, peer, atoi(cause), "%s", cause + 4);
		free(cause);
		return;
	}
	if (hub_acct_file_reload(req, peer) == -1)
		return;
	log_info("users: %s: user %s %s (%s%s%s) in %s", peer, name,
	    rc == 1 ? "added" : "changed", haspass ? "password" : "",
	    haspass && haslim ? ", " : "", haslim ? "limits" : "",
	    hub.conf.users_path);
	hub_acct_one(req, rc == 1 ? 201 : 200, name);
}

/*
 * After PUT or DELETE rewrote the users file: load it (the logins and the
 * records take it at once).  -1 once the error is answered.
 */
static int
hub_acct_file_reload(struct evhttp_request *req, const char *peer)
{
	char	*cause = NULL;

	if (auth_reload(&cause) == -1) {
		hub_api_error(req, peer, 500, "the users file was written "
		    "but does not load: %s", cause);
		free(cause);
		return (-1);
	}
	hub_acct_reload();
	return (0);
}

/* DELETE users/{name}: its line out of the users file, which is reloaded. */
static void
hub_acct_delete(struct evhttp_request *req, const char *peer,
    const char *name)
{
	struct evbuffer	*b;
	struct json_w	 w;
	char		*cause = NULL;

	if (hub.conf.users_path == NULL) {
		hub_api_error(req, peer, 409, "the hub has no -users file");
		return;
	}
	if (hub_acct_file_put(name, NULL, 1, NULL, &cause) == -1) {
		hub_api_error(req, peer, atoi(cause), "%s", cause + 4);
		free(cause);
		return;
	}
	if (hub_acct_file_reload(req, peer) == -1)
		return;
	log_info("users: %s: user %s removed from %s", peer, name,
	    hub.conf.users_path);
	if ((b = hub_api_buf(req)) == NULL)
		return;
	json_w_init(&w, b);
	json_obj_open(&w, NULL);
	json_str(&w, "deleted", name);
	json_obj_close(&w);
	hub_api_send(req, 200, b);
	evbuffer_free(b);
}
