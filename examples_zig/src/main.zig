//! A Zig program using libvyre through its C header (translate-c via @cImport).
//!
//! vyre reports failures as returned error objects (`vyre_error **out_error`), never as
//! thread-local state. Zig errors carry no payload, so `call` turns a failed status
//! into a Zig error and hands the library's message to an optional `Diagnostics`.
const std = @import("std");
pub const c = @cImport(@cInclude("vyre.h"));

/// Zig error set mirroring the vyre_status codes of vyre.h.
pub const VyreError = error{
    NullPointer,
    InvalidArgument,
    InsufficientSize,
    SlotInFlight,
    MalformedBuffer,
    OutOfRange,
    Overflow,
    Unsupported,
    OutOfMemory,
    Shader,
    DeviceLost,
    NoAdapter,
    Gpu,
    Timeout,
    Panic,
    Poisoned,
    Pattern,
    TooLarge,
    Io,
    Unknown,
};

fn errorFromStatus(status: c.vyre_status) VyreError {
    return switch (status) {
        c.VYRE_ERROR_NULL_POINTER => error.NullPointer,
        c.VYRE_ERROR_INVALID_ARGUMENT => error.InvalidArgument,
        c.VYRE_ERROR_INSUFFICIENT_SIZE => error.InsufficientSize,
        c.VYRE_ERROR_SLOT_IN_FLIGHT => error.SlotInFlight,
        c.VYRE_ERROR_MALFORMED_BUFFER => error.MalformedBuffer,
        c.VYRE_ERROR_OUT_OF_RANGE => error.OutOfRange,
        c.VYRE_ERROR_OVERFLOW => error.Overflow,
        c.VYRE_ERROR_UNSUPPORTED => error.Unsupported,
        c.VYRE_ERROR_OUT_OF_MEMORY => error.OutOfMemory,
        c.VYRE_ERROR_SHADER => error.Shader,
        c.VYRE_ERROR_DEVICE_LOST => error.DeviceLost,
        c.VYRE_ERROR_NO_ADAPTER => error.NoAdapter,
        c.VYRE_ERROR_GPU => error.Gpu,
        c.VYRE_ERROR_TIMEOUT => error.Timeout,
        c.VYRE_ERROR_PANIC => error.Panic,
        c.VYRE_ERROR_POISONED => error.Poisoned,
        c.VYRE_ERROR_PATTERN => error.Pattern,
        c.VYRE_ERROR_TOO_LARGE => error.TooLarge,
        c.VYRE_ERROR_IO => error.Io,
        else => error.Unknown,
    };
}

/// What a failed call said: its status, message and (for InsufficientSize) needed size.
pub const Diagnostics = struct {
    status: c.vyre_status = c.VYRE_OK,
    message_buf: [512]u8 = undefined,
    message_len: usize = 0,
    required_size: usize = 0,

    pub fn message(self: *const Diagnostics) []const u8 {
        return self.message_buf[0..self.message_len];
    }
};

/// Convert one call's status and error object into a Zig error, copying the details
/// into `diag` (when given) and freeing the object.
pub fn check(status: c.vyre_status, err_obj: ?*c.vyre_error, diag: ?*Diagnostics) VyreError!void {
    defer c.vyre_error_free(err_obj);
    if (status == c.VYRE_OK) return;
    if (diag) |d| {
        d.status = status;
        d.required_size = c.vyre_error_required_size(err_obj);
        const msg = std.mem.span(c.vyre_error_message(err_obj));
        d.message_len = @min(msg.len, d.message_buf.len);
        @memcpy(d.message_buf[0..d.message_len], msg[0..d.message_len]);
    }
    return errorFromStatus(status);
}

/// The panic-boundary test hook: always fails with error.Panic.
pub fn debugTriggerPanic(diag: ?*Diagnostics) VyreError!void {
    var err_obj: ?*c.vyre_error = null;
    const status = c.vyre_debug_trigger_panic(&err_obj);
    return check(status, err_obj, diag);
}

/// Encode an empty ring of `slots` slots into memory from `allocator` (size query with a
/// NULL buffer first: the `(buf, len, out_written)` convention).
pub fn encodeEmptyRing(allocator: std.mem.Allocator, slots: u32, diag: ?*Diagnostics) ![]u8 {
    var need: usize = 0;
    var err_obj: ?*c.vyre_error = null;
    try check(c.vyre_ring_encode_empty(slots, null, 0, &need, &err_obj), err_obj, diag);
    const ring = try allocator.alloc(u8, need);
    errdefer allocator.free(ring);
    var written: usize = 0;
    err_obj = null;
    try check(c.vyre_ring_encode_empty(slots, ring.ptr, ring.len, &written, &err_obj), err_obj, diag);
    return ring[0..written];
}

