//! The web desk: being built (issue 6), not yet usable.
