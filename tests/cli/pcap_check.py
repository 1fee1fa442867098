#!/usr/bin/env python3
"""tests/cli/pcap_check.py - checks a run's fabric.pcap against its
events.jsonl and the fabric's ibnetdiscover dump, with tools that share no
code with faultline:

  pcap_check.py RUN_DIR FABRIC.ibnet TSHARK_FIELDS.tsv

* every record's ICRC equals zlib.crc32 over the packet from the LRH to the
  end of the payload with LRH.VL and BTH.Resv8a set to ones, and its VCRC a
  bitwise CRC-16 (polynomial 0x100B, MSB-first on bit-reversed bytes: a
  different algorithm from faultline's reflected one) over LRH .. ICRC;
  the pcap is parsed here with struct, not libpcap;
* tshark's decoding (fields in TSHARK_FIELDS.tsv) agrees with the raw bytes;
* every trap 128 is followed by a PortInfo response of the same switch;
  (LID, port) maps through the ibnetdiscover dump to a link that has a
  link_state event at that time with that PortState;
* the number of traps 128 equals the link state changes counted per live
  switch end: a change is a link_state event whose state differs from the
  link's previous one (links start Active); each counts once per end that
  is a switch (two for leaf-spine and spine-core, one for a node cable)
  whose LID is a unicast LID (at most 0xBFFF: a fabric of more than 49,151
  switches leaves the rest unaddressable, and they send no trap) and is not
  failed at that moment (component_failed .. component_repaired
  of that switch, or until one of its links comes back Active); a node
  cable the policy disabled (disable_port .. enable_port) is Down whatever
  its hardware does.
Prints one line of counts; exits 1 with the first mismatch."""
import json
import re
import struct
import sys
import zlib


def fail(msg):
    print("MISMATCH: " + msg)
    sys.exit(1)


MAX_UNICAST_LID = 0xBFFF  # IBA: 0xC000 and up are multicast LIDs
REV8 = [int("{:08b}".format(b)[::-1], 2) for b in range(256)]


def _crc16_table():
    table = []
    for top in range(256):
        reg = top << 8
        for _ in range(8):
            reg = ((reg << 1) ^ 0x100B) & 0xFFFF if reg & 0x8000 else (reg << 1) & 0xFFFF
        table.append(reg)
    return table


CRC16_TABLE = _crc16_table()


def crc16_100b(data):
    """CRC-16, x^16+x^12+x^3+x+1, register preset to ones, final inversion,
    input and output bit-reflected: computed MSB-first (table of the
    unreflected polynomial) on bit-reversed bytes, then reversed back."""
    reg = 0xFFFF
    for byte in data:
        reg = ((reg << 8) & 0xFFFF) ^ CRC16_TABLE[(reg >> 8) ^ REV8[byte]]
    out = int("{:016b}".format(reg)[::-1], 2)
    return out ^ 0xFFFF


def read_pcap(path):
    """(ts_seconds, packet bytes from the LRH) per record of an ERF pcap."""
    with open(path, "rb") as f:
        data = f.read()
    magic, _, _, _, _, _, linktype = struct.unpack_from("<IHHiIII", data, 0)
    if magic != 0xA1B2C3D4 or linktype != 197:
        fail("%s: not a little-endian microsecond pcap of link type ERF" % path)
    off, out = 24, []
    while off < len(data):
        sec, usec, caplen, _ = struct.unpack_from("<IIII", data, off)
        rec = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if rec[8] != 21:
            fail("record %d: ERF type %d, not InfiniBand" % (len(out) + 1, rec[8]))
        out.append((sec + usec * 1e-6, rec[16:]))
    return out


def check_crcs(records):
    for i, (_, ib) in enumerate(records, 1):
        pktlen = (struct.unpack_from(">H", ib, 4)[0] & 0x7FF) * 4
        if pktlen + 2 != len(ib):
            fail("record %d: LRH PktLen %d for %d bytes" % (i, pktlen, len(ib)))
        masked = bytearray(ib[:pktlen - 4])
        masked[0] |= 0xF0      # LRH.VL
        masked[8 + 4] = 0xFF   # BTH.Resv8a
        icrc = struct.unpack_from("<I", ib, pktlen - 4)[0]
        if zlib.crc32(bytes(masked)) != icrc:
            fail("record %d: ICRC %08x, zlib.crc32 says %08x"
                 % (i, icrc, zlib.crc32(bytes(masked))))
        vcrc = struct.unpack_from("<H", ib, pktlen)[0]
        if crc16_100b(ib[:pktlen]) != vcrc:
            fail("record %d: VCRC %04x, CRC-16 says %04x" % (i, vcrc, crc16_100b(ib[:pktlen])))


