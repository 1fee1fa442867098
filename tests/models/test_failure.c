/* tests/models/test_failure.c - the failure-mode catalogue.
 *
 * The default catalogue must reproduce the Llama 3 54-day table (field-data
 * §1.1) on its reference cluster (§12.1): expected interruptions computed
 * from each mode's mean time to failure, per category and in total, within
 * 1% of the published counts; a Monte Carlo draw of the same 54 days lands
 * within 4 Poisson sigma of 419. Plus the catalogue API: find, add, copy,
 * scale, validation, names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <math.h>
#include <string.h>

#include "failure.h"

#define HOURS_54D (54.0 * 24.0)

/* Instances per class on the reference cluster: 2,048 nodes x 8 GPUs, a
 * NIC and node-leaf cable per GPU, 512 leaf / 512 spine / 256 core switches
 * and 32,768 uplinks (§12.1), racks of 4 nodes, rows of 16 racks, a
 * cooling loop per 2 rows (assumed), and one 2,048-node job. */
static const double ref_instances[FL_CLASS_COUNT] = {
  [FL_CLASS_GPU] = 16384,   [FL_CLASS_NODE] = 2048,  [FL_CLASS_NIC] = 16384,
  [FL_CLASS_CABLE] = 16384, [FL_CLASS_LEAF] = 512,   [FL_CLASS_SPINE] = 512,
  [FL_CLASS_CORE] = 256,    [FL_CLASS_UPLINK] = 32768,
  [FL_CLASS_RACK] = 512,    [FL_CLASS_ROW] = 32,     [FL_CLASS_COOLING] = 16,
  [FL_CLASS_JOB] = 2048,
};

/* Llama 3 Table 5 (field-data.md §1.1): the published counts. */
static const struct
{
  const char *cause;
  double count;
} llama[] = {
  { "Faulty GPU", 148 },
  { "GPU HBM3 Memory", 72 },
  { "Software Bug", 54 },
  { "Network Switch/Cable", 35 },
  { "Host Maintenance", 32 },
  { "GPU SRAM Memory", 19 },
  { "GPU System Processor", 17 },
  { "NIC", 7 },
  { "NCCL Watchdog Timeouts", 7 },
  { "Silent Data Corruption", 6 },
  { "GPU Thermal Interface + Sensor", 6 },
  { "SSD", 3 },
  { "Power Supply", 3 },
  { "Server Chassis", 2 },
  { "IO Expansion Board", 2 },
  { "Dependency", 2 },
  { "CPU", 2 },
  { "System Memory", 2 },
};
#define LLAMA_TOTAL 419.0

static double
expected_in_54d (const FlFailureMode *m)
{
  return ref_instances[m->cls] * HOURS_54D / dist_mean (&m->ttf);
}

static int
llama_row (const char *cause)
{
  for (size_t i = 0; i < G_N_ELEMENTS (llama); i++)
    if (strcmp (llama[i].cause, cause) == 0)
      return (int) i;
  return -1;
}

