//! Italian comment analysis: being built (issue 3), not yet usable.
