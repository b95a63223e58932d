//! Workflow and audit chain tests: one binary, one module per area.

mod audit;
mod bad_input;
mod chains;
mod common;
mod flow_props;
