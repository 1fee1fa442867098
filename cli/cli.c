/* cli/cli.c - helpers shared by the subcommands: errors and GOption. */
#include "cli.h"
#include "faultline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

void
cli_error (const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (cmd != NULL)
    fprintf (stderr, "faultline %s: %s\n", cmd, msg);
  else
    fprintf (stderr, "faultline: %s\n", msg);
}

/* --version on every subcommand: prints what `faultline --version` does
 * and exits 0 at once (a version query runs nothing else). */
static gboolean
cli_version_cb (const char *name, const char *value, gpointer data,
                GError **error)
{
  printf ("faultline %s\n", fl_version ());
  fflush (stdout);
  exit (FL_EXIT_OK);
}

void
cli_print_version (void)
{
  printf ("faultline %s\n", fl_version ());
}

int
cli_finish_stdout (const char *cmd, int status)
{
  errno = 0;
  bool ok = fflush (stdout) == 0 && !ferror (stdout);
  /* A command that failed has said why already. */
  if (ok || (status != FL_EXIT_OK && status != FL_EXIT_REGRESSION))
    return status;
  int e = errno;
  cli_error (cmd, "cannot write to standard output: %s",
             e ? g_strerror (e) : "write error");
  return status == FL_EXIT_INTERNAL ? status : FL_EXIT_USAGE;
}

GOptionContext *
cli_context (const char *cmd, const char *args, const char *summary,
             const char *description)
{
  /* main() set the program name to "faultline"; the usage line reads
   * "faultline CMD [OPTION...] ARGS". */
  g_autofree char *param = g_strdup_printf ("%s%s%s", cmd,
                                            args && *args ? " " : "",
                                            args ? args : "");
  GOptionContext *ctx = g_option_context_new (param);
  if (summary != NULL)
    g_option_context_set_summary (ctx, summary);
  if (description != NULL)
    g_option_context_set_description (ctx, description);
  g_option_context_set_help_enabled (ctx, TRUE);
  static const GOptionEntry version[] = {
    { "version", 'V', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
      (gpointer) cli_version_cb, "print the version of faultline and exit",
      NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_option_context_add_main_entries (ctx, version, NULL);
  return ctx;
}

bool
cli_parse (GOptionContext *ctx, const char *cmd, int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      cli_error (cmd, "%s (see 'faultline %s --help')", error->message, cmd);
      return false;
    }
  return true;
}

bool
cli_parse_u64 (const char *cmd, const char *what, const char *s, guint64 *out)
{
  g_autoptr (GError) error = NULL;
  if (s == NULL
      || !g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, out, &error))
    {
      if (g_error_matches (error, G_NUMBER_PARSER_ERROR,
                           G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
        cli_error (cmd, "%s: '%s' is too large (at most %" G_GUINT64_FORMAT
                   ")", what, s, G_MAXUINT64);
      else
        cli_error (cmd, "%s: '%s' is not a non-negative integer (decimal "
                   "digits only)",
                   what, s ? s : "");
      return false;
    }
  return true;
}
