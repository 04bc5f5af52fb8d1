//! Monthly cost of a spec: dated price catalog, estimate, compare.
