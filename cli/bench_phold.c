/* cli/bench_phold.c - `faultline bench phold`: runs PHOLD (sim/phold.h) on
 * the kernel with its radix queue or its 4-ary heap, or on a plain binary
 * heap (--queue reference, or --reference), and prints one key=value line. Not a harness: tests/bench/phold.sh runs the two in
 * separate processes (maxrss is a per-process peak) and compares them.
 * The work is fl_bench_phold() (lib/tools.c). */
#include "cli.h"
#include "faultline.h"

#include <math.h>
#include <stdio.h>


static const char *bench_phold_cmd = "bench phold";

static bool
bench_phold_u32 (const char *opt, const char *s, guint64 def, bool allow_zero,
                 uint32_t *out)
{
  guint64 v = def;
  if (s != NULL && !cli_parse_u64 (bench_phold_cmd, opt, s, &v))
    return false;
  if (v > G_MAXUINT32 || (!allow_zero && v == 0))
    {
      cli_error (bench_phold_cmd, "%s: '%s' is out of range (1..%u)", opt, s,
                 G_MAXUINT32);
      return false;
    }
  *out = (uint32_t) v;
  return true;
}

int
bench_phold_main (int argc, char **argv)
{
  g_autofree char *lps_s = NULL, *pop_s = NULL, *end_s = NULL, *seed_s = NULL;
  g_autofree char *queue_s = NULL;
  gboolean reference = FALSE;
  GOptionEntry entries[] = {
    { "lps", 0, 0, G_OPTION_ARG_STRING, &lps_s,
      "logical processes L (default 10000)", "L" },
    { "population", 0, 0, G_OPTION_ARG_STRING, &pop_s,
      "events per LP at start M (default 16)", "M" },
    { "end", 0, 0, G_OPTION_ARG_STRING, &end_s,
      "end time T in mean delays (default 100)", "T" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_s, "run seed (default 1)",
      "S" },
    { "queue", 0, 0, G_OPTION_ARG_STRING, &queue_s,
      "radix (the kernel's default queue), heap (the kernel on its 4-ary "
      "heap) or reference (a textbook binary heap, no kernel); default "
      "radix", "Q" },
    { "reference", 0, 0, G_OPTION_ARG_NONE, &reference,
      "same as --queue reference", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    bench_phold_cmd, NULL,
    "PHOLD (Fujimoto 1990): L processes, M events each, Exp(1) delays,\n"
    "uniform targets, until time T. Prints one line:\n"
    "name=Q L=.. M=.. events=.. seconds=.. cpu_s=.. events_per_s=.. "
    "events_per_cpu_s=.. maxrss_kb=..\n"
    "(name is radix, heap or reference; seconds and cpu_s cover the event\n"
    "loop only, cpu_s is user+sys of the process).",
    "Examples:\n"
    "  faultline bench phold --lps 10000 --population 16 --end 100\n"
    "  faultline bench phold --lps 1000000 --population 4 --end 5 "
    "--queue reference\n"
    "  faultline bench phold --queue heap\n\n"
    "seconds covers the event loop only; maxrss_kb is the peak of the\n"
    "process, so compare the two heaps from separate runs "
    "(tests/bench/phold.sh).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, bench_phold_cmd, &argc, &argv))
    return FL_EXIT_USAGE;
  if (argc > 1)
    {
      cli_error (bench_phold_cmd, "unexpected argument '%s' (see 'faultline "
                 "bench phold --help')", argv[1]);
      return FL_EXIT_USAGE;
    }

  FlPholdParams p;
  fl_phold_params_init (&p);
  if (queue_s != NULL && reference && g_strcmp0 (queue_s, "reference") != 0)
    {
      cli_error (bench_phold_cmd, "--reference and --queue %s contradict "
                 "each other", queue_s);
      return FL_EXIT_USAGE;
    }
  p.queue = reference ? "reference" : queue_s;
  if (!bench_phold_u32 ("--lps", lps_s, p.lps, false, &p.lps)
      || !bench_phold_u32 ("--population", pop_s, p.population, false,
                           &p.population))
    return FL_EXIT_USAGE;
  if (seed_s != NULL && !cli_parse_u64 (bench_phold_cmd, "--seed", seed_s,
                                        &p.seed))
    return FL_EXIT_USAGE;
  if (end_s != NULL)
    {
      char *rest = NULL;
      double v = g_ascii_strtod (end_s, &rest);
      if (rest == end_s || *rest != '\0' || !isfinite (v) || v <= 0
          || v > 1e12)
        {
          cli_error (bench_phold_cmd, "--end: '%s' is not a positive number "
                     "of mean delays (e.g. --end 100)", end_s);
          return FL_EXIT_USAGE;
        }
      p.end = v;
    }
  if ((guint64) p.lps * p.population > (guint64) 1 << 31)
    {
      cli_error (bench_phold_cmd, "--lps %u x --population %u = %" G_GUINT64_FORMAT
                 " events is too many (at most 2^31)", p.lps, p.population,
                 (guint64) p.lps * p.population);
      return FL_EXIT_USAGE;
    }

  FlPholdResult r;
  g_autoptr (GError) error = NULL;
  if (!fl_bench_phold (&p, &r, &error))
    {
      cli_error (bench_phold_cmd, "%s", error->message);
      return FL_EXIT_USAGE;
    }
  printf ("name=%s L=%u M=%u events=%" G_GUINT64_FORMAT " seconds=%.3f "
          "cpu_s=%.3f events_per_s=%.0f events_per_cpu_s=%.0f "
          "maxrss_kb=%ld\n",
          r.queue, p.lps, p.population, (guint64) r.events, r.seconds,
          r.cpu_seconds, r.events_per_s,
          r.cpu_seconds > 0 ? r.events / r.cpu_seconds : 0, r.maxrss_kb);
  return FL_EXIT_OK;
}
