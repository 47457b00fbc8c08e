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

pub fn main() !void {
    if (c.vyre_version() != c.VYRE_VERSION_NUMBER) {
        std.debug.print("libvyre {s} does not match vyre.h ({d})\n", .{ c.vyre_version_string(), c.VYRE_VERSION_NUMBER });
        return error.VersionMismatch;
    }
    std.debug.print("vyre {s} from Zig (status 0 = \"{s}\")\n", .{ c.vyre_version_string(), c.vyre_status_string(c.VYRE_OK) });

    var diag: Diagnostics = .{};
    debugTriggerPanic(&diag) catch |err| {
        std.debug.print("caught {s}: {s}\n", .{ @errorName(err), diag.message() });
        return;
    };
    return error.PanicHookSucceeded;
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
