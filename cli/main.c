/* cli/main.c - the `faultline` binary: dispatches to one subcommand.
 *
 * A thin client of libfaultline (lib/faultline.h): every subcommand lives
 * in cli/cmd_*.c and returns an exit status (cli.h). */
#include "cli.h"
#include "faultline.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

typedef struct
{
  const char *name;
  CliCommandFn fn;
  const char *summary;
} CliCommand;

static int cmd_help (int argc, char **argv);

static const CliCommand commands[] = {
  { "run", cmd_run, "run a scenario and write its results" },
  { "sweep", cmd_sweep, "run a scenario over seeds and a grid, aggregated" },
  { "merge", cmd_merge, "merge the shards of a sweep (sweep --shard K/N)" },
  { "slurm", cmd_slurm, "print a Slurm job array script for a sweep" },
  { "k8s", cmd_k8s, "print Kubernetes Indexed Jobs for a sweep" },
  { "topo", cmd_topo, "build a topology and print its inventory" },
  { "replay", cmd_replay, "replay a fabric capture against a health policy" },
  { "promtest", cmd_promtest, "write a promtool test of alert rules on a run" },
  { "compare", cmd_compare, "compare two runs; exit 1 on a regression" },
  { "plot", cmd_plot, "re-render the plots of a run folder" },
  { "report", cmd_report, "write a self-contained HTML report of a run" },
  { "bench", cmd_bench, "benchmarks: phold (event queue), topo (build)" },
  { "help", cmd_help, "show help for faultline or a subcommand" },
};

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: faultline COMMAND [OPTIONS]...\n\n"
           "faultline %s - a discrete-event simulator of GPU supercomputers:\n"
           "failure scenarios in Lua, replayed against the real health and\n"
           "scheduling policies.\n\nCommands:\n",
           fl_version ());
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\nRun 'faultline COMMAND --help' for the options of one command,\n"
           "'faultline help options' for every configuration key,\n"
           "'faultline help metrics' for the metrics and their tolerances.\n"
           "Example:\n  faultline run scenarios/llama3-16k.lua --seed 7\n\n"
           "Exit status: 0 success, 1 a comparison found a regression,\n"
           "2 bad usage, bad input or an unusable environment (unwritable\n"
           "folder, full disk, missing program), 3 a bug in faultline\n"
           "(docs/cli.md).\n"
           "Environment: FAULTLINE_DATADIR, FAULTLINE_GNUPLOT, FL_LUA_PATH;\n"
           "faultline restarts itself once with GLIBC_TUNABLES=glibc.malloc.hugetlb=1\n"
           "(huge pages for its heap) unless that tunable is already set (docs/cli.md).\n");
}

