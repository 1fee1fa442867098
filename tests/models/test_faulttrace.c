/* tests/models/test_faulttrace.c - published fault traces read and checked
 * (models/faulttrace.h).
 *
 * Asserts:
 *  - a JSON trace and the same trace as CSV give the same nodes, events
 *    and outages; overlapping faults of a node are one outage, a start with
 *    no end lasts to the end of the trace, an end with no start is counted;
 *  - the availability is 1 - union of outages / (nodes x span), computed
 *    here by hand from the trace's intervals;
 *  - Class/Desc map to failure classes by the default table;
 *  - every malformed input is an error naming the file and the event (or
 *    line), never a crash: bad types, times, missing fields, a header that
 *    is not one, NUL bytes, bad quoting, JSON nested 100,000 deep. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <math.h>
#include <string.h>

#include "faulttrace.h"

static const char json_trace[] =
  "[\n"
  " {\"node_id\": \"n1\", \"event_time\": 1.0, \"event_type\": \"fault_start\",\n"
  "  \"fault_type\": {\"Level\": \"critical\", \"Class\": \"GPU\", \"Desc\": \"Xid 79\"}},\n"
  " {\"node_id\": \"n2\", \"event_time\": 2, \"event_type\": \"fault_start\",\n"
  "  \"fault_type\": {\"Level\": \"major\", \"Class\": \"PSU\", \"Desc\": \"power, supply\"}},\n"
  " {\"node_id\": \"n1\", \"event_time\": 1.5, \"event_type\": \"fault_start\",\n"
  "  \"fault_type\": {\"Class\": \"NIC\"}},\n"
  " {\"node_id\": \"n1\", \"event_time\": 2.0, \"event_type\": \"fault_end\", \"fault_type\": null},\n"
  " {\"node_id\": \"n1\", \"event_time\": 3.0, \"event_type\": \"fault_end\"},\n"
  " {\"node_id\": \"n2\", \"event_time\": 4.5, \"event_type\": \"fault_end\"},\n"
  " {\"node_id\": 7, \"event_time\": 5, \"event_type\": \"fault_end\"},\n"
  " {\"node_id\": 7, \"event_time\": 9, \"event_type\": \"fault_start\",\n"
  "  \"fault_type\": {\"Class\": \"cable/link down\"}},\n"
  " {\"node_id\": \"n2\", \"event_time\": 10, \"event_type\": \"fault_start\"},\n"
  " {\"node_id\": \"n2\", \"event_time\": 10, \"event_type\": \"fault_end\"}\n"
  "]\n";

static const char csv_trace[] =
  "node_id,event_time,event_type,Level,Class,Desc\r\n"
  "n1,1.0,fault_start,critical,GPU,Xid 79\r\n"
  "n2,2,fault_start,major,PSU,\"power, supply\"\r\n"
  "n1,1.5,fault_start,,NIC,\r\n"
  "n1,2.0,fault_end,,,\r\n"
  "\r\n"
  "n1,3.0,fault_end,,,\r\n"
  "n2,4.5,fault_end,,,\r\n"
  "7,5,fault_end,,,\r\n"
  "7,9,fault_start,,cable/link down,\r\n"
  "n2,10,fault_start,,,\r\n"
  "n2,10,fault_end,,,\r\n";

static void
check_trace (const FaultTrace *t)
{
  assert_int_equal (t->nodes->len, 3);
  assert_string_equal (g_ptr_array_index (t->nodes, 0), "n1");
  assert_string_equal (g_ptr_array_index (t->nodes, 1), "n2");
  assert_string_equal (g_ptr_array_index (t->nodes, 2), "7");
  assert_int_equal (t->events->len, 10);
  assert_true (t->span_s == 10 * 86400.0);
  assert_int_equal (t->unmatched_ends, 1); /* node 7 at day 5 */
  /* time order */
  for (guint i = 1; i < t->events->len; i++)
    assert_true (g_array_index (t->events, FaultTraceEvent, i - 1).time_s
                 <= g_array_index (t->events, FaultTraceEvent, i).time_s);
  /* n1: [1, 3) (two overlapping faults); n2: [2, 4.5); 7: [9, 10) */
  struct { uint32_t node; double a, b; FlClass cls; } want[] = {
    { 0, 1, 3, FL_CLASS_GPU }, { 1, 2, 4.5, FL_CLASS_NODE },
    { 2, 9, 10, FL_CLASS_CABLE },
  };
  assert_int_equal (t->outages->len, G_N_ELEMENTS (want));
  for (size_t i = 0; i < G_N_ELEMENTS (want); i++)
    {
      FaultTraceOutage *o = &g_array_index (t->outages, FaultTraceOutage, i);
      assert_int_equal (o->node, want[i].node);
      assert_true (o->start_s == want[i].a * 86400);
      assert_true (o->end_s == want[i].b * 86400);
      assert_int_equal (o->cls, want[i].cls);
    }
  /* by hand: down 2 + 2.5 + 1 = 5.5 node-days of 4 nodes x 10 days */
  assert_true (fabs (fault_trace_availability (t, 4) - (1 - 5.5 / 40)) < 1e-12);
  assert_true (fabs (fault_trace_availability (t, 1) - (1 - 5.5 / 30)) < 1e-12);
}

