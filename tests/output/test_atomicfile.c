/* tests/output/test_atomicfile.c - lib/atomicfile.h: whole files appear
 * whole or not at all. The kill tests fork a child that starts writing a
 * large file (or a run folder), tells the parent through a pipe that it is
 * half-way, and waits; the parent SIGKILLs it and checks that the final
 * path is absent or still holds the previous complete content. No timing
 * is involved: the pipe orders the steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomicfile.h"

#define BIG (8u << 20) /* 8 MiB: more than any stdio buffer */

static char *
tmpdir (void)
{
  char *d = g_dir_make_tmp ("fl-atomic-XXXXXX", NULL);
  assert_non_null (d);
  return d;
}

static guint
count_entries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;
  if (d == NULL)
    return 0;
  while (g_dir_read_name (d) != NULL)
    n++;
  g_dir_close (d);
  return n;
}

static char *
slurp (const char *path)
{
  char *s = NULL;
  if (!g_file_get_contents (path, &s, NULL, NULL))
    return NULL;
  return s;
}

static void
test_write_replaces (void **state)
{
  g_autofree char *d = tmpdir ();
  g_autofree char *p = g_build_filename (d, "a.txt", NULL);
  GError *error = NULL;
  assert_true (atomicfile_write (p, "one\n", 4, &error));
  assert_true (atomicfile_write (p, "two!\n", 5, &error));
  g_autofree char *s = slurp (p);
  assert_string_equal (s, "two!\n");
  assert_int_equal (count_entries (d), 1); /* no temporary left */
  atomicfile_remove_tree (d);
}

static void
test_stream_commit_abort (void **state)
{
  g_autofree char *d = tmpdir ();
  g_autofree char *p = g_build_filename (d, "e.jsonl", NULL);
  GError *error = NULL;
  AtomicFile *af = atomicfile_open (p, &error);
  assert_non_null (af);
  fprintf (atomicfile_stream (af), "line %d\n", 1);
  assert_true (atomicfile_append (af, "line 2\n", 7, &error));
  assert_false (g_file_test (p, G_FILE_TEST_EXISTS)); /* not before commit */
  assert_true (atomicfile_commit (af, &error));
  g_autofree char *s = slurp (p);
  assert_string_equal (s, "line 1\nline 2\n");
  af = atomicfile_open (p, &error);
  fputs ("garbage", atomicfile_stream (af));
  atomicfile_abort (af);
  g_autofree char *s2 = slurp (p);
  assert_string_equal (s2, "line 1\nline 2\n");
  assert_int_equal (count_entries (d), 1);
  atomicfile_abort (NULL);
  atomicfile_remove_tree (d);
}

static void
test_open_error_names_path (void **state)
{
  GError *error = NULL;
  AtomicFile *af = atomicfile_open ("/nonexistent-dir-fl/x.json", &error);
  assert_null (af);
  assert_non_null (error);
  assert_non_null (strstr (error->message, "/nonexistent-dir-fl/x.json"));
  g_error_free (error);
}

/* Child: writes half of BIG bytes to path through an AtomicFile, signals
 * the parent, then waits to be killed. Never returns. */
static void G_GNUC_NORETURN
child_write (const char *path, int fd)
{
  AtomicFile *af = atomicfile_open (path, NULL);
  if (af == NULL)
    _exit (1);
  static char chunk[65536];
  memset (chunk, 'n', sizeof chunk);
  for (size_t done = 0; done < BIG / 2; done += sizeof chunk)
    if (!atomicfile_append (af, chunk, sizeof chunk, NULL))
      _exit (1);
  fflush (atomicfile_stream (af));
  if (write (fd, "h", 1) != 1)
    _exit (1);
  for (;;)
    pause ();
}

