/* models/world-rates.c - per-node failure-rate multipliers ("bad
 * servers", set_node_rate, docs/scenario-api.md): part of the faults
 * module (world-faults.c thins its failure streams with
 * faults_rate_thinned and calls faults_rate_on_repair after a repair). */
#include "world-int.h"

#include <math.h>

/* ---- per-node rate multipliers (set_node_rate, docs/scenario-api.md) ----
 *
 * A script may make a node fail m times as often as its GPU and host modes
 * say (a "bad server"; lemons stay as drawn at build): for m > 1 the
 * excess, (m - 1) times the node's rate, is one more Poisson stream per
 * node whose failures pick a mode in proportion to its rate (and a GPU
 * uniformly); for m < 1 each drawn failure of the node is kept with
 * probability m. Each later repair of the node (a fault of it cleared)
 * resets m to 1 with the probability the script gave. All draws come from
 * one stream ("world", "node-rates"), so a run that never sets a rate
 * draws exactly what it drew before. */

/* Mode mi's failure rate on node (per hour, over its GPUs for a GPU mode);
 * 0 for modes that are not a node's own. */
static double
rate_node_mode (World *w, uint32_t node, uint32_t mi)
{
  ModeRt *mr = &w->faults.modes[mi];
  FlClass c = mr->fm->cls;
  if (!(mr->rate_per_h > 0) || (c != FL_CLASS_GPU && c != FL_CLASS_NODE))
    return 0;
  double r = mr->rate_per_h * faults_lemon_norm (w, mr) * (c == FL_CLASS_GPU ? w->hw.gpn : 1);
  return w->hw.nodes[node].lemon ? r * w->core.cfg->failures_lemon_multiplier : r;
}

static double
rate_node_total (World *w, uint32_t node)
{
  double total = 0;
  for (uint32_t mi = 0; mi < w->faults.n_modes; mi++)
    total += rate_node_mode (w, node, mi);
  return total;
}

/* (Re)draws node's next excess failure from now. */
static void
rate_schedule (World *w, uint32_t node)
{
  EvqHandle *ev = &w->faults.rate_ev[node];
  if (*ev != EVQ_NONE)
    sim_cancel (w->core.sim, *ev);
  *ev = EVQ_NONE;
  double excess = (w->faults.rate_mult[node] - 1) * rate_node_total (w, node);
  if (!(excess > 0))
    return;
  double dt_h = -log (rng_uniform_pos (&w->faults.rng_rates)) / excess;
  SimTime at = sim_now (w->core.sim) + h_to_sim (dt_h);
  if (at <= world_length (w))
    *ev = sim_at (w->core.sim, at, w->core.kinds[EV_NODE_RATE], node, 0);
}

static void
on_node_rate (Sim *sim, const SimEvent *e, void *ud)
{
  (void) sim;
  World *w = ud;
  uint32_t node = (uint32_t) e->target;
  w->faults.rate_ev[node] = EVQ_NONE;
  double u = rng_uniform (&w->faults.rng_rates) * rate_node_total (w, node);
  uint32_t pick = NO_FAULT;
  for (uint32_t mi = 0; mi < w->faults.n_modes; mi++)
    {
      double r = rate_node_mode (w, node, mi);
      if (r > 0)
        pick = mi;
      if (r > 0 && u < r)
        break;
      u -= r;
    }
  rate_schedule (w, node);
  if (pick == NO_FAULT)
    return;
  uint32_t inst = node;
  if (w->faults.modes[pick].fm->cls == FL_CLASS_GPU)
    inst = node * w->hw.gpn + (uint32_t) rng_below (&w->faults.rng_rates, w->hw.gpn);
  faults_degrade_or_fail (w, pick, inst);
}

/* A failure of instance i of mode mi that a multiplier below 1 drops. */
bool
faults_rate_thinned (World *w, uint32_t mi, uint32_t i)
{
  if (w->faults.rate_mult == NULL)
    return false;
  FlClass c = w->faults.modes[mi].fm->cls;
  if (c != FL_CLASS_GPU && c != FL_CLASS_NODE)
    return false;
  double m = w->faults.rate_mult[c == FL_CLASS_GPU ? i / w->hw.gpn : i];
  return m < 1 && !(rng_uniform (&w->faults.rng_rates) < m);
}

void
faults_rate_on_repair (World *w, uint32_t node)
{
  if (w->faults.rate_mult == NULL || w->faults.rate_mult[node] == 1
      || !(w->faults.rate_reset_p[node] > 0))
    return;
  if (rng_uniform (&w->faults.rng_rates) < w->faults.rate_reset_p[node])
    {
      w->faults.rate_mult[node] = 1;
      rate_schedule (w, node);
    }
}

/* From now on node fails multiplier times as often (GPU and host modes);
 * each later repair resets it to 1 with probability reset_p. */
void
faults_set_node_rate (World *w, uint32_t node, double multiplier,
                      double reset_p)
{
  g_return_if_fail (node < w->hw.n_nodes && multiplier >= 0
                    && reset_p >= 0 && reset_p <= 1);
  if (w->faults.rate_mult == NULL)
    {
      w->faults.rate_mult = g_new (double, w->hw.n_nodes);
      for (uint32_t i = 0; i < w->hw.n_nodes; i++)
        w->faults.rate_mult[i] = 1;
      w->faults.rate_reset_p = g_new0 (double, w->hw.n_nodes);
      w->faults.rate_ev = g_new0 (EvqHandle, w->hw.n_nodes);
    }
  w->faults.rate_mult[node] = multiplier;
  w->faults.rate_reset_p[node] = reset_p;
  rate_schedule (w, node);
}

double
faults_node_rate (const World *w, uint32_t node)
{
  return w->faults.rate_mult != NULL ? w->faults.rate_mult[node] : 1.0;
}

/* The event kind and the random stream of the rate multipliers. */
void
faults_rates_init (World *w)
{
  w->core.kinds[EV_NODE_RATE] = sim_register (w->core.sim, "node-rate", on_node_rate, w);
  rng_stream_init (&w->faults.rng_rates, w->core.seed, "world", "node-rates");
}
