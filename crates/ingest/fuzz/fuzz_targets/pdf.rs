//! Fuzz the whole PDF path, `pdftotext` subprocess included (slow: a process per input).
#![no_main]

use gongkai_ingest::{Limits, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_pages: 5,
        pdf_timeout: std::time::Duration::from_secs(5),
        ..Limits::default()
    };
    let mut bytes = b"%PDF-".to_vec();
    bytes.extend_from_slice(data);
    let _ = read_bytes("fuzz.pdf", &bytes, &limits);
});
