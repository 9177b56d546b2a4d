//! The end-to-end tests, one module per subject, built as one test binary: each integration
//! test file would otherwise link the client, the mock and their dependencies again (about
//! 60 MB and a link step apiece).

mod navigation;

mod actions;
mod batch;
mod client_server;
mod contract_runner;
mod delta;
mod faults;
mod functions;
mod https;
mod model_examples;
mod references;
mod retries;
mod select_only;
mod sign_in;
