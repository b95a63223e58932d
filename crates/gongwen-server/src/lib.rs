//! Gongwen central server.
