/* tests/lua/test_express.c - models users bring from other reliability
 * simulators, expressed directly in a scenario (issue #13 item 4), checked
 * against closed forms.
 *
 *  - lose_work = false (restart from the point of failure): three scripted
 *    node failures at known times; the job completes at exactly
 *    work + 3 x restart and loses nothing, where the same job with
 *    checkpoints (lose_work unset) loses the work since its last
 *    checkpoint at each failure (hand-computed below);
 *  - the same with random job crashes (a "job"-class mode of rate r per
 *    node): every replica completes at work + interruptions x restart with
 *    0 lost hours, and the interruptions over the replicas are Poisson with
 *    mean replicas x nodes x r x work (a crash never strikes a restart);
 *  - warm standbys (job{ standbys = N }): node outages replayed from a
 *    trace at known times; two failures are swapped for the standbys in
 *    place (restart + standby_swap each, no queue), the third waits in the
 *    queue until nodes + N are up again and pays host_selection; a job
 *    crash restarts a standby job where it is; the costs add exactly;
 *  - a repair pipeline as data (repair_pipeline{}): over ~3,000 node
 *    faults, the share of repairs reaching each stage (binomial), the
 *    mean pipeline time (sum over stages of P(reach) x mean), the share
 *    of misdiagnoses, the faulty node's mean downtime (detection +
 *    E[T] / (1 - p)) and the healthy nodes' extra downtime per fault
 *    (p / (1 - p) x E[T]) against theory, each within 4 standard errors.
 *
 * Scenarios are Lua texts run through lb_load/world_run; results are read
 * from world_metrics(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"
#include "simtime.h"
#include "stats.h"

/* A job's row after a run. */
typedef struct
{
  double completion_h; /* end - submit; NaN when not completed */
  double lost_h, restart_h, productive_h, queue_h;
  uint32_t interruptions;
} JobOut;

/* Loads scenario text (through a temporary file, as `faultline run` reads
 * one) with seed; NULL with *e when it does not load. */
static LbRun *
load_text (const char *text, uint64_t seed, GError **e)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("fl-express-XXXXXX.lua", &path, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_true (g_file_set_contents (path, text, -1, NULL));
  LbOptions opt = { .seed = seed };
  LbRun *run = lb_load (path, &opt, e);
  g_unlink (path);
  return run;
}

/* Loads text with seed into a world, adds listener fn (if any) and runs
 * it; fails the test when the scenario does not load or run. The caller
 * reads world_metrics() and frees the world, then *run. */
static World *
run_world (const char *text, uint64_t seed, WorldListenerFn fn, void *ud,
           LbRun **run)
{
  GError *e = NULL;
  *run = load_text (text, seed, &e);
  if (*run == NULL)
    fail_msg ("load: %s", e->message);
  World *w = world_new (lb_config (*run), seed, &e);
  if (w == NULL)
    fail_msg ("world_new: %s", e->message);
  lb_attach (*run, w);
  if (fn != NULL)
    world_add_listener (w, fn, ud);
  if (!world_run (w, &e))
    fail_msg ("run: %s", e->message);
  return w;
}

/* Runs text with seed; fills *out with job `job`'s row. Fails the test
 * when the scenario does not load or run. */
static void
run_job (const char *text, uint64_t seed, const char *job, JobOut *out)
{
  LbRun *run;
  World *w = run_world (text, seed, NULL, NULL, &run);
  const Metrics *m = world_metrics (w);
  bool found = false;
  for (guint i = 0; i < m->job_rows->len; i++)
    {
      const MetricsJob *r = &g_array_index (m->job_rows, MetricsJob, i);
      if (strcmp (r->name, job) != 0)
        continue;
      found = true;
      out->completion_h = r->completed ? r->end_h - r->submit_h : NAN;
      out->lost_h = r->lost_h;
      out->restart_h = r->restart_h;
      out->productive_h = r->productive_h;
      out->queue_h = r->queue_h;
      out->interruptions = r->interruptions;
    }
  assert_true (found);
  world_free (w);
  lb_free (run);
}

/* Fails one node of job "a" at 10 h, 30 h and 60 h of simulated time. */
#define THREE_FAILURES                                                  \
  "for _, t in ipairs { hours(10), hours(30), hours(60) } do\n"        \
  "  at (t, function () fail (job_nodes (\"a\")[1]) end)\n"            \
  "end\n"

