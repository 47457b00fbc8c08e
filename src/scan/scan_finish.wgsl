// Epilogue of a DFA_SCAN round (entry points run after every wave; see
// KernelSpec::epilogues): summarises round 0 on the device so that the host reads a few
// words and the hits, not every slot's results.
//   scan_tally (one workgroup per VYRE_WG slots): per tile, the sums of each slot's
//     (hits counted, hits held in its region, region records to give it next time, that
//     capped at its share of the room).
//   scan_tiles (one workgroup): exclusive prefix sums over the tiles; the totals.
//   scan_place (one workgroup per VYRE_WG slots): the slots whose state at the chunk
//     start differs from the previous slot's exit (the host settles those, or finds
//     that they start a segment); each slot's held-hit prefix and its region in the next
//     round 0's table; then the tile's held hits are copied, in slot order, to the
//     compact area (scan_fin_record).
//   scan_label (one workgroup per VYRE_WG slots; round 0 of a one-item pass only): a
//     labelled copy of the tile's compacted hits in the host's final form {end, user
//     id, tag}, listing the states the host expands in place and counting the records
//     only the host can resolve and those not strictly after their predecessor, so
//     that the host usually just copies the hits out.
// Off (every entry returns at once) when SCAN_H_FINISH_N is 0: fix-up rounds; scan_label
// also when SCAN_H_LABEL is 0.
// Loops have uniform trip counts (lavapipe), and a workgroup leaves or loops only on
// values every lane loaded through workgroupUniformLoad.

// Hit ring header (user2 words), written by the host before each round unless noted.
const SCAN_H_OVF_COUNT: u32 = 0u;   // overflow records appended (atomic; counts past cap)
const SCAN_H_OVF_CAP: u32 = 1u;     // overflow records there is room for
const SCAN_H_TABLE: u32 = 2u;       // word offset of this round's region table (0 = none)
const SCAN_H_OVF_BASE: u32 = 3u;    // word offset of the overflow records
const SCAN_H_FINISH_N: u32 = 4u;    // slots the epilogue summarises (0 = off)
const SCAN_H_NEXT: u32 = 5u;        // where the epilogue writes the next region table
const SCAN_H_REGIONS: u32 = 6u;     // word offset of the region area
const SCAN_H_ROOM: u32 = 7u;        // region records the area holds
const SCAN_H_COMPACT: u32 = 8u;     // word offset of the compacted hits (4 words each)
const SCAN_H_PREFIX: u32 = 9u;      // per-slot exclusive prefix of held hits (n + 1 words)
const SCAN_H_TILES: u32 = 10u;      // per-tile sums, then prefixes (4 words per tile)
const SCAN_H_MISMATCH_CAP: u32 = 11u; // mismatch list length (at SCAN_HEADER_WORDS)
// Written by the epilogue.
const SCAN_H_MISMATCHES: u32 = 12u; // slots found mismatching (atomic; may exceed the cap)
const SCAN_H_HELD: u32 = 13u;       // hits held in regions (= compacted)
const SCAN_H_COUNTED: u32 = 14u;    // hits the slots counted
const SCAN_H_COPIED: u32 = 15u;     // hits copied to the compact area (atomic)
const SCAN_H_SHARES: u32 = 16u;     // 1: the next regions are capped at their share
// Written by the host: the labelled copy (scan_label; 0 = off).
const SCAN_H_LABEL: u32 = 17u;      // 1: write it
const SCAN_H_LABELLED: u32 = 18u;   // word offset of the labelled records (4 words each)
const SCAN_H_TAG: u32 = 19u;        // the tag every labelled record carries
// Written by scan_label.
const SCAN_H_RAW: u32 = 20u;        // records left to the host (atomic)
const SCAN_H_DISORDER: u32 = 21u;   // records not after their predecessor (atomic)
const SCAN_H_EXC: u32 = 22u;        // states the host expands in place (atomic; may exceed the cap)
const SCAN_H_EXC_CAP: u32 = 23u;    // (host) their list's length, after the mismatch list
const SCAN_HEADER_WORDS: u32 = 32u;

