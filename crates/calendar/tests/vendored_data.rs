//! The vendored `data/holidays.json` must stay byte-equal to the shared spec file.

use std::path::PathBuf;

#[test]
fn vendored_holidays_equal_shared_spec() {
    let shared =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/holidays.json");
    let Ok(expected) = std::fs::read(&shared) else {
        println!(
            "skipped: {} not present; cannot compare the vendored holidays.json",
            shared.display()
        );
        return;
    };
    assert!(
        gongkai_calendar::BUILTIN_HOLIDAYS_JSON.as_bytes() == expected.as_slice(),
        "crates/calendar/data/holidays.json differs from {}; copy the shared file over it",
        shared.display()
    );
}
