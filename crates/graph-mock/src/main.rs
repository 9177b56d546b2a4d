//! `graph-mock`: serves all of Graph, v1.0 and beta on one port over one store (`--api`
//! chooses one, `--spec DIR` serves another spec instead); `--help` lists the flags.

/// mimalloc's per-thread heaps: the request path allocates on every worker thread, and glibc's
/// arena locks showed up in the load profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    graph_mock_runtime::cli::run(&graph_mock::BUILT_IN)
}
