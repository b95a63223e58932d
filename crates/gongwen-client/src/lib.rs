//! Gongwen client library.