/// Encode a control block into `dst` (tenant 0 allowed, no observable words, default
/// priority partitions for `ring_slots`); returns the bytes written.
pub fn encodeControlInto(dst: []u8, observable: u32, ring_slots: u32, diag: ?*Diagnostics) VyreError!usize {
    var written: usize = 0;
    var err_obj: ?*c.vyre_error = null;
    try check(c.vyre_control_encode(0, 1, observable, ring_slots, dst.ptr, dst.len, &written, &err_obj), err_obj, diag);
    return written;
}

/// One batch item: opcode and up to 12 args.
pub fn item(opcode: u32, args: []const u32) c.vyre_batch_item {
    var it = std.mem.zeroes(c.vyre_batch_item);
    it.opcode = opcode;
    it.arg_count = @intCast(args.len);
    @memcpy(it.args[0..args.len], args);
    return it;
}

/// Publish `items` at slot `start` plus a BATCH_FENCE; returns slots written (items + 1).
pub fn batchPublish(ring: []u8, start: u32, items: []const c.vyre_batch_item, tag: u32, diag: ?*Diagnostics) VyreError!u32 {
    var published: u32 = 0;
    var err_obj: ?*c.vyre_error = null;
    try check(c.vyre_ring_batch_publish(ring.ptr, ring.len, start, 0, c.VYRE_PRIORITY_NORMAL, items.ptr, items.len, tag, &published, &err_obj), err_obj, diag);
    return published;
}

/// Decode one slot.
pub fn readSlot(ring: []const u8, index: u32, diag: ?*Diagnostics) VyreError!c.vyre_slot {
    var slot: c.vyre_slot = undefined;
    var err_obj: ?*c.vyre_error = null;
    try check(c.vyre_ring_read_slot(ring.ptr, ring.len, index, &slot, &err_obj), err_obj, diag);
    return slot;
}

/// Count DONE slots among the first `items` slots.
pub fn countDone(ring: []const u8, items: usize, diag: ?*Diagnostics) VyreError!u64 {
    var count: u64 = 0;
    var err_obj: ?*c.vyre_error = null;
    try check(c.vyre_ring_count_done(ring.ptr, ring.len, items, &count, &err_obj), err_obj, diag);
    return count;
}

/// Play the GPU kernel's part for one slot: status word (word 0) = DONE.
pub fn markDone(ring: []u8, slot: usize) void {
    std.mem.writeInt(u32, ring[slot * c.VYRE_SLOT_BYTES ..][0..4], c.VYRE_STATE_DONE, .little);
}

/// Compile a pattern set into a DFA (release it with c.vyre_dfa_destroy).
pub fn compileDfa(patterns: []const c.vyre_dfa_pattern, diag: ?*Diagnostics) VyreError!*c.vyre_dfa {
    var dfa: ?*c.vyre_dfa = null;
    var err_obj: ?*c.vyre_error = null;
    try check(c.vyre_dfa_compile(patterns.ptr, patterns.len, null, &dfa, &err_obj), err_obj, diag);
    return dfa.?;
}

/// A CPU-backend scanner for `dfa` (release it with c.vyre_scanner_destroy).
pub fn cpuScanner(dfa: *const c.vyre_dfa, threads: u32, diag: ?*Diagnostics) VyreError!*c.vyre_scanner {
    var opts = std.mem.zeroes(c.vyre_scanner_options);
    opts.backend = c.VYRE_SCAN_BACKEND_CPU;
    opts.threads = threads;
    var scanner: ?*c.vyre_scanner = null;
    var err_obj: ?*c.vyre_error = null;
    try check(c.vyre_scanner_create(dfa, &opts, &scanner, &err_obj), err_obj, diag);
    return scanner.?;
}

/// Every hit in `data`, sorted by (end, pattern), in memory from `allocator`.
pub fn scan(allocator: std.mem.Allocator, scanner: *const c.vyre_scanner, data: []const u8, diag: ?*Diagnostics) ![]c.vyre_hit {
    var count: usize = 0;
    var err_obj: ?*c.vyre_error = null;
    try check(c.vyre_scanner_scan(scanner, data.ptr, data.len, null, 0, &count, &err_obj), err_obj, diag);
    const hits = try allocator.alloc(c.vyre_hit, count);
    errdefer allocator.free(hits);
    if (count == 0) return hits;
    err_obj = null;
    try check(c.vyre_scanner_scan(scanner, data.ptr, data.len, hits.ptr, hits.len, &count, &err_obj), err_obj, diag);
    return hits[0..count];
}

