//! revita-ingest's integration tests: one binary, through the public API
//! only. `fuzz` throws mutated files at every reader (see
//! `tests/FUZZING.md`); `corpus` replays the inputs that once made a reader
//! panic or abort, kept under `tests/corpus/`.

mod corpus;
mod fuzz;
mod seeds;
mod targets;