static void
test_lose_work_scripted (void **state)
{
  const char *base = "cluster { nodes = 32 }\n"
                     "failures { source = \"none\" }\n"
                     "run { length = days(10) }\n" THREE_FAILURES;
  /* work W = 100 h, restart R = 0.5 h, no checkpoint: T = W + 3 R. */
  g_autofree char *keep = g_strconcat (
    base, "job { name = \"a\", nodes = 8, work = hours(100), "
    "restart = minutes(30), lose_work = false }\n", NULL);
  JobOut k;
  run_job (keep, 1, "a", &k);
  assert_int_equal (k.interruptions, 3);
  assert_true (k.lost_h == 0);
  assert_true (fabs (k.restart_h - 3 * 0.5) < 1e-9);
  if (fabs (k.completion_h - (100 + 3 * 0.5)) > 1e-6)
    fail_msg ("lose_work = false: completion %.9f h, expected 101.5 h",
              k.completion_h);
  assert_true (fabs (k.productive_h - 100) < 1e-9);

  /* The same job checkpointing every 4 h of work at no cost, losing work:
   * at 10 h it has done 10 h (checkpoint at 8): loses 2, resumes at
   * 10.5 h from 8; at 30 h it has done 8 + 19.5 = 27.5 (checkpoint at 24):
   * loses 3.5, resumes at 30.5 h from 24; at 60 h it has done
   * 24 + 29.5 = 53.5 (checkpoint at 52): loses 1.5. T = W + 7 + 3 R. */
  g_autofree char *lose = g_strconcat (
    base, "job { name = \"a\", nodes = 8, work = hours(100), "
    "restart = minutes(30), checkpoint_every = hours(4), "
    "checkpoint_cost = 0 }\n", NULL);
  JobOut l;
  run_job (lose, 1, "a", &l);
  assert_int_equal (l.interruptions, 3);
  if (fabs (l.lost_h - 7) > 1e-6 || fabs (l.completion_h - 108.5) > 1e-6)
    fail_msg ("checkpointing job: lost %.9f h (expected 7), completion "
              "%.9f h (expected 108.5)", l.lost_h, l.completion_h);

  /* lose_work = false with explicit checkpoints still pays for them (3
   * min each) and still loses nothing. The interval restarts from the
   * point of failure: checkpoints at 4 and 8 h of work, failure at 10 h
   * (9.9 h done); 4 more before 30 h (29.2 done); 7 before 60 h (58.35
   * done); 10 in the last 41.65 h (none at the end): 23 in all, so
   * T = W + 3 R + 23 x 0.05 = 102.65 h. */
  g_autofree char *both = g_strconcat (
    base, "job { name = \"a\", nodes = 8, work = hours(100), "
    "restart = minutes(30), checkpoint_every = hours(4), "
    "checkpoint_cost = minutes(3), lose_work = false }\n", NULL);
  JobOut b;
  run_job (both, 1, "a", &b);
  assert_true (b.lost_h == 0);
  if (fabs (b.completion_h - (100 + 1.5 + 23 * 0.05)) > 1e-6)
    fail_msg ("lose_work = false with checkpoints: completion %.9f h, "
              "expected 102.65 h", b.completion_h);
}

/* Random crashes of a "job"-class mode: rate r = 1 / 400 h per node, a
 * 16-node job of W = 200 h, restart R = 1 h, 30 replicas. A crash strikes
 * a node of the running job outside its restarts, so the interruptions of
 * one replica are Poisson(16 W r) = Poisson(8) and the replicas' total is
 * Poisson(240): the test accepts it within 4 standard deviations (a false
 * alarm once in ~16,000 seeds; seeds are fixed, so the outcome is too).
 * Each replica's completion is exactly W + interruptions x R. */
static void
test_lose_work_random (void **state)
{
  const char *text =
    "cluster { nodes = 32 }\n"
    "failures { source = \"none\" }\n"
    "failure_mode (\"crash\", { class = \"job\", mtbf = hours(400), "
    "repair = \"none\" })\n"
    "job { name = \"a\", nodes = 16, work = hours(200), restart = hours(1), "
    "lose_work = false }\n"
    "run { length = days(30) }\n";
  const int reps = 30;
  const double W = 200, R = 1, mean1 = 16 * W / 400;
  uint64_t total = 0;
  for (int s = 0; s < reps; s++)
    {
      JobOut o;
      run_job (text, 100 + s, "a", &o);
      total += o.interruptions;
      assert_true (o.lost_h == 0);
      if (fabs (o.completion_h - (W + o.interruptions * R)) > 1e-6)
        fail_msg ("seed %d: completion %.9f h with %u interruptions, "
                  "expected %.9f h", 100 + s, o.completion_h,
                  o.interruptions, W + o.interruptions * R);
    }
  double expect = reps * mean1;
  if (fabs ((double) total - expect) > 4 * sqrt (expect))
    fail_msg ("interruptions %" G_GUINT64_FORMAT " over %d replicas, "
              "Poisson mean %.0f (sd %.1f)", total, reps, expect,
              sqrt (expect));
}

/* ---- per-node failure rates changed at run time ---- */

/* node_failed events per node index. */
typedef struct
{
  uint64_t per_node[16];
} NodeCounts;

static void
count_node_failed (const WorldEvent *ev, void *ud)
{
  NodeCounts *c = ud;
  if (ev->kind == WEV_NODE_FAILED && ev->node >= 0 && ev->node < 16)
    c->per_node[ev->node]++;
}