var<workgroup> scan_fin: array<vec4<u32>, VYRE_WG>;
// Per lane of scan_place: its slot's held-hit prefix within the tile, its region start.
var<workgroup> scan_fin_pre: array<u32, VYRE_WG>;
var<workgroup> scan_fin_src: array<u32, VYRE_WG>;
var<workgroup> scan_fin_u: u32;

// Inclusive prefix sums of `v` over the workgroup's lanes (Hillis-Steele: any width).
// The workgroup total is scan_fin[VYRE_WG - 1u] until the next call.
fn scan_wg_prefix(lid: u32, v: vec4<u32>) -> vec4<u32> {
    scan_fin[lid] = v;
    workgroupBarrier();
    for (var d = 1u; d < VYRE_WG; d = d << 1u) {
        var add = vec4<u32>(0u);
        if (lid >= d) {
            add = scan_fin[lid - d];
        }
        workgroupBarrier();
        scan_fin[lid] += add;
        workgroupBarrier();
    }
    return scan_fin[lid];
}

// Four hit-ring words at `w` (tile sums, records).
fn scan_fin_load4(w: u32) -> vec4<u32> {
    return vec4<u32>(atomicLoad(&user2[w]), atomicLoad(&user2[w + 1u]), atomicLoad(&user2[w + 2u]), atomicLoad(&user2[w + 3u]));
}

fn scan_fin_store4(w: u32, v: vec4<u32>) {
    atomicStore(&user2[w], v.x);
    atomicStore(&user2[w + 1u], v.y);
    atomicStore(&user2[w + 2u], v.z);
    atomicStore(&user2[w + 3u], v.w);
}

// A header word as a workgroup-uniform value.
fn scan_fin_uniform(lid: u32, w: u32) -> u32 {
    if (lid == 0u) {
        scan_fin_u = atomicLoad(&user2[w]);
    }
    return workgroupUniformLoad(&scan_fin_u);
}

// Slot k of the round being finished: (hits counted, hits held in its region, region
// records to give it next time (an eighth more), that capped at `share`).
fn scan_fin_slot(k: u32, n: u32, share: u32) -> vec4<u32> {
    if (k >= n || k * 3u + 2u >= arrayLength(&user3)) {
        return vec4<u32>(0u);
    }
    let c = min(user3[k * 3u + 2u], 0x0fffffffu);
    let r = scan_region_of(k);
    let need = c + (c + 7u) / 8u;
    return vec4<u32>(c, min(c, (r.y - r.x) / 2u), need, min(need, share));
}

// A region record of `slot` as a compacted record {end lo, end hi, what, slot} (the
// host's hit layout: end, pattern, tag, so that a pass of resolved hits is one copy on
// the host): the end made absolute (args 4/5 of the slot), and a match state with
// exactly one pattern resolved to bit 31 | that id, as the host would (it expands the
// other states).
fn scan_fin_record(slot: u32, what: u32, rel: u32) -> vec4<u32> {
    let w = slot * 16u + 4u;
    let lo = atomicLoad(&ring[w + 4u]) + rel;
    let hi = atomicLoad(&ring[w + 5u]) + select(0u, 1u, lo < rel);
    var id = what;
    if ((what & 0x80000000u) == 0u) {
        let g = atomicLoad(&ring[w + 1u]);
        let mo = g + user0[g + 5u] + what;
        let a = user0[mo];
        if (user0[mo + 1u] == a + 1u && (user0[g + a] & 0x80000000u) == 0u) {
            id = 0x80000000u | user0[g + a];
        }
    }
    return vec4<u32>(lo, hi, id, slot);
}