static void
test_json_and_csv (void **state)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FaultTrace) j = fault_trace_read_data (json_trace, strlen (json_trace), "t.json", &error);
  assert_null (error);
  assert_non_null (j);
  check_trace (j);
  g_autoptr (FaultTrace) c = fault_trace_read_data (csv_trace, strlen (csv_trace), "t.csv", &error);
  assert_null (error);
  assert_non_null (c);
  check_trace (c);
  for (guint i = 0; i < j->events->len; i++)
    {
      FaultTraceEvent *a = &g_array_index (j->events, FaultTraceEvent, i);
      FaultTraceEvent *b = &g_array_index (c->events, FaultTraceEvent, i);
      assert_int_equal (a->node, b->node);
      assert_true (a->time_s == b->time_s);
      assert_int_equal (a->start, b->start);
      assert_string_equal (a->cls, b->cls);
      assert_string_equal (a->desc, b->desc);
      assert_string_equal (a->level, b->level);
    }
}

static void
test_classes (void **state)
{
  assert_int_equal (fault_trace_default_class ("GPU", ""), FL_CLASS_GPU);
  assert_int_equal (fault_trace_default_class ("gpu memory", NULL), FL_CLASS_GPU);
  assert_int_equal (fault_trace_default_class ("NIC", ""), FL_CLASS_NIC);
  assert_int_equal (fault_trace_default_class ("InfiniBand HCA", ""), FL_CLASS_NIC);
  assert_int_equal (fault_trace_default_class ("Cable/Link down", ""), FL_CLASS_CABLE);
  assert_int_equal (fault_trace_default_class ("", "optic replaced"), FL_CLASS_CABLE);
  assert_int_equal (fault_trace_default_class ("PSU", "GPU"), FL_CLASS_NODE); /* Class first */
  assert_int_equal (fault_trace_default_class ("Fan", ""), FL_CLASS_NODE);
  assert_int_equal (fault_trace_default_class ("unknown", ""), FL_CLASS_NODE);
  assert_int_equal (fault_trace_default_class (NULL, NULL), FL_CLASS_NODE);
}

static void
expect_error (const char *text, size_t len, int code, const char *where)
{
  g_autoptr (GError) error = NULL;
  FaultTrace *t = fault_trace_read_data (text, len, "bad.trace", &error);
  assert_null (t);
  assert_non_null (error);
  if (!g_error_matches (error, FAULT_TRACE_ERROR, code)
      || strstr (error->message, "bad.trace") == NULL
      || strstr (error->message, where) == NULL)
    fail_msg ("'%.60s': got '%s' (code %d), expected code %d naming '%s'",
              text, error->message, error->code, code, where);
}

