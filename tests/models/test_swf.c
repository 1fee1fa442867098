/* tests/models/test_swf.c - the SWF reader (models/swf.h) on the
 * hand-written tests/data/sample.swf (header, all 18 fields, -1 unknowns,
 * status codes, blank lines, tabs, leading blanks) and on malformed input:
 * strict mode names file:line and the field, lenient mode skips and
 * counts. Expected values below are read off the sample file's lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "swf.h"
#include "workload.h"

static char *
data_path (const char *name)
{
  const char *src = g_getenv ("FL_SOURCE_DIR");
  return g_build_filename (src ? src : ".", "tests", "data", name, NULL);
}

static const WorkloadJob *
find (GArray *a, uint32_t id)
{
  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, WorkloadJob, i).id == id)
      return &g_array_index (a, WorkloadJob, i);
  return NULL;
}

static void
test_sample_defaults (void **state)
{
  char *path = data_path ("sample.swf");
  SwfOptions opt;
  swf_options_init (&opt);
  GArray *jobs = g_array_new (FALSE, FALSE, sizeof (WorkloadJob));
  SwfStats st;
  GError *err = NULL;
  assert_true (swf_load (path, &opt, jobs, &st, &err));
  assert_null (err);
  assert_int_equal (st.max_procs, 64);
  assert_int_equal (st.max_nodes, 8);
  assert_int_equal (st.header_lines, 11);
  /* Jobs 4 (status 5) and 5 (status 0) cancelled; 7 (no run or requested
   * time) and 9 (no processors) unusable. */
  assert_int_equal (st.jobs, 5);
  assert_int_equal (jobs->len, 5);
  assert_int_equal (st.skipped_cancelled, 2);
  assert_int_equal (st.skipped_unusable, 2);
  assert_int_equal (st.skipped_malformed, 0);
  assert_null (find (jobs, 4));
  assert_null (find (jobs, 7));

  const WorkloadJob *j = find (jobs, 1); /* 16 procs, 3600 s, req 7200 */
  assert_non_null (j);
  assert_int_equal (j->nodes, 2);
  assert_true (j->work_h == 1.0);
  assert_true (j->est_runtime_s == 7200);
  assert_true (j->submit_s == 0);
  j = find (jobs, 2); /* requested time unknown: estimate = run time */
  assert_true (j->est_runtime_s == 1800);
  assert_int_equal (j->nodes, 1);
  j = find (jobs, 3); /* run and allocation unknown: requested values */
  assert_true (j->work_h == 1.5);
  assert_int_equal (j->nodes, 2); /* ceil (12 / 8) */
  j = find (jobs, 6); /* leading blanks; 64 procs */
  assert_int_equal (j->nodes, 8);
  assert_true (j->submit_s == 50);
  j = find (jobs, 8); /* tab-separated, fractional field 6, status 2 */
  assert_non_null (j);
  assert_int_equal (j->nodes, 1);
  assert_true (j->est_runtime_s == 900);
  /* File order is kept. */
  for (guint i = 1; i < jobs->len; i++)
    assert_true (g_array_index (jobs, WorkloadJob, i - 1).id
                 < g_array_index (jobs, WorkloadJob, i).id);
  g_array_unref (jobs);
  g_free (path);
}

