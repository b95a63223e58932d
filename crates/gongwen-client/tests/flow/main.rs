//! Integration tests of the local workflow (`gongwen_client::flow`): real encrypted
//! stores in temp folders, the acting user switched on the same store.

mod bad_input;
mod chains;
mod common;
mod outbox;
mod people;
mod queues;
mod routes;
