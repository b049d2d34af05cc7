/*
 * linger.c: a bufferevent's last bytes: written out (5 s at most), then
 * freed, and tracked by its core context meanwhile, so that a context's
 * end (a library node's stop) frees those still writing.  Apart from
 * core.c so that tls.c (its filter's socket lingers so) links without the
 * rest of core (the unit tests).
 */
#include <stdlib.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"

/* A bufferevent flushing its last bytes: the context frees it at its end. */
struct core_flush {
	TAILQ_ENTRY(core_flush)	 entry;
	struct bufferevent	*bev;
};

static void
core_flush_free(struct core_flush *cf)
{
	TAILQ_REMOVE(&core_cur->flushing, cf, entry);
	bufferevent_free(cf->bev);
	free(cf);
}

/* see tentacle.h */
void
core_flush_drop(void)
{
	struct core_flush	*cf;

	while ((cf = TAILQ_FIRST(&core_cur->flushing)) != NULL)
		core_flush_free(cf);
}

static void
core_flush_write_cb(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		core_flush_free(arg);
}

static void
core_flush_event_cb(struct bufferevent *bev __unused, short what __unused,
    void *arg)
{
	core_flush_free(arg);
}

/* see tentacle.h: frees bev once its output is written, or after 5 s. */
void
core_bev_close_flush(struct bufferevent *bev)
{
	bufferevent_disable(bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		bufferevent_free(bev);
		return;
	}
	core_bev_linger(bev);
}

/* see tentacle.h */
void
core_bev_linger(struct bufferevent *bev)
{
	struct timeval		 tv = { 5, 0 };
	struct core_flush	*cf;

	if ((cf = malloc(sizeof *cf)) == NULL) {
		bufferevent_free(bev);	/* its last bytes are lost */
		return;
	}
	cf->bev = bev;
	TAILQ_INSERT_TAIL(&core_cur->flushing, cf, entry);
	bufferevent_setcb(bev, NULL, core_flush_write_cb, core_flush_event_cb,
	    cf);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	bufferevent_set_timeouts(bev, NULL, &tv);
	bufferevent_disable(bev, EV_READ);
	bufferevent_enable(bev, EV_WRITE);
}
