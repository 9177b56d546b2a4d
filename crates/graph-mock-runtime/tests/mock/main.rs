//! The mock engine's integration tests, one module per subject, built as one test binary:
//! each integration test file would otherwise link the engine and its dependencies again
//! (about 60 MB and a link step apiece).

mod common;

mod admin;
mod arbitrary_requests;
mod auth;
mod bad_input;
mod bad_input_matrix;
mod batch;
mod cli;
mod concurrency;
mod crud;
mod delta;
mod downloads;
mod durability;
mod expand;
mod graph_in_a_box;
mod in_process;
mod path_case;
mod permissions;
mod queries;
mod references;
mod replicas;
mod tenants;
mod versions;
mod write_only;
