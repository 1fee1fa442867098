/* tests/lua/test_joblife.c - a finished job's record is released at once
 * (issue #14 item 2: job rows handed off as jobs end).
 *
 * One scenario (64 nodes, four days, an endless main job, a scenario job
 * that completes, ~500 short research jobs, failures at 30x the Llama 3
 * rates so jobs are interrupted and slowed) run through lb_load/world_run:
 *
 *  - records: every job that ended has a NULL slot in jobs.all and every
 *    other a record (the main job keeps its record), and WorldJobs.live
 *    counts them: far fewer than the jobs made;
 *  - rows: Metrics.job_rows has every submitted job exactly once (ids
 *    unique, every job that was not still pending at the end), the ended
 *    ones first in the order they ended (completion times non-decreasing,
 *    as the listener saw them), then the unfinished ones in id order;
 *    each ended row's end_h is the time of its job_completed event;
 *  - sums: summary's ettr, goodput and fabric_slowdown_gpu_hours equal,
 *    bit for bit, the same sums over the rows taken in job-id order (what
 *    finalize always computed), and job_completion_hours is the scenario
 *    job's row's end - submit;
 *  - a sink (world_set_job_rows, as lib/ streams jobs.csv) gets the same
 *    rows in the same order, and none is kept;
 *  - the Lua API: a script asks job_progress and job_nodes of every job
 *    when it completes and again a day later (its record gone by then):
 *    the answers must be equal (1, and no nodes); an unknown name still
 *    gives nil. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"
#include "world-int.h"

static const char scenario[] =
  "cluster { nodes = 64 }\n"
  "failures { scale = 30 }\n"
  "run { length = days (4) }\n"
  "job { name = \"main\", nodes = 32, main = true, checkpoint_every = minutes (30) }\n"
  "job { name = \"short\", nodes = 8, work = hours (5), submit = hours (2),\n"
  "      checkpoint_every = minutes (30) }\n"
  "workload { research_rate = 5, research_max_nodes = 8,\n"
  "           research_mean = minutes (90), research_sd = minutes (60) }\n"
  "local seen = {}\n"
  "on (\"job_completed\", function (e)\n"
  "  local n = job_nodes (e.job)\n"
  "  seen[#seen + 1] = { name = e.job, p = job_progress (e.job), n = #n }\n"
  "end)\n"
  "every (hours (1), function ()\n"
  "  if job_progress (\"no-such-job\") ~= nil or job_nodes (\"no-such-job\") ~= nil then\n"
  "    error (\"an unknown job answered\")\n"
  "  end\n"
  "  for _, s in ipairs (seen) do\n"
  "    local p, n = job_progress (s.name), job_nodes (s.name)\n"
  "    if p ~= s.p or n == nil or #n ~= s.n then\n"
  "      error (string.format (\"%s: progress %s nodes %s after it ended, %s and %d when it did\",\n"
  "             s.name, tostring (p), n and #n or 'nil', tostring (s.p), s.n))\n"
  "    end\n"
  "  end\n"
  "  note (string.format (\"checked %d\", #seen))\n"
  "end)\n";

/* What the listener saw: the time of each job_completed event by name. */
typedef struct
{
  GHashTable *done_h; /* name -> double* hours */
  uint32_t completed;
} Seen;

static void
listen (const WorldEvent *ev, void *ud)
{
  Seen *s = ud;
  if (ev->kind != WEV_JOB_COMPLETED)
    return;
  double *h = g_new (double, 1);
  *h = simtime_to_h (ev->time);
  g_hash_table_insert (s->done_h, g_strdup (ev->job.name), h);
  s->completed++;
}

static int
row_id_cmp (const void *a, const void *b)
{
  const MetricsJob *x = *(const MetricsJob *const *) a;
  const MetricsJob *y = *(const MetricsJob *const *) b;
  return (x->id > y->id) - (x->id < y->id);
}

/* world_set_job_rows' sink: copies of the rows, in the order given. */
static void
collect_row (const MetricsJob *row, void *ud)
{
  MetricsJob r = *row;
  r.name = g_strdup (row->name);
  g_array_append_val ((GArray *) ud, r);
}

/* Runs the scenario (seed 3) with the listener and, when sink is not
 * NULL, its rows handed to collect_row; fails the test when it does not
 * load or run (the script's checks raise). */
static World *
run_scenario (Seen *seen, GArray *sink, LbRun **run)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("fl-joblife-XXXXXX.lua", &path, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_true (g_file_set_contents (path, scenario, -1, NULL));
  LbOptions opt = { .seed = 3 };
  GError *e = NULL;
  *run = lb_load (path, &opt, &e);
  g_unlink (path);
  if (*run == NULL)
    fail_msg ("load: %s", e->message);
  World *w = world_new (lb_config (*run), 3, &e);
  if (w == NULL)
    fail_msg ("world_new: %s", e->message);
  lb_attach (*run, w);
  world_add_listener (w, listen, seen);
  if (sink != NULL)
    world_set_job_rows (w, collect_row, sink);
  if (!world_run (w, &e))
    fail_msg ("run: %s", e->message);
  return w;
}