/* Forks child_write and kills it once it is half-way. */
static void
kill_writer_halfway (const char *path)
{
  int fds[2];
  assert_int_equal (pipe (fds), 0);
  pid_t pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      close (fds[0]);
      child_write (path, fds[1]);
    }
  close (fds[1]);
  char c;
  assert_int_equal (read (fds[0], &c, 1), 1);
  close (fds[0]);
  /* The temporary file is half written at this point. */
  g_autofree char *tmp = g_strdup_printf ("%s.tmp.%ld", path, (long) pid);
  assert_true (g_file_test (tmp, G_FILE_TEST_EXISTS));
  assert_int_equal (kill (pid, SIGKILL), 0);
  int status;
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  g_unlink (tmp);
}

static void
test_killed_writer_leaves_no_file (void **state)
{
  g_autofree char *d = tmpdir ();
  g_autofree char *p = g_build_filename (d, "big.bin", NULL);
  kill_writer_halfway (p);
  assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
  atomicfile_remove_tree (d);
}

static void
test_killed_writer_keeps_old_content (void **state)
{
  g_autofree char *d = tmpdir ();
  g_autofree char *p = g_build_filename (d, "big.bin", NULL);
  const char *old = "the previous complete content\n";
  assert_true (atomicfile_write (p, old, strlen (old), NULL));
  kill_writer_halfway (p);
  g_autofree char *s = slurp (p);
  assert_string_equal (s, old);
  atomicfile_remove_tree (d);
}

/* Child: stages a run folder with a half-written big file, signals, waits. */
static void G_GNUC_NORETURN
child_run_folder (const char *dir, int fd)
{
  AtomicDir *ad = atomicfile_dir_begin (dir, NULL);
  if (ad == NULL)
    _exit (1);
  g_autofree char *sum = g_build_filename (atomicfile_dir_staging (ad),
                                           "summary.json", NULL);
  if (!atomicfile_write (sum, "{\"new\": true}\n", 14, NULL))
    _exit (1);
  g_autofree char *ev = g_build_filename (atomicfile_dir_staging (ad),
                                          "events.jsonl", NULL);
  child_write (ev, fd);
}

static void
test_killed_run_folder (void **state)
{
  g_autofree char *d = tmpdir ();
  g_autofree char *run = g_build_filename (d, "results", "x", NULL);
  for (int existing = 0; existing < 2; existing++)
    {
      int fds[2];
      assert_int_equal (pipe (fds), 0);
      pid_t pid = fork ();
      assert_true (pid >= 0);
      if (pid == 0)
        {
          close (fds[0]);
          child_run_folder (run, fds[1]);
        }
      close (fds[1]);
      char c;
      assert_int_equal (read (fds[0], &c, 1), 1);
      close (fds[0]);
      assert_int_equal (kill (pid, SIGKILL), 0);
      int status;
      assert_int_equal (waitpid (pid, &status, 0), pid);
      g_autofree char *stale = g_strdup_printf ("%s.partial-%ld", run,
                                                (long) pid);
      assert_true (g_file_test (stale, G_FILE_TEST_IS_DIR));
      g_autofree char *sum = g_build_filename (run, "summary.json", NULL);
      g_autofree char *ev = g_build_filename (run, "events.jsonl", NULL);
      if (!existing)
        assert_false (g_file_test (run, G_FILE_TEST_EXISTS));
      else
        {
          g_autofree char *s = slurp (sum);
          assert_string_equal (s, "{\"old\": true}\n");
          assert_false (g_file_test (ev, G_FILE_TEST_EXISTS));
        }
      /* The next run removes the dead run's staging folder, and this time
       * it commits. */
      GError *error = NULL;
      AtomicDir *ad = atomicfile_dir_begin (run, &error);
      assert_non_null (ad);
      assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
      g_autofree char *s2 = g_build_filename (atomicfile_dir_staging (ad),
                                              "summary.json", NULL);
      assert_true (atomicfile_write (s2, "{\"old\": true}\n", 14, &error));
      assert_true (atomicfile_dir_commit (ad, &error));
      g_autofree char *s = slurp (sum);
      assert_string_equal (s, "{\"old\": true}\n");
    }
  atomicfile_remove_tree (d);
}

