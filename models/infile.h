/* models/infile.h - reading a user's input file whole, safely.
 *
 * Every file a user names (a scenario and the modules it requires, an SWF
 * trace, an ibnetdiscover dump, a run's summary.json and CSVs) is read
 * through infile_read(): it must be a regular file (not a directory, a
 * FIFO, /dev/zero or another device) of at most a stated size, and the
 * error names the file and what is wrong with it. A FIFO is opened
 * without blocking, so naming one never hangs. JSON is also checked for
 * nesting depth before json-glib sees it (json-glib parses recursively:
 * a few hundred thousand '[' exhaust the stack).
 *
 * Why here: models/ is the lowest layer that every reader can include
 * (lua/ and lib/ sit above it; sim/ is the kernel and does no file I/O;
 * policy/ sees GLib only). Not a streaming reader: the whole file is held
 * in memory, which the size cap bounds. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

#define INFILE_ERROR (infile_error_quark ())
GQuark infile_error_quark (void);
typedef enum
{
  INFILE_ERROR_IO,          /* cannot open or read (message has errno) */
  INFILE_ERROR_NOT_REGULAR, /* a directory, FIFO, socket or device */
  INFILE_ERROR_TOO_BIG,     /* larger than the cap */
  INFILE_ERROR_MALFORMED,   /* JSON: nested too deep or not JSON */
} InfileError;

/* Size caps (bytes), docs/results.md "Input files". */
#define INFILE_MAX_SCENARIO ((gsize) 16 << 20)       /* a .lua scenario or module */
#define INFILE_MAX_TRACE ((gsize) 2 << 30)     /* an SWF trace */
#define INFILE_MAX_IBNET ((gsize) 1 << 30)     /* an ibnetdiscover dump */
#define INFILE_MAX_CSV ((gsize) 1 << 30)       /* a run's CSV file */
#define INFILE_MAX_JSON ((gsize) 256 << 20)    /* summary.json, sweep.json */
/* Deepest JSON nesting read (faultline's own files nest 5 deep). */
#define INFILE_JSON_MAX_DEPTH 64

/* Reads PATH whole into *data (NUL-terminated; *len without the NUL, len
 * may be NULL). WHAT names the file's role in messages ("SWF trace").
 * Errors (INFILE_ERROR) begin with PATH. Returns false with error set and
 * *data NULL on failure; *data is (transfer full). */
bool infile_read (const char *path, const char *what, gsize max_bytes,
                  char **data, gsize *len, GError **error);

/* Whether TEXT (LEN bytes; -1: NUL-terminated) nests arrays and objects
 * at most MAX_DEPTH deep (brackets inside strings do not count). On false
 * sets INFILE_ERROR_MALFORMED naming NAME. */
bool infile_json_depth_ok (const char *text, gssize len, guint max_depth,
                           const char *name, GError **error);

/* infile_read (INFILE_MAX_JSON) + the depth check + json-glib, into
 * PARSER. Errors begin with PATH. */
bool infile_load_json (JsonParser *parser, const char *path,
                       const char *what, GError **error);

G_END_DECLS
