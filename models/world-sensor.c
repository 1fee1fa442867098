/* models/world-sensor.c - the sensor model: what a fault shows the
 * health policy, and when (an Xid at once, heartbeat loss after the missed
 * heartbeats, the periodic check that catches the fault, IB traps), plus
 * the checks' false positives. Periodic checks are never polled: the time
 * a check will see a fault is computed when the fault happens. */
#include "world-int.h"

#include <math.h>

#include "dist.h"

/* The first poll of node's DCGM health watch at or after `at` (field-data
 * §8.5: the watch's fields are polled every 10 s): a thermal or PCIe
 * signal the watch reports reaches the policy only then, so detection
 * latency grows with health.dcgm_watch_period_s. Each node polls at its own
 * phase, fixed from the seed. A period of 0 (no watch, as the reactive
 * policy has) delivers the signal at once. */
static SimTime
dcgm_poll_at (World *w, uint32_t node, SimTime at)
{
  SimTime period = (SimTime) w->care.hp->dcgm_watch_period_ms * 1000;
  if (period <= 0 || at == SIM_NEVER)
    return at;
  uint64_t pk = rng_key_index (w->core.seed, RNG_CLASS_DCGM_PHASE, node, "dcgm-phase");
  SimTime phase = (SimTime) (pk % (uint64_t) period);
  if (at <= phase)
    return phase;
  return phase + (at - phase + period - 1) / period * period;
}

/* The first periodic check at or after t that catches a fault on node,
 * given the check's false-negative probability. */
static SimTime
next_catching_check (World *w, uint32_t node, SimTime t)
{
  SimTime period = (SimTime) w->care.hp->check_period_ms * 1000;
  if (period <= 0)
    return SIM_NEVER;
  uint64_t pk = rng_key_index (w->core.seed, RNG_CLASS_CHECK_PHASE, node, "check-phase");
  SimTime phase = (SimTime) (pk % (uint64_t) period);
  SimTime k = ((t - phase) / period + 1) * period + phase;
  RngStream s;
  rng_stream_init_key (&s, rng_key_index (w->core.seed, RNG_CLASS_CHECK_MISS, node, "check-miss")
                               ^ (uint64_t) t);
  for (int i = 0; i < 1000 && rng_uniform (&s) < w->care.hp->false_negative_prob; i++)
    k += period;
  return k;
}

static void
on_false_positive (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  uint32_t node = (uint32_t) rng_below (&w->sensor.rng_fp, w->hw.n_nodes);
  NodeRt *n = &w->hw.nodes[node];
  if (n->fault_mode == NO_FAULT && !n->busy_action && !n->in_maintenance
      && care_node_state (w, node) == WORLD_NODE_HEALTHY)
    {
      HealthObs o;
      health_obs_init (&o, HEALTH_OBS_DCGM_PASSIVE, to_ms (sim_now (sim)));
      o.node = node;
      o.check = HEALTH_CHECK_DRIVER; /* a soft check: the node turns suspect */
      o.passed = false;
      care_feed (w, &o);
    }
  double dt_h = -log (rng_uniform_pos (&w->sensor.rng_fp)) / w->sensor.fp_rate_per_h;
  SimTime at = sim_now (sim) + h_to_sim (dt_h);
  if (at <= world_length (w))
    sim_at (sim, at, w->core.kinds[EV_FALSE_POS], 0, 0);
}

/* When the node fault's own signal reaches the policy: the mode's
 * detection delay, or for a heartbeat loss without one, the policy's
 * missed heartbeats from a random phase; SIM_NEVER for a silent fault
 * without a delay. */
static SimTime
signal_time (World *w, const FlFailureMode *fm)
{
  SimTime t = sim_now (w->core.sim);
  SimTime delay = simtime_from_s (fm->detect_delay_s);
  if (fm->obs == FL_OBS_HEARTBEAT_LOSS && delay <= 0)
    {
      SimTime hb = (SimTime) w->care.hp->heartbeat_period_ms * 1000;
      if (hb <= 0)
        return SIM_NEVER;
      return t + hb * MAX (1u, w->care.hp->heartbeat_misses)
             + (SimTime) rng_below (&w->faults.rng_misc, (uint64_t) hb);
    }
  if (fm->obs == FL_OBS_SILENT && !(fm->detect_delay_s > 0))
    return SIM_NEVER;
  return t + delay;
}