static void
test_dir_commit_over_existing (void **state)
{
  g_autofree char *d = tmpdir ();
  g_autofree char *run = g_build_filename (d, "out", NULL);
  GError *error = NULL;
  /* First run: the folder does not exist, it appears by one rename. */
  AtomicDir *ad = atomicfile_dir_begin (run, &error);
  g_autofree char *stage1 = g_strdup (atomicfile_dir_staging (ad));
  g_autofree char *a = g_build_filename (stage1, "a.csv", NULL);
  g_autofree char *keep = g_build_filename (stage1, "only-old.txt", NULL);
  assert_true (atomicfile_write (a, "old\n", 4, &error));
  assert_true (atomicfile_write (keep, "k\n", 2, &error));
  assert_true (atomicfile_dir_commit (ad, &error));
  assert_false (g_file_test (stage1, G_FILE_TEST_EXISTS));
  /* Second run replaces a.csv file by file and adds b.csv. */
  g_autofree char *run_slash = g_strconcat (run, "/", NULL);
  ad = atomicfile_dir_begin (run_slash, &error);
  assert_non_null (ad);
  g_autofree char *a2 = g_build_filename (atomicfile_dir_staging (ad),
                                          "a.csv", NULL);
  g_autofree char *b2 = g_build_filename (atomicfile_dir_staging (ad),
                                          "b.csv", NULL);
  assert_true (atomicfile_write (a2, "new\n", 4, &error));
  assert_true (atomicfile_write (b2, "b\n", 2, &error));
  assert_true (atomicfile_dir_commit (ad, &error));
  g_autofree char *fa = g_build_filename (run, "a.csv", NULL);
  g_autofree char *fk = g_build_filename (run, "only-old.txt", NULL);
  g_autofree char *sa = slurp (fa);
  assert_string_equal (sa, "new\n");
  assert_true (g_file_test (fk, G_FILE_TEST_EXISTS)); /* documented */
  assert_int_equal (count_entries (run), 3);
  assert_int_equal (count_entries (d), 1); /* no staging folder left */
  atomicfile_remove_tree (d);
}

static void
test_dir_abort_and_errors (void **state)
{
  g_autofree char *d = tmpdir ();
  g_autofree char *run = g_build_filename (d, "out", NULL);
  GError *error = NULL;
  AtomicDir *ad = atomicfile_dir_begin (run, &error);
  g_autofree char *f = g_build_filename (atomicfile_dir_staging (ad), "x",
                                         NULL);
  assert_true (atomicfile_write (f, "x", 1, &error));
  atomicfile_dir_abort (ad);
  atomicfile_dir_abort (NULL);
  assert_int_equal (count_entries (d), 0);
  /* -o pointing at a regular file is bad input, named in the message. */
  assert_true (atomicfile_write (run, "file", 4, &error));
  ad = atomicfile_dir_begin (run, &error);
  assert_null (ad);
  assert_non_null (error);
  assert_non_null (strstr (error->message, run));
  g_clear_error (&error);
  atomicfile_remove_tree (d);
}

/* An aborted run into a/b/c removes the parents a/ and a/b/ it created,
 * but not a parent that was there before; opening an empty path or a
 * folder as a file is refused. */
static void
test_dir_abort_removes_created_parents (void **state)
{
  g_autofree char *d = tmpdir ();
  g_autofree char *deep = g_build_filename (d, "a", "b", "c", NULL);
  GError *error = NULL;
  AtomicDir *ad = atomicfile_dir_begin (deep, &error);
  assert_non_null (ad);
  g_autofree char *ab = g_build_filename (d, "a", "b", NULL);
  assert_true (g_file_test (ab, G_FILE_TEST_IS_DIR));
  atomicfile_dir_abort (ad);
  assert_int_equal (count_entries (d), 0);

  g_autofree char *a = g_build_filename (d, "a", NULL);
  assert_int_equal (g_mkdir (a, 0755), 0);
  ad = atomicfile_dir_begin (deep, &error);
  assert_non_null (ad);
  atomicfile_dir_abort (ad);
  assert_true (g_file_test (a, G_FILE_TEST_IS_DIR)); /* not ours */
  assert_false (g_file_test (ab, G_FILE_TEST_EXISTS));

  assert_null (atomicfile_open ("", &error));
  assert_non_null (strstr (error->message, "empty file name"));
  g_clear_error (&error);
  assert_null (atomicfile_open (a, &error));
  assert_non_null (strstr (error->message, a));
  g_clear_error (&error);
  assert_int_equal (count_entries (a), 0); /* no a.tmp.<pid> inside */
  atomicfile_remove_tree (d);
}

