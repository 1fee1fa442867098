/* lib/yamltext.h - YAML scalars written by hand (the promtool test files
 * of lib/promtest.c, the Kubernetes manifests of lib/sweep-cluster.c):
 * quoting that any YAML 1.1/1.2 reader reads back as the same string. */
#pragma once

#include <glib.h>

/* Appends S as a double-quoted scalar: '"' and '\' escaped, newline as
 * \n, other control characters as \uXXXX; UTF-8 passes through. */
void yamltext_dquote (GString *out, const char *s);
/* Appends S as a single-quoted scalar ('' for '). S must hold no newline
 * or other control character (callers quote selectors and values). */
void yamltext_squote (GString *out, const char *s);