static void
test_default_reproduces_llama3 (void **state)
{
  g_autoptr (FlFailureCatalog) cat = fl_failure_catalog_new_default ();
  double per_row[G_N_ELEMENTS (llama)] = { 0 };
  double total_llama = 0, total_all = 0;

  for (size_t i = 0; i < fl_failure_catalog_count (cat); i++)
    {
      FlFailureMode *m = fl_failure_catalog_get (cat, i);
      if (!m->enabled || !fl_failure_mode_interrupts (m))
        continue;
      double e = expected_in_54d (m);
      int row = llama_row (m->cause);
      total_all += e;
      if (row >= 0)
        {
          per_row[row] += e;
          total_llama += e;
        }
      else /* outside the table: must say it is an assumption */
        assert_non_null (strstr (m->cause, "assumption"));
    }
  for (size_t r = 0; r < G_N_ELEMENTS (llama); r++)
    {
      if (fabs (per_row[r] - llama[r].count) > 0.01 * llama[r].count)
        print_message ("# %s: %.2f expected, Llama 3 %g\n", llama[r].cause,
                       per_row[r], llama[r].count);
      assert_true (fabs (per_row[r] - llama[r].count)
                   <= 0.01 * llama[r].count);
    }
  print_message ("# 54 days: %.2f from Table 5 modes, %.2f with the assumed "
                 "domain modes (Llama 3: 419)\n", total_llama, total_all);
  assert_true (fabs (total_llama - LLAMA_TOTAL) <= 0.01 * LLAMA_TOTAL);
  assert_true (fabs (total_all - LLAMA_TOTAL) <= 0.01 * LLAMA_TOTAL);

  /* rate_per_hour agrees: summed over the classes whose modes interrupt. */
  double via_rates = 0;
  for (int c = 0; c < FL_CLASS_COUNT; c++)
    if (c != FL_CLASS_SPINE && c != FL_CLASS_CORE && c != FL_CLASS_UPLINK)
      via_rates += ref_instances[c] * HOURS_54D
                   * fl_failure_catalog_rate_per_hour (cat, (FlClass) c);
  assert_true (fabs (via_rates - total_all) < 1e-9 * total_all);
}

/* Draws the 54 days: each instance of each mode fails at exponential times
 * (instant renewal); the count is Poisson with mean ~419 (sd 20.5), so it
 * lies within 4 sd = 82 unless the sampling or the means are wrong. */
static void
test_monte_carlo_54_days (void **state)
{
  g_autoptr (FlFailureCatalog) cat = fl_failure_catalog_new_default ();
  double count = 0, mean = 0;

  for (size_t i = 0; i < fl_failure_catalog_count (cat); i++)
    {
      FlFailureMode *m = fl_failure_catalog_get (cat, i);
      if (!m->enabled || !fl_failure_mode_interrupts (m))
        continue;
      mean += expected_in_54d (m);
      RngStream s;
      rng_stream_init (&s, 54, m->name, "ttf");
      for (uint64_t k = 0; k < (uint64_t) ref_instances[m->cls]; k++)
        for (double t = dist_sample (&m->ttf, &s); t < HOURS_54D;
             t += dist_sample (&m->ttf, &s))
          count++;
    }
  print_message ("# Monte Carlo: %.0f interruptions (expected %.1f)\n", count,
                 mean);
  assert_true (fabs (count - mean) < 4 * sqrt (mean));
}

static void
test_every_mode_documented (void **state)
{
  g_autoptr (FlFailureCatalog) cat = fl_failure_catalog_new_default ();
  bool seen_class[FL_CLASS_COUNT] = { false };

  assert_true (fl_failure_catalog_count (cat) >= G_N_ELEMENTS (llama));
  for (size_t i = 0; i < fl_failure_catalog_count (cat); i++)
    {
      FlFailureMode *m = fl_failure_catalog_get (cat, i);
      g_autoptr (GError) error = NULL;
      assert_true (m->source != NULL && m->source[0] != '\0');
      assert_true (m->cause != NULL && m->cause[0] != '\0');
      assert_true (m->enabled);
      assert_true (fl_failure_mode_validate (m, &error));
      assert_true (dist_mean (&m->repair_time) >= 0.0);
      if (m->obs == FL_OBS_XID)
        assert_true (m->xid > 0);
      /* Names are unique: find returns this very mode. */
      assert_ptr_equal (fl_failure_catalog_find (cat, m->name), m);
      seen_class[m->cls] = true;
    }
  for (int c = 0; c < FL_CLASS_COUNT; c++)
    assert_true (seen_class[c]);
  assert_null (fl_failure_catalog_get (cat, fl_failure_catalog_count (cat)));

  FlFailureMode *hbm = fl_failure_catalog_find (cat, "hbm3");
  assert_non_null (hbm);
  assert_int_equal (hbm->cls, FL_CLASS_GPU);
  assert_int_equal (hbm->obs, FL_OBS_XID);
  assert_null (fl_failure_catalog_find (cat, "hbm4"));
}