static void
test_job_records_released (void **state)
{
  (void) state;
  LbRun *run;
  Seen seen = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free), 0 };
  World *w = run_scenario (&seen, NULL, &run);

  /* records */
  const WorldJobs *js = &w->jobs;
  const Metrics *m = world_metrics (w);
  uint32_t n_jobs = js->all->len, live = 0, ended = 0, pending = 0;
  for (uint32_t id = 0; id < n_jobs; id++)
    {
      const Job *j = g_ptr_array_index (js->all, id);
      bool is_ended = id < js->ended->len
                      && g_array_index (js->ended, uint8_t, id) != JOB_ENDED_NOT;
      ended += is_ended;
      if (j != NULL)
        {
          live++;
          pending += j->state == JOB_PENDING;
          assert_true (!is_ended || id == js->main_job);
          assert_true (j->state != JOB_DONE || id == js->main_job);
        }
      else
        assert_true (is_ended);
    }
  assert_int_equal (live, js->live);
  assert_int_equal (ended, seen.completed); /* nothing was dropped here */
  assert_int_equal (ended, m->jobs_completed);
  assert_true (seen.completed > 200);
  assert_true (live < n_jobs / 10);

  /* rows: every job made and not pending at the end, once */
  GArray *rows = m->job_rows;
  assert_int_equal (rows->len, n_jobs - pending);
  assert_int_equal (rows->len, m->jobs_submitted);
  g_autofree const MetricsJob **by_id = g_new (const MetricsJob *, rows->len);
  double last_end = -INFINITY;
  int64_t last_open = -1;
  for (guint i = 0; i < rows->len; i++)
    {
      const MetricsJob *r = &g_array_index (rows, MetricsJob, i);
      by_id[i] = r;
      const double *h = g_hash_table_lookup (seen.done_h, r->name);
      if (i < ended)
        {
          /* the ended jobs, as they ended */
          assert_true (r->completed);
          assert_non_null (h);
          assert_true (r->end_h == *h);
          assert_true (r->end_h >= last_end);
          last_end = r->end_h;
        }
      else
        {
          /* then the unfinished ones, by id */
          assert_false (r->completed);
          assert_null (h);
          assert_true ((int64_t) r->id > last_open);
          last_open = r->id;
        }
    }
  qsort (by_id, rows->len, sizeof *by_id, row_id_cmp);
  for (guint i = 1; i < rows->len; i++)
    assert_true (by_id[i - 1]->id < by_id[i]->id);

  /* sums, in id order, bit for bit */
  double num = 0, den = 0, prod = 0, slow = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      const MetricsJob *r = by_id[i];
      prod += r->productive_h * r->gpus;
      if (!isnan (r->ettr))
        {
          num += r->ettr * r->gpus;
          den += r->gpus;
        }
      slow += r->slowdown_h * r->gpus;
    }
  assert_true (prod > 0 && slow > 0 && den > 0);
  assert_true (m->ettr == num / den);
  assert_true (m->goodput == prod / (world_gpus (w) * m->sim_hours));
  assert_true (m->fabric_slowdown_gpu_hours == slow);

  /* job_completion_hours: main (endless) NaN, short its row's */
  assert_int_equal (m->job_completion_hours->len, 2);
  const MetricsJobTime *t0 = &g_array_index (m->job_completion_hours, MetricsJobTime, 0);
  const MetricsJobTime *t1 = &g_array_index (m->job_completion_hours, MetricsJobTime, 1);
  assert_string_equal (t0->job, "main");
  assert_true (isnan (t0->hours));
  assert_string_equal (t1->job, "short");
  assert_true (by_id[1]->completed);
  assert_true (t1->hours == by_id[1]->end_h - by_id[1]->submit_h);

  /* the script's last check covered the jobs that ended before it */
  const char *last = g_strrstr (world_notes (w), "checked ");
  assert_non_null (last);
  assert_true (strtoul (last + 8, NULL, 10) > 100);

  /* after the run, from C: an ended job's progress is 1, its nodes none */
  assert_true (world_job_progress (w, "short") == 1.0);
  const uint32_t *nodes;
  uint32_t n;
  assert_true (world_job_nodes (w, "short", &nodes, &n));
  assert_int_equal (n, 0);
  assert_false (world_job_nodes (w, "no-such-job", &nodes, &n));

  /* The same run with its rows handed to a sink: the same rows, in the
   * same order, and none kept. */
  g_autoptr (GArray) sunk = g_array_new (FALSE, TRUE, sizeof (MetricsJob));
  Seen seen2 = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free), 0 };
  LbRun *run2;
  World *w2 = run_scenario (&seen2, sunk, &run2);
  assert_int_equal (world_metrics (w2)->job_rows->len, 0);
  assert_int_equal (sunk->len, rows->len);
  for (guint i = 0; i < rows->len; i++)
    {
      MetricsJob *a = &g_array_index (rows, MetricsJob, i);
      MetricsJob *b = &g_array_index (sunk, MetricsJob, i);
      assert_string_equal (a->name, b->name);
      char *name = b->name;
      b->name = a->name;
      assert_memory_equal (a, b, sizeof *a); /* every field, NaNs too */
      g_free (name);
    }
  assert_true (world_metrics (w2)->ettr == m->ettr);
  g_hash_table_unref (seen2.done_h);
  world_free (w2);
  lb_free (run2);

  g_hash_table_unref (seen.done_h);
  world_free (w);
  lb_free (run);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_job_records_released),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
