//! The 文号 parser never panics; whatever it accepts is valid and formats back
//! to itself.
#![no_main]

use gongwen_domain::DocNumber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(n) = text.parse::<DocNumber>() {
        assert!(n.validate().is_ok(), "{text:?} parsed to an invalid {n:?}");
        assert_eq!(n.to_string().parse::<DocNumber>().as_ref(), Ok(&n));
    }
});
