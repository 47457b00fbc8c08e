//! Builds and tests a Zig program that uses libvyre through its C header.
//!
//! Written for Zig 0.15 (the version scripts/setup installs from PyPI's `ziglang`);
//! build.zig APIs change between Zig releases.
//!
//!   zig build test                 # link libvyre.so (found with pkg-config), run tests + demo
//!   zig build test -Dstatic=true   # link libvyre.a plus its Libs.private natives
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const static = b.option(bool, "static", "Link libvyre.a instead of libvyre.so") orelse false;

    const mod = b.createModule(.{
        .root_source_file = b.path("src/main.zig"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
    });
    // pkg-config supplies -I/-L; with .static Zig prefers libvyre.a in each search dir.
    mod.linkSystemLibrary("vyre", .{ .preferred_link_mode = if (static) .static else .dynamic });
    if (static) {
        // Zig runs `pkg-config --cflags --libs` without --static, so the native libraries
        // the Rust archive needs (Libs.private) are added here.
        const pkg_config = b.graph.env_map.get("PKG_CONFIG") orelse "pkg-config";
        const out = b.run(&.{ pkg_config, "--static", "--libs-only-l", "vyre" });
        var flags = std.mem.tokenizeAny(u8, out, " \r\n\t");
        while (flags.next()) |flag| {
            if (!std.mem.startsWith(u8, flag, "-l") or std.mem.eql(u8, flag, "-lvyre")) continue;
            mod.linkSystemLibrary(flag[2..], .{ .use_pkg_config = .no });
        }
    }

    const exe = b.addExecutable(.{ .name = "vyre-zig-demo", .root_module = mod });
    b.installArtifact(exe);

    const run_exe = b.addRunArtifact(exe);
    b.step("run", "Run the demo").dependOn(&run_exe.step);

    const tests = b.addTest(.{ .root_module = mod });
    const test_step = b.step("test", "Run the unit tests and the demo");
    test_step.dependOn(&b.addRunArtifact(tests).step);
    test_step.dependOn(&run_exe.step);
}
