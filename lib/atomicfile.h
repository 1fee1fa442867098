/* lib/atomicfile.h - files and run folders that appear whole or not at all.
 *
 * Every output of a run goes through here. A file is written to
 * "<path>.tmp.<pid>", flushed, fsync'ed and renamed over <path>; rename(2)
 * within one file system is atomic, so a reader (or a run killed with
 * SIGKILL at any instant) sees either the previous complete file or the new
 * complete file, never a prefix. The directory is fsync'ed after the rename
 * so the new name survives a power loss too.
 *
 * A run folder is produced in a staging directory "<dir>.partial-<pid>" next
 * to <dir> and moved into place by atomicfile_dir_commit(). No reader looks
 * inside a staging folder, so a file opened under a live one (by this
 * process) is written under its own name with no fsync or rename of its
 * own; the commit first makes the whole staging folder durable with one
 * syncfs(2) (sync(2) where there is none), then:
 *  - <dir> absent: the staging directory is renamed to <dir> (one atomic
 *    step: the folder appears complete or not at all);
 *  - <dir> present: each staged file is renamed over its namesake in <dir>,
 *    summary.json last. Each file is replaced atomically; files of the
 *    previous run that the new run did not write are left as they were. A
 *    run killed during this loop leaves a mix of complete old and complete
 *    new files (never a half file), and a summary.json that is still the old
 *    one, so summary.json marks a finished run.
 * and fsyncs the one directory whose entries changed (the parent of <dir>
 * after the whole rename, <dir> itself after the merge): one syncfs and
 * one fsync per run folder.
 * A killed run leaves its "<dir>.partial-<pid>" behind; the next
 * atomicfile_dir_begin() for the same <dir> removes stale ones whose process
 * is gone.
 *
 * A run folder being written is locked: begin() takes an exclusive
 * flock(2) on an existing <dir> (the lock `faultline sweep` takes on its
 * folder too) and on its own staging folder, and holds them until commit
 * or abort. begin() fails with ATOMICFILE_ERROR_BUSY when <dir> or another
 * "<dir>.partial-*" is locked: a second writer is refused, never merged
 * with the first. Not thread-safe per object; distinct objects are
 * independent. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

#define ATOMICFILE_ERROR (atomicfile_error_quark ())
GQuark atomicfile_error_quark (void);
typedef enum
{
  ATOMICFILE_ERROR_IO,   /* open/write/fsync/rename failed: message has errno */
  ATOMICFILE_ERROR_BUSY, /* another process is writing the run folder */
} AtomicFileError;

/* Writes len bytes of data to path atomically. */
bool atomicfile_write (const char *path, const void *data, size_t len,
                       GError **error);

/* ---- streaming: open, write, then commit or abort ---- */

typedef struct AtomicFile AtomicFile;

/* Creates "<path>.tmp.<pid>". An empty path or a folder is an error.
 * Returns: (transfer full) or NULL with error. */
AtomicFile *atomicfile_open (const char *path, GError **error);
/* The stdio stream of the temporary file, for fprintf and friends.
 * Returns: (transfer none). Write errors are reported by commit. */
FILE *atomicfile_stream (AtomicFile *af);
/* Appends len bytes; false with error on a write error. */
bool atomicfile_append (AtomicFile *af, const void *data, size_t len,
                        GError **error);
/* Flushes, fsyncs and renames into place; frees af in every case. On
 * failure the temporary file is removed and <path> is unchanged. */
bool atomicfile_commit (AtomicFile *af, GError **error);
/* Removes the temporary file and frees af; <path> is unchanged. NULL is a
 * no-op. */
void atomicfile_abort (AtomicFile *af);
const char *atomicfile_path (const AtomicFile *af); /* the final path */

/* ---- run folders ---- */

typedef struct AtomicDir AtomicDir;

/* Creates the staging directory "<dir>.partial-<pid>" (and the parents of
 * <dir>) and locks (see above). Fails when <dir> exists and is not a
 * directory, or with ATOMICFILE_ERROR_BUSY. Returns:
 * (transfer full) or NULL with error. */
AtomicDir *atomicfile_dir_begin (const char *dir, GError **error);
/* The staging directory to write into. Returns: (transfer none). */
const char *atomicfile_dir_staging (const AtomicDir *d);
/* Whether path lies inside the staging folder of a live AtomicDir of this
 * process: such a file needs no fsync of its own (the commit syncs the
 * whole folder), which writers that manage their own file (fabric.pcap)
 * ask here. */
bool atomicfile_is_staged (const char *path);
/* Moves the staged files into <dir> (see the top of this file) and frees d
 * in every case. */
bool atomicfile_dir_commit (AtomicDir *d, GError **error);
/* Removes the staging directory and its files (not subdirectories of
 * subdirectories), and the parent folders of <dir> that begin() created
 * (while empty), and frees d. <dir> is unchanged. NULL is a no-op. A failed
 * commit removes those parents too. */
void atomicfile_dir_abort (AtomicDir *d);

/* Removes path and everything under it (symlinks are removed, not
 * followed). Best effort: errors are ignored. For cleaning up what a
 * failed step created. */
void atomicfile_remove_tree (const char *path);
