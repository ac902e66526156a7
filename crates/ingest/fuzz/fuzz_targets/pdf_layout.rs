//! Fuzz the PDF layout-text reader (what `pdftotext -layout` prints) and the recogniser.
#![no_main]

use gongkai_ingest::{InputKind, Limits, pdf::layout_to_document, recognise::recognise};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(doc) = layout_to_document(&text, &Limits::default()) {
        let _ = recognise(&doc, "fuzz", InputKind::Pdf);
    }
});
