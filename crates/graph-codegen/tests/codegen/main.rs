//! The integration tests of the code generator, one module per subject, built as one test binary
//! (one binary per file would link the same dependencies again for each).

mod areas;
mod fresh;
mod library_model;
mod parts;
mod routes;
mod units;
