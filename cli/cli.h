/* cli/cli.h - what the subcommands of the `faultline` binary share:
 * exit codes, error reporting, and option parsing with GOption. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "faultline.h"

/* Exit status of every subcommand (docs/cli.md "Exit status"). */
enum
{
  FL_EXIT_OK = 0,         /* success */
  FL_EXIT_REGRESSION = 1, /* a comparison found a regression */
  FL_EXIT_USAGE = 2,      /* bad usage, bad input, or an unusable
                           * environment: an unwritable folder, a full
                           * disk, a missing or failing program */
  FL_EXIT_INTERNAL = 3,   /* a bug in faultline */
};

/* A subcommand: argv[0] is the subcommand name. Returns an exit status. */
typedef int (*CliCommandFn) (int argc, char **argv);

/* Flushes stdout after a subcommand returned STATUS (main() calls it for
 * every subcommand): a write error (a full disk, a closed pipe) turns 0 or
 * 1 into FL_EXIT_USAGE, with a message. Returns the exit status. */
int cli_finish_stdout (const char *cmd, int status);

/* Prints "faultline CMD: message" on stderr. */
void cli_error (const char *cmd, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* Parses argv with ctx. On error prints one line naming the bad option and
 * a pointer to --help, and returns false (the caller exits FL_EXIT_USAGE).
 * The summary and description of ctx should hold an example. */
bool cli_parse (GOptionContext *ctx, const char *cmd, int *argc,
                char ***argv);

/* Creates a context for "faultline CMD ARGS" with a summary (first line of
 * --help) and a description (shown after the options: put examples here). */
GOptionContext *cli_context (const char *cmd, const char *args,
                             const char *summary, const char *description);

/* Prints "faultline VERSION" on stdout (every subcommand's --version;
 * cli_context adds the option). */
void cli_print_version (void);

/* Parses a non-negative decimal integer option value (no sign, no 0x, no
 * spaces); on error prints the value and returns false. */
bool cli_parse_u64 (const char *cmd, const char *what, const char *s,
                    guint64 *out);

/* The options of `faultline sweep`, shared by slurm and k8s
 * (cli/cmd_sweep.c). */
typedef struct
{
  char *out, *seeds_spec, *shard_spec;
  char **sets, **grids;
  gint threads;             /* G_MININT: not given */
  gboolean quiet, plots, pcap, no_wall, fresh;
  FlSweep *sweep;           /* after cli_sweep_check */
} CliSweepArgs;

/* Adds the sweep options to ctx (local: also --shard and --fresh, and
 * the defaults of a local run). */
void cli_sweep_add_entries (GOptionContext *ctx, CliSweepArgs *a,
                            bool local);
/* After parsing: checks the options (argv[1] the scenario) into a->sweep
 * (fl_sweep_new). Returns an exit status, with the message printed. */
int cli_sweep_check (const char *cmd, CliSweepArgs *a, int argc, char **argv,
                     bool local);
void cli_sweep_args_clear (CliSweepArgs *a);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliSweepArgs, cli_sweep_args_clear)

/* The options `faultline slurm` and `faultline k8s` add (cli/cmd_slurm.c). */
typedef struct
{
  gint shards;        /* G_MININT: not given */
  char *shards_dir, *name, *faultline;
} CliClusterArgs;
void cli_cluster_add_entries (GOptionContext *ctx, CliClusterArgs *c);
void cli_cluster_args_clear (CliClusterArgs *c);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliClusterArgs, cli_cluster_args_clear)

/* Subcommands (cli/cmd_*.c). */
int cmd_run (int argc, char **argv);
int cmd_topo (int argc, char **argv);
int cmd_replay (int argc, char **argv);
int cmd_promtest (int argc, char **argv);
int cmd_compare (int argc, char **argv);
int cmd_plot (int argc, char **argv);
int cmd_report (int argc, char **argv);
int cmd_bench (int argc, char **argv);
int cmd_sweep (int argc, char **argv);
int cmd_merge (int argc, char **argv);
int cmd_slurm (int argc, char **argv);
int cmd_k8s (int argc, char **argv);
int bench_phold_main (int argc, char **argv); /* cli/bench_phold.c */
int bench_topo_main (int argc, char **argv);  /* cli/bench_topo.c */
