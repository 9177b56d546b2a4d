//! The doc examples as contract tests. The cases are generated from the spec by
//! `cargo xtask codegen` (see `graph_codegen::contract`), so adding an operation to the spec adds
//! its tests with no hand edits.

mod support {
    pub use graph_e2e::*;
}

#[rustfmt::skip]
#[path = "generated/contract_cases.rs"]
mod contract_cases;
