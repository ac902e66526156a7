//! Fuzz the html reader and the recogniser behind it: no input may panic.
#![no_main]

use gongkai_ingest::{InputKind, Limits, document, recognise::recognise};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_cells: 20_000,
        ..Limits::default()
    };
    if let Ok(doc) = document(InputKind::Html, data, &limits)
        && let Ok(r) = recognise(&doc, "fuzz", InputKind::Html)
    {
        let _ = gongkai_report::check(&r.report, None);
    }
});
