//! Multi-pattern DFA scanning on top of the megakernel.
