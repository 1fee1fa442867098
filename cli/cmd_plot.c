/* cli/cmd_plot.c - `faultline plot DIR`: re-renders the plots of a run
 * folder with gnuplot (fl_plot_render of faultline.h). Not the renderer
 * itself; a missing gnuplot is a warning and exit 0, bad input exit 2. */
#include "cli.h"
#include "faultline.h"

#include <stdio.h>

int
cmd_plot (int argc, char **argv)
{
  gboolean no_svg = FALSE, no_png = FALSE;
  char *gnuplot = NULL;
  GOptionEntry entries[] = {
    { "gnuplot", 0, 0, G_OPTION_ARG_FILENAME, &gnuplot,
      "gnuplot program to run (default: $FAULTLINE_GNUPLOT or gnuplot on "
      "PATH)", "PROG" },
    { "no-png", 0, 0, G_OPTION_ARG_NONE, &no_png, "do not render PNG", NULL },
    { "no-svg", 0, 0, G_OPTION_ARG_NONE, &no_svg, "do not render SVG", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    "plot", "DIR",
    "Re-renders the plots of run folder DIR into DIR/plots/ (PNG and SVG):\n"
    "node states, healthy GPUs, main job progress with its interruptions,\n"
    "main job ETTR, interruptions by cause. The gnuplot scripts (*.gp) and\n"
    "data files (*.dat) are kept there: edit a script and run\n"
    "`gnuplot NAME.gp` in DIR/plots to change a plot.",
    "Examples:\n"
    "  faultline plot results/llama3-16k\n"
    "  cd results/llama3-16k/plots && gnuplot main-job-progress.gp\n\n"
    "Without gnuplot the data files and scripts are written, a warning is\n"
    "printed and the exit status is 0. Exit status 2: DIR is not a run\n"
    "folder or holds a malformed CSV, DIR/plots cannot be written, or\n"
    "gnuplot failed (docs/cli.md).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, "plot", &argc, &argv))
    {
      g_free (gnuplot);
      return FL_EXIT_USAGE;
    }
  g_autofree char *prog = gnuplot;
  if (argc != 2)
    {
      cli_error ("plot", "expected one run folder, got %d arguments (see "
                 "'faultline plot --help')", argc - 1);
      return FL_EXIT_USAGE;
    }
  if (no_png && no_svg)
    {
      cli_error ("plot", "--no-png and --no-svg together leave nothing to "
                 "render: drop one");
      return FL_EXIT_USAGE;
    }
  FlPlotOptions opt = { .gnuplot = prog, .no_png = no_png, .no_svg = no_svg };
  FlPlotResult res;
  g_autoptr (GError) error = NULL;
  if (!fl_plot_render (argv[1], &opt, &res, &error))
    {
      /* Bad input, an unwritable folder or a failing gnuplot: each is
       * the input or the environment, never a bug of ours (exit 2). */
      cli_error ("plot", "%s", error->message);
      return FL_EXIT_USAGE;
    }
  if (res.gnuplot_missing)
    fprintf (stderr, "faultline: gnuplot not found; wrote data files only\n");
  return FL_EXIT_OK;
}
