/* lib/replay.h - `faultline replay`: a packet capture of a fabric's
 * subnet-management traffic fed to a health policy in simulated time.
 *
 * The capture (ibdump's ERF-in-pcap, raw LINKTYPE_INFINIBAND, or a run's
 * fabric.pcap; lib/ibpcap.h reads it) gives traps and PortInfo
 * responses; (LID, port) pairs map to links through an ibnetdiscover dump
 * (--fabric) or the fabric of a scenario (--scenario: the dump
 * `faultline topo SCENARIO --format ibnetdiscover` prints). Each change of
 * a link's state becomes what the simulator gives the policy for it (a
 * port going down: PORT_STATE Down and trap 128; a port coming back while
 * the policy has a ticket open on the link: REPAIR_DONE, the technician's
 * work; otherwise PORT_STATE Active); traps 129-131 become IB_TRAP
 * observations. The policy's timers run in the same simulated time. The
 * decisions are what the policy did; a second policy (compare_policy) sees
 * the same observations. What cannot be used is counted, never fatal;
 * nothing usable at all is an input error (exit 2). docs/fabric-data.md. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct
{
  const char *capture;        /* the pcap file */
  const char *fabric;         /* ibnetdiscover file, or NULL */
  const char *scenario;       /* scenario (its fabric, policy, length), or NULL */
  const char *const *sets;    /* NAME=VALUE for the scenario, NULL-terminated,
                                 or NULL */
  const char *policy;         /* a built-in health policy instead of the
                                 scenario's, or NULL */
  const char *compare_policy; /* a second built-in policy, or NULL */
  double until_s;             /* run the policies' timers until this time
                                 (s); < 0: the scenario's run length, or the
                                 last record's time without a scenario */
} FlReplayOptions;

/* One decision of a policy. */
typedef struct
{
  double time_s;
  const char *policy;    /* the policy's name (owned by the replay) */
  const char *action;    /* "disable_port", "open_ticket", ... (static) */
  const char *component; /* link or node name (owned by the replay) */
  const char *reason;    /* static */
} FlReplayDecision;

/* What the capture held and what was done with it. */
typedef struct
{
  uint64_t records;       /* records in the capture */
  uint64_t traps;         /* traps read (any number) */
  uint64_t portinfo;      /* PortInfo responses read */
  uint64_t changes;       /* link state changes fed to the policy */
  uint64_t repeated;      /* PortInfo repeating its link's state (the
                             other end, a re-sweep) */
  uint64_t trap_obs;      /* traps 129-131 fed to the policy */
  uint64_t unknown_lid;   /* records from a LID the fabric does not have */
  uint64_t unknown_port;  /* a known switch, a port with no link */
  uint64_t wrong_type;    /* ERF records that are not InfiniBand */
  uint64_t corrupt;       /* bad packets (length, CRC) */
  uint64_t other;         /* other packets (data, other MADs) */
  uint64_t directed;      /* directed-route responses (no LID) */
  uint64_t out_of_order;  /* records earlier than the one before (fed at
                             the later time) */
  bool truncated;         /* the file ends inside a record */
  double first_s, last_s; /* time of the first and last record used */
  double until_s;         /* timers ran until this time */
  uint32_t links, nodes;  /* of the fabric */
} FlReplayCounts;

typedef struct FlReplay FlReplay;

/* Reads, maps and replays. Returns: (transfer full), or NULL with error
 * (FL_ERROR domain, lib/faultline.h): FL_ERROR_INPUT for an unreadable or
 * foreign file, a bad scenario or fabric, an unknown policy, or a capture
 * with nothing usable (the message gives the counts). */
FlReplay *fl_replay_run (const FlReplayOptions *opt, GError **error);
void fl_replay_free (FlReplay *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlReplay, fl_replay_free)

const FlReplayCounts *fl_replay_counts (const FlReplay *r);
/* The policies replayed: [0] the main one, [1] the compared one or NULL. */
const char *fl_replay_policy (const FlReplay *r, int which);
/* Decisions of policy WHICH (0 or 1), in time order. Returns:
 * (transfer none) an array of FlReplayDecision. */
const GArray *fl_replay_decisions (const FlReplay *r, int which);

/* Human-readable report: counts, then the decisions (side by side
 * differences when two policies ran). Returns: (transfer full). */
char *fl_replay_format (const FlReplay *r);
/* Writes DIR/decisions.csv (policy,time_s,action,component,reason) and
 * DIR/replay.json (counts, policies, decisions per action), atomically
 * (the folder appears complete or not at all). */
bool fl_replay_write (const FlReplay *r, const char *dir, GError **error);