const demo_patterns = [_]c.vyre_dfa_pattern{
    .{ .expression = "secret", .length = 6, .id = 1, .flags = c.VYRE_PATTERN_LITERAL },
    .{ .expression = "key[0-9]+", .length = 0, .id = 2, .flags = 0 },
};

pub fn main() !void {
    if (c.vyre_version() != c.VYRE_VERSION_NUMBER) {
        std.debug.print("libvyre {s} does not match vyre.h ({d})\n", .{ c.vyre_version_string(), c.VYRE_VERSION_NUMBER });
        return error.VersionMismatch;
    }
    std.debug.print("vyre {s} from Zig\n", .{c.vyre_version_string()});

    var gpa: std.heap.DebugAllocator(.{}) = .init;
    defer _ = gpa.deinit();
    const allocator = gpa.allocator();

    var diag: Diagnostics = .{};
    const ring = try encodeEmptyRing(allocator, 8, &diag);
    defer allocator.free(ring);
    const batch = [_]c.vyre_batch_item{
        item(c.VYRE_OP_STORE_U32, &.{ 0, 42 }),
        item(c.VYRE_OP_ATOMIC_ADD, &.{ 1, 5 }),
        item(c.VYRE_OP_STORE_U32, &.{ 2, 7 }),
    };
    const published = try batchPublish(ring, 0, &batch, 0x600D, &diag);
    std.debug.print("published {d} slots ({d} items + fence)\n", .{ published, batch.len });
    for (0..published) |i| {
        const slot = try readSlot(ring, @intCast(i), &diag);
        std.debug.print("  slot {d}: status {d} opcode {d} args {any}\n", .{ i, slot.status, slot.opcode, slot.args[0..2] });
    }
    for (0..batch.len) |i| markDone(ring, i); // on a GPU the kernel does this
    std.debug.print("done: {d} of {d}\n", .{ try countDone(ring, batch.len, &diag), batch.len });

    // Errors come back per call: a Zig error plus the library's message in `diag`.
    if (batchPublish(ring, 2, &batch, 1, &diag)) |_| {
        return error.PublishOverFenceSucceeded;
    } else |err| {
        std.debug.print("expected failure {s}: {s}\n", .{ @errorName(err), diag.message() });
    }

    // Scan a buffer for a pattern set (CPU backend here; the GPU backend is the default).
    const dfa = try compileDfa(&demo_patterns, &diag);
    defer c.vyre_dfa_destroy(dfa);
    const scanner = try cpuScanner(dfa, 0, &diag);
    defer c.vyre_scanner_destroy(scanner);
    const hits = try scan(allocator, scanner, "my secret key42 and key7", &diag);
    defer allocator.free(hits);
    for (hits) |hit| std.debug.print("hit: pattern {d} ends at {d}\n", .{ hit.pattern, hit.end });
}

test "library version matches the header" {
    try std.testing.expectEqual(@as(u32, c.VYRE_VERSION_NUMBER), c.vyre_version());
    var buf: [32]u8 = undefined;
    const want = try std.fmt.bufPrint(&buf, "{d}.{d}.{d}", .{ c.VYRE_VERSION_MAJOR, c.VYRE_VERSION_MINOR, c.VYRE_VERSION_PATCH });
    try std.testing.expectEqualStrings(want, std.mem.span(c.vyre_version_string()));
}

test "status strings" {
    try std.testing.expectEqualStrings("ok", std.mem.span(c.vyre_status_string(c.VYRE_OK)));
    try std.testing.expectEqualStrings("unknown vyre status", std.mem.span(c.vyre_status_string(9999)));
}

test "a panic inside libvyre becomes error.Panic with a message" {
    var diag: Diagnostics = .{};
    try std.testing.expectError(error.Panic, debugTriggerPanic(&diag));
    try std.testing.expectEqual(@as(c.vyre_status, c.VYRE_ERROR_PANIC), diag.status);
    try std.testing.expect(std.mem.indexOf(u8, diag.message(), "panic") != null);
    try std.testing.expectEqual(@as(usize, 0), diag.required_size);
    // No diagnostics wanted: the error object is still freed.
    try std.testing.expectError(error.Panic, debugTriggerPanic(null));
}