/* A file inside a live staging folder is written under its own name (the
 * folder as a whole is what appears atomically) and atomicfile_is_staged()
 * says so, for that path only while the folder is live; abort removes it;
 * once the folder is committed, files are written through a temporary
 * name again. */
static void
test_staged_files (void **state)
{
  g_autofree char *d = tmpdir ();
  g_autofree char *run = g_build_filename (d, "out", NULL);
  GError *error = NULL;
  AtomicDir *ad = atomicfile_dir_begin (run, &error);
  assert_non_null (ad);
  const char *st = atomicfile_dir_staging (ad);
  g_autofree char *a = g_build_filename (st, "a.csv", NULL);
  g_autofree char *b = g_build_filename (st, "b.csv", NULL);
  /* What writers of their own files (fabric.pcap) ask to skip fsync:
   * inside the live staging folder only, not the folder itself, not a
   * sibling whose name merely starts the same, not <dir>. */
  assert_true (atomicfile_is_staged (a));
  g_autofree char *sub = g_build_filename (st, "plots", "x.png", NULL);
  assert_true (atomicfile_is_staged (sub));
  assert_false (atomicfile_is_staged (st));
  g_autofree char *sibling = g_strconcat (st, "x/a.csv", NULL);
  assert_false (atomicfile_is_staged (sibling));
  g_autofree char *in_run = g_build_filename (run, "a.csv", NULL);
  assert_false (atomicfile_is_staged (in_run));
  AtomicFile *af = atomicfile_open (a, &error);
  assert_non_null (af);
  assert_true (atomicfile_append (af, "a\n", 2, &error));
  assert_true (g_file_test (a, G_FILE_TEST_EXISTS)); /* its own name */
  assert_int_equal (count_entries (st), 1);
  assert_true (atomicfile_commit (af, &error));
  af = atomicfile_open (b, &error);
  assert_true (atomicfile_append (af, "b\n", 2, &error));
  atomicfile_abort (af);
  assert_false (g_file_test (b, G_FILE_TEST_EXISTS));
  assert_false (g_file_test (run, G_FILE_TEST_EXISTS));
  assert_true (atomicfile_dir_commit (ad, &error));
  assert_false (atomicfile_is_staged (a)); /* the commit ended staging */
  g_autofree char *fa = g_build_filename (run, "a.csv", NULL);
  g_autofree char *sa = slurp (fa);
  assert_string_equal (sa, "a\n");
  assert_int_equal (count_entries (run), 1);
  /* Committed: a file in the folder gets a temporary name again. */
  g_autofree char *c = g_build_filename (run, "c.csv", NULL);
  af = atomicfile_open (c, &error);
  assert_true (atomicfile_append (af, "c\n", 2, &error));
  assert_false (g_file_test (c, G_FILE_TEST_EXISTS));
  assert_int_equal (count_entries (run), 2); /* a.csv, c.csv.tmp.<pid> */
  assert_true (atomicfile_commit (af, &error));
  assert_true (g_file_test (c, G_FILE_TEST_EXISTS));
  assert_int_equal (count_entries (run), 2);
  atomicfile_remove_tree (d);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_write_replaces),
    cmocka_unit_test (test_stream_commit_abort),
    cmocka_unit_test (test_open_error_names_path),
    cmocka_unit_test (test_killed_writer_leaves_no_file),
    cmocka_unit_test (test_killed_writer_keeps_old_content),
    cmocka_unit_test (test_killed_run_folder),
    cmocka_unit_test (test_dir_commit_over_existing),
    cmocka_unit_test (test_dir_abort_and_errors),
    cmocka_unit_test (test_staged_files),
    cmocka_unit_test (test_dir_abort_removes_created_parents),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
