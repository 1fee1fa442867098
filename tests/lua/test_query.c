/* tests/lua/test_query.c - the queries that return tables during a run
 * (lua/api-query.c): job_nodes() and node_history().
 *
 *  - job_nodes: a running job's nodes are distinct node names, two jobs
 *    share none, a queued job holds none, an unknown job is nil, and after
 *    one of its nodes fails the restarted job no longer holds it;
 *  - node_history: a scripted failure is recorded with its time and mode,
 *    a repair closes it at the repair's time, a second failure opens a new
 *    record; totals over a run with random failures equal the node_failed
 *    and node component_repaired events a C listener counted up to the
 *    moment the script asked;
 *  - both are errors at load time, node_history of a non-node too.
 * Observations leave the Lua state through a final error() whose message
 * the test reads (as tests/lua/test_api.c does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

typedef struct
{
  uint64_t node_failed;   /* node_failed events */
  uint64_t node_repaired; /* component_repaired events of a node */
} Counts;

static void
count_events (const WorldEvent *ev, void *ud)
{
  Counts *c = ud;
  if (ev->kind == WEV_NODE_FAILED)
    c->node_failed++;
  else if (ev->kind == WEV_COMPONENT_REPAIRED && ev->node >= 0)
    c->node_repaired++;
}

/* Loads text as a scenario and runs it; returns the load error or the
 * run's error (NULL when both succeed). */
static GError *
run_text (const char *text, Counts *counts)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("fl-query-XXXXXX.lua", &path, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_true (g_file_set_contents (path, text, -1, NULL));
  GError *e = NULL;
  LbOptions opt = { .seed = 5 };
  LbRun *run = lb_load (path, &opt, &e);
  g_unlink (path);
  if (run == NULL)
    return e;
  World *w = world_new (lb_config (run), 5, &e);
  if (w == NULL)
    print_error ("world_new: %s\n", e->message);
  assert_non_null (w);
  lb_attach (run, w);
  if (counts != NULL)
    world_add_listener (w, count_events, counts);
  bool ok = world_run (w, &e);
  assert_true (ok == (e == NULL));
  world_free (w);
  lb_free (run);
  return e;
}

static void
expect_message (GError *e, const char *want)
{
  assert_non_null (e);
  if (strstr (e->message, want) == NULL)
    print_error ("got: %s\nwant: %s\n", e->message, want);
  assert_non_null (strstr (e->message, want));
  g_error_free (e);
}

#define SMALL "cluster { nodes = 64 }\nfailures { source = \"none\" }\n" \
              "run { length = days(1) }\n"

static void
test_job_nodes (void **state)
{
  GError *e = run_text (
    SMALL
    "job { name = \"a\", nodes = 8 }\n"
    "job { name = \"b\", nodes = 8 }\n"
    "job { name = \"late\", nodes = 4, submit = hours(20) }\n"
    "local seen, first = {}, nil\n"
    "at (hours(1), function ()\n"
    "  local a, b = job_nodes (\"a\"), job_nodes (\"b\")\n"
    "  local names = {}\n"
    "  for _, n in ipairs (a) do names[n] = true end\n"
    "  local distinct = 0\n"
    "  for _ in pairs (names) do distinct = distinct + 1 end\n"
    "  local shared = 0\n"
    "  for _, n in ipairs (b) do if names[n] then shared = shared + 1 end end\n"
    "  for _, n in ipairs (a) do assert (state (n) == \"healthy\") end\n"
    "  seen[#seen+1] = #a .. \"/\" .. distinct .. \"/\" .. #b .. \"/\" .. shared\n"
    "  seen[#seen+1] = #job_nodes (\"late\")\n"
    "  seen[#seen+1] = tostring (job_nodes (\"nope\"))\n"
    "  first = a[1]\n"
    "  seen[#seen+1] = fail (first)\n"
    "  seen[#seen+1] = #job_nodes (\"a\")\n"
    "end)\n"
    "at (hours(2), function ()\n"
    "  local a = job_nodes (\"a\")\n"
    "  local has = false\n"
    "  for _, n in ipairs (a) do has = has or n == first end\n"
    "  seen[#seen+1] = #a\n"
    "  seen[#seen+1] = tostring (has)\n"
    "  error (\"seen=\" .. table.concat (seen, \",\"))\n"
    "end)\n",
    NULL);
  /* 8 distinct nodes each, none shared; the late job holds none; an
   * unknown job is nil; the failed node's job holds none while it waits,
   * then 8 again without the failed node. */
  expect_message (e, "seen=8/8/8/0,0,nil,1,0,8,false");
}

