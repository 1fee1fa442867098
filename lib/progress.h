/* lib/progress.h - the progress lines of long commands (`faultline run`,
 * `faultline sweep`) on stderr: when to print one and what it says.
 *
 * On a terminal a line is rewritten in place ("\r" + erase) at most once
 * a second (lib/faultline.c limits the run's callbacks to that); in a log
 * (stderr is not a terminal) a full line is written at most every
 * PROGRESS_LOG_EVERY_S seconds, and always the last one, so a CI log shows
 * where a long run stands without a line per tick. The wall clock is read
 * here and in lib/faultline.c, never in models/. docs/cli.md, "Progress". */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Seconds between two progress lines in a log. */
#define PROGRESS_LOG_EVERY_S 5

typedef struct
{
  gint64 start_us; /* monotonic wall clock at the start */
  gint64 last_us;  /* of the last line printed */
  bool tty;        /* stderr is a terminal: rewrite one line */
  bool printed;    /* a line was printed */
} Progress;

/* Starts the clock; tty as isatty (STDERR_FILENO). */
void progress_init (Progress *p, bool tty);
/* Whether a line is due now (a terminal: always; a log: the first, the
 * last, and one every PROGRESS_LOG_EVERY_S seconds); if so, records it as
 * printed. Sets *elapsed_s to the wall seconds since progress_init. */
bool progress_due (Progress *p, bool last, double *elapsed_s);
/* "12 s", "4 min", "1.5 h"; "-" when not finite or negative. */
void progress_duration (char *buf, size_t len, double s);
/* The line of a run, without the terminal's "\r" or a newline:
 * "run: 12.3 / 54.0 simulated days (23%), 412,345 events, elapsed 4 s,
 * eta 13 s". The ETA assumes the rest of the run goes at the speed of
 * the part done (simulated time per wall second); "-" before any
 * progress. Returns: (transfer full). */
char *progress_run_line (double sim_s, double total_s, uint64_t events,
                         double elapsed_s);
/* Writes line to stderr as p says: "\r\033[K" + line on a terminal (the
 * caller ends it with a newline when the command is done), line + "\n" in
 * a log. */
void progress_print (const Progress *p, const char *line);
