/* lib/atomicfile.c - temp file + fsync + rename, and staged run folders
 * (whose files need neither: one syncfs and the folder's rename).
 * See atomicfile.h for the exact guarantee. POSIX only (rename, fsync,
 * flock): a run folder being written is locked (flock on the folder and on
 * its staging folder), and a second writer is refused, not merged. */
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/syscall.h> /* SYS_syncfs: <unistd.h> declares syncfs only
                             with _GNU_SOURCE, which pulls in <sched.h>,
                             here policy/sched.h */
#endif
#include <sys/types.h>
#include <unistd.h>

G_DEFINE_QUARK (faultline-atomicfile-error-quark, atomicfile_error)

struct AtomicFile
{
  char *path;
  char *tmp;   /* the name written: path itself when staged */
  FILE *fp;
  bool staged; /* inside a live AtomicDir's staging folder */
};

/* The staging folders of the live AtomicDirs of this process (a sweep
 * has one per worker thread). A file under one of them is invisible to
 * readers until the folder commits, so it is written under its own name,
 * without a temporary name, an fsync or a rename of its own: the folder's
 * commit makes all its files durable with one syncfs(2) before its
 * rename. */
static GMutex atomicfile_staging_lock;
static GPtrArray *atomicfile_staging_dirs; /* char *, not owned */

static void
atomicfile_staging_register (const char *staging, bool add)
{
  g_mutex_lock (&atomicfile_staging_lock);
  if (atomicfile_staging_dirs == NULL)
    atomicfile_staging_dirs = g_ptr_array_new ();
  if (add)
    g_ptr_array_add (atomicfile_staging_dirs, (gpointer) staging);
  else
    g_ptr_array_remove_fast (atomicfile_staging_dirs, (gpointer) staging);
  g_mutex_unlock (&atomicfile_staging_lock);
}

bool
atomicfile_is_staged (const char *path)
{
  bool hit = false;
  g_mutex_lock (&atomicfile_staging_lock);
  for (guint i = 0; atomicfile_staging_dirs != NULL
                    && i < atomicfile_staging_dirs->len && !hit; i++)
    {
      const char *d = atomicfile_staging_dirs->pdata[i];
      size_t n = strlen (d);
      hit = strncmp (path, d, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
    }
  g_mutex_unlock (&atomicfile_staging_lock);
  return hit;
}

struct AtomicDir
{
  char *dir;
  char *staging;
  char *created_top; /* highest parent folder begin() created, or NULL */
  int dir_fd;        /* flock(2)ed <dir> when it existed, else -1 */
  int staging_fd;    /* flock(2)ed staging folder, or -1 */
};

/* Opens folder path and takes an exclusive flock without waiting.
 * Returns the fd, -1 with *busy = true when another process holds it,
 * or -1 with *busy = false when it cannot be opened or locked. */
static int
atomicfile_lock_dir (const char *path, bool *busy)
{
  *busy = false;
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      *busy = errno == EWOULDBLOCK;
      close (fd);
      return -1;
    }
  return fd;
}

static bool
atomicfile_busy (GError **error, const char *dir)
{
  g_set_error (error, ATOMICFILE_ERROR, ATOMICFILE_ERROR_BUSY,
               "output folder '%s' is being written by another faultline "
               "process: wait for it to finish, or choose another -o", dir);
  return false;
}

static bool
atomicfile_fail (GError **error, int err, const char *what, const char *path)
{
  g_set_error (error, ATOMICFILE_ERROR, ATOMICFILE_ERROR_IO,
               "%s '%s': %s", what, path, g_strerror (err));
  return false;
}

/* fsyncs a directory so a rename in it is durable. Errors are ignored:
 * some file systems refuse fsync on directories. */
static void
atomicfile_sync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0)
    {
      (void) fsync (fd);
      close (fd);
    }
}

static void
atomicfile_sync_parent (const char *path)
{
  g_autofree char *parent = g_path_get_dirname (path);
  atomicfile_sync_dir (parent);
}

/* ---- single files ---- */

