/* models/world-bus.c - who hears what happens in a run: the listeners
 * (writers of events.jsonl, trace, pcap), the script's on() callbacks and
 * timers' hooks, the first script error that stops the run, and the notes.
 * Knows nothing of what the events mean. */
#include "world-int.h"

#include <math.h>
#include <string.h>

/* Stamps the event with the time, then tells the listeners and the
 * script. ev->component must already live until world_free (world.h): a
 * name from core_comp_name or core_node_name, text from core_intern, or a
 * static string; the bus copies nothing. */
void
bus_emit (World *w, WorldEvent *ev)
{
  ev->time = sim_now (w->core.sim);
  for (guint i = 0; i < w->bus.listeners->len; i++)
    {
      Listener *l = &g_array_index (w->bus.listeners, Listener, i);
      l->fn (ev, l->ud);
    }
  GArray *ons = w->bus.ons[ev->kind];
  if (ons == NULL || w->bus.hooks.event == NULL || w->bus.script_error != NULL)
    return;
  for (guint i = 0; i < ons->len; i++)
    {
      uint64_t cb = g_array_index (ons, uint64_t, i);
      if (!w->bus.hooks.event (w->bus.hooks.user_data, w, cb, ev, &w->bus.script_error))
        {
          if (w->bus.script_error == NULL)
            g_set_error (&w->bus.script_error, WORLD_ERROR, WORLD_ERROR_SCRIPT,
                         "a script callback failed");
          sim_stop (w->core.sim);
          return;
        }
    }
}

void
bus_event_init (WorldEvent *ev, WorldEventKind kind)
{
  memset (ev, 0, sizeof *ev);
  ev->kind = kind;
  ev->node = -1;
  if (kind == WEV_LINK_STATE)
    {
      ev->link.rail = -1;
      ev->link.sw = -1;
    }
}

void
world_event_record (const WorldEvent *ev, WorldEventRecord *r)
{
  g_return_if_fail (ev != NULL && r != NULL);
  *r = (WorldEventRecord) {
    .component = ev->component, .node = ev->node, .port = -1,
    .lost_gpu_hours = NAN, .value = NAN,
  };
  switch (ev->kind)
    {
    case WEV_COMPONENT_FAILED:
    case WEV_NODE_FAILED:
      r->mode = ev->fault.mode;
      r->cause = ev->fault.cause;
      r->xid = ev->fault.xid;
      break;
    case WEV_COMPONENT_REPAIRED:
      r->mode = ev->repair.mode;
      break;
    case WEV_NODE_STATE:
      r->detail = world_node_state_name (ev->node_state.to);
      r->old_state = (int32_t) ev->node_state.from;
      r->new_state = (int32_t) ev->node_state.to;
      break;
    case WEV_LINK_STATE:
      r->port = ev->link.rail;
      r->old_state = ev->link.sw_port;
      r->new_state = (int32_t) ev->link.to;
      r->value = ev->link.sw;
      break;
    case WEV_POLICY_ACTION:
      r->detail = ev->action.action;
      r->reason = ev->action.reason;
      break;
    case WEV_JOB_SUBMITTED:
    case WEV_JOB_STARTED:
      r->job = ev->job.name;
      r->value = ev->job.nodes;
      break;
    case WEV_JOB_PREEMPTED:
    case WEV_JOB_COMPLETED:
      r->job = ev->job.name;
      break;
    case WEV_JOB_INTERRUPTED:
      r->job = ev->interrupt.job;
      r->cause = ev->interrupt.cause;
      r->mode = ev->interrupt.mode;
      r->lost_gpu_hours = ev->interrupt.lost_gpu_hours;
      break;
    case WEV_JOB_CHECKPOINT:
      r->job = ev->checkpoint.job;
      r->value = ev->checkpoint.saved_h;
      break;
    case WEV_FABRIC_DEGRADED:
      r->value = ev->fabric.lost_fraction;
      break;
    case WEV_COUNT:
      break;
    }
}

void
world_stop_with_error (World *w, GError *error)
{
  g_return_if_fail (w != NULL);
  g_return_if_fail (error != NULL);
  if (w->bus.script_error != NULL)
    {
      g_error_free (error);
      return;
    }
  w->bus.script_error = error;
  sim_stop (w->core.sim);
}

void
world_set_hooks (World *w, const WorldHooks *hooks)
{
  w->bus.hooks = *hooks;
}

void
world_add_listener (World *w, WorldListenerFn fn, void *user_data)
{
  Listener l = { fn, user_data };
  g_array_append_val (w->bus.listeners, l);
}

void
world_note (World *w, const char *text)
{
  char tb[48];
  g_string_append_printf (w->bus.notes, "[%14s] %s\n",
                          simtime_format (sim_now (w->core.sim), tb, sizeof tb), text);
}

const char *
world_notes (const World *w)
{
  return w->bus.notes->str;
}

/* ---- the module ---- */

static bool
bus_init (World *w, GError **error)
{
  w->bus.listeners = g_array_new (FALSE, FALSE, sizeof (Listener));
  w->bus.notes = g_string_new (NULL);
  return true;
}

/* The on() registrations made while the scenario was loaded. */
static bool
bus_start (World *w, GError **error)
{
  for (guint i = 0; i < w->core.cfg->ons->len; i++)
    {
      WorldOnReg *r = &g_array_index (w->core.cfg->ons, WorldOnReg, i);
      if (w->bus.ons[r->kind] == NULL)
        w->bus.ons[r->kind] = g_array_new (FALSE, FALSE, sizeof (uint64_t));
      g_array_append_val (w->bus.ons[r->kind], r->cb);
    }
  return true;
}

static void
bus_fini (World *w)
{
  g_clear_pointer (&w->bus.listeners, g_array_unref);
  for (int k = 0; k < WEV_COUNT; k++)
    g_clear_pointer (&w->bus.ons[k], g_array_unref);
  g_clear_error (&w->bus.script_error);
  if (w->bus.notes != NULL)
    g_string_free (w->bus.notes, TRUE);
}

const WorldModule world_bus_module = {
  .name = "bus", .init = bus_init, .start = bus_start, .fini = bus_fini,
};
