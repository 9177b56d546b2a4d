//! The model generated from `crates/codegen/tests/fixtures/navigation.json`: a snapshot that must
//! compile and behave (see `tests/`). Regenerate with `cargo xtask codegen`.

#[rustfmt::skip]
mod generated;

pub use generated::*;