static void
test_sample_options (void **state)
{
  char *path = data_path ("sample.swf");
  SwfOptions opt;
  swf_options_init (&opt);
  opt.keep_cancelled = true;
  opt.max_nodes = 4;
  opt.time_scale = 0.5;
  opt.processors_per_node = 4;
  GArray *jobs = g_array_new (FALSE, FALSE, sizeof (WorkloadJob));
  SwfStats st;
  assert_true (swf_load (path, &opt, jobs, &st, NULL));
  /* Job 4 kept; job 5 (run time 0) is now unusable. */
  assert_int_equal (jobs->len, 6);
  assert_int_equal (st.skipped_cancelled, 0);
  assert_int_equal (st.skipped_unusable, 3);
  assert_non_null (find (jobs, 4));
  /* ceil (16/4) = 4 fits; 64/4 = 16 is capped; 12/4 = 3. */
  assert_int_equal (find (jobs, 1)->nodes, 4);
  assert_int_equal (find (jobs, 6)->nodes, 4);
  assert_int_equal (find (jobs, 3)->nodes, 3);
  assert_int_equal (st.capped, 1);
  assert_true (find (jobs, 6)->submit_s == 25);
  assert_true (find (jobs, 6)->work_h == 1.0);
  g_array_unref (jobs);

  GError *err = NULL;
  opt.processors_per_node = 0;
  jobs = g_array_new (FALSE, FALSE, sizeof (WorkloadJob));
  assert_false (swf_load (path, &opt, jobs, NULL, &err));
  assert_true (g_error_matches (err, SWF_ERROR, SWF_ERROR_INVALID));
  g_clear_error (&err);
  g_array_unref (jobs);
  g_free (path);
}

static void
test_malformed (void **state)
{
  char *path = data_path ("sample-malformed.swf");
  SwfOptions opt;
  swf_options_init (&opt);
  GArray *jobs = g_array_new (FALSE, FALSE, sizeof (WorkloadJob));
  GError *err = NULL;
  SwfStats st;
  assert_false (swf_load (path, &opt, jobs, &st, &err));
  assert_true (g_error_matches (err, SWF_ERROR, SWF_ERROR_PARSE));
  char *want = g_strdup_printf ("%s:3: expected 18 fields, found 7", path);
  assert_string_equal (err->message, want);
  g_free (want);
  g_clear_error (&err);
  assert_int_equal (jobs->len, 0); /* nothing appended on error */

  opt.lenient = true;
  assert_true (swf_load (path, &opt, jobs, &st, &err));
  assert_int_equal (st.skipped_malformed, 2);
  assert_int_equal (st.first_malformed_line, 3);
  assert_int_equal (jobs->len, 2);
  assert_non_null (find (jobs, 1));
  assert_non_null (find (jobs, 4));
  g_array_unref (jobs);
  g_free (path);

  /* A word in a numeric field names the field; CRLF line ends are fine. */
  const char *bad = "1 0 0 60 8 -1 -1 8 60 -1 1 1 1 1 1 1 -1 -1\r\n"
                    "2 5 0 abc 8 -1 -1 8 60 -1 1 1 1 1 1 1 -1 -1\r\n";
  opt.lenient = false;
  jobs = g_array_new (FALSE, FALSE, sizeof (WorkloadJob));
  assert_false (swf_load_data (bad, strlen (bad), "mem.swf", &opt, jobs,
                               NULL, &err));
  assert_string_equal (err->message,
                       "mem.swf:2: field 4 (run time): 'abc' is not a number");
  g_clear_error (&err);
  assert_false (swf_load ("/nonexistent/x.swf", &opt, jobs, NULL, &err));
  assert_true (g_error_matches (err, SWF_ERROR, SWF_ERROR_IO));
  assert_non_null (strstr (err->message, "/nonexistent/x.swf"));
  g_clear_error (&err);
  /* Empty input: no jobs, no error. */
  assert_true (swf_load_data ("", 0, "empty", &opt, jobs, NULL, NULL));
  assert_int_equal (jobs->len, 0);

  /* A trace file that replays nothing is refused, naming the file: empty,
   * header-only, or every job cancelled. */
  const char *texts[] = { "", "; MaxProcs: 64\n",
                          "1 0 0 60 8 -1 -1 8 60 -1 5 1 1 1 1 1 -1 -1\n" };
  const char *want_msg[] = { "no job lines", "no job lines",
                             "none of its 1 job lines is usable" };
  for (size_t i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      char *tmp = NULL;
      int fd = g_file_open_tmp ("test-swf-XXXXXX.swf", &tmp, NULL);
      assert_true (fd >= 0);
      close (fd);
      assert_true (g_file_set_contents (tmp, texts[i], -1, NULL));
      assert_false (swf_load (tmp, &opt, jobs, NULL, &err));
      assert_true (g_error_matches (err, SWF_ERROR, SWF_ERROR_PARSE));
      assert_non_null (strstr (err->message, tmp));
      assert_non_null (strstr (err->message, want_msg[i]));
      g_clear_error (&err);
      assert_int_equal (jobs->len, 0);
      g_unlink (tmp);
      g_free (tmp);
    }
  g_array_unref (jobs);
}

