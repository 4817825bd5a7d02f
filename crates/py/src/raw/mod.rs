//! The only glue code that handles raw descriptors and raw memory: the fd
//! transport, the caller's buffers and the interpreter-shutdown probe.
//! `unsafe` is allowed here and nowhere else in the crate, and every block
//! carries a `SAFETY:` comment (`clippy::undocumented_unsafe_blocks`).

pub mod buffer;
pub mod fd;
pub mod finalizing;