/* Runs text with seed; returns the error of the run (the scenario's final
 * error() carries what the script saw), NULL if it ran clean. */
static GError *
run_text (const char *text, uint64_t seed, WorldListenerFn fn, void *ud)
{
  GError *e = NULL;
  LbRun *run = load_text (text, seed, &e);
  if (run == NULL)
    return e;
  World *w = world_new (lb_config (run), seed, &e);
  if (w == NULL)
    fail_msg ("world_new: %s", e->message);
  lb_attach (run, w);
  if (fn != NULL)
    world_add_listener (w, fn, ud);
  world_run (w, &e);
  world_free (w);
  lb_free (run);
  return e;
}

/* Each case's text, appended to `prelude` (whole lines), fails to run
 * with an error that contains `want`; with at_line, at the case's line of
 * the scenario (the line after the prelude). */
typedef struct
{
  const char *text, *want;
} BadCase;

static void
expect_errors (const char *prelude, const BadCase *cases, size_t n, bool at_line)
{
  int line = 1;
  for (const char *c = prelude; *c != '\0'; c++)
    line += *c == '\n';
  g_autofree char *where = g_strdup_printf (".lua:%d:", line);
  for (size_t i = 0; i < n; i++)
    {
      g_autofree char *text = g_strconcat (prelude, cases[i].text, "\n", NULL);
      GError *e = run_text (text, 1, NULL, NULL);
      if (e == NULL || strstr (e->message, cases[i].want) == NULL
          || (at_line && strstr (e->message, where) == NULL))
        fail_msg ("%s: got '%s', want '%s'%s%s", cases[i].text,
                  e ? e->message : "no error", cases[i].want,
                  at_line ? " at " : "", at_line ? where : "");
      g_error_free (e);
    }
}

/* |observed - expected| within z standard deviations of a Poisson count. */
static void
check_poisson (const char *what, uint64_t observed, double expected, double z)
{
  if (fabs ((double) observed - expected) > z * sqrt (expected))
    fail_msg ("%s: %" G_GUINT64_FORMAT " failures, Poisson mean %.1f "
              "(sd %.1f)", what, observed, expected, sqrt (expected));
}

/* One host mode, mtbf 200 h per node, repaired in ~1 s (downtime is
 * negligible), 2,400 h: a node fails Poisson(12) times. From time 0
 * set_node_rate makes node0008 fail 50 times as often (Poisson(600)) and
 * nodes 0-7 a quarter as often (together Poisson(24)); nodes 9-15 keep
 * the catalogue's rate (together Poisson(84)). Each count within 4
 * standard deviations. */
static void
test_node_rate_poisson (void **state)
{
  NodeCounts c = { 0 };
  GError *e = run_text (
    "cluster { nodes = 16 }\n"
    "failures { source = \"none\" }\n"
    "failure_mode (\"hw\", { class = \"node\", mtbf = hours(200), "
    "repair = \"none\", repair_time = seconds(1) })\n"
    "run { length = hours(2400) }\n"
    "at (0, function ()\n"
    "  assert (node_rate (\"node0008\") == 1)\n"
    "  set_node_rate (\"node0008\", 50)\n"
    "  for i = 0, 7 do set_node_rate (string.format (\"node%04d\", i), 0.25) end\n"
    "  assert (node_rate (\"node0008\") == 50)\n"
    "end)\n",
    11, count_node_failed, &c);
  if (e != NULL)
    fail_msg ("run: %s", e->message);
  uint64_t low = 0, base = 0;
  for (int i = 0; i < 8; i++)
    low += c.per_node[i];
  for (int i = 9; i < 16; i++)
    base += c.per_node[i];
  check_poisson ("node0008 at x50", c.per_node[8], 50 * 2400 / 200.0, 4);
  check_poisson ("nodes 0-7 at x0.25", low, 8 * 0.25 * 2400 / 200.0, 4);
  check_poisson ("nodes 9-15 at x1", base, 7 * 2400 / 200.0, 4);
}

/* A repair resets a multiplier with the probability given: never with 0,
 * always with 1 (scripted fail and repair); with 0.25, over 16 nodes at
 * x50 for 60 days, the share of repairs of an elevated node that reset it
 * is 0.25 within 4 binomial standard deviations. */
