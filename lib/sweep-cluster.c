/* lib/sweep-cluster.c - the Slurm script and the Kubernetes manifest of a
 * sharded sweep (sweep-cluster.h). Text only: no submission, no YAML or
 * shell library, so every value that reaches the text is either checked
 * (sweep_cluster_check) or quoted here (g_shell_quote for sh, JSON string
 * escapes for YAML, whose double-quoted scalars accept them). */
#include "sweep-cluster.h"

#include <string.h>

#include "faultline.h"
#include "fl-config.h"
#include "yamltext.h"

/* ---- checks ---- */

static bool
sweep_cluster_plain (const char *what, const char *v, GError **error)
{
  if (v == NULL)
    return true;
  for (const char *p = v; *p; p++)
    if ((unsigned char) *p < 0x21 || strchr ("'\"$`\\%;&|<>(){}*?", *p)
        || (unsigned char) *p == 0x7f)
      {
        g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                     "%s '%s': it goes into job scripts, so it may not "
                     "contain blanks, quotes or any of $`\\%%;&|<>(){}*?",
                     what, v);
        return false;
      }
  if (*v == '\0')
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: empty", what);
      return false;
    }
  return true;
}

bool
sweep_cluster_check (const SweepClusterOptions *o, GError **error)
{
  g_return_val_if_fail (o != NULL && o->name != NULL, false);
  size_t n = strlen (o->name);
  bool name_ok = n > 0 && n <= 52 && g_ascii_isalnum (o->name[0])
                 && g_ascii_isalnum (o->name[n - 1]);
  for (const char *p = o->name; *p && name_ok; p++)
    name_ok = (g_ascii_isdigit (*p) || g_ascii_islower (*p) || *p == '-');
  if (!name_ok)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "--name '%s': a job name is 1 to 52 of a-z, 0-9 and '-', "
                   "starting and ending with a letter or digit", o->name);
      return false;
    }
  return sweep_cluster_plain ("--faultline", o->faultline, error)
         && sweep_cluster_plain ("working folder", o->workdir, error)
         && sweep_cluster_plain ("-o", o->out, error)
         && sweep_cluster_plain ("--shards-dir", o->shards_dir, error)
         && sweep_cluster_plain ("--partition", o->partition, error)
         && sweep_cluster_plain ("--time", o->time_limit, error)
         && sweep_cluster_plain ("--image", o->image, error)
         && sweep_cluster_plain ("--claim", o->claim, error);
}

/* ---- shell words ---- */

/* 'faultline' sweep 'a' 'b' ... --threads T (sh-quoted) */
static void
sweep_cluster_sweep_words (GString *s, const SweepClusterOptions *o)
{
  g_autofree char *bin = g_shell_quote (o->faultline);
  g_string_append_printf (s, "%s sweep", bin);
  for (size_t i = 0; o->sweep_argv[i] != NULL; i++)
    {
      g_autofree char *q = g_shell_quote (o->sweep_argv[i]);
      g_string_append_printf (s, " %s", q);
    }
  g_string_append_printf (s, " --threads %u", o->threads);
}

/* The merge command: the N shard folders in a loop (N may be large). */
static void
sweep_cluster_merge_words (GString *s, const SweepClusterOptions *o,
                           const char *sep, double wait_s)
{
  g_autofree char *bin = g_shell_quote (o->faultline);
  g_string_append_printf (s, "set --%sk=1%swhile [ \"$k\" -le %u ]; do set -- "
                          "\"$@\" \"%s/shard-$k\"; k=$((k + 1)); done%s",
                          sep, sep, o->shards, o->shards_dir, sep);
  g_string_append_printf (s, "exec %s merge", bin);
  if (wait_s > 0)
    g_string_append_printf (s, " --wait %.0f", wait_s);
  g_string_append_printf (s, " -o %s \"$@\"", o->out);
}

/* ---- Slurm ---- */

