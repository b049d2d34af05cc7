/*
 * inventory.c: a node and the hub's guards as JSON, both ways, from one
 * table of fields (inventory.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "inventory.h"
#include "json.h"

const char *const inv_states[INV_NSTATES] = {
	"up", "drained", "draining", "redialing", "paused"
};
const char *const inv_redials[3] = { "none", "command", "dial_info" };

#define F_U64	0
#define F_STR	1
#define F_STATE	2	/* int, by inv_states */
#define F_REDIAL 3	/* int, by inv_redials */

struct inv_field {
	const char	*key;
	int		 type;
	size_t		 off;
	size_t		 size;		/* F_STR: the buffer */
};

#define U(k, m)	{ k, F_U64, offsetof(struct inv_node, m), 0 }
#define S(k, m) { k, F_STR, offsetof(struct inv_node, m), \
	sizeof(((struct inv_node *)0)->m) }

/* After id, name and pools, in `info -json`'s order since 0.1. */
static const struct inv_field inv_node_fields[] = {
	S("remote", remote),
	S("os", os),
	S("arch", arch),
	S("version", build),
	U("since", since),
	U("relays", relays),
	U("dials_ok", dials_ok),
	U("dials_failed", dials_failed),
	U("dials_denied", dials_denied),
	U("bytes_up", bytes_up),
	U("bytes_down", bytes_down),
	U("rtt_us", rtt_us),
	U("pool_idle", spare_idle),
	U("pool_reused", spare_reused),
	U("last_ok", last_ok),
	U("up_rate", up_rate),
	U("down_rate", down_rate),
	{ "state", F_STATE, offsetof(struct inv_node, state), 0 },
	{ "redial", F_REDIAL, offsetof(struct inv_node, redial), 0 },
	U("redials", redials),
	U("redials_same", redials_same),
	U("last_redial", last_redial),
	U("next_redial", next_redial),
	S("paused_reason", paused_reason),
};

#define H(k, m)	{ k, F_U64, offsetof(struct inv_hub, m), 0 }
static const struct inv_field inv_hub_fields[] = {
	H("handshakes", handshakes),
	H("handshakes_refused", handshakes_refused),
	H("handshakes_expired", handshakes_expired),
	H("nodes_flooding", nodes_flooding),
	H("names_refused", names_refused),
	H("admin_refused", admin_refused),
};

static void
inv_fields_write(struct json_w *w, const struct inv_field *f, size_t n,
    const void *base)
{
	const char	*p = base;
	int		 v;
	size_t		 i;

	for (i = 0; i < n; i++, f++) {
		switch (f->type) {
		case F_U64:
			json_u64(w, f->key, *(const uint64_t *)(p + f->off));
			break;
		case F_STR:
			json_str(w, f->key, p + f->off);
			break;
		case F_STATE:
		case F_REDIAL:
			v = *(const int *)(p + f->off);
			if (f->type == F_STATE)
				json_str(w, f->key, v >= 0 && v < INV_NSTATES ?
				    inv_states[v] : "unknown");
			else
				json_str(w, f->key, v >= 0 && v < (int)nitems(
				    inv_redials) ? inv_redials[v] : "unknown");
			break;
		}
	}
}

/* A name out of names[n]; -1 if it is none of them. */
static int
inv_index(const char *s, const char *const *names, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (i);
	return (-1);
}

static int
inv_fields_read(const struct json_doc *d, int obj, const struct inv_field *f,
    size_t n, void *base, const char **cause)
{
	char	*p = base, s[32];
	int	 v;
	size_t	 i;

	for (i = 0; i < n; i++, f++) {
		*cause = f->key;
		switch (f->type) {
		case F_U64:
			if (json_key_u64(d, obj, f->key,
			    (uint64_t *)(p + f->off)) == -1)
				return (-1);
			break;
		case F_STR:
			if (json_key_str(d, obj, f->key, p + f->off,
			    f->size) == -1)
				return (-1);
			break;
		case F_STATE:
		case F_REDIAL:
			if (json_key_str(d, obj, f->key, s, sizeof s) == -1)
				return (-1);
			v = f->type == F_STATE ?
			    inv_index(s, inv_states, INV_NSTATES) :
			    inv_index(s, inv_redials, nitems(inv_redials));
			if (v == -1)
				return (-1);
			*(int *)(p + f->off) = v;
			break;
		}
	}
	*cause = NULL;
	return (0);
}

/* see inventory.h */
void
inv_node_write(struct json_w *w, const char *key, const struct inv_node *n)
{
	int	 i;

	json_obj_open(w, key);
	json_u64(w, "id", n->id);
	json_str(w, "name", n->name);
	json_arr_open(w, "pools");
	for (i = 0; i < n->npools; i++)
		json_str(w, NULL, n->pools[i]);
	json_arr_close(w);
	inv_fields_write(w, inv_node_fields, nitems(inv_node_fields), n);
	json_arr_open(w, "addresses");
	for (i = 0; i < n->nhist; i++) {
		json_obj_open(w, NULL);
		json_str(w, "addr", n->hist[i].addr);
		json_u64(w, "since", n->hist[i].since);
		json_obj_close(w);
	}
	json_arr_close(w);
	json_obj_close(w);
}