/* The fault's own signal (an Xid, a missed heartbeat, ...) at `at`, or
 * for a signal of the DCGM health watch (thermal, PCIe) at `dcgm_at`, the
 * watch's next poll. Returns false when the mode has none the policy could
 * act on alone. */
static bool
node_signal (World *w, uint32_t node, const FlFailureMode *fm, int gpu,
             SimTime at, SimTime dcgm_at)
{
  HealthObs o;
  switch (fm->obs)
    {
    case FL_OBS_XID:
      health_obs_init (&o, HEALTH_OBS_XID, 0);
      o.node = node;
      o.gpu = gpu;
      o.xid = fm->xid;
      care_observe_at (w, &o, at, node);
      return true; /* an Xid is logged at once; no need for checks */
    case FL_OBS_HEARTBEAT_LOSS:
      health_obs_init (&o, HEALTH_OBS_HEARTBEAT_MISSED, 0);
      o.node = node;
      break;
    case FL_OBS_SILENT:
    case FL_OBS_JOB_CRASH:
      health_obs_init (&o, HEALTH_OBS_JOB_FAILED, 0);
      o.node = node;
      break;
    case FL_OBS_JOB_HANG:
      health_obs_init (&o, HEALTH_OBS_JOB_HANG, 0);
      o.node = node;
      break;
    case FL_OBS_THERMAL:
      health_obs_init (&o, HEALTH_OBS_THERMAL, 0);
      o.node = node;
      o.gpu = gpu;
      o.counter_value = 95;
      at = dcgm_at;
      break;
    case FL_OBS_PCIE_AER:
      health_obs_init (&o, HEALTH_OBS_DCGM_PASSIVE, 0);
      o.node = node;
      o.check = HEALTH_CHECK_PCIE;
      o.passed = false;
      at = dcgm_at;
      break;
    case FL_OBS_IB_LINK_DOWN:
    case FL_OBS_IB_SYMBOL_ERRORS:
    default:
      return false;
    }
  if (at != SIM_NEVER)
    care_observe_at (w, &o, at, node);
  return false;
}

void
sensor_node_observations (World *w, uint32_t node, const FlFailureMode *fm,
                          int gpu)
{
  SimTime t = sim_now (w->core.sim);
  SimTime at = signal_time (w, fm);
  if (node_signal (w, node, fm, gpu, at, dcgm_poll_at (w, node, at)))
    return;
  /* Periodic health checks catch what the signal above may not. */
  SimTime k = next_catching_check (w, node, t);
  if (k != SIM_NEVER && k <= world_length (w))
    {
      HealthObs o;
      health_obs_init (&o, HEALTH_OBS_DCGM_PASSIVE, 0);
      o.node = node;
      o.gpu = gpu;
      o.check = fm->cls == FL_CLASS_GPU ? HEALTH_CHECK_GPU_MEMORY : HEALTH_CHECK_DRIVER;
      o.passed = false;
      care_observe_at (w, &o, k, node);
    }
}

/* A rack, row or cooling-loop fault: every node of the domain shows the
 * mode's one signal at one instant (a dark rack's heartbeats stop
 * together); no periodic check runs on a node without power or cooling
 * before it, so the domain is detected as one. A signal the policy may not
 * act on alone (a cooling loop's temperature alarm, which the standard
 * policy heeds only with precursors on) is followed by the heartbeat loss
 * of the nodes that tripped, again one instant for the whole domain:
 * without it a dead loop's nodes stayed down, unseen, to the end of the
 * run. */
void
sensor_domain_observations (World *w, const uint32_t *nodes, uint32_t n,
                            const FlFailureMode *fm)
{
  SimTime at = signal_time (w, fm);
  /* A DCGM signal (a loop's temperature alarm) goes out at the first poll
   * of any of the domain's nodes: the alarm is the domain's, one instant. */
  SimTime dcgm_at = SIM_NEVER;
  for (uint32_t i = 0; i < n; i++)
    dcgm_at = MIN (dcgm_at, dcgm_poll_at (w, nodes[i], at));
  SimTime dark = SIM_NEVER;
  SimTime hb = (SimTime) w->care.hp->heartbeat_period_ms * 1000;
  if (n > 0 && fm->obs != FL_OBS_HEARTBEAT_LOSS && at != SIM_NEVER && hb > 0)
    dark = at + hb * MAX (1u, w->care.hp->heartbeat_misses)
           + (SimTime) rng_below (&w->faults.rng_misc, (uint64_t) hb);
  for (uint32_t i = 0; i < n; i++)
    if (!node_signal (w, nodes[i], fm, HEALTH_NO_GPU, at, dcgm_at) && dark != SIM_NEVER)
      {
        HealthObs o;
        health_obs_init (&o, HEALTH_OBS_HEARTBEAT_MISSED, 0);
        o.node = nodes[i];
        care_observe_at (w, &o, dark, nodes[i]);
      }
}