AtomicFile *
atomicfile_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  if (*path == '\0')
    {
      g_set_error (error, ATOMICFILE_ERROR, ATOMICFILE_ERROR_IO,
                   "empty file name: give the path of a file to write");
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ATOMICFILE_ERROR, ATOMICFILE_ERROR_IO,
                   "'%s' is a folder: give the path of a file to write", path);
      return NULL;
    }
  bool staged = atomicfile_is_staged (path);
  g_autofree char *tmp = staged ? g_strdup (path)
                                : g_strdup_printf ("%s.tmp.%ld", path,
                                                   (long) getpid ());
  int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      atomicfile_fail (error, errno, "cannot create", tmp);
      return NULL;
    }
  FILE *fp = fdopen (fd, "w");
  if (fp == NULL)
    {
      int err = errno;
      close (fd);
      unlink (tmp);
      atomicfile_fail (error, err, "cannot open", tmp);
      return NULL;
    }
  AtomicFile *af = g_new0 (AtomicFile, 1);
  af->path = g_strdup (path);
  af->tmp = g_steal_pointer (&tmp);
  af->fp = fp;
  af->staged = staged;
  return af;
}

FILE *
atomicfile_stream (AtomicFile *af)
{
  g_return_val_if_fail (af != NULL, NULL);
  return af->fp;
}

const char *
atomicfile_path (const AtomicFile *af)
{
  g_return_val_if_fail (af != NULL, NULL);
  return af->path;
}

bool
atomicfile_append (AtomicFile *af, const void *data, size_t len,
                   GError **error)
{
  g_return_val_if_fail (af != NULL, false);
  g_return_val_if_fail (data != NULL || len == 0, false);
  if (len > 0 && fwrite (data, 1, len, af->fp) != len)
    return atomicfile_fail (error, errno, "cannot write", af->tmp);
  return true;
}

static void
atomicfile_destroy (AtomicFile *af)
{
  g_free (af->path);
  g_free (af->tmp);
  g_free (af);
}

void
atomicfile_abort (AtomicFile *af)
{
  if (af == NULL)
    return;
  if (af->fp != NULL)
    fclose (af->fp);
  unlink (af->tmp);
  atomicfile_destroy (af);
}

bool
atomicfile_commit (AtomicFile *af, GError **error)
{
  g_return_val_if_fail (af != NULL, false);
  FILE *fp = g_steal_pointer (&af->fp);
  int err = 0;
  const char *what = NULL;
  if (fflush (fp) != 0 || ferror (fp))
    err = errno ? errno : EIO, what = "cannot write";
  else if (!af->staged && fsync (fileno (fp)) != 0)
    err = errno, what = "cannot fsync";
  if (fclose (fp) != 0 && what == NULL)
    err = errno, what = "cannot close";
  if (what == NULL && !af->staged && rename (af->tmp, af->path) != 0)
    err = errno, what = "cannot rename into place";
  if (what != NULL)
    {
      atomicfile_fail (error, err, what, af->path);
      unlink (af->tmp);
      atomicfile_destroy (af);
      return false;
    }
  if (!af->staged)
    atomicfile_sync_parent (af->path);
  atomicfile_destroy (af);
  return true;
}

bool
atomicfile_write (const char *path, const void *data, size_t len,
                  GError **error)
{
  g_return_val_if_fail (path != NULL, false);
  AtomicFile *af = atomicfile_open (path, error);
  if (af == NULL)
    return false;
  if (!atomicfile_append (af, data, len, error))
    {
      atomicfile_abort (af);
      return false;
    }
  return atomicfile_commit (af, error);
}

/* ---- run folders ---- */

void
atomicfile_remove_tree (const char *dir)
{
  GDir *d = g_file_test (dir, G_FILE_TEST_IS_SYMLINK) ? NULL
                                                       : g_dir_open (dir, 0, NULL);
  if (d == NULL)
    {
      unlink (dir); /* a file, a symlink, or nothing */
      return;
    }
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      atomicfile_remove_tree (p);
    }
  g_dir_close (d);
  rmdir (dir);
}

/* Removes "<dir>.partial-<pid>" folders left by killed runs. Returns
 * false (error set) when one is locked: another process is writing <dir>
 * right now. */
