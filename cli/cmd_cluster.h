/* cli/cmd_cluster.h - what cmd_slurm.c and cmd_k8s.c share beyond cli.h:
 * turning the parsed cluster options into FlClusterOptions (faultline.h). */
#pragma once

#include "cli.h"
#include "faultline.h"

/* Fills o's shard and naming fields from c (what is not given stays NULL
 * or 0: the library's defaults) and checks --shards. Returns an exit
 * status, the problem printed. */
int cli_cluster_prepare (const char *cmd, CliSweepArgs *a, CliClusterArgs *c,
                         FlClusterOptions *o);
