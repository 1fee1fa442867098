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

/* The API (FlReplayOptions, fl_replay_run, ...) is public: faultline.h. */
#include "faultline.h"