static void
test_scale (void **state)
{
  g_autoptr (FlFailureCatalog) cat = fl_failure_catalog_new_default ();
  g_autoptr (FlFailureCatalog) c2 = fl_failure_catalog_copy (cat);
  FlFailureMode *off = fl_failure_catalog_find (c2, "sdc");
  double before[FL_CLASS_COUNT];

  off->enabled = false;
  for (int c = 0; c < FL_CLASS_COUNT; c++)
    before[c] = fl_failure_catalog_rate_per_hour (c2, (FlClass) c);
  fl_failure_catalog_scale (c2, 2.5);
  for (int c = 0; c < FL_CLASS_COUNT; c++)
    assert_true (fabs (fl_failure_catalog_rate_per_hour (c2, (FlClass) c)
                       - 2.5 * before[c]) <= 1e-12 * before[c]);
  for (size_t i = 0; i < fl_failure_catalog_count (c2); i++)
    {
      FlFailureMode *a = fl_failure_catalog_get (cat, i);
      FlFailureMode *b = fl_failure_catalog_get (c2, i);
      double ratio = dist_mean (&a->ttf) / dist_mean (&b->ttf);
      /* Enabled modes fail 2.5x as often; the disabled one is untouched;
       * repair times never change. */
      assert_true (fabs (ratio - (b == off ? 1.0 : 2.5)) < 1e-12);
      assert_true (dist_mean (&a->repair_time)
                   == dist_mean (&b->repair_time));
    }
  /* Disabled modes do not count in the rate. */
  FlFailureMode *sdc = fl_failure_catalog_find (cat, "sdc");
  double gpu = fl_failure_catalog_rate_per_hour (cat, FL_CLASS_GPU);
  sdc->enabled = false;
  assert_true (fabs (fl_failure_catalog_rate_per_hour (cat, FL_CLASS_GPU)
                     - (gpu - 1.0 / dist_mean (&sdc->ttf))) < 1e-12 * gpu);
}