static void
test_node_rate_reset (void **state)
{
  GError *e = run_text (
    "cluster { nodes = 16 }\n"
    "failures { source = \"none\" }\n"
    "run { length = hours(1) }\n"
    "local seen = {}\n"
    "at (seconds(1), function ()\n"
    "  set_node_rate (\"node0001\", 5)\n"
    "  fail (\"node0001\"); repair (\"node0001\")\n"
    "  seen[#seen+1] = node_rate (\"node0001\")\n"
    "  set_node_rate (\"node0001\", 5, 1)\n"
    "  fail (\"node0001\"); repair (\"node0001\")\n"
    "  seen[#seen+1] = node_rate (\"node0001\")\n"
    "  error (\"seen=\" .. table.concat (seen, \",\"))\n"
    "end)\n",
    1, NULL, NULL);
  assert_non_null (e);
  if (strstr (e->message, "seen=5.0,1.0") == NULL)
    fail_msg ("got %s", e->message);
  g_error_free (e);

  e = run_text (
    "cluster { nodes = 16 }\n"
    "failures { source = \"none\" }\n"
    "failure_mode (\"hw\", { class = \"node\", mtbf = hours(1000), "
    "repair = \"none\", repair_time = minutes(1) })\n"
    "run { length = days(60) }\n"
    "local elevated, trials, resets = {}, 0, 0\n"
    "at (0, function ()\n"
    "  for i = 0, 15 do\n"
    "    local n = string.format (\"node%04d\", i)\n"
    "    set_node_rate (n, 50, 0.25)\n"
    "    elevated[n] = true\n"
    "  end\n"
    "end)\n"
    "on (\"component_repaired\", function (ev)\n"
    "  if ev.node and elevated[ev.component] then\n"
    "    trials = trials + 1\n"
    "    if node_rate (ev.component) == 1 then\n"
    "      resets = resets + 1\n"
    "      elevated[ev.component] = nil\n"
    "    end\n"
    "  end\n"
    "end)\n"
    "at (days(60), function ()\n"
    "  error (string.format (\"trials=%d resets=%d\", trials, resets))\n"
    "end)\n",
    3, NULL, NULL);
  assert_non_null (e);
  const char *t = strstr (e->message, "trials=");
  if (t == NULL)
    fail_msg ("got %s", e->message);
  unsigned trials = 0, resets = 0;
  assert_int_equal (sscanf (t, "trials=%u resets=%u", &trials, &resets), 2);
  g_error_free (e);
  assert_true (trials >= 40); /* 16 nodes x 4 expected repairs each */
  double p = 0.25, sd = sqrt (p * (1 - p) / trials);
  if (fabs ((double) resets / trials - p) > 4 * sd)
    fail_msg ("%u resets in %u repairs of elevated nodes, expected share "
              "0.25 (sd %.3f)", resets, trials, sd);
}

static void
test_node_rate_errors (void **state)
{
  static const BadCase cases[] = {
    { "set_node_rate (\"node0001\", 2)", "set_node_rate() changes the running cluster" },
    { "node_rate (\"node0001\")", "node_rate() reads the running cluster" },
    { "at (1, function () set_node_rate (\"spine-000\", 2) end)",
      "set_node_rate(): 'spine-000' is not a node" },
    { "at (1, function () set_node_rate (\"node0001\", -1) end)",
      "node_rate.multiplier = -1 is out of range" },
    { "at (1, function () set_node_rate (\"node0001\", 2, 1.5) end)",
      "node_rate.reset_probability = 1.5 is out of range" },
    { "at (1, function () set_node_rate (\"node0001\", 0/0) end)",
      "node_rate.multiplier" },
    { "at (1, function () node_rate (\"node9999\") end)",
      "node_rate(): 'node9999' is not a node" },
  };
  expect_errors ("cluster { nodes = 16 }\nfailures { source = \"none\" }\n"
                 "run { length = hours(1) }\n", cases, G_N_ELEMENTS (cases), false);
}

/* ---- failure modes that strike only while a job computes ---- */

typedef struct
{
  uint64_t failed, node_failed, node_repaired;
} ModeCounts;

static void
count_mode (const WorldEvent *ev, void *ud)
{
  ModeCounts *c = ud;
  if (ev->kind == WEV_COMPONENT_FAILED && ev->fault.mode != NULL
      && strcmp (ev->fault.mode, "sdc") == 0)
    c->failed++;
  else if (ev->kind == WEV_NODE_FAILED)
    c->node_failed++;
  else if (ev->kind == WEV_COMPONENT_REPAIRED && ev->node >= 0)
    c->node_repaired++;
}

/* A GPU mode with when = "computing", 8 GPUs x 1/400 h per node, on 16
 * nodes for 2,400 h; one endless 8-node job that spends much of its time
 * checkpointing (15 min every hour of work) and restarting (30 min). The
 * mode's failures are Poisson over the job's compute node-hours:
 * expected = 8/400 x 8 x compute_h, compute_h = 2,400 - queue - restart -
 * checkpoint hours (the job's own accounts), within 4 sd; every failure
 * interrupts the job (none hits an idle, restarting or checkpointing
 * node) and takes a node down into repair (a reboot, 30 min), and the
 * repairs bring it back. Without when = "computing" the same mode strikes
 * all 16 nodes all the time, ~768 failures. */
