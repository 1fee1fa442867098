/* policy/params.h - the words a person types for a value: one boolean
 * parser and one number/duration parser for every layer that reads a
 * setting (the configuration keys of models/config.c, the health policy's
 * and the scheduler's parameters, a scenario's param()). "Did you mean"
 * is policy/suggest.h. GLib only, like the rest of policy/; no state. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define PARAMS_ERROR (params_error_quark ())
GQuark params_error_quark (void);
typedef enum
{
  PARAMS_ERROR_INVALID, /* the text is not a value of that kind */
} ParamsError;

/* The words params_parse_bool accepts, for messages. */
#define PARAMS_BOOL_WORDS "true/false, yes/no, on/off, 1/0"

/* true, yes, on, 1 -> true; false, no, off, 0 -> false (ASCII
 * case-insensitive). Returns false, *out untouched, for anything else. */
bool params_parse_bool (const char *text, bool *out);

/* A number written by a person (--set, a param, a policy parameter):
 * decimal only ("64", "-2", "1.5", "2e3"), no spaces, no hex, no inf/nan.
 * unit_s > 0 makes it a duration in a unit of unit_s seconds (1 for a key
 * in seconds, 3600 for one in hours): a unit suffix (s, m or min, h, d, w)
 * is then accepted and the result is converted to the key's unit ("2h"
 * gives 7200 for unit_s 1, 2 for unit_s 3600); without a suffix the
 * number is in the key's unit. unit_s 0: a plain number, no suffix.
 * Errors (PARAMS_ERROR_INVALID) name the text and what it should be. */
bool params_parse_number (const char *text, double unit_s, double *out,
                          GError **error);
