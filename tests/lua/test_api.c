/* tests/lua/test_api.c - the scenario API during a run: at/every/on
 * callbacks fire at their simulated times through world_run(), every()
 * stops when its callback returns false, and a callback error stops the
 * run with "file:LINE: message (at simulated time ...)" and a traceback.
 * Needs models/world.c (world_new/world_run). Observations leave the Lua
 * state through the error message of a deliberate final error(), so the
 * test reads what the script saw without any extra API. */
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

/* Loads text as a scenario, runs it; returns the run's error (or NULL). */
static GError *
run_text (const char *text)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("fl-api-XXXXXX.lua", &path, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_true (g_file_set_contents (path, text, -1, NULL));
  GError *e = NULL;
  LbOptions opt = { .seed = 3 };
  LbRun *run = lb_load (path, &opt, &e);
  if (run == NULL)
    print_error ("load: %s\n", e->message);
  assert_non_null (run);
  World *w = world_new (lb_config (run), 3, &e);
  if (w == NULL)
    print_error ("world_new: %s\n", e->message);
  assert_non_null (w);
  lb_attach (run, w);
  bool ok = world_run (w, &e);
  assert_true (ok == (e == NULL));
  world_free (w);
  lb_free (run);
  g_unlink (path);
  return e;
}

#define SMALL "cluster { nodes = 64 }\nfailures { source = \"none\" }\n" \
              "run { length = days(1) }\n"

/* A callback that raises at hours(3): the run stops, the message names the
 * scenario line, the simulated time, and carries a traceback. */
static void
test_callback_error (void **state)
{
  GError *e = run_text (SMALL
                        "at (hours(3), function ()\n"
                        "  error (\"boom\")\n"
                        "end)\n");
  assert_non_null (e);
  assert_true (e->domain == WORLD_ERROR);
  assert_int_equal (e->code, WORLD_ERROR_SCRIPT);
  assert_non_null (strstr (e->message, ".lua:5: boom (at simulated time "
                           "3h00m00.000s)"));
  assert_non_null (strstr (e->message, "stack traceback:"));
  g_error_free (e);
}

/* now() inside at() is the registration time; every() fires each period
 * until it returns false; at() registered during the run fires too. */
static void
test_timers (void **state)
{
  GError *e = run_text (SMALL
                        "local seen, n = {}, 0\n"
                        "at (hours(2), function () seen[#seen+1] = now () end)\n"
                        "every (hours(1), function ()\n"
                        "  n = n + 1\n"
                        "  if n == 3 then\n"
                        "    at (now () + minutes(30), function ()\n"
                        "      seen[#seen+1] = now () end)\n"
                        "    return false\n"
                        "  end\n"
                        "end)\n"
                        "at (hours(10), function ()\n"
                        "  error (string.format (\"n=%d seen=%s\", n,\n"
                        "    table.concat (seen, \",\")))\n"
                        "end)\n");
  assert_non_null (e);
  /* every fired at 1h, 2h, 3h then stopped; at() from the callback fired
   * at 3h30m = 12600 s */
  if (strstr (e->message, "n=3 seen=7200.0,12600.0") == NULL)
    print_error ("%s\n", e->message);
  assert_non_null (strstr (e->message, "n=3 seen=7200.0,12600.0"));
  g_error_free (e);
}

/* Actions at load time are errors; a clean run returns no error. */
static void
test_clean_run (void **state)
{
  GError *e = run_text (SMALL "at (hours(1), function () note (\"hi\") end)\n");
  if (e != NULL)
    print_error ("%s\n", e->message);
  assert_null (e);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_callback_error),
    cmocka_unit_test (test_timers),
    cmocka_unit_test (test_clean_run),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