static void
test_compute_only (void **state)
{
  const char *text =
    "cluster { nodes = 16 }\n"
    "failures { source = \"none\" }\n"
    "failure_mode (\"sdc\", { class = \"gpu\", mtbf = hours(400), "
    "repair = \"reboot\", repair_time = minutes(30), when = \"computing\" })\n"
    "job { name = \"a\", nodes = 8, checkpoint_every = hours(1), "
    "checkpoint_cost = minutes(15), restart = minutes(30) }\n"
    "run { length = hours(2400) }\n";
  ModeCounts c = { 0 };
  LbRun *run;
  World *w = run_world (text, 21, count_mode, &c, &run);
  const Metrics *m = world_metrics (w);
  const MetricsJob *j = &g_array_index (m->job_rows, MetricsJob, 0);
  double compute_h = 2400 - j->queue_h - j->restart_h - j->checkpoint_h;
  double expect = 8.0 / 400 * 8 * compute_h;
  /* the job's compute node-hours (8 x ~1,840 here) are well under the
   * node-hours the mode would strike without the key (16 x 2,400), so
   * the Poisson check can tell them apart */
  assert_true (compute_h < 0.9 * 2400 && compute_h > 0.3 * 2400);
  assert_int_equal (m->failures, c.failed);
  check_poisson ("sdc failures over compute time", c.failed, expect, 4);
  assert_int_equal (j->interruptions, c.failed);
  assert_int_equal (c.node_failed, c.failed);
  assert_true (c.node_repaired + 2 >= c.failed); /* at most the last ones pending */
  world_free (w);
  lb_free (run);
}

static void
test_compute_only_errors (void **state)
{
  static const BadCase cases[] = {
    { "failure_mode (\"x\", { class = \"leaf\", mtbf = hours(10), when = \"computing\" })",
      "when = \"computing\" needs a gpu, node or job mode" },
    { "failure_mode (\"x\", { class = \"gpu\", mtbf = hours(10), when = \"idle\" })",
      "failure mode 'x': unknown when value 'idle' (valid: always, computing)" },
    { "failure_mode (\"x\", { class = \"gpu\", when = true })",
      "key 'when' must be" },
  };
  expect_errors ("cluster { nodes = 16 }\nfailures { source = \"none\" }\n", cases,
                 G_N_ELEMENTS (cases), true);
}

/* ---- warm standbys ---- */

/* A 12-node cluster whose node outages come from a trace (down exactly
 * from start to end, the policy sees nothing). Job "a" (8 nodes + 2
 * standbys, first-fit: nodes 0-7, standbys 8 and 9) loses nothing
 * (lose_work = false), so its completion is work + the time it does not
 * compute. Outages (hours): nodes 10, 11 from 5 to 60 (idle: no effect);
 * node 0 from 10 and node 1 from 20 (swapped for 8 and 9: restart R +
 * swap S each, in place); node 2 from 30 to 50: no standby left, the job
 * goes to the queue and needs 8 + 2 = 10 up nodes: 12 - 5 = 7 until 50 h,
 * 8 at 50 h, 10 at 60 h, so it restarts at 60 h paying R + host
 * selection H. Completion = W + 2 (R + S) + 30 + R + H, 30 h of it queued.
 * Without standbys each outage sends the job through the queue (R + H):
 * the first two restart at once on idle nodes, the third waits from 30 h
 * for 8 up nodes, which node 2 brings back at 50 h. */
static const char STANDBY_TRACE[] =
  "node_id,event_time,event_type,Level,Class,Desc\n"
  "node0010,0.208333333333333,fault_start,,PSU,\n"
  "node0011,0.208333333333333,fault_start,,PSU,\n"
  "node0000,0.416666666666667,fault_start,,PSU,\n"
  "node0001,0.833333333333333,fault_start,,PSU,\n"
  "node0002,1.25,fault_start,,PSU,\n"
  "node0002,2.083333333333333,fault_end,,PSU,\n"
  "node0010,2.5,fault_end,,PSU,\n"
  "node0011,2.5,fault_end,,PSU,\n"
  "node0000,8.333333333333333,fault_end,,PSU,\n"
  "node0001,8.333333333333333,fault_end,,PSU,\n";

static char *
standby_scenario (const char *trace, const char *job)
{
  return g_strdup_printf (
    "cluster { nodes = 12 }\n"
    "failures { source = \"none\" }\n"
    "health_params = { false_positive_prob = 0 }\n"
    "failure_trace { file = \"%s\", repair = \"trace\", "
    "map = { node0000 = \"node0000\", node0001 = \"node0001\", "
    "node0002 = \"node0002\", node0010 = \"node0010\", "
    "node0011 = \"node0011\" } }\n"
    "%s\n"
    "run { length = days(12) }\n", trace, job);
}