// Each slot's held hits are copied in (end, what) order, so that the host usually
// finds the whole list in order and skips its merge: a lane appends the matches it
// verifies when it drains its queue, after hits that end later. A record's place is
// its rank among its slot's records, for slots of at most SCAN_FIN_SORT_MAX records
// (others keep the order they were appended in), and while a tile needs at most
// SCAN_FIN_SORT_ROUNDS copy rounds (each rank loop counts against lavapipe's limit).
const SCAN_FIN_SORT_MAX: u32 = 32u;
const SCAN_FIN_SORT_ROUNDS: u32 = 64u;

// The rank of record t (what, rel) among the records of tile lane j's slot.
fn scan_fin_rank(j: u32, held: u32, t: u32, what: u32, rel: u32) -> u32 {
    var end = held;
    if (j + 1u < VYRE_WG) {
        end = scan_fin_pre[j + 1u];
    }
    let count = end - scan_fin_pre[j];
    if (count > SCAN_FIN_SORT_MAX) {
        return t;
    }
    var rank = 0u;
    // A constant trip count (lavapipe miscompiled loops whose bound came from lid).
    for (var u = 0u; u < SCAN_FIN_SORT_MAX; u += 1u) {
        if (u < count) {
            let w = scan_fin_src[j] + 2u * u;
            let uw = atomicLoad(&user2[w]);
            let ur = atomicLoad(&user2[w + 1u]);
            if (ur < rel || (ur == rel && (uw < what || (uw == what && u < t)))) {
                rank += 1u;
            }
        }
    }
    return rank;
}

@compute @workgroup_size(VYRE_WG)
fn scan_tally(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let n = scan_fin_uniform(lid, SCAN_H_FINISH_N);
    if (wid.x * VYRE_WG >= n) {
        return;
    }
    let k = wid.x * VYRE_WG + lid;
    let v = scan_fin_slot(k, n, atomicLoad(&user2[SCAN_H_ROOM]) / n);
    let sum = scan_wg_prefix(lid, v);
    if (lid == VYRE_WG - 1u) {
        scan_fin_store4(atomicLoad(&user2[SCAN_H_TILES]) + wid.x * 4u, sum);
    }
}

@compute @workgroup_size(VYRE_WG)
fn scan_tiles(@builtin(local_invocation_index) lid: u32) {
    let n = scan_fin_uniform(lid, SCAN_H_FINISH_N);
    if (n == 0u) {
        return;
    }
    let tiles = (n + VYRE_WG - 1u) / VYRE_WG;
    let base = atomicLoad(&user2[SCAN_H_TILES]);
    var carry = vec4<u32>(0u);
    for (var r = 0u; r < (tiles + VYRE_WG - 1u) / VYRE_WG; r += 1u) {
        let t = r * VYRE_WG + lid;
        var v = vec4<u32>(0u);
        if (t < tiles) {
            v = scan_fin_load4(base + t * 4u);
        }
        let inc = scan_wg_prefix(lid, v);
        let total = scan_fin[VYRE_WG - 1u];
        if (t < tiles) {
            scan_fin_store4(base + t * 4u, carry + inc - v);
        }
        carry += total;
        workgroupBarrier();
    }
    if (lid == 0u) {
        // The epilogue runs after every wave: only the last one's counts stand.
        atomicStore(&user2[SCAN_H_MISMATCHES], 0u);
        atomicStore(&user2[SCAN_H_COPIED], 0u);
        atomicStore(&user2[SCAN_H_RAW], 0u);
        atomicStore(&user2[SCAN_H_DISORDER], 0u);
        atomicStore(&user2[SCAN_H_EXC], 0u);
        atomicStore(&user2[SCAN_H_COUNTED], carry.x);
        atomicStore(&user2[SCAN_H_HELD], carry.y);
        atomicStore(&user2[SCAN_H_SHARES], select(0u, 1u, carry.z > atomicLoad(&user2[SCAN_H_ROOM])));
    }
}

