//! The time source of the platform: the system clock, or a fixed instant for tests, demos
//! and reproducible runs. Dates that decide deadlines are Beijing dates (Asia/Shanghai,
//! UTC+8 all year).

use time::macros::{format_description, offset, time};
use time::{Date, OffsetDateTime, UtcOffset};

/// Asia/Shanghai: UTC+8, no daylight saving time since 1991.
pub const BEIJING: UtcOffset = offset!(+8);

/// Where "now" comes from. Handlers, commands and the demo ask the clock, never the system
/// directly, so that tests can fix "today".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// Always this instant.
    Fixed(OffsetDateTime),
}

impl Clock {
    /// A clock fixed at 10:00 Beijing time on `day`.
    pub fn fixed_on(day: Date) -> Clock {
        Clock::Fixed(day.with_time(time!(10:00)).assume_offset(BEIJING))
    }

    /// The current instant, in Beijing time.
    pub fn now(&self) -> OffsetDateTime {
        match self {
            Clock::System => OffsetDateTime::now_utc().to_offset(BEIJING),
            Clock::Fixed(t) => t.to_offset(BEIJING),
        }
    }

    /// Today's date in Beijing.
    pub fn today(&self) -> Date {
        self.now().date()
    }

    /// Seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }
}

/// A stored RFC 3339 timestamp as Beijing time, readable: `2026-12-02 10:31:05`. Text that
/// is not a timestamp is returned as it is.
pub fn beijing_time(rfc3339: &str) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(BEIJING).format(&fmt).ok())
        .unwrap_or_else(|| rfc3339.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn fixed_clock_gives_the_beijing_date() {
        let c = Clock::fixed_on(date!(2026 - 12 - 01));
        assert_eq!(c.today(), date!(2026 - 12 - 01));
        // 20:00 UTC is already the next day in Beijing.
        let late = Clock::Fixed(datetime!(2026-12-01 20:00 UTC));
        assert_eq!(late.today(), date!(2026 - 12 - 02));
    }

    #[test]
    fn timestamps_read_in_beijing_time() {
        assert_eq!(
            beijing_time("2026-12-01T20:00:00.123456789Z"),
            "2026-12-02 04:00:00"
        );
        assert_eq!(beijing_time("garbage"), "garbage");
    }
}