static void
sweep_cluster_sbatch_common (GString *s, const SweepClusterOptions *o)
{
  g_string_append_printf (s, "#SBATCH --chdir=%s\n", o->workdir);
  if (o->partition != NULL)
    g_string_append_printf (s, "#SBATCH --partition=%s\n", o->partition);
  if (o->time_limit != NULL)
    g_string_append_printf (s, "#SBATCH --time=%s\n", o->time_limit);
}

char *
sweep_cluster_slurm (const SweepClusterOptions *o)
{
  g_return_val_if_fail (o != NULL && o->shards >= 1 && o->threads >= 1,
                        NULL);
  GString *s = g_string_new (NULL);
  g_autofree char *wd = g_shell_quote (o->workdir);
  g_string_append_printf (
      s,
      "#!/bin/sh\n"
      "# A faultline sweep as a Slurm job array, written by 'faultline "
      "slurm'\n# (faultline %s). Run it on a login node:  sh THIS_FILE\n"
      "#\n"
      "# It submits %u array tasks; task K runs shard K of %u:\n"
      "#   faultline sweep ... --shard K/%u -o %s/shard-K\n"
      "# (resubmitting a failed task resumes its shard), then a merge job "
      "that\n# starts when every task succeeded (--dependency=afterok) and "
      "writes\n# %s with 'faultline merge'. Logs: %s/logs/.\n"
      "# docs/cluster.md explains each step.\n"
      "set -eu\n"
      "cd %s\n"
      "mkdir -p %s/logs\n"
      "array=$(sbatch --parsable <<'FAULTLINE_SHARDS'\n"
      "#!/bin/sh\n"
      "#SBATCH --job-name=%s\n",
      FL_VERSION, o->shards, o->shards, o->shards, o->shards_dir, o->out,
      o->shards_dir, wd, o->shards_dir, o->name);
  g_string_append_printf (s, "#SBATCH --array=1-%u", o->shards);
  if (o->parallel > 0)
    g_string_append_printf (s, "%%%u", o->parallel);
  g_string_append_printf (s, "\n#SBATCH --ntasks=1\n"
                          "#SBATCH --cpus-per-task=%u\n"
                          "#SBATCH --output=%s/logs/shard-%%a.out\n",
                          o->threads, o->shards_dir);
  sweep_cluster_sbatch_common (s, o);
  /* exec: the task's exit status is the sweep's; the shard is the task */
  g_string_append (s, "exec ");
  sweep_cluster_sweep_words (s, o);
  g_string_append_printf (s, " --shard \"$SLURM_ARRAY_TASK_ID/%u\" -o "
                          "\"%s/shard-$SLURM_ARRAY_TASK_ID\"\n",
                          o->shards, o->shards_dir);
  g_string_append_printf (
      s,
      "FAULTLINE_SHARDS\n)\n"
      "array=${array%%%%;*}\n"
      "merge=$(sbatch --parsable --dependency=afterok:\"$array\" "
      "<<'FAULTLINE_MERGE'\n"
      "#!/bin/sh\n"
      "#SBATCH --job-name=%s-merge\n"
      "#SBATCH --ntasks=1\n"
      "#SBATCH --output=%s/logs/merge.out\n",
      o->name, o->shards_dir);
  sweep_cluster_sbatch_common (s, o);
  sweep_cluster_merge_words (s, o, "\n", 0);
  g_string_append_printf (
      s,
      "\nFAULTLINE_MERGE\n)\n"
      "merge=${merge%%%%;*}\n"
      "echo \"faultline: submitted job array $array (%u shards) and merge "
      "job $merge (after the array succeeds); results in %s\"\n",
      o->shards, o->out);
  return g_string_free (s, FALSE);
}

/* ---- Kubernetes ---- */