static void
test_standbys_trace (void **state)
{
  g_autofree char *trace = NULL;
  int fd = g_file_open_tmp ("fl-standby-XXXXXX.csv", &trace, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_true (g_file_set_contents (trace, STANDBY_TRACE, -1, NULL));
  const double W = 100, R = 0.5, S = 0.25, H = 0.1;

  g_autofree char *with = standby_scenario (trace,
    "job { name = \"a\", nodes = 8, work = hours(100), restart = minutes(30), "
    "lose_work = false, standbys = 2, standby_swap = minutes(15), "
    "host_selection = minutes(6) }");
  JobOut a;
  run_job (with, 1, "a", &a);
  assert_int_equal (a.interruptions, 3);
  assert_true (a.lost_h == 0);
  double want = W + 2 * (R + S) + 30 + R + H;
  if (fabs (a.completion_h - want) > 1e-6
      || fabs (a.restart_h - (3 * R + 2 * S + H)) > 1e-6
      || fabs (a.queue_h - 30) > 1e-6)
    fail_msg ("standbys: completion %.9f h (expected %.9f), restart %.9f h "
              "(expected %.9f), queued %.9f h (expected 30)", a.completion_h,
              want, a.restart_h, 3 * R + 2 * S + H, a.queue_h);

  /* No standbys: three restarts through the queue, 20 h of waiting. */
  g_autofree char *without = standby_scenario (trace,
    "job { name = \"a\", nodes = 8, work = hours(100), restart = minutes(30), "
    "lose_work = false, host_selection = minutes(6) }");
  JobOut b;
  run_job (without, 1, "a", &b);
  assert_int_equal (b.interruptions, 3);
  want = W + 3 * (R + H) + 20;
  if (fabs (b.completion_h - want) > 1e-6 || fabs (b.queue_h - 20) > 1e-6)
    fail_msg ("no standbys: completion %.9f h (expected %.9f), queued %.9f h",
              b.completion_h, want, b.queue_h);
  g_unlink (trace);
}

/* A job crash (a "job"-class mode) takes no node: a standby job restarts
 * where it is, paying R only (no swap, no host selection, no queue); the
 * same job without standbys goes through the queue and pays R + H. Every
 * replica's completion is W + interruptions x that cost. */
static void
test_standbys_crash_in_place (void **state)
{
  const double W = 200, R = 1, H = 0.5;
  for (int with = 0; with <= 1; with++)
    {
      g_autofree char *text = g_strdup_printf (
        "cluster { nodes = 32 }\n"
        "failures { source = \"none\" }\n"
        "failure_mode (\"crash\", { class = \"job\", mtbf = hours(400), "
        "repair = \"none\" })\n"
        "job { name = \"a\", nodes = 16, work = hours(200), restart = hours(1), "
        "lose_work = false, host_selection = minutes(30), "
        "standby_swap = hours(7)%s }\n"
        "run { length = days(30) }\n", with ? ", standbys = 4" : "");
      uint32_t total = 0;
      for (int s = 0; s < 5; s++)
        {
          JobOut o;
          run_job (text, 300 + s, "a", &o);
          total += o.interruptions;
          double per = with ? R : R + H;
          if (fabs (o.completion_h - (W + o.interruptions * per)) > 1e-6
              || o.queue_h > 1e-9)
            fail_msg ("standbys %d, seed %d: completion %.9f h with %u "
                      "interruptions (expected %.9f h), queued %.9f h",
                      with ? 4 : 0, 300 + s, o.completion_h, o.interruptions,
                      W + o.interruptions * per, o.queue_h);
        }
      assert_true (total > 10); /* the crashes did happen */
    }
}

/* Bad standby values are refused naming the key. */
static void
test_standbys_errors (void **state)
{
  static const BadCase cases[] = {
    { "job { name = \"a\", nodes = 8, standbys = 1.5 }", "job.standbys" },
    { "job { name = \"a\", nodes = 8, standbys = -1 }", "job.standbys" },
    { "job { name = \"a\", nodes = 8, standby_swap = -5 }", "job.standby_swap" },
    { "job { name = \"a\", nodes = 8, host_selection = \"x\" }",
      "key 'host_selection' must be a number" },
    { "job { name = \"a\", nodes = 10, standbys = 7 }",
      "job 'a' needs 10 nodes and 7 standbys but the cluster has 16" },
  };
  expect_errors ("cluster { nodes = 16 }\nfailures { source = \"none\" }\n", cases,
                 G_N_ELEMENTS (cases), false);
}

/* ---- a repair pipeline as data ---- */

/* What the run showed of the pipeline. */
typedef struct
{
  double fail_at[64];      /* per node: when its fault started, or -1 */
  double start[64];        /* per node: when its current pipeline started, or -1 */
  bool wrong[64];          /* that pipeline is a misdiagnosed one */
  StatsOnline faulty_down; /* node_failed -> component_repaired (hours) */
  StatsOnline pipe;        /* first stage -> return_to_service (hours) */
  double wrong_down_h;     /* healthy nodes' time in repair */
  uint64_t faults, stage[3], diagnoses, wrongs;
} PipeSeen;

static int
stage_index (const char *name)
{
  static const char *const names[] = { "auto", "manual", "vendor" };
  for (int i = 0; i < 3; i++)
    if (name != NULL && strcmp (name, names[i]) == 0)
      return i;
  return -1;
}

static void
pipe_listen (const WorldEvent *ev, void *ud)
{
  PipeSeen *p = ud;
  double t = simtime_to_h (ev->time);
  if (ev->node < 0 || ev->node >= 64)
    return;
  int n = ev->node;
  if (ev->kind == WEV_NODE_FAILED && ev->fault.mode != NULL
      && strcmp (ev->fault.mode, "hw") == 0)
    {
      p->fail_at[n] = t;
      p->faults++;
    }
  else if (ev->kind == WEV_COMPONENT_REPAIRED && p->fail_at[n] >= 0)
    {
      stats_online_add (&p->faulty_down, t - p->fail_at[n]);
      p->fail_at[n] = -1;
    }
  else if (ev->kind == WEV_POLICY_ACTION && ev->action.reason != NULL
           && g_str_has_prefix (ev->action.reason, "repair pipeline"))
    {
      bool wrong = strstr (ev->action.reason, "misdiagnosed") != NULL;
      int k = stage_index (ev->action.action);
      if (k >= 0)
        p->stage[k]++;
      if (k == 0)
        {
          assert_true (p->start[n] < 0); /* one pipeline at a time per node */
          p->start[n] = t;
          p->wrong[n] = wrong;
          p->diagnoses++;
          p->wrongs += wrong;
        }
      else if (k < 0)
        {
          /* return_to_service: the pipeline is over */
          assert_true (p->start[n] >= 0 && p->wrong[n] == wrong);
          stats_online_add (&p->pipe, t - p->start[n]);
          if (wrong)
            p->wrong_down_h += t - p->start[n];
          p->start[n] = -1;
        }
    }
}

static void
check_within (const char *what, double got, double want, double se)
{
  printf ("# %s: %.5g, theory %.5g, 4 standard errors %.3g\n", what, got, want, 4 * se);
  if (!(fabs (got - want) <= 4 * se))
    fail_msg ("%s: %.5g, theory %.5g (4 standard errors: %.3g)", what, got, want,
              4 * se);
}

/* 64 nodes; one node mode "hw" (MTBF 2,000 h, seen after 30 min); stages
 * auto (exponential, mean 1 h, fixes 70%), manual (exponential, 6 h,
 * 50%), vendor (lognormal, mean 24 h, sd 12 h); misdiagnosis 0.2. Twelve
 * years of cluster time over 6 seeds: ~3,000 faults. E[T] = 1 + 0.3 x 6 +
 * 0.15 x 24 = 6.4 h. The nodes never fail while being repaired (the check
 * above would see it); a wrong node's own fault at that time is rare
 * enough (~0.3%) not to matter at this tolerance. */
static void
test_repair_pipeline_theory (void **state)
{
  const char *text =
    "cluster { nodes = 64 }\n"
    "failures { source = \"none\" }\n"
    "health_params = { false_positive_prob = 0 }\n"
    "failure_mode (\"hw\", { class = \"node\", mtbf = hours(2000), "
    "repair = \"replace\", detect_delay = minutes(30) })\n"
    "repair_pipeline {\n"
    "  { name = \"auto\", mean = hours(1), success = 0.7 },\n"
    "  { name = \"manual\", dist = \"exponential\", mean = hours(6), success = 0.5 },\n"
    "  { name = \"vendor\", dist = \"lognormal\", mean = hours(24), sd = hours(12) },\n"
    "  misdiagnosis = 0.2,\n"
    "}\n"
    "run { length = days(730) }\n";
  const double s1 = 0.7, s2 = 0.5, p = 0.2, d = 0.5;
  const double ET = 1 + (1 - s1) * 6 + (1 - s1) * (1 - s2) * 24;
  /* Var T: E[T^2] - E[T]^2 with the stages' second moments (exp: 2 m^2;
   * lognormal: m^2 + sd^2) and the reach of each prefix. */
  const double m1 = 1, m2 = 6, m3 = 24, v3 = 144;
  const double r2 = 1 - s1, r3 = (1 - s1) * (1 - s2);
  const double ET2 = 2 * m1 * m1 + r2 * (2 * m2 * m2 + 2 * m1 * m2)
                     + r3 * (m3 * m3 + v3 + 2 * (m1 + m2) * m3);
  PipeSeen seen = { 0 };
  stats_online_init (&seen.faulty_down);
  stats_online_init (&seen.pipe);
  for (int s = 0; s < 6; s++)
    {
      for (int i = 0; i < 64; i++)
        seen.fail_at[i] = seen.start[i] = -1;
      GError *e = run_text (text, 500 + s, pipe_listen, &seen);
      if (e != NULL)
        fail_msg ("run: %s", e->message);
    }
  assert_true (seen.faults > 2500);
  /* Stage mix: of the pipelines, 30% reach manual, 15% vendor. */
  double n0 = (double) seen.stage[0];
  check_within ("share reaching manual", seen.stage[1] / n0, r2,
                sqrt (r2 * (1 - r2) / n0));
  check_within ("share reaching vendor", seen.stage[2] / n0, r3,
                sqrt (r3 * (1 - r3) / n0));
  /* The pipeline's time. */
  double n = (double) seen.pipe.n;
  check_within ("mean pipeline time (h)", stats_online_mean (&seen.pipe), ET,
                sqrt ((ET2 - ET * ET) / n));
  /* Misdiagnoses: a share p of the diagnoses. */
  check_within ("share misdiagnosed", (double) seen.wrongs / seen.diagnoses, p,
                sqrt (p * (1 - p) / seen.diagnoses));
  /* The faulty node: d + the sum of a Geometric(1 - p) number of T's:
   * mean E[T] / (1 - p), variance E[G] Var T + Var G E[T]^2. */
  double nf = (double) seen.faulty_down.n;
  double EG = 1 / (1 - p), VG = p / ((1 - p) * (1 - p));
  double vf = EG * (ET2 - ET * ET) + VG * ET * ET;
  check_within ("faulty node's downtime (h)", stats_online_mean (&seen.faulty_down),
                d + ET / (1 - p), sqrt (vf / nf));
  /* Healthy nodes' extra downtime per fault: p / (1 - p) x E[T]; per
   * fault the sum of G - 1 T's: variance E[G - 1] Var T + Var G E[T]^2. */
  double vh = p / (1 - p) * (ET2 - ET * ET) + VG * ET * ET;
  check_within ("healthy downtime per fault (h)", seen.wrong_down_h / nf,
                p / (1 - p) * ET, sqrt (vh / nf));
}

/* A pipeline's diagnosis detects the fault: the run's detection latency
 * is the mode's detect_delay (here a constant 30 min), not "none". */
static void
test_repair_pipeline_detection (void **state)
{
  const char *text =
    "cluster { nodes = 16 }\n"
    "failures { source = \"none\" }\n"
    "failure_mode (\"hw\", { class = \"node\", mtbf = hours(500), "
    "repair = \"replace\", detect_delay = minutes(30) })\n"
    "repair_pipeline { { name = \"auto\", mean = hours(1) } }\n"
    "run { length = days(30) }\n";
  LbRun *run;
  World *w = run_world (text, 11, NULL, NULL, &run);
  const Metrics *m = world_metrics (w);
  assert_true (m->failures > 5);
  printf ("# detection latency p50 %.3f min over %" G_GUINT64_FORMAT " failures\n",
          m->detection_latency_minutes_p50, (guint64) m->failures);
  assert_true (fabs (m->detection_latency_minutes_p50 - 30.0) < 0.5);
  world_free (w);
  lb_free (run);
}

/* Bad pipelines are refused at their line, naming the stage and key. */
static void
test_repair_pipeline_errors (void **state)
{
  static const BadCase cases[] = {
    { "repair_pipeline { }", "0 stages" },
    { "repair_pipeline { { name = \"a\", mean = 60, success = 0.5 } }",
      "the last stage 'a' has success = 0.5" },
    { "repair_pipeline { { name = \"a\", mean = 60, sucess = 1 } }",
      "stage 1: unknown key 'sucess', did you mean 'success'?" },
    { "repair_pipeline { { name = \"a\" } }", "stage 1: key 'mean'" },
    { "repair_pipeline { { name = \"a\", mean = 60, dist = \"gamma\" } }",
      "unknown dist 'gamma'" },
    { "repair_pipeline { { name = \"a\", mean = 60 }, { name = \"a\", mean = 60 } }",
      "stage 'a' is given twice" },
    { "repair_pipeline { { name = \"a\", mean = 60 }, misdiagnosis = 1 }",
      "repair_pipeline.misdiagnosis" },
    { "repair_pipeline { { name = \"a\", mean = 60, success = 2 } }",
      "repair_pipeline.success" },
    { "repair_pipeline { { name = \"a\", mean = 60 }, extra = 1 }", "unknown key 'extra'" },
    { "repair_pipeline { 5 }", "stage 1 must be a table" },
  };
  expect_errors ("cluster { nodes = 16 }\nfailures { source = \"none\" }\n", cases,
                 G_N_ELEMENTS (cases), true);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_lose_work_scripted),
    cmocka_unit_test (test_lose_work_random),
    cmocka_unit_test (test_node_rate_poisson),
    cmocka_unit_test (test_node_rate_reset),
    cmocka_unit_test (test_node_rate_errors),
    cmocka_unit_test (test_compute_only),
    cmocka_unit_test (test_compute_only_errors),
    cmocka_unit_test (test_standbys_trace),
    cmocka_unit_test (test_standbys_crash_in_place),
    cmocka_unit_test (test_standbys_errors),
    cmocka_unit_test (test_repair_pipeline_theory),
    cmocka_unit_test (test_repair_pipeline_detection),
    cmocka_unit_test (test_repair_pipeline_errors),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