static const CliCommand *
find_command (const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

/* Appends text to s, wrapped at HELP_WIDTH columns, each line indented by
 * indent spaces (words longer than a line stay whole). */
#define HELP_WIDTH 80
static void
help_wrap (GString *s, const char *text, int indent)
{
  g_auto (GStrv) words = g_strsplit_set (text, " \n", -1);
  int col = 0;
  for (char **w = words; *w != NULL; w++)
    {
      int len = (int) strlen (*w); /* bytes: never more columns */
      if (len == 0)
        continue;
      if (col > indent && col + 1 + len > HELP_WIDTH)
        {
          g_string_append_c (s, '\n');
          col = 0;
        }
      if (col == 0)
        {
          g_string_append_printf (s, "%*s", indent, "");
          col = indent;
        }
      else
        {
          g_string_append_c (s, ' ');
          col++;
        }
      g_string_append (s, *w);
      col += len;
    }
  if (col > 0)
    g_string_append_c (s, '\n');
}

/* A default as a person reads it: durations in the largest of the units
 * --set takes that divides them (432000 s -> "5d"), other numbers in at
 * most 6 significant digits, strings as they are ("" when empty).
 * Returns: (transfer full). */
static char *
help_default (const char *def, const char *unit)
{
  if (def == NULL || *def == '\0')
    return g_strdup ("\"\"");
  char *end;
  double v = g_ascii_strtod (def, &end);
  if (end == def || *end != '\0')
    return g_strdup (def);
  if (strcmp (unit, "s") == 0 && v >= 60 && v == floor (v))
    {
      static const struct
      {
        double s;
        const char *suffix;
      } units[] = { { 604800, "w" }, { 86400, "d" }, { 3600, "h" },
                    { 60, "m" } };
      for (size_t i = 0; i < G_N_ELEMENTS (units); i++)
        if (fmod (v, units[i].s) == 0)
          return g_strdup_printf ("%g%s", v / units[i].s, units[i].suffix);
    }
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

/* "  KEY  TYPE, UNIT; default D" then the help and MORE (NULL: none),
 * wrapped and indented. */
static void
help_entry (GString *s, const char *key, const char *type, const char *unit,
            const char *def, const char *help, const char *more)
{
  g_autofree char *d = help_default (def, unit ? unit : "");
  g_autoptr (GString) kind = g_string_new (type);
  if (unit != NULL && *unit)
    g_string_append_printf (kind, "%s%s", kind->len ? ", " : "", unit);
  g_string_append_printf (kind, "%sdefault %s", kind->len ? "; " : "", d);
  if (2 + MAX (strlen (key), 30) + 1 + kind->len > 80) /* a long default */
    g_string_append_printf (s, "  %s\n      %s\n", key, kind->str);
  else
    g_string_append_printf (s, "  %-30s %s\n", key, kind->str);
  help_wrap (s, help, 6);
  if (more != NULL)
    help_wrap (s, more, 6);
}

/* The options of one group (fl_option_info), each as its group is shown. */
static void
help_group (GString *s, FlOptionGroup group)
{
  FlOptionInfo o;
  for (size_t i = 0; fl_option_info (i, &o); i++)
    {
      if (o.group != group)
        continue;
      switch (group)
        {
        case FL_OPTION_CONFIG:
        case FL_OPTION_HEALTH:
        case FL_OPTION_SCHED:
          help_entry (s, o.key, o.type, o.unit,
                      o.default_value ? o.default_value : "", o.help,
                      o.accepts);
          break;
        case FL_OPTION_NUMBER:
          g_string_append_printf (s, "  %-30s number\n", o.key);
          help_wrap (s, o.help, 6);
          if (o.accepts != NULL)
            help_wrap (s, o.accepts, 6);
          break;
        case FL_OPTION_FAILURE_MODE:
          {
            g_autoptr (GString) kind = g_string_new (o.type);
            if (*o.unit)
              g_string_append_printf (kind, ", %s", o.unit);
            g_string_append_printf (s, "  %-30s %s\n", o.key, kind->str);
            help_wrap (s, o.help, 6);
            if (o.accepts != NULL)
              help_wrap (s, o.accepts, 6);
          }
          break;
        }
    }
}

/* faultline help options: every key --set and the Lua tables accept
 * (fl_option_info), wrapped at 80 columns. */
static void
help_options (void)
{
  g_autoptr (GString) s = g_string_new (NULL);
  help_wrap (s, "Configuration keys (Lua: cluster{...}, failures{...}, "
             "policy{...}, workload{...}, run{...}; command line: --set "
             "KEY=VALUE; durations in seconds, or with a unit suffix on the "
             "command line: 90s 30m 2h 54d 1w; defaults are shown rounded "
             "to such a unit):", 0);
  g_string_append_c (s, '\n');
  help_group (s, FL_OPTION_CONFIG);
  g_string_append_c (s, '\n');
  help_wrap (s, "Other numbers a scenario gives (job{KEY}, "
             "failure_mode(name, {KEY}), at(t), every(dt, fn, first), "
             "maintenance(p, d), lua_policy{every}, set_node_rate(node, "
             "multiplier, reset_probability)):", 0);
  g_string_append_c (s, '\n');
  help_group (s, FL_OPTION_NUMBER);
  g_string_append_c (s, '\n');
  help_wrap (s, "failure_mode(name, {KEY = VALUE}) keys, applied in this "
             "order (numbers: the ranges above):", 0);
  g_string_append_c (s, '\n');
  help_group (s, FL_OPTION_FAILURE_MODE);
  g_string_append_c (s, '\n');
  help_wrap (s, "Health policy parameters (--set health.KEY=VALUE, or "
             "policy{ health_params = { KEY = VALUE } }):", 0);
  g_string_append_c (s, '\n');
  help_group (s, FL_OPTION_HEALTH);
  g_string_append_c (s, '\n');
  help_wrap (s, "Scheduler parameters (--set sched.KEY=VALUE, or "
             "policy{ sched_params = { KEY = VALUE } }):", 0);
  g_string_append_c (s, '\n');
  help_group (s, FL_OPTION_SCHED);
  g_string_append_c (s, '\n');
  help_wrap (s, "A scenario's own param() names are listed by 'faultline "
             "run SCENARIO --params'; 'faultline run SCENARIO --set "
             "NAME=VALUE' overrides them.", 0);
  fputs (s->str, stdout);
}

/* faultline help metrics: the metric table (lib/metrictab.h). */
static void
help_metrics (void)
{
  printf ("Metrics of summary.json (\"metrics\"), as `faultline compare` "
          "judges them\n(docs/results.md defines each; tolerance: "
          "--tolerance METRIC=PCT):\n\n");
  printf ("  %-30s %-6s %-7s %9s  %s\n", "key", "unit", "better",
          "tolerance", "meaning");
  FlMetricInfo mi;
  for (size_t i = 0; fl_metric_info (i, &mi); i++)
    {
      char tol[32] = "-";
      if (strcmp (mi.better, "info") != 0)
        g_snprintf (tol, sizeof tol, "%g%%", mi.tolerance_pct);
      printf ("  %-30s %-6s %-7s %9s  %s\n", mi.name, mi.unit, mi.better, tol,
              mi.label);
    }
}

/* faultline help [COMMAND | options | metrics] */
static int
cmd_help (int argc, char **argv)
{
  if (argc < 2)
    {
      usage (stdout);
      return FL_EXIT_OK;
    }
  if (argc > 2)
    {
      cli_error ("help", "unexpected argument '%s' (use: faultline help "
                 "[COMMAND | options | metrics])", argv[2]);
      return FL_EXIT_USAGE;
    }
  if (strcmp (argv[1], "options") == 0)
    {
      help_options ();
      return FL_EXIT_OK;
    }
  if (strcmp (argv[1], "metrics") == 0)
    {
      help_metrics ();
      return FL_EXIT_OK;
    }
  const CliCommand *c = find_command (argv[1]);
  if (c == NULL || c->fn == cmd_help)
    {
      if (c == NULL)
        {
          cli_error ("help", "unknown command '%s'", argv[1]);
          return FL_EXIT_USAGE;
        }
      usage (stdout);
      return FL_EXIT_OK;
    }
  char *sub_argv[] = { (char *) c->name, (char *) "--help", NULL };
  return c->fn (2, sub_argv);
}

/* Transparent huge pages for malloc's heap. A large run allocates its
 * state once and touches it all: fleet-1m's year faults in ~1.6 GiB, and
 * with 4 KiB pages the first-touch faults and TLB misses were 10-15% of
 * its CPU time. glibc >= 2.35 backs its heap with huge pages
 * (madvise(MADV_HUGEPAGE)) when the tunable glibc.malloc.hugetlb=1 is
 * set, and reads tunables only when a process starts: so the binary
 * starts itself again, once, with the tunable added to GLIBC_TUNABLES;
 * with glibc.malloc.top_pad=64 MiB too (unless set already), so that the
 * heap grows by whole huge pages rather than by the few KiB each call
 * asks for (a top grown in small steps is faulted in 4 KiB at a time
 * after all: fleet-100k 41,700 minor faults, 8,700 with hugetlb alone,
 * 1,100 with both). Address space only: a page is resident once touched.
 * Nothing else changes (same arguments, descriptors, environment):
 * results are identical, only faster (docs/performance.md). Skipped when
 * GLIBC_TUNABLES already names the tunable (the user's choice, and the
 * re-executed process itself), when the kernel's THP mode is "never",
 * under valgrind (its preload must stay first), or when the exec fails. */
static void
reexec_with_huge_pages (char **argv)
{
#if defined(__linux__) && defined(__GLIBC__)
  const char *tun = getenv ("GLIBC_TUNABLES");
  if (tun != NULL && strstr (tun, "glibc.malloc.hugetlb") != NULL)
    return;
  const char *pre = getenv ("LD_PRELOAD");
  if (pre != NULL && strstr (pre, "vgpreload") != NULL)
    return;
  unsigned major = 0, minor = 0;
  if (sscanf (gnu_get_libc_version (), "%u.%u", &major, &minor) != 2
      || major < 2 || (major == 2 && minor < 35))
    return;
  char mode[128] = "";
  FILE *f = fopen ("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f == NULL)
    return;
  bool ok = fgets (mode, sizeof mode, f) != NULL && strstr (mode, "[never]") == NULL;
  fclose (f);
  if (!ok)
    return;
  const char *add = tun != NULL && strstr (tun, "glibc.malloc.top_pad") != NULL
                      ? "glibc.malloc.hugetlb=1"
                      : "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864";
  char *val = tun != NULL && *tun != '\0' ? g_strconcat (tun, ":", add, NULL)
                                          : g_strdup (add);
  /* The binary's own path, not /proc/self/exe: the process keeps its name
   * (comm "faultline", not "exe") for ps, perf and the like. */
  char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (self != NULL && setenv ("GLIBC_TUNABLES", val, 1) == 0)
    execv (self, argv);
  g_free (self);
  /* Still here: run as we are, with the environment as it was. */
  if (tun != NULL)
    setenv ("GLIBC_TUNABLES", tun, 1);
  else
    unsetenv ("GLIBC_TUNABLES");
  g_free (val);
#else
  (void) argv;
#endif
}

int
main (int argc, char **argv)
{
  reexec_with_huge_pages (argv);
  setlocale (LC_ALL, "");
  g_set_prgname ("faultline");
  if (argc < 2)
    {
      usage (stderr);
      return FL_EXIT_USAGE;
    }
  const char *name = argv[1];
  if (strcmp (name, "--version") == 0 || strcmp (name, "-V") == 0)
    {
      printf ("faultline %s\n", fl_version ());
      return cli_finish_stdout (NULL, FL_EXIT_OK);
    }
  if (strcmp (name, "--help") == 0 || strcmp (name, "-h") == 0)
    {
      usage (stdout);
      return cli_finish_stdout (NULL, FL_EXIT_OK);
    }
  const CliCommand *c = find_command (name);
  if (c == NULL)
    {
      cli_error (NULL, "unknown command '%s' (see 'faultline --help')", name);
      return FL_EXIT_USAGE;
    }
  return cli_finish_stdout (c->name, c->fn (argc - 1, argv + 1));
}