static void
sweep_cluster_k8s_job (GString *s, const SweepClusterOptions *o,
                       const char *suffix, const char *role,
                       const char *command, bool indexed)
{
  g_string_append_printf (
      s,
      "apiVersion: batch/v1\n"
      "kind: Job\n"
      "metadata:\n"
      "  name: %s-%s\n"
      "  labels:\n"
      "    app.kubernetes.io/name: faultline\n"
      "    app.kubernetes.io/component: %s\n"
      "    faultline/sweep: %s\n"
      "spec:\n", o->name, suffix, role, o->name);
  if (indexed)
    {
      g_string_append_printf (s, "  completionMode: Indexed\n"
                              "  completions: %u\n", o->shards);
      g_string_append_printf (s, "  parallelism: %u\n",
                              o->parallel > 0 ? MIN (o->parallel, o->shards)
                                              : o->shards);
      g_string_append_printf (s, "  backoffLimit: %u\n",
                              MAX (6u, o->shards / 10));
    }
  else
    g_string_append (s, "  completions: 1\n  parallelism: 1\n"
                     "  backoffLimit: 3\n");
  g_string_append_printf (
      s,
      "  template:\n"
      "    metadata:\n"
      "      labels:\n"
      "        app.kubernetes.io/name: faultline\n"
      "        faultline/sweep: %s\n"
      "    spec:\n"
      "      restartPolicy: OnFailure\n"
      "      containers:\n"
      "        - name: %s\n"
      "          image: ", o->name, role);
  yamltext_dquote (s, o->image);
  g_string_append (s, "\n          workingDir: ");
  yamltext_dquote (s, o->workdir);
  g_string_append (s, "\n          command: [\"/bin/sh\", \"-c\"]\n"
                   "          args:\n            - ");
  yamltext_dquote (s, command);
  g_string_append_printf (
      s,
      "\n          resources:\n"
      "            requests:\n"
      "              cpu: \"%u\"\n"
      "          volumeMounts:\n"
      "            - name: results\n"
      "              mountPath: ", indexed ? o->threads : 1);
  yamltext_dquote (s, o->workdir);
  g_string_append (s, "\n      volumes:\n"
                   "        - name: results\n"
                   "          persistentVolumeClaim:\n"
                   "            claimName: ");
  yamltext_dquote (s, o->claim);
  g_string_append_c (s, '\n');
}

char *
sweep_cluster_k8s (const SweepClusterOptions *o)
{
  g_return_val_if_fail (o != NULL && o->image != NULL && o->claim != NULL,
                        NULL);
  GString *s = g_string_new (NULL);
  g_string_append_printf (
      s,
      "# A faultline sweep as Kubernetes Jobs, written by 'faultline k8s' "
      "(faultline %s).\n"
      "#   kubectl apply -f THIS_FILE\n"
      "# %s-shards is an Indexed Job of %u completions: the pod of index I "
      "runs\n#   faultline sweep ... --shard $((I + 1))/%u -o %s/shard-$((I + "
      "1))\n"
      "# (a restarted pod resumes its shard). %s-merge waits for the %u "
      "shard\n# folders to be complete (faultline merge --wait) and writes "
      "%s.\n"
      "# Both mount the PersistentVolumeClaim '%s' (ReadWriteMany) at %s.\n"
      "# docs/cluster.md explains each step.\n",
      FL_VERSION, o->name, o->shards, o->shards, o->shards_dir, o->name,
      o->shards, o->out, o->claim, o->workdir);
  g_autoptr (GString) cmd = g_string_new ("k=$((JOB_COMPLETION_INDEX + 1)); "
                                          "exec ");
  /* sweep_cluster_sweep_words starts with the quoted binary */
  g_autoptr (GString) words = g_string_new (NULL);
  sweep_cluster_sweep_words (words, o);
  g_string_append (cmd, words->str);
  g_string_append_printf (cmd, " --shard \"$k/%u\" -o \"%s/shard-$k\"",
                          o->shards, o->shards_dir);
  g_string_append (s, "---\n");
  sweep_cluster_k8s_job (s, o, "shards", "shard", cmd->str, true);
  g_autoptr (GString) mcmd = g_string_new (NULL);
  sweep_cluster_merge_words (mcmd, o, "; ", o->merge_wait_s);
  g_string_append (s, "---\n");
  sweep_cluster_k8s_job (s, o, "merge", "merge", mcmd->str, false);
  return g_string_free (s, FALSE);
}
