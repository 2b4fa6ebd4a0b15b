//! The integration tests, as one crate: the simulated VPC in `support/`
//! compiles once and one test binary links, where one binary per file
//! compiled the support code fourteen times and linked fourteen binaries.
//! Each module below is one group of tests (CONTRIBUTING.md's Tests section
//! lists them); a new group is a file here and one `mod` line below. Run one group
//! with `cargo test --test it scenarios::`.
//!
//! `cargo test` passes for anyone on Linux: tests that need root or a system
//! package are `#[ignore = "needs ..."]`, and `.ci/run`, which runs as root
//! and installs the packages, runs them with `-- --include-ignored`.
//!
//! `watch` installs a counting global allocator for the whole binary; its
//! heap test re-runs itself alone in a child process so other tests'
//! allocations do not count.

mod support;

mod causes;
mod cli;
mod cross_region;
mod docs;
mod emf;
mod examples;
mod explain;
mod fix;
mod generate;
mod hostile;
mod hub;
mod ipv6;
mod lambda;
mod layering;
mod metadata;
mod metrics;
mod probe_service;
mod proxy;
mod render;
mod scenarios;
mod sdk_endpoints;
mod stopped_reasons;
mod watch;
