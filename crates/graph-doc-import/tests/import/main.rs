//! The integration tests of the importer, one module per subject, built as one test binary
//! (one binary per file would link the same dependencies again for each).

mod current_docs;
mod example_oracle;
mod formats;
mod mutated_pages;
mod open_world;
mod seed;