static void
test_bad_input (void **state)
{
#define BAD(s, code, where) expect_error (s, strlen (s), code, where)
  BAD ("[{\"node_id\": \"a\", \"event_time\": 1, \"event_type\": \"fault_begin\"}]",
       FAULT_TRACE_ERROR_VALUE, "event 0: event_type 'fault_begin'");
  BAD ("[{\"node_id\": \"a\", \"event_time\": 1, \"event_type\": \"fault_start\"},"
       " {\"node_id\": \"a\", \"event_time\": -1, \"event_type\": \"fault_end\"}]",
       FAULT_TRACE_ERROR_VALUE, "event 1: event_time -1");
  BAD ("[{\"node_id\": \"a\", \"event_time\": 1e300, \"event_type\": \"fault_end\"}]",
       FAULT_TRACE_ERROR_VALUE, "event 0: event_time");
  BAD ("[{\"node_id\": \"a\", \"event_time\": \"1\", \"event_type\": \"fault_end\"}]",
       FAULT_TRACE_ERROR_PARSE, "event 0: event_time: expected a number");
  BAD ("[{\"event_time\": 1, \"event_type\": \"fault_end\"}]",
       FAULT_TRACE_ERROR_VALUE, "event 0: node_id");
  BAD ("[{\"node_id\": {\"x\": 1}, \"event_time\": 1, \"event_type\": \"fault_end\"}]",
       FAULT_TRACE_ERROR_VALUE, "event 0: node_id");
  BAD ("[{\"node_id\": \"a\", \"event_time\": 1, \"event_type\": \"fault_end\", \"fault_type\": 3}]",
       FAULT_TRACE_ERROR_PARSE, "event 0: fault_type");
  BAD ("[1, 2]", FAULT_TRACE_ERROR_PARSE, "event 0: expected an object");
  BAD ("[{\"node_id\": \"a\"", FAULT_TRACE_ERROR_PARSE, "JSON");
  BAD ("{\"events\": []}", FAULT_TRACE_ERROR_PARSE, "line 1");
  BAD ("node,time\n", FAULT_TRACE_ERROR_PARSE, "line 1: expected a CSV header");
  BAD ("", FAULT_TRACE_ERROR_PARSE, "line 1");
  BAD ("node_id,event_time,event_type\na,x,fault_start\n",
       FAULT_TRACE_ERROR_VALUE, "line 2: event_time 'x'");
  BAD ("node_id,event_time,event_type\na,1,fault_start\nb,nan,fault_start\n",
       FAULT_TRACE_ERROR_VALUE, "line 3: event_time");
  BAD ("node_id,event_time,event_type\na,1\n", FAULT_TRACE_ERROR_PARSE, "line 2: 2 fields");
  BAD ("node_id,event_time,event_type,Desc\na,1,fault_start,\"open\n",
       FAULT_TRACE_ERROR_PARSE, "line 2: a malformed quoted field");
  BAD ("node_id,event_time,event_type\n,1,fault_start\n", FAULT_TRACE_ERROR_VALUE, "line 2: node_id");
  /* a NUL byte */
  expect_error ("node_id,event_time,event_type\n\0", 31, FAULT_TRACE_ERROR_PARSE, "NUL");
  /* nested 100,000 deep: refused before json-glib recurses */
  GString *deep = g_string_new (NULL);
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  expect_error (deep->str, deep->len, FAULT_TRACE_ERROR_PARSE, "nested more than");
  g_string_free (deep, TRUE);
  /* a folder is not a trace */
  g_autoptr (GError) error = NULL;
  assert_null (fault_trace_read_file ("/", &error));
  assert_true (g_error_matches (error, FAULT_TRACE_ERROR, FAULT_TRACE_ERROR_IO));
#undef BAD
}

static void
test_shipped_example (void **state)
{
  /* the example trace of scenarios/data reads, and its availability is
   * what its header says */
  g_autofree char *path = g_build_filename (g_getenv ("FL_SOURCE_DIR"), "scenarios",
                                            "data", "example-faults.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FaultTrace) t = fault_trace_read_file (path, &error);
  assert_null (error);
  assert_non_null (t);
  g_autofree char *csv = g_build_filename (g_getenv ("FL_SOURCE_DIR"), "scenarios",
                                           "data", "example-faults.csv", NULL);
  g_autoptr (FaultTrace) c = fault_trace_read_file (csv, &error);
  assert_null (error);
  assert_non_null (c);
  assert_int_equal (t->outages->len, c->outages->len);
  assert_true (fault_trace_availability (t, 16) == fault_trace_availability (c, 16));
  assert_true (t->outages->len > 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_json_and_csv),
    cmocka_unit_test (test_classes),
    cmocka_unit_test (test_bad_input),
    cmocka_unit_test (test_shipped_example),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