static bool
atomicfile_remove_stale (const char *dir, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *base = g_path_get_basename (dir);
  g_autofree char *prefix = g_strconcat (base, ".partial-", NULL);
  GDir *d = g_dir_open (parent, 0, NULL);
  if (d == NULL)
    return true;
  const char *name;
  bool ok = true;
  while (ok && (name = g_dir_read_name (d)) != NULL)
    {
      if (!g_str_has_prefix (name, prefix))
        continue;
      const char *num = name + strlen (prefix);
      guint64 pid;
      if (!g_ascii_string_to_unsigned (num, 10, 1, G_MAXINT32, &pid, NULL))
        continue;
      if ((pid_t) pid == getpid ())
        continue;
      g_autofree char *p = g_build_filename (parent, name, NULL);
      bool busy;
      int fd = atomicfile_lock_dir (p, &busy);
      if (busy)
        ok = atomicfile_busy (error, dir);
      if (fd >= 0)
        close (fd);
      if (busy || kill ((pid_t) pid, 0) == 0 || errno != ESRCH)
        continue; /* a live process (or one we may not signal) */
      atomicfile_remove_tree (p);
    }
  g_dir_close (d);
  return ok;
}

/* Removes dir and its parents up to and including top, while they are
 * empty; top NULL: nothing. Errors are ignored (a folder someone else
 * filled in the meantime stays). */
static void
atomicfile_rmdir_up (const char *dir, const char *top)
{
  if (top == NULL)
    return;
  g_autofree char *p = g_strdup (dir);
  size_t tl = strlen (top);
  while (strlen (p) >= tl && strncmp (p, top, tl) == 0
         && (p[tl] == '\0' || p[tl] == '/'))
    {
      if (rmdir (p) != 0)
        return;
      if (p[tl] == '\0')
        return;
      char *up = g_path_get_dirname (p);
      g_free (p);
      p = up;
    }
}

AtomicDir *
atomicfile_dir_begin (const char *dir, GError **error)
{
  g_return_val_if_fail (dir != NULL && *dir != '\0', NULL);
  g_autofree char *clean = g_strdup (dir);
  /* "out/" and "out" are the same folder. */
  size_t n = strlen (clean);
  while (n > 1 && clean[n - 1] == '/')
    clean[--n] = '\0';
  if (g_file_test (clean, G_FILE_TEST_EXISTS)
      && !g_file_test (clean, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ATOMICFILE_ERROR, ATOMICFILE_ERROR_IO,
                   "output folder '%s' exists and is not a directory: "
                   "choose another -o", clean);
      return NULL;
    }
  /* An existing <dir> is locked until commit or abort: a sweep or a run
   * writing it holds the same lock. */
  int dir_fd = -1;
  if (g_file_test (clean, G_FILE_TEST_IS_DIR))
    {
      bool busy;
      dir_fd = atomicfile_lock_dir (clean, &busy);
      if (dir_fd < 0)
        {
          if (busy)
            atomicfile_busy (error, clean);
          else
            atomicfile_fail (error, errno, "cannot open folder", clean);
          return NULL;
        }
    }
  g_autofree char *parent = g_path_get_dirname (clean);
  /* Remember the highest missing ancestor: an aborted run removes the
   * folders it created, so a failed run leaves nothing behind. */
  g_autofree char *created_top = NULL;
  for (char *p = g_strdup (parent); p != NULL;)
    {
      if (g_file_test (p, G_FILE_TEST_EXISTS))
        {
          g_free (p);
          break;
        }
      g_free (created_top);
      created_top = p;
      p = g_path_get_dirname (created_top);
      if (strcmp (p, created_top) == 0)
        g_clear_pointer (&p, g_free);
    }
  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      atomicfile_fail (error, errno, "cannot create folder", parent);
      atomicfile_rmdir_up (parent, created_top);
      if (dir_fd >= 0)
        close (dir_fd);
      return NULL;
    }
  if (!atomicfile_remove_stale (clean, error))
    {
      if (dir_fd >= 0)
        close (dir_fd);
      return NULL;
    }
  g_autofree char *staging = g_strdup_printf ("%s.partial-%ld", clean,
                                              (long) getpid ());
  atomicfile_remove_tree (staging); /* left by an earlier AtomicDir of ours */
  bool busy = false;
  int staging_fd = -1;
  if (mkdir (staging, 0755) != 0
      || (staging_fd = atomicfile_lock_dir (staging, &busy)) < 0)
    {
      atomicfile_fail (error, errno, "cannot create folder", staging);
      atomicfile_remove_tree (staging);
      atomicfile_rmdir_up (parent, created_top);
      if (dir_fd >= 0)
        close (dir_fd);
      return NULL;
    }
  AtomicDir *d = g_new0 (AtomicDir, 1);
  d->dir_fd = dir_fd;
  d->staging_fd = staging_fd;
  d->dir = g_steal_pointer (&clean);
  d->staging = g_steal_pointer (&staging);
  d->created_top = g_steal_pointer (&created_top);
  atomicfile_staging_register (d->staging, true);
  return d;
}