/* Numbers are decimal (strtod alone reads 0x10 as 16 and "infinity"),
 * and a job number appears once: each is refused naming its line and
 * field, and a lenient read skips and counts the line instead. */
static void
test_strict_numbers (void **state)
{
  (void) state;
  SwfOptions opt;
  swf_options_init (&opt);
  GArray *jobs = g_array_new (FALSE, FALSE, sizeof (WorkloadJob));
  GError *err = NULL;
  const char *ok_line = "1 0 0 60 8 -1 -1 8 60 -1 1 1 1 1 1 1 -1 -1\n";
  struct
  {
    const char *line2, *want;
  } cases[] = {
    { "0x10 5 0 60 8 -1 -1 8 60 -1 1 1 1 1 1 1 -1 -1\n",
      "mem.swf:2: field 1 (job number): '0x10' is not a number" },
    { "2 5 0 0x3C 8 -1 -1 8 60 -1 1 1 1 1 1 1 -1 -1\n",
      "mem.swf:2: field 4 (run time): '0x3C' is not a number" },
    { "2 5 0 0x1p4 8 -1 -1 8 60 -1 1 1 1 1 1 1 -1 -1\n",
      "mem.swf:2: field 4 (run time): '0x1p4' is not a number" },
    { "2 5 0 60 8 -1 -1 8 60 -1 1 1 1 1 1 1 -1 infinity\n",
      "mem.swf:2: field 18 (think time): 'infinity' is not a number" },
    { "2 5 0 60 8 -1 -1 8 60 -1 1 1 1 1 1 1 -1 1e\n",
      "mem.swf:2: field 18 (think time): '1e' is not a number" },
    { "1 5 0 60 8 -1 -1 8 60 -1 1 1 1 1 1 1 -1 -1\n",
      "mem.swf:2: field 1 (job number): 1 repeats the job number of line 1" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *text = g_strconcat (ok_line, cases[i].line2, NULL);
      opt.lenient = false;
      assert_false (swf_load_data (text, strlen (text), "mem.swf", &opt,
                                   jobs, NULL, &err));
      assert_true (g_error_matches (err, SWF_ERROR, SWF_ERROR_PARSE));
      assert_string_equal (err->message, cases[i].want);
      g_clear_error (&err);
      assert_int_equal (jobs->len, 0);
      SwfStats st;
      opt.lenient = true;
      assert_true (swf_load_data (text, strlen (text), "mem.swf", &opt, jobs,
                                  &st, &err));
      assert_int_equal (st.skipped_malformed, 1);
      assert_int_equal (st.first_malformed_line, 2);
      assert_int_equal (jobs->len, 1);
      g_array_set_size (jobs, 0);
      g_free (text);
    }
  /* Decimal forms that stay valid: signs, fractions, exponents. */
  const char *fine = "1 +0 0 6.0e1 8 -1 -1 8 60. -1 1 1 1 1 1 1 -1 -1.5E+0\n"
                     "2 5 0 .5e2 8 -1 -1 8 60 -1 1 1 1 1 1 1 -1 -1\n";
  opt.lenient = false;
  assert_true (swf_load_data (fine, strlen (fine), "mem.swf", &opt, jobs,
                              NULL, &err));
  assert_int_equal (jobs->len, 2);
  g_array_unref (jobs);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_sample_defaults),
    cmocka_unit_test (test_sample_options),
    cmocka_unit_test (test_malformed),
    cmocka_unit_test (test_strict_numbers),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
