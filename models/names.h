/* models/names.h - a run's component names, each made once.
 *
 * Events and outputs name components ("node0412/gpu5",
 * "node0412/nic3<->leaf-su13-r3:p5"), and a component that fails, is
 * repaired, changes state or is acted on is named again each time. Names
 * keeps the name topo_name makes the first time a (kind, index) is asked
 * for and returns the same string after: no formatting and no string
 * hashing the second time, one table probe on an integer key.
 *
 * Memory grows with the components ever named, not with the fleet: a name
 * (its bytes, in blocks of 64 KiB) and one 8-byte slot of an
 * open-addressing table kept at most 16/17 full. Every string returned lives,
 * unchanged and at the same address, until names_free.
 *
 * Not thread-safe: one Names per run (a World owns one). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "topo.h"

typedef struct Names Names;

/* An empty cache over topo (not owned; it must outlive the Names). */
Names *names_new (const Topo *topo);
void names_free (Names *n);

/* The name of (kind, index): topo_name's, or "kind#index" (gpu#70000)
 * for an index the topology does not name (out of range, a NIC without a
 * cable). Made on the first call; the same pointer on every later one. */
const char *names_get (Names *n, TopoKind kind, uint32_t index);

/* Text that is no topology component's name (a cooling loop's,
 * "cooling-01"), kept like names_get's: the same pointer for equal text. */
const char *names_intern (Names *n, const char *text);

/* Distinct (kind, index) named so far. */
uint32_t names_count (const Names *n);