def read_ibnet(path):
    """(LID, port) -> link name as events.jsonl spells it; switch name -> LID."""
    tier = {"leaf": 0, "spine": 1, "core": 2}
    ends, lids = {}, {}
    cur = None
    for line in open(path):
        m = re.match(r'Switch\s+\d+\s+"[^"]+"\s+#\s+"([^"]+)".*\blid (\d+)', line)
        if m:
            cur = (m.group(1), int(m.group(2)))
            lids[cur[0]] = cur[1]
            continue
        if line.startswith("Ca"):
            cur = None
            continue
        m = re.match(r'\[(\d+)\]\s+"([SH])-[0-9a-f]+"\[(\d+)\].*#\s+"([^"]+)"', line)
        if m and cur:
            port, kind, pport, peer = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
            name, lid = cur
            if kind == "H":
                node, hca = peer.split(" ")
                rail = int(hca.split("-")[1]) - 1
                link = "%s/nic%d<->%s:p%d" % (node, rail, name, port)
            else:
                me = (tier[name.split("-")[0]], name, port)
                other = (tier[peer.split("-")[0]], peer, pport)
                lo, hi = sorted([me, other])
                link = "%s:p%d<->%s:p%d" % (lo[1], lo[2], hi[1], hi[2])
            ends[(lid, port)] = link
    return ends, lids


def switch_ends(link):
    """Switch names at the ends of a link name."""
    a, b = link.split("<->")
    out = [b.rsplit(":p", 1)[0]]
    if "/nic" not in a:
        out.insert(0, a.rsplit(":p", 1)[0])
    return out


def main():
    run, ibnet, fields = sys.argv[1:4]
    records = read_pcap(run + "/fabric.pcap")
    check_crcs(records)
    ends, lids = read_ibnet(ibnet)

    # tshark: frame, time, trap, issuer, slid, attribute modifier, state
    rows = [l.rstrip("\n").split("\t") for l in open(fields) if l.strip()]
    if len(rows) != len(records):
        fail("tshark decoded %d records, the file has %d" % (len(rows), len(records)))

    def num(s):
        return int(s, 0) if s else None

    # link_state events: (time_us, link) -> states seen
    events = [json.loads(l) for l in open(run + "/events.jsonl")]
    at = {}
    for e in events:
        if e["event"] == "link_state":
            at.setdefault((round(e["time_s"] * 1e6), e["component"]), set()).add(e["new_state"])

    traps = 0
    i = 0
    while i < len(rows):
        r = rows[i]
        trap, issuer, slid = num(r[2]), num(r[3]), num(r[4])
        if trap is None:
            fail("frame %s: a PortInfo response without a trap before it" % r[0])
        if trap != 128 or issuer != slid or not 0 < issuer <= MAX_UNICAST_LID:
            fail("frame %s: trap %s issuer %s slid %s" % (r[0], trap, issuer, slid))
        if i + 1 >= len(rows):
            fail("frame %s: trap 128 without its PortInfo response" % r[0])
        p = rows[i + 1]
        port, state = num(p[5]), num(p[6])
        if num(p[4]) != issuer or state is None:
            fail("frame %s: PortInfo of LID %s after a trap of %s" % (p[0], p[4], issuer))
        link = ends.get((issuer, port))
        if link is None:
            fail("frame %s: LID %d port %d is no link of the fabric" % (r[0], issuer, port))
        t_us = round(float(r[1]) * 1e6)
        if state not in at.get((t_us, link), set()):
            fail("frame %s: %s state %d at %.6f s, events.jsonl has no such change"
                 % (r[0], link, state, t_us / 1e6))
        traps += 1
        i += 2

    # the changes, per live switch end
    last, dead, disabled, expect, changes, unaddressable = {}, set(), set(), 0, 0, 0
    for e in events:
        ev, comp = e["event"], e.get("component")
        if ev in ("component_failed", "component_repaired") and comp in lids:
            (dead.add if ev == "component_failed" else dead.discard)(comp)
        if ev == "policy_action" and "/nic" in (comp or ""):
            if e["detail"] == "disable_port":
                disabled.add(comp)
            elif e["detail"] == "enable_port":
                disabled.discard(comp)
        if ev != "link_state":
            continue
        st = 4 if e["new_state"] == 4 and comp not in disabled else 1
        sw = switch_ends(comp)
        if st == 4:
            dead.difference_update(sw)
        if last.get(comp, 4) == st:
            continue
        last[comp] = st
        changes += 1
        live = [s for s in sw if s not in dead]
        expect += sum(1 for s in live if lids[s] <= MAX_UNICAST_LID)
        unaddressable += sum(1 for s in live if lids[s] > MAX_UNICAST_LID)
    if traps != expect:
        fail("%d traps 128, %d expected for %d link state changes" % (traps, expect, changes))
    print("records %d traps %d changes %d%s" % (len(records), traps, changes,
          " unaddressable ends %d" % unaddressable if unaddressable else ""))


main()