/* ---- precursor signals (world-faults.c decides which failures degrade
 * first and when they fail; these are what the policy sees meanwhile) ----
 *
 * Each degrading part draws its own level, so every precursor threshold of
 * the health policy matters across its range, not only as on/off. No
 * field data gives these levels: the distributions are assumptions,
 * centred on the policies' defaults (docs/models.md, "Precursors"). */

/* Precursor rates: lognormal, median `median` per hour, one decade per
 * standard deviation (assumption). */
#define PRECURSOR_RATE_SIGMA 2.302585092994046 /* ln 10 */

static double
precursor_rate (World *w, double median)
{
  Dist d = dist_lognormal (log (median), PRECURSOR_RATE_SIGMA);
  return dist_sample (&d, &w->sensor.rng_precursor);
}

/* A failing HBM/SRAM part: corrected ECC errors at a rate drawn from a
 * lognormal with median 100/h, and row remaps (Xid 63, field-data §8.2,
 * from the kernel log, so at once) as a Poisson process at 1/100 of that
 * rate (assumption: one remap per hundred corrected errors), until the
 * hard failure, at most 8 of them within a day. The DCGM watch reports
 * the volatile corrected-error count (DCGM_FI_DEV_ECC_SBE_VOL_TOTAL) at its
 * first poll and an hour later, so health.ecc_ce_per_h decides which
 * parts are drained then, health.ecc_xid_count which are drained by their
 * remaps, and health.dcgm_watch_period_s when the counts are seen. */
void
sensor_ecc_precursor (World *w, uint32_t node, int32_t gpu, SimTime fail_at)
{
  SimTime t = sim_now (w->core.sim);
  double ce_per_h = precursor_rate (w, 100.0);
  HealthObs o;
  for (int k = 0; k < 2; k++)
    {
      SimTime at = dcgm_poll_at (w, node, t + SIM_H (k));
      if (at > world_length (w))
        break;
      health_obs_init (&o, HEALTH_OBS_DCGM_PASSIVE, 0);
      o.node = node;
      o.gpu = gpu;
      o.check = HEALTH_CHECK_ECC_CORRECTABLE;
      o.passed = true;
      o.counter_value = (int64_t) llround (ce_per_h * (double) (at - t) / (double) SIM_H (1));
      care_observe_at (w, &o, at, NO_FAULT);
    }
  double remap_per_h = ce_per_h / 100.0;
  SimTime end = MIN (MIN (fail_at, t + SIM_H (24)), world_length (w));
  SimTime at = t;
  for (int k = 0; k < 8; k++)
    {
      at += h_to_sim (-log (rng_uniform_pos (&w->sensor.rng_precursor)) / remap_per_h);
      if (at > end)
        break;
      health_obs_init (&o, HEALTH_OBS_XID, 0);
      o.xid = 63; /* row remapping recorded (field-data §8.2) */
      o.node = node;
      o.gpu = gpu;
      care_observe_at (w, &o, at, NO_FAULT);
    }
}

/* A failing thermal interface: three DCGM temperature readings 10 minutes
 * apart, rising by 1 C to a peak drawn uniformly from 80-95 C (assumption:
 * the H100's slowdown near 87-90 C is unconfirmed, docs/policies.md), so
 * health.thermal_limit_c decides which degrading parts are drained. */
void
sensor_thermal_precursor (World *w, uint32_t node, int32_t gpu)
{
  SimTime t = sim_now (w->core.sim);
  int64_t peak = 80 + (int64_t) rng_below (&w->sensor.rng_precursor, 16);
  for (int k = 0; k < 3; k++)
    {
      HealthObs o;
      health_obs_init (&o, HEALTH_OBS_THERMAL, 0);
      o.counter_value = peak - 2 + k;
      o.node = node;
      o.gpu = gpu;
      care_observe_at (w, &o, dcgm_poll_at (w, node, t + SIM_MIN (10 * k)), NO_FAULT);
    }
}

