//! GB/T 9704-2012 printing.