static void
test_add_and_copy (void **state)
{
  g_autoptr (FlFailureCatalog) cat = fl_failure_catalog_new_default ();
  size_t n = fl_failure_catalog_count (cat);
  g_autoptr (GError) error = NULL;
  const double x[] = { 0.0, 100.0, 1000.0 };
  const double F[] = { 0.0, 0.3, 1.0 };
  char *name = g_strdup ("gpu_fan");
  FlFailureMode m = {
    .name = name, .cause = (char *) "GPU fan", .cls = FL_CLASS_GPU,
    .obs = FL_OBS_XID, .xid = 62, .blast = FL_BLAST_NODE,
    .repair = FL_REPAIR_REPLACE, .detect_delay_s = 0.0,
    .source = (char *) "test", .enabled = true,
  };
  assert_true (dist_empirical (&m.ttf, x, F, 3, NULL));
  m.repair_time = dist_constant (4.0);

  assert_true (fl_failure_catalog_add (cat, &m, &error));
  assert_null (error);
  assert_int_equal (fl_failure_catalog_count (cat), n + 1);
  /* The catalogue holds copies: the caller's memory can go. */
  name[0] = 'X';
  FlFailureMode *got = fl_failure_catalog_find (cat, "gpu_fan");
  assert_non_null (got);
  assert_true (got->ttf.x != m.ttf.x);
  assert_true (dist_mean (&got->ttf) == dist_mean (&m.ttf));
  name[0] = 'g';

  /* A taken name. */
  assert_false (fl_failure_catalog_add (cat, &m, &error));
  assert_true (g_error_matches (error, FL_FAILURE_ERROR,
                                FL_FAILURE_ERROR_EXISTS));
  assert_non_null (strstr (error->message, "gpu_fan"));
  g_clear_error (&error);
  m.name = (char *) "hbm3";
  assert_false (fl_failure_catalog_add (cat, &m, &error));
  g_clear_error (&error);

  /* Invalid modes, each named in the message. */
  m.name = (char *) "bad_mode";
  m.xid = 0;
  assert_false (fl_failure_catalog_add (cat, &m, &error));
  assert_true (g_error_matches (error, FL_FAILURE_ERROR,
                                FL_FAILURE_ERROR_INVALID));
  assert_non_null (strstr (error->message, "bad_mode"));
  g_clear_error (&error);
  m.xid = 62;
  Dist keep = m.ttf;
  m.ttf = dist_exponential (-3.0);
  assert_false (fl_failure_catalog_add (cat, &m, &error));
  assert_non_null (strstr (error->message, "ttf"));
  g_clear_error (&error);
  m.ttf = keep;
  m.repair_time = dist_uniform (-1.0, 2.0);
  assert_false (fl_failure_catalog_add (cat, &m, &error));
  assert_non_null (strstr (error->message, "repair_time"));
  g_clear_error (&error);
  m.repair_time = dist_constant (4.0);
  m.source = (char *) "";
  assert_false (fl_failure_catalog_add (cat, &m, &error));
  g_clear_error (&error);
  m.source = (char *) "test";
  m.cls = FL_CLASS_COUNT;
  assert_false (fl_failure_catalog_add (cat, &m, &error));
  g_clear_error (&error);
  assert_int_equal (fl_failure_catalog_count (cat), n + 1);

  /* A deep copy: editing it leaves the original alone. */
  g_autoptr (FlFailureCatalog) c2 = fl_failure_catalog_copy (cat);
  assert_int_equal (fl_failure_catalog_count (c2), n + 1);
  FlFailureMode *a = fl_failure_catalog_find (cat, "gpu_fan");
  FlFailureMode *b = fl_failure_catalog_find (c2, "gpu_fan");
  assert_true (a != b && a->name != b->name && a->ttf.x != b->ttf.x);
  b->ttf.x[1] = 500.0;
  b->enabled = false;
  assert_true (a->ttf.x[1] == 100.0 && a->enabled);

  dist_clear (&m.ttf);
  g_free (name);
  fl_failure_catalog_free (NULL);
}

static void
test_names (void **state)
{
  for (int c = 0; c < FL_CLASS_COUNT; c++)
    {
      FlClass back;
      assert_true (fl_class_from_name (fl_class_name (c), &back));
      assert_int_equal (back, c);
    }
  for (int k = 0; k < FL_OBS_COUNT; k++)
    {
      FlObsKind back;
      assert_true (fl_obs_kind_from_name (fl_obs_kind_name (k), &back));
      assert_int_equal (back, k);
    }
  for (int b = 0; b < FL_BLAST_COUNT; b++)
    {
      FlBlast back;
      assert_true (fl_blast_from_name (fl_blast_name (b), &back));
      assert_int_equal (back, b);
    }
  for (int r = 0; r < FL_REPAIR_COUNT; r++)
    {
      FlRepair back;
      const char *src = NULL;
      assert_true (fl_repair_from_name (fl_repair_name (r), &back));
      assert_int_equal (back, r);
      Dist d = fl_failure_repair_default (r, &src);
      assert_true (src != NULL && src[0] != '\0');
      assert_true (dist_is_valid (&d, NULL) && dist_mean (&d) >= 0.0);
    }
  assert_string_equal (fl_class_name (FL_CLASS_UPLINK), "uplink");
  assert_string_equal (fl_class_name (FL_CLASS_COUNT), "unknown");
  assert_false (fl_class_from_name ("switch", NULL));
  assert_false (fl_repair_from_name ("Reboot", NULL));

  double frac = 0, mult = 0;
  fl_failure_lemon_defaults (&frac, &mult);
  assert_true (frac > 0.0 && frac < 0.05 && mult > 1.0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_default_reproduces_llama3),
    cmocka_unit_test (test_monte_carlo_54_days),
    cmocka_unit_test (test_every_mode_documented),
    cmocka_unit_test (test_scale),
    cmocka_unit_test (test_add_and_copy),
    cmocka_unit_test (test_names),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
