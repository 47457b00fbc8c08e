// DFA_SCAN (opcode 0xFFF0): scan a byte range of the resident haystack with the resident
// DFA table and append hit records to the hit ring.
//   user0: DFA table (Dfa::gpu_words)   user1: haystack bytes packed LE in words
//   user2: hit ring: [0] records appended (atomic, counts past capacity), [1] capacity,
//          records from word 4: {slot, match-set (state index), end lo, end hi}
// args: 0 mode (0 scan; 1 lockstep fix-up against a speculative run), 1 unused,
//       2 position (byte index in user1, advanced on YIELD), 3 end (exclusive),
//       4/5 absolute offset of user1 byte 0 for this item (lo/hi, wrapping),
//       6 state (premultiplied), 7 speculative state (mode 1),
//       8 result: mode 1 = position where both runs met, 0xFFFFFFFF = never met.
// Every byte spends one unit of the lane budget; out of budget → save and YIELD.

fn scan_dfa_class(b: u32) -> u32 {
    return (user0[16u + (b >> 2u)] >> ((b & 3u) * 8u)) & 0xffu;
}

fn scan_dfa_emit(slot: u32, s: u32, p: u32) {
    let i = atomicAdd(&user2[0], 1u);
    if (i < atomicLoad(&user2[1])) {
        // end = abs + p + 1 - delay, 64-bit with carry.
        let rel = p + 1u - user0[3];
        let lo = vyre_arg(4u) + rel;
        let hi = vyre_arg(5u) + select(0u, 1u, lo < rel);
        let r = 4u + i * 4u;
        atomicStore(&user2[r], slot);
        atomicStore(&user2[r + 1u], (s & 0x7fffffffu) / user0[1]);
        atomicStore(&user2[r + 2u], lo);
        atomicStore(&user2[r + 3u], hi);
    }
}

fn scan_dfa(slot: u32) -> u32 {
    let mode = vyre_arg(0u);
    var p = vyre_arg(2u);
    let end = vyre_arg(3u);
    var s = vyre_arg(6u);
    var sp = vyre_arg(7u);
    let toff = user0[4];
    if (p > end || end > arrayLength(&user1) * 4u || mode > 1u) {
        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);
    }
    let n = min(end - p, vyre_budget());
    vyre_spend(n);
    var met = false;
    for (var k = 0u; k < n; k = k + 1u) {
        let b = (user1[p >> 2u] >> ((p & 3u) * 8u)) & 0xffu;
        let c = scan_dfa_class(b);
        s = user0[toff + (s & 0x7fffffffu) + c];
        if (mode == 1u) {
            sp = user0[toff + (sp & 0x7fffffffu) + c];
            if (sp == s) {
                met = true;
                break;
            }
        }
        if ((s & 0x80000000u) != 0u) {
            scan_dfa_emit(slot, s, p);
        }
        p = p + 1u;
    }
    vyre_set_arg(2u, p);
    vyre_set_arg(6u, s);
    vyre_set_arg(7u, sp);
    if (met) {
        vyre_set_arg(8u, p);
        return VYRE_DONE;
    }
    // Decide from data, not from the loop bound (lavapipe may cut loops short).
    if (p < end) {
        return VYRE_YIELD;
    }
    vyre_set_arg(8u, 0xffffffffu);
    return VYRE_DONE;
}
