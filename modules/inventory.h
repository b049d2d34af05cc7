/*
 * inventory.h: a node as the admin API shows it (doc/admin.md), and the
 * hub's guard counts, with their JSON form.  One table of fields is read
 * by the hub to write GET /api/v1/nodes and by `tentacle info` to read
 * it back, so the two never disagree on a key.  Pure: JSON in and out.
 */
#ifndef INVENTORY_H
#define INVENTORY_H

#include <stdint.h>

#include "frame.h"

struct json_w;
struct json_doc;

/* A node's state (the API's "state"). */
#define INV_UP		0
#define INV_DRAINED	1	/* tentacle drain */
#define INV_DRAINING	2	/* draining before a redial */
#define INV_REDIALING	3	/* REDIAL sent, not back yet */
#define INV_PAUSED	4	/* by its host's policy (STATUS) */
#define INV_NSTATES	5

#define INV_HIST_MAX	FRAME_HIST_MAX

struct inv_node {
	uint32_t	 id;
	char		 name[FRAME_NAME_MAX + 1];
	char		 pools[FRAME_POOLS_MAX][FRAME_POOL_MAX + 1];
	int		 npools;
	char		 remote[64];	/* "" while away redialing */
	char		 os[FRAME_SHORT_MAX + 1];
	char		 arch[FRAME_SHORT_MAX + 1];
	char		 build[FRAME_BUILD_MAX + 1];
	uint64_t	 since;		/* unix time connected, 0 away */
	uint64_t	 relays;
	uint64_t	 dials_ok;
	uint64_t	 dials_failed;
	uint64_t	 dials_denied;	/* refused by the node's policy */
	uint64_t	 bytes_up;
	uint64_t	 bytes_down;
	uint64_t	 rtt_us;
	uint64_t	 spare_idle;	/* idle spare data links */
	uint64_t	 spare_reused;	/* links idle again after a relay */
	uint64_t	 last_ok;	/* unix time of the last dial OK, 0 */
	uint64_t	 up_rate;	/* bytes/s over the last ~10 s */
	uint64_t	 down_rate;
	int		 state;		/* INV_* */
	int		 redial;	/* FRAME_REDIAL_* it can do */
	uint64_t	 redials;	/* that changed the address */
	uint64_t	 redials_same;	/* that did not */
	uint64_t	 last_redial;	/* unix time, 0 never */
	uint64_t	 next_redial;	/* unix time, 0 none planned */
	/* Why its host paused it (even when drained too); "" not paused. */
	char		 paused_reason[FRAME_REASON_MAX + 1];
	int		 nhist;		/* addresses, newest first */
	struct {
		char	 addr[64];
		uint64_t since;		/* unix time first seen */
	}		 hist[INV_HIST_MAX];
};

/* The hub's guards (the "hub" object). */
struct inv_hub {
	uint64_t	 handshakes;		/* node links in their handshake */
	uint64_t	 handshakes_refused;	/* at -max-handshakes(-per-ip) */
	uint64_t	 handshakes_expired;	/* at the handshake deadline */
	uint64_t	 nodes_flooding;	/* closed: PING flood, backlog */
	uint64_t	 names_refused;		/* another's name */
	uint64_t	 admin_refused;		/* admin requests refused */
};

/* Nodes summed (only one pool's, or all): `info`'s summary, "totals". */
struct inv_pool {
	char		 name[FRAME_POOL_MAX + 1];
	uint64_t	 nodes;
};
struct inv_totals {
	uint64_t	 up, down, up_rate, down_rate;
	uint64_t	 online, resting, away, relays, idle, reused;
	uint64_t	 paused;	/* online with a paused_reason */
	struct inv_pool	*pools;		/* sorted by name; inv_totals_free() */
	size_t		 npools, cap;
};

extern const char *const inv_states[INV_NSTATES];	/* "up", ... */
extern const char *const inv_redials[3];		/* "none", ... */

/* One node as a JSON object (key: its member name, or NULL). */
void	 inv_node_write(struct json_w *, const char *, const struct inv_node *);
/* Read node object tok; 0, or -1 with *cause (static) naming the key. */
int	 inv_node_read(const struct json_doc *, int, struct inv_node *,
	    const char **);
void	 inv_hub_write(struct json_w *, const char *, const struct inv_hub *);
int	 inv_hub_read(const struct json_doc *, int, struct inv_hub *,
	    const char **);

/* Is node n in pool (NULL: every node)? */
int	 inv_in_pool(const struct inv_node *, const char *);
/* Sum nodes v[0..n) in pool (NULL: all) into t (which it clears). */
void	 inv_totals(const struct inv_node *, size_t, const char *,
	    struct inv_totals *);
/* The same a node at a time: memset(t, 0), inv_totals_add()..., _end(). */
void	 inv_totals_add(struct inv_totals *, const struct inv_node *,
	    const char *);
void	 inv_totals_end(struct inv_totals *);
void	 inv_totals_free(struct inv_totals *);
void	 inv_totals_write(struct json_w *, const char *,
	    const struct inv_totals *);

#endif /* INVENTORY_H */
