//! The one error type every layer returns, and the status codes it maps to at the C ABI.
//!
//! Status numbers are ABI: never renumber, only append.

use std::fmt;

/// Outcome class of a call. `#[repr(i32)]` values are the C `VYRE_*` status codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Status {
    Ok = 0,
    NullPointer = 1,
    InvalidArgument = 2,
    InsufficientSize = 3,
    SlotInFlight = 4,
    MalformedBuffer = 5,
    OutOfRange = 6,
    Overflow = 7,
    Unsupported = 8,
    OutOfMemory = 9,
    Shader = 10,
    DeviceLost = 11,
    NoAdapter = 12,
    Gpu = 13,
    Timeout = 14,
    Panic = 15,
    Poisoned = 16,
    Pattern = 17,
    TooLarge = 18,
    Io = 19,
}

impl Status {
    /// Every status, in numeric order (used by tests and `vyre_status_string`).
    pub const ALL: [Status; 20] = [
        Status::Ok,
        Status::NullPointer,
        Status::InvalidArgument,
        Status::InsufficientSize,
        Status::SlotInFlight,
        Status::MalformedBuffer,
        Status::OutOfRange,
        Status::Overflow,
        Status::Unsupported,
        Status::OutOfMemory,
        Status::Shader,
        Status::DeviceLost,
        Status::NoAdapter,
        Status::Gpu,
        Status::Timeout,
        Status::Panic,
        Status::Poisoned,
        Status::Pattern,
        Status::TooLarge,
        Status::Io,
    ];

    /// Look a raw C value up; `None` for values no vyre version has used.
    pub fn from_raw(raw: i32) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| *s as i32 == raw)
    }

    /// Stable, NUL-terminated short description (static storage, safe to hand to C).
    pub fn description(self) -> &'static str {
        match self {
            Status::Ok => "ok\0",
            Status::NullPointer => "a required pointer argument was NULL\0",
            Status::InvalidArgument => "invalid argument\0",
            Status::InsufficientSize => "output buffer too small (the required size is reported)\0",
            Status::SlotInFlight => "ring slot in flight or queue full\0",
            Status::MalformedBuffer => "malformed protocol buffer\0",
            Status::OutOfRange => "index or value out of range\0",
            Status::Overflow => "arithmetic overflow of a size or counter\0",
            Status::Unsupported => "operation not supported\0",
            Status::OutOfMemory => "out of memory or over the memory budget\0",
            Status::Shader => "shader failed to compile or validate\0",
            Status::DeviceLost => "GPU device lost and could not be recovered\0",
            Status::NoAdapter => "no matching GPU adapter\0",
            Status::Gpu => "GPU backend error\0",
            Status::Timeout => "timed out\0",
            Status::Panic => "internal panic caught at the C boundary (object poisoned)\0",
            Status::Poisoned => "object poisoned by an earlier internal panic\0",
            Status::Pattern => "invalid pattern\0",
            Status::TooLarge => "input exceeds a configured size limit\0",
            Status::Io => "I/O error\0",
        }
    }
}

/// Error carried through every layer: a status class, a message that says what was wrong
/// and how to fix it, and (for `InsufficientSize`) the number of bytes/elements needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub status: Status,
    pub message: String,
    /// Required size for `InsufficientSize`; 0 otherwise.
    pub required: usize,
}

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Error {
            status,
            message: message.into(),
            required: 0,
        }
    }
    pub fn null(what: &str) -> Self {
        Error::new(Status::NullPointer, format!("`{what}` must not be NULL"))
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(Status::InvalidArgument, message)
    }
    pub fn insufficient(what: &str, required: usize, given: usize) -> Self {
        Error {
            status: Status::InsufficientSize,
            message: format!("`{what}` holds {given} but {required} are required"),
            required,
        }
    }
    pub fn in_flight(message: impl Into<String>) -> Self {
        Error::new(Status::SlotInFlight, message)
    }
    pub fn malformed(message: impl Into<String>) -> Self {
        Error::new(Status::MalformedBuffer, message)
    }
    pub fn out_of_range(message: impl Into<String>) -> Self {
        Error::new(Status::OutOfRange, message)
    }
    pub fn overflow(message: impl Into<String>) -> Self {
        Error::new(Status::Overflow, message)
    }
    pub fn unsupported(message: impl Into<String>) -> Self {
        Error::new(Status::Unsupported, message)
    }
    pub fn oom(message: impl Into<String>) -> Self {
        Error::new(Status::OutOfMemory, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.status, self.message)
    }
}

impl std::error::Error for Error {}
