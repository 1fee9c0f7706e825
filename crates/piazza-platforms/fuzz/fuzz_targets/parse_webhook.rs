//! Any bytes, as the body of a Meta webhook delivery: parsing must not
//! panic and gives only Facebook or Instagram events, and checking a
//! signature over the same bytes must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piazza_platforms::meta::webhook::{parse_webhook, verify_signature};
use piazza_platforms::Platform;

fuzz_target!(|data: &[u8]| {
    if let Ok(events) = parse_webhook(data) {
        for e in &events {
            assert!(matches!(e.platform, Platform::Facebook | Platform::Instagram));
        }
    }
    let split = data.len().min(80);
    let header = std::str::from_utf8(&data[..split]).ok();
    let _ = verify_signature(b"fuzz-secret", header, &data[split..]);
});