const char *
atomicfile_dir_staging (const AtomicDir *d)
{
  g_return_val_if_fail (d != NULL, NULL);
  return d->staging;
}

static void
atomicfile_dir_destroy (AtomicDir *d)
{
  atomicfile_staging_register (d->staging, false);
  if (d->dir_fd >= 0)
    close (d->dir_fd);
  if (d->staging_fd >= 0)
    close (d->staging_fd);
  g_free (d->dir);
  g_free (d->staging);
  g_free (d->created_top);
  g_free (d);
}

void
atomicfile_dir_abort (AtomicDir *d)
{
  if (d == NULL)
    return;
  atomicfile_remove_tree (d->staging);
  g_autofree char *parent = g_path_get_dirname (d->dir);
  atomicfile_rmdir_up (parent, d->created_top);
  atomicfile_dir_destroy (d);
}

static bool
atomicfile_merge (const char *src, const char *dst, bool top,
                  GError **error);

/* Moves src/name over dst/name: a file by one rename, a folder by rename
 * when dst has none, else by merging. */
static bool
atomicfile_move (const char *src, const char *dst, const char *name,
                 GError **error)
{
  g_autofree char *from = g_build_filename (src, name, NULL);
  g_autofree char *to = g_build_filename (dst, name, NULL);
  if (g_file_test (from, G_FILE_TEST_IS_DIR)
      && g_file_test (to, G_FILE_TEST_IS_DIR))
    {
      if (!atomicfile_merge (from, to, false, error))
        return false;
      rmdir (from);
      return true;
    }
  if (rename (from, to) != 0)
    return atomicfile_fail (error, errno, "cannot rename into place", to);
  return true;
}

static bool
atomicfile_merge (const char *src, const char *dst, bool top, GError **error)
{
  GError *local = NULL;
  GDir *d = g_dir_open (src, 0, &local);
  if (d == NULL)
    {
      g_propagate_error (error, local);
      return false;
    }
  /* Collect first: renaming while reading a directory is unspecified. */
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  bool have_summary = false;
  for (guint i = 0; i < names->len; i++)
    {
      const char *n = names->pdata[i];
      if (top && strcmp (n, "summary.json") == 0)
        {
          have_summary = true;
          continue;
        }
      if (!atomicfile_move (src, dst, n, error))
        return false;
    }
  if (have_summary && !atomicfile_move (src, dst, "summary.json", error))
    return false;
  return true;
}

bool
atomicfile_dir_commit (AtomicDir *d, GError **error)
{
  g_return_val_if_fail (d != NULL, false);
  bool ok;
  /* The staged files were written without fsync: make them (and the
   * staging folder's entries) durable before they become visible. */
#ifdef __linux__
  if (syscall (SYS_syncfs, d->staging_fd) != 0)
    {
      atomicfile_fail (error, errno, "cannot sync", d->staging);
      atomicfile_dir_abort (d);
      return false;
    }
#else
  sync ();
#endif
  /* Then one fsync, of the directory whose entries the step changed: the
   * parent after renaming the folder into it; <dir> after the merge (the
   * parent's entries do not change: the staging folder it still holds is
   * removed below, and a stale one is removed by the next begin()). */
  if (!g_file_test (d->dir, G_FILE_TEST_EXISTS))
    {
      ok = rename (d->staging, d->dir) == 0;
      if (ok)
        atomicfile_sync_parent (d->dir);
      else
        atomicfile_fail (error, errno, "cannot rename into place", d->dir);
    }
  else
    {
      ok = atomicfile_merge (d->staging, d->dir, true, error);
      if (ok)
        atomicfile_sync_dir (d->dir);
    }
  atomicfile_remove_tree (d->staging); /* no-op after a whole rename */
  if (!ok)
    {
      g_autofree char *parent = g_path_get_dirname (d->dir);
      atomicfile_rmdir_up (parent, d->created_top);
    }
  atomicfile_dir_destroy (d);
  return ok;
}