/* see inventory.h */
int
inv_node_read(const struct json_doc *d, int obj, struct inv_node *n,
    const char **cause)
{
	uint64_t	 id;
	int		 arr, t;
	uint32_t	 i;

	memset(n, 0, sizeof *n);
	*cause = "id";
	if (json_key_u64(d, obj, "id", &id) == -1 || id > UINT32_MAX)
		return (-1);
	n->id = id;
	*cause = "name";
	if (json_key_str(d, obj, "name", n->name, sizeof n->name) == -1)
		return (-1);
	*cause = "pools";
	if ((arr = json_get(d, obj, "pools")) == -1 ||
	    d->tok[arr].type != JSON_ARRAY ||
	    d->tok[arr].size > FRAME_POOLS_MAX)
		return (-1);
	for (i = 0; i < d->tok[arr].size; i++)
		if (json_get_str(d, json_at(d, arr, i), n->pools[i],
		    sizeof n->pools[i]) == -1)
			return (-1);
	n->npools = d->tok[arr].size;
	if (inv_fields_read(d, obj, inv_node_fields, nitems(inv_node_fields),
	    n, cause) == -1)
		return (-1);
	*cause = "addresses";
	if ((arr = json_get(d, obj, "addresses")) == -1 ||
	    d->tok[arr].type != JSON_ARRAY)
		return (-1);
	/* Newest first: more than we keep is cut, not refused. */
	for (i = 0; i < d->tok[arr].size && i < INV_HIST_MAX; i++) {
		t = json_at(d, arr, i);
		if (json_key_str(d, t, "addr", n->hist[i].addr,
		    sizeof n->hist[i].addr) == -1 ||
		    json_key_u64(d, t, "since", &n->hist[i].since) == -1)
			return (-1);
	}
	n->nhist = i;
	*cause = NULL;
	return (0);
}

/* see inventory.h */
void
inv_hub_write(struct json_w *w, const char *key, const struct inv_hub *h)
{
	json_obj_open(w, key);
	inv_fields_write(w, inv_hub_fields, nitems(inv_hub_fields), h);
	json_obj_close(w);
}

/* see inventory.h */
int
inv_hub_read(const struct json_doc *d, int obj, struct inv_hub *h,
    const char **cause)
{
	memset(h, 0, sizeof *h);
	return (inv_fields_read(d, obj, inv_hub_fields, nitems(inv_hub_fields),
	    h, cause));
}

/* see inventory.h */
int
inv_in_pool(const struct inv_node *n, const char *pool)
{
	int	 i;

	if (pool == NULL)
		return (1);
	for (i = 0; i < n->npools; i++)
		if (strcmp(n->pools[i], pool) == 0)
			return (1);
	return (0);
}

static int
inv_pool_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct inv_pool *)a)->name,
	    ((const struct inv_pool *)b)->name));
}

/* Count node n in each of its pools (only pool, when not NULL). */
static void
inv_pools_add(struct inv_totals *t, const struct inv_node *n,
    const char *pool)
{
	size_t	 k;
	int	 p;

	for (p = 0; p < n->npools; p++) {
		if (pool != NULL && strcmp(n->pools[p], pool) != 0)
			continue;
		for (k = 0; k < t->npools; k++)
			if (strcmp(t->pools[k].name, n->pools[p]) == 0)
				break;
		if (k == t->npools) {
			if (t->npools == t->cap) {
				t->cap = t->cap ? t->cap * 2 : 8;
				t->pools = xreallocarray(t->pools, t->cap,
				    sizeof *t->pools);
			}
			strlcpy(t->pools[t->npools].name, n->pools[p],
			    sizeof t->pools[t->npools].name);
			t->pools[t->npools++].nodes = 0;
		}
		t->pools[k].nodes++;
	}
}

/* see inventory.h */
void
inv_totals_add(struct inv_totals *t, const struct inv_node *v,
    const char *pool)
{
	if (!inv_in_pool(v, pool))
		return;
	if (v->since == 0) {
		t->away++;	/* left to redial, not back yet */
		return;
	}
	t->online++;
	if (v->state != INV_UP)
		t->resting++;
	if (v->paused_reason[0] != '\0')
		t->paused++;
	t->up += v->bytes_up;
	t->down += v->bytes_down;
	t->up_rate += v->up_rate;
	t->down_rate += v->down_rate;
	t->relays += v->relays;
	t->idle += v->spare_idle;
	t->reused += v->spare_reused;
	inv_pools_add(t, v, pool);
}

/* see inventory.h */
void
inv_totals_end(struct inv_totals *t)
{
	if (t->npools > 0)
		qsort(t->pools, t->npools, sizeof *t->pools, inv_pool_cmp);
}

/* see inventory.h */
void
inv_totals(const struct inv_node *v, size_t n, const char *pool,
    struct inv_totals *t)
{
	size_t	 i;

	memset(t, 0, sizeof *t);
	for (i = 0; i < n; i++)
		inv_totals_add(t, &v[i], pool);
	inv_totals_end(t);
}

/* see inventory.h */
void
inv_totals_free(struct inv_totals *t)
{
	free(t->pools);
	t->pools = NULL;
	t->npools = t->cap = 0;
}

/*
 * "totals": the summary as numbers.  Key names of their own (a grep for
 * a node's key finds nodes only).
 */
void
inv_totals_write(struct json_w *w, const char *key,
    const struct inv_totals *t)
{
	size_t	 i;

	json_obj_open(w, key);
	json_u64(w, "nodes_online", t->online);
	json_u64(w, "nodes_resting", t->resting);
	json_u64(w, "nodes_away", t->away);
	json_u64(w, "relays_total", t->relays);
	json_u64(w, "pool_idle_total", t->idle);
	json_u64(w, "pool_reused_total", t->reused);
	json_u64(w, "up_rate_total", t->up_rate);
	json_u64(w, "down_rate_total", t->down_rate);
	json_u64(w, "bytes_up_total", t->up);
	json_u64(w, "bytes_down_total", t->down);
	json_u64(w, "nodes_paused", t->paused);
	json_obj_open(w, "nodes_per_pool");
	for (i = 0; i < t->npools; i++)
		json_u64(w, t->pools[i].name, t->pools[i].nodes);
	json_obj_close(w);
	json_obj_close(w);
}
