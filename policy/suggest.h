/* policy/suggest.h - "did you mean ...?" for unknown keys and names.
 *
 * One implementation for every layer that validates names typed by a user
 * (policy parameters, scheduler keys, configuration keys, Lua table keys).
 * GLib only, like the rest of policy/. */
#pragma once

#include <stddef.h>

/* Optimal-string-alignment distance (Levenshtein plus adjacent
 * transpositions, so "nodse" is 1 from "nodes"), ASCII case-insensitive.
 * Strings longer than 64 bytes are never close: returns (size_t) -1. */
size_t policy_edit_distance (const char *a, const char *b);

/* The candidate closest to word, or NULL when none is close enough (at
 * most 1 edit for words of up to 3 characters, 2 up to 6, 3 beyond).
 * candidates: n strings, or NULL-terminated when n is (size_t) -1. Ties go
 * to the earlier candidate. */
const char *policy_suggest (const char *word, const char *const *candidates,
                            size_t n);