@compute @workgroup_size(VYRE_WG)
fn scan_place(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let n = scan_fin_uniform(lid, SCAN_H_FINISH_N);
    if (wid.x * VYRE_WG >= n) {
        return;
    }
    let k = wid.x * VYRE_WG + lid;
    let room = atomicLoad(&user2[SCAN_H_ROOM]);
    let v = scan_fin_slot(k, n, room / n);
    let inc = scan_wg_prefix(lid, v);
    let tile = scan_fin_load4(atomicLoad(&user2[SCAN_H_TILES]) + wid.x * 4u);
    let ex = tile + inc - v;
    let shares = atomicLoad(&user2[SCAN_H_SHARES]) != 0u;
    let regions = atomicLoad(&user2[SCAN_H_REGIONS]);
    let prefix = atomicLoad(&user2[SCAN_H_PREFIX]);
    let next = atomicLoad(&user2[SCAN_H_NEXT]);
    if (k > 0u && k < n && k * 3u + 2u < arrayLength(&user3)) {
        if ((user3[k * 3u] & 0x7fffffffu) != (user3[k * 3u - 2u] & 0x7fffffffu)) {
            let i = atomicAdd(&user2[SCAN_H_MISMATCHES], 1u);
            if (i < atomicLoad(&user2[SCAN_H_MISMATCH_CAP]) && SCAN_HEADER_WORDS + i < arrayLength(&user2)) {
                atomicStore(&user2[SCAN_HEADER_WORDS + i], k);
            }
        }
    }
    if (k < n) {
        atomicStore(&user2[prefix + k], ex.y);
        atomicStore(&user2[next + k], regions + 2u * select(ex.z, ex.w, shares));
        if (k + 1u == n) {
            atomicStore(&user2[prefix + n], ex.y + v.y);
            atomicStore(&user2[next + n], regions + 2u * select(ex.z + v.z, ex.w + v.w, shares));
        }
    }
    // Copy the tile's held hits: output record i comes from the last lane j whose
    // prefix is at most i (scan_fin_find), record i - prefix of j's region.
    scan_fin_pre[lid] = inc.y - v.y;
    scan_fin_src[lid] = scan_region_of(k).x;
    if (lid == VYRE_WG - 1u) {
        scan_fin_u = inc.y;
    }
    let held = workgroupUniformLoad(&scan_fin_u);
    let out = atomicLoad(&user2[SCAN_H_COMPACT]) + 4u * tile.y;
    let rounds = (held + VYRE_WG - 1u) / VYRE_WG;
    var copied = 0u;
    for (var r = 0u; r < rounds; r += 1u) {
        let i = r * VYRE_WG + lid;
        if (i < held) {
            let j = scan_fin_find(i);
            let slot = wid.x * VYRE_WG + j;
            let first = scan_fin_pre[j];
            let src = scan_fin_src[j] + 2u * (i - first);
            let what = atomicLoad(&user2[src]);
            let rel = atomicLoad(&user2[src + 1u]);
            var rank = i - first;
            if (rounds <= SCAN_FIN_SORT_ROUNDS) {
                rank = scan_fin_rank(j, held, i - first, what, rel);
            }
            scan_fin_store4(out + 4u * (first + rank), scan_fin_record(slot, what, rel));
            copied += 1u;
        }
    }
    if (copied != 0u) {
        atomicAdd(&user2[SCAN_H_COPIED], copied);
    }
}