/* A degrading cable or NIC port: SymbolErrorCounter read now and an hour
 * later, climbing at a rate drawn from a lognormal with median 1,000/h
 * (assumption), saturating at 65,535 (a 16-bit counter, field-data §9.2),
 * so health.symbol_errors_per_h decides which links are disabled. */
void
sensor_symbol_precursor (World *w, uint32_t hlink)
{
  SimTime t = sim_now (w->core.sim);
  double per_h = precursor_rate (w, 1000.0);
  for (int k = 0; k < 2; k++)
    {
      HealthObs o;
      health_obs_init (&o, HEALTH_OBS_IB_COUNTERS, 0);
      o.link = hlink;
      o.node = hlink / w->hw.rails;
      o.port = (int32_t) (hlink % w->hw.rails);
      o.check = HEALTH_IB_SYMBOL_ERROR;
      o.counter_value = k == 0 ? 0 : (int64_t) MIN (65535.0, round (per_h));
      care_observe_at (w, &o, t + SIM_H (k), NO_FAULT);
    }
}

/* A port state change as the fabric reports it: the PortState the SM reads
 * and the trap 128 the leaf sends (field-data §9.3), both at `at`. */
static void
link_state_obs (World *w, uint32_t hlink, int32_t node, int32_t port,
                int32_t state, SimTime at)
{
  HealthObs o;
  health_obs_init (&o, HEALTH_OBS_IB_PORT_STATE, 0);
  o.link = hlink;
  o.node = node < 0 ? HEALTH_NO_NODE : (uint32_t) node;
  o.port = port;
  o.counter_value = state;
  care_observe_at (w, &o, at, NO_FAULT);
  health_obs_init (&o, HEALTH_OBS_IB_TRAP, 0);
  o.link = hlink;
  o.node = node < 0 ? HEALTH_NO_NODE : (uint32_t) node;
  o.port = port;
  o.counter_value = 128;
  care_observe_at (w, &o, at, NO_FAULT);
}

/* A link went down; the policy hears of it at `at` (the failure mode's
 * detection delay after the fault). */
void
sensor_link_down (World *w, uint32_t hlink, int32_t node, int32_t port,
                  SimTime at)
{
  link_state_obs (w, hlink, node, port, HEALTH_IB_PORT_DOWN, at);
}

/* A link came back (by itself, a reseat, a repair): the port returns to
 * Active and the policy is told, never before it was told of the fault
 * (`at` is at least that time), so a flap shorter than the policy's grace
 * period ends the grace timer instead of disabling the port. */
void
sensor_link_up (World *w, uint32_t hlink, int32_t node, int32_t port,
                SimTime at)
{
  link_state_obs (w, hlink, node, port, HEALTH_IB_PORT_ACTIVE, at);
}

/* ---- the module ---- */

static bool
sensor_init (World *w, GError **error)
{
  rng_stream_init (&w->sensor.rng_fp, w->core.seed, "health", "false-positive");
  rng_stream_init (&w->sensor.rng_precursor, w->core.seed, "sensor", "precursor-signal");
  w->core.kinds[EV_FALSE_POS] = sim_register (w->core.sim, "false-positive",
                                              on_false_positive, w);
  return true;
}

/* The first false positive of the cluster-wide stream. */
static bool
sensor_start (World *w, GError **error)
{
  if (w->care.hp->check_period_ms > 0 && w->care.hp->false_positive_prob > 0)
    {
      w->sensor.fp_rate_per_h = w->hw.n_nodes * w->care.hp->false_positive_prob
                                / ((double) w->care.hp->check_period_ms / 3.6e6);
      double dt_h = -log (rng_uniform_pos (&w->sensor.rng_fp)) / w->sensor.fp_rate_per_h;
      if (h_to_sim (dt_h) <= world_length (w))
        sim_at (w->core.sim, h_to_sim (dt_h), w->core.kinds[EV_FALSE_POS], 0, 0);
    }
  return true;
}

const WorldModule world_sensor_module = {
  .name = "sensor", .init = sensor_init, .start = sensor_start,
};
