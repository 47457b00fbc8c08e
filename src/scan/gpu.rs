//! GPU backend: the DFA_SCAN opcode (0xFFF0) on the megakernel. See `dfa_scan.wgsl`.

use super::dfa::Dfa;
use super::scanner::Scanner;
use crate::error::{Error, Result};
use std::sync::Arc;

/// Build a scanner on the GPU megakernel.
pub fn scanner(_dfa: Arc<Dfa>, _adapter: Option<&str>, _chunk: u64) -> Result<Scanner> {
    Err(Error::unsupported("the GPU scan backend needs the megakernel engine, which this build does not have yet; use VYRE_SCAN_BACKEND_CPU"))
}
