//! Integration tests of gongwen-domain's document form, lint and robustness
//! (the workflow state machine has its own test binary).

mod bad_input;
mod examples;
mod lint_rules;
mod robustness;
