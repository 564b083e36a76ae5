//! Example environments (`examples/*/`) and embedding examples (`examples/*.rs`) for orch.
