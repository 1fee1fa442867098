/* tests/fuzz/fuzz_inventory.c - libFuzzer harness of the Kubernetes node
 * inventory reader (models/inventory.h, inventory_parse), with the default
 * labels and with short ones the corpus uses: any bytes are read or
 * refused with an error, never a crash, a sanitizer report or a leak. An
 * inventory read has nodes with valid, distinct names, GPUs in range, and
 * group sizes that divide the nodes (all groups but the last alike).
 * Corpus: tests/fuzz/corpus/inventory/. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "inventory.h"
#include "topo.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check (const Inventory *inv)
{
  if (inv->n_nodes == 0 || inv->gpus_per_node == 0 || inv->gpus_per_node > 64
      || g_strv_length (inv->names) != inv->n_nodes)
    __builtin_trap ();
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (uint32_t i = 0; i < inv->n_nodes; i++)
    {
      if (!topo_valid_node_name (inv->names[i]) || !g_hash_table_add (seen, inv->names[i]))
        __builtin_trap ();
    }
  g_hash_table_unref (seen);
  uint32_t sizes[3] = { inv->su_size, inv->nodes_per_rack, inv->nodes_per_zone };
  for (int k = 0; k < 3; k++)
    if (sizes[k] > inv->n_nodes)
      __builtin_trap ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const InventoryLabels short_labels = { "su", "r", "z" };
  const InventoryLabels *labs[2] = { NULL, &short_labels };
  for (int i = 0; i < 2; i++)
    {
      GError *error = NULL;
      Inventory *inv = inventory_parse ((const char *) data, size, "fuzz.json",
                                        labs[i], &error);
      if ((inv == NULL) != (error != NULL))
        __builtin_trap ();
      if (inv != NULL)
        check (inv);
      inventory_free (inv);
      g_clear_error (&error);
    }
  return 0;
}