static void
test_node_history (void **state)
{
  GError *e = run_text (
    SMALL
    "local seen = {}\n"
    "local function show (h)\n"
    "  local out = {}\n"
    "  for _, r in ipairs (h) do\n"
    "    out[#out+1] = string.format (\"%.0f:%s:%s:%s\", r.time, r.mode,\n"
    "                                 r.cause, tostring (r.repaired))\n"
    "  end\n"
    "  return #h .. \"[\" .. table.concat (out, \";\") .. \"]\"\n"
    "end\n"
    "at (hours(1), function ()\n"
    "  seen[#seen+1] = show (node_history (\"node0005\"))\n"
    "  fail (\"node0005\")\n"
    "end)\n"
    "at (hours(1.5), function () seen[#seen+1] = show (node_history (\"node0005\")) end)\n"
    "at (hours(2), function ()\n"
    "  repair (\"node0005\")\n"
    "  seen[#seen+1] = show (node_history (\"node0005\"))\n"
    "end)\n"
    "at (hours(3), function ()\n"
    "  fail (\"node0005/gpu2\")\n"
    "  seen[#seen+1] = show (node_history (\"node0005\"))\n"
    "  seen[#seen+1] = show (node_history (\"node0006\"))\n"
    "  error (\"seen=\" .. table.concat (seen, \" \"))\n"
    "end)\n",
    NULL);
  expect_message (e, "seen=0[] "
                  "1[3600:scripted_node:Scripted:nil] "
                  "1[3600:scripted_node:Scripted:7200.0] "
                  "2[3600:scripted_node:Scripted:7200.0;"
                  "10800:scripted_gpu:Scripted:nil] 0[]");
}

/* Random failures and the policy's repairs for 10 days on 64 nodes: the
 * histories of all nodes add up to the node_failed and node
 * component_repaired events up to the query. */
static void
test_history_totals (void **state)
{
  Counts c = { 0 };
  GError *e = run_text (
    "cluster { nodes = 64 }\n"
    "failures { source = \"llama3\", scale = 200 }\n"
    "run { length = days(12) }\n"
    "at (days(10), function ()\n"
    "  local total, repaired, ordered = 0, 0, true\n"
    "  for i = 0, 63 do\n"
    "    local h = node_history (string.format (\"node%04d\", i))\n"
    "    total = total + #h\n"
    "    for k, r in ipairs (h) do\n"
    "      if r.repaired then\n"
    "        repaired = repaired + 1\n"
    "        ordered = ordered and r.repaired >= r.time\n"
    "      end\n"
    "      if k > 1 then ordered = ordered and r.time >= h[k-1].repaired end\n"
    "    end\n"
    "  end\n"
    "  error (string.format (\"total=%d repaired=%d ordered=%s\", total,\n"
    "                        repaired, tostring (ordered)))\n"
    "end)\n",
    &c);
  assert_true (c.node_failed > 20); /* the check means something */
  char want[128];
  g_snprintf (want, sizeof want, "total=%" G_GUINT64_FORMAT " repaired=%"
              G_GUINT64_FORMAT " ordered=true", c.node_failed,
              c.node_repaired);
  expect_message (e, want);
}

static void
test_errors (void **state)
{
  expect_message (run_text (SMALL "job_nodes (\"a\")\n", NULL),
                  "job_nodes() reads the running cluster");
  expect_message (run_text (SMALL "node_history (\"node0001\")\n", NULL),
                  "node_history() reads the running cluster");
  expect_message (run_text (SMALL "at (hours(1), function () "
                            "node_history (\"spine-000\") end)\n", NULL),
                  ":4: node_history(): 'spine-000' is not a node");
  expect_message (run_text (SMALL "at (hours(1), function () "
                            "node_history (\"node9999\") end)\n", NULL),
                  "'node9999' is not a node");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_job_nodes),
    cmocka_unit_test (test_node_history),
    cmocka_unit_test (test_history_totals),
    cmocka_unit_test (test_errors),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