// How the labelled copy can give a compacted record: (id, id, 1) final, with its user
// id; (first, last, 2) a match state of several patterns of a table that reports user
// ids (sorted), which the host expands in place from the exception list; (_, _, 0) only
// the host can resolve it (a factor hit it verifies, or a state of several pattern
// indexes), and the copy is not used. A match state of one pattern is resolved here
// too (scan_fin_record leaves those whose id has bit 31 set). A table whose header
// word 12 is 0 reports user ids; otherwise pattern index p < word 13 has user id
// table[word 12 + p], and larger ids are factor hits.
fn scan_label_id(rec: vec4<u32>) -> vec3<u32> {
    let g = atomicLoad(&ring[rec.w * 16u + 5u]);
    let map = user0[g + 12u];
    var p = rec.z & 0x7fffffffu;
    if ((rec.z & 0x80000000u) == 0u) {
        let mo = g + user0[g + 5u] + rec.z;
        let a = user0[mo];
        let b = user0[mo + 1u];
        if (b != a + 1u) {
            if (map == 0u && b > a) {
                return vec3<u32>(user0[g + a], user0[g + b - 1u], 2u);
            }
            return vec3<u32>(0u);
        }
        p = user0[g + a];
    }
    if (map == 0u) {
        return vec3<u32>(p, p, 1u);
    }
    if (p >= user0[g + 13u]) {
        return vec3<u32>(0u);
    }
    let id = user0[g + map + p];
    return vec3<u32>(id, id, 1u);
}

@compute @workgroup_size(VYRE_WG)
fn scan_label(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    if (lid == 0u) {
        var n = 0u;
        if (atomicLoad(&user2[SCAN_H_LABEL]) != 0u) {
            n = atomicLoad(&user2[SCAN_H_FINISH_N]);
        }
        scan_fin_u = n;
    }
    let n = workgroupUniformLoad(&scan_fin_u);
    if (wid.x * VYRE_WG >= n) {
        return;
    }
    // This tile's records: from its held-hit prefix to the next tile's (or the total).
    let tiles = (n + VYRE_WG - 1u) / VYRE_WG;
    let tw = atomicLoad(&user2[SCAN_H_TILES]) + wid.x * 4u;
    let first = atomicLoad(&user2[tw + 1u]);
    var to = atomicLoad(&user2[SCAN_H_HELD]);
    if (wid.x + 1u < tiles) {
        to = atomicLoad(&user2[tw + 5u]);
    }
    to = max(to, first);
    workgroupBarrier();
    if (lid == 0u) {
        scan_fin_u = (to - first + VYRE_WG - 1u) / VYRE_WG;
    }
    let rounds = workgroupUniformLoad(&scan_fin_u);
    let comp = atomicLoad(&user2[SCAN_H_COMPACT]);
    let lab = atomicLoad(&user2[SCAN_H_LABELLED]);
    let tag = atomicLoad(&user2[SCAN_H_TAG]);
    let exc_cap = atomicLoad(&user2[SCAN_H_EXC_CAP]);
    let exc_at = SCAN_HEADER_WORDS + atomicLoad(&user2[SCAN_H_MISMATCH_CAP]);
    var raw = 0u;
    var odd = 0u;
    for (var r = 0u; r < rounds; r += 1u) {
        let i = first + r * VYRE_WG + lid;
        if (i < to) {
            let rec = scan_fin_load4(comp + 4u * i);
            let id = scan_label_id(rec);
            if (id.z == 1u) {
                scan_fin_store4(lab + 4u * i, vec4<u32>(rec.x, rec.y, id.x, tag));
            } else {
                // The compacted record as it is (state, slot) for the host.
                scan_fin_store4(lab + 4u * i, rec);
            }
            if (id.z == 0u) {
                raw += 1u;
            } else {
                if (id.z == 2u) {
                    let k = atomicAdd(&user2[SCAN_H_EXC], 1u);
                    if (k < exc_cap) {
                        atomicStore(&user2[exc_at + k], i);
                    }
                }
                // Strictly after the previous record: its last (end, id) before this
                // record's first.
                if (i > 0u) {
                    let prev = scan_fin_load4(comp + 4u * (i - 1u));
                    let pid = scan_label_id(prev);
                    if (!(prev.y < rec.y || (prev.y == rec.y && (prev.x < rec.x || (prev.x == rec.x && pid.y < id.x))))) {
                        odd += 1u;
                    }
                }
            }
        }
    }
    if (raw != 0u) {
        atomicAdd(&user2[SCAN_H_RAW], raw);
    }
    if (odd != 0u) {
        atomicAdd(&user2[SCAN_H_DISORDER], odd);
    }
}