test "publish a batch and decode it" {
    const ring = try encodeEmptyRing(std.testing.allocator, 8, null);
    defer std.testing.allocator.free(ring);
    try std.testing.expectEqual(@as(usize, 8 * 64), ring.len);
    const batch = [_]c.vyre_batch_item{
        item(c.VYRE_OP_STORE_U32, &.{ 0, 7 }),
        item(c.VYRE_OP_STORE_U32, &.{ 1, 8 }),
        item(c.VYRE_OP_ATOMIC_ADD, &.{ 2, 5 }),
    };
    try std.testing.expectEqual(@as(u32, 4), try batchPublish(ring, 2, &batch, 0xBEEF, null));
    for (batch, 0..) |it, i| {
        const slot = try readSlot(ring, @intCast(2 + i), null);
        try std.testing.expectEqual(@as(u32, c.VYRE_STATE_PUBLISHED), slot.status);
        try std.testing.expectEqual(it.opcode, slot.opcode);
        try std.testing.expectEqual(@as(u32, c.VYRE_PRIORITY_NORMAL), slot.priority);
        try std.testing.expectEqualSlices(u32, &it.args, &slot.args);
    }
    const fence = try readSlot(ring, 5, null);
    try std.testing.expectEqual(@as(u32, c.VYRE_OP_BATCH_FENCE), fence.opcode);
    try std.testing.expectEqual(@as(u32, 3), fence.args[0]);
    try std.testing.expectEqual(@as(u32, 0xBEEF), fence.args[1]);
    for ([_]u32{ 0, 1, 6, 7 }) |idx| {
        try std.testing.expectEqual(@as(u32, c.VYRE_STATE_EMPTY), (try readSlot(ring, idx, null)).status);
    }

    markDone(ring, 2);
    markDone(ring, 4);
    try std.testing.expectEqual(@as(u64, 2), try countDone(ring, 8, null));
    try std.testing.expectError(error.OutOfRange, readSlot(ring, 8, null));
}

test "a slot in flight fails the whole batch and leaves the ring unchanged" {
    const ring = try encodeEmptyRing(std.testing.allocator, 4, null);
    defer std.testing.allocator.free(ring);
    const one = [_]c.vyre_batch_item{item(c.VYRE_OP_STORE_U32, &.{ 0, 1 })};
    _ = try batchPublish(ring, 0, &one, 1, null);
    var before: [4 * 64]u8 = undefined;
    @memcpy(&before, ring);
    var diag: Diagnostics = .{};
    try std.testing.expectError(error.SlotInFlight, batchPublish(ring, 1, &one, 2, &diag));
    try std.testing.expectEqual(@as(c.vyre_status, c.VYRE_ERROR_SLOT_IN_FLIGHT), diag.status);
    try std.testing.expect(diag.message().len > 0);
    try std.testing.expectEqualSlices(u8, &before, ring);
}

test "a too-small buffer reports the size it needs and is not touched" {
    var small = [_]u8{0xA5} ** 100;
    var diag: Diagnostics = .{};
    try std.testing.expectError(error.InsufficientSize, encodeControlInto(&small, 4, 8, &diag));
    try std.testing.expectEqual(@as(usize, (160 + 4) * 4), diag.required_size);
    try std.testing.expectEqualSlices(u8, &([_]u8{0xA5} ** 100), &small);
    var big: [(160 + 4) * 4]u8 = undefined;
    try std.testing.expectEqual(big.len, try encodeControlInto(&big, 4, 8, null));
}

test "scan a buffer" {
    const dfa = try compileDfa(&demo_patterns, null);
    const scanner = try cpuScanner(dfa, 2, null);
    c.vyre_dfa_destroy(dfa); // the scanner keeps its DFA alive
    defer c.vyre_scanner_destroy(scanner);
    //                 0         1         2
    //                 012345678901234567890123
    const data = "my secret key42 and key7";
    const hits = try scan(std.testing.allocator, scanner, data, null);
    defer std.testing.allocator.free(hits);
    const want = [_][2]u64{ .{ 1, 9 }, .{ 2, 14 }, .{ 2, 15 }, .{ 2, 24 } };
    try std.testing.expectEqual(want.len, hits.len);
    for (want, hits) |w, hit| {
        try std.testing.expectEqual(w[0], hit.pattern);
        try std.testing.expectEqual(w[1], hit.end);
    }
}

test "a bad pattern is error.Pattern naming the pattern" {
    const bad = [_]c.vyre_dfa_pattern{
        .{ .expression = "ok", .length = 0, .id = 1, .flags = 0 },
        .{ .expression = "(unclosed", .length = 0, .id = 2, .flags = 0 },
    };
    var diag: Diagnostics = .{};
    try std.testing.expectError(error.Pattern, compileDfa(&bad, &diag));
    try std.testing.expect(std.mem.startsWith(u8, diag.message(), "pattern 1:"));
}
