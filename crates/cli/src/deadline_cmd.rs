//! `gongkai deadline …`: the statutory reply deadline of an application (条例第三十三条) on
//! the official working-day calendar, with corrections, consultations, pauses, an
//! extension and a fee notice.

use anyhow::Result;
use clap::{Args, ValueEnum};
use gongkai_calendar::{
    CaseFacts, Channel, ClockReport, ClockSettings, Consultation, ConsultationKind, Correction,
    Date, DateRange, Extension, FeeInterval, FeeNotice, evaluate,
};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::calendar_cmd::{date_arg, load_calendar};

#[derive(Args)]
pub struct DeadlineArgs {
    /// The day the application was received (in person: submitted; post: signed for;
    /// mail/online/fax: arrived — see --confirmed).
    #[arg(long, value_parser = date_arg)]
    pub received: Date,
    /// How it was submitted (条例第三十一条).
    #[arg(long, value_enum, default_value = "in-person")]
    pub channel: ChannelArg,
    /// Mail, online, fax: the day receipt was confirmed (by both sides); that day is the receipt date.
    #[arg(long, value_parser = date_arg)]
    pub confirmed: Option<Date>,
    /// Add the full extension of 20 working days (approved once, 条例第三十三条第二款).
    #[arg(long, conflicts_with = "extension_days")]
    pub extended: bool,
    /// Add an approved extension of N (1–20) working days.
    #[arg(long, value_name = "N")]
    pub extension_days: Option<u32>,
    /// Exclude a period, both days inclusive: no working day from FROM through TO counts. Repeatable.
    #[arg(long, value_name = "FROM:TO", value_parser = range_arg)]
    pub pause: Vec<DateRange>,
    /// Third-party consultation (条例第三十二条) from FROM through TO, or still open with just FROM. Repeatable.
    #[arg(long, value_name = "FROM[:TO]", value_parser = open_range_arg)]
    pub consult: Vec<(Date, Option<Date>)>,
    /// Consultation of another agency, FROM[:TO]. Repeatable.
    #[arg(long, value_name = "FROM[:TO]", value_parser = open_range_arg)]
    pub consult_agency: Vec<(Date, Option<Date>)>,
    /// The day the applicant was told to correct the application (条例第三十条).
    #[arg(long, value_parser = date_arg)]
    pub correction_requested: Option<Date>,
    /// The last day the applicant was given to correct it.
    #[arg(long, value_parser = date_arg)]
    pub correction_deadline: Option<Date>,
    /// The day the corrected application was received; the clock restarts from it.
    #[arg(long, value_parser = date_arg)]
    pub corrected: Option<Date>,
    /// The day a fee notice (收费通知) was sent.
    #[arg(long, value_parser = date_arg)]
    pub fee_sent: Option<Date>,
    /// The day the applicant received the fee notice (default: the day it was sent).
    #[arg(long, value_parser = date_arg, requires = "fee_sent")]
    pub fee_received: Option<Date>,
    /// The day the applicant paid.
    #[arg(long, value_parser = date_arg, requires = "fee_sent")]
    pub fee_paid: Option<Date>,
    /// Whether the fee notice→payment interval is excluded from the clock (default) or counted.
    #[arg(long, value_enum, default_value = "excluded")]
    pub fee_interval: FeeIntervalArg,
    /// The day the reply was made.
    #[arg(long, value_parser = date_arg)]
    pub decided: Option<Date>,
    /// Evaluate used/remaining days and the state on this date (default: today, Beijing time).
    #[arg(long, value_parser = date_arg)]
    pub on: Option<Date>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Data directory; imported notices are read from DIR/calendar/<year>.json.
    #[arg(long, env = "GONGKAI_DATA", default_value = "data")]
    pub data: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ChannelArg {
    InPerson,
    Post,
    Mail,
    Online,
    Fax,
}

impl From<ChannelArg> for Channel {
    fn from(c: ChannelArg) -> Self {
        match c {
            ChannelArg::InPerson => Channel::InPerson,
            ChannelArg::Post => Channel::Post,
            ChannelArg::Mail => Channel::Mail,
            ChannelArg::Online => Channel::Online,
            ChannelArg::Fax => Channel::Fax,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FeeIntervalArg {
    Excluded,
    Counted,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

fn range_arg(s: &str) -> Result<DateRange, String> {
    DateRange::parse(s).map_err(|e| e.to_string())
}

fn open_range_arg(s: &str) -> Result<(Date, Option<Date>), String> {
    match s.split_once(':') {
        Some(_) => range_arg(s).map(|r| (r.from, Some(r.to))),
        None => date_arg(s).map(|d| (d, None)),
    }
}

fn facts(a: &DeadlineArgs) -> CaseFacts {
    let mut f = CaseFacts::new(a.channel.into(), a.received);
    f.confirmed = a.confirmed;
    if a.correction_requested.is_some() || a.correction_deadline.is_some() || a.corrected.is_some()
    {
        f.correction = Some(Correction {
            requested: a.correction_requested,
            deadline: a.correction_deadline,
            corrected: a.corrected,
        });
    }
    let consult =
        |kind| move |&(start, end): &(Date, Option<Date>)| Consultation { kind, start, end };
    f.consultations
        .extend(a.consult.iter().map(consult(ConsultationKind::ThirdParty)));
    f.consultations.extend(
        a.consult_agency
            .iter()
            .map(consult(ConsultationKind::OtherAgency)),
    );
    f.pauses = a.pause.clone();
    f.extension = if a.extended {
        Some(Extension::full())
    } else {
        a.extension_days.map(|days| Extension {
            days,
            approved: None,
        })
    };
    f.fee = a.fee_sent.map(|sent| FeeNotice {
        sent,
        received: a.fee_received,
        paid: a.fee_paid,
    });
    f.decided = a.decided;
    f
}

pub fn run(a: DeadlineArgs) -> Result<ExitCode> {
    let cal = load_calendar(&a.data)?;
    let settings = ClockSettings {
        fee_interval: match a.fee_interval {
            FeeIntervalArg::Excluded => FeeInterval::Excluded,
            FeeIntervalArg::Counted => FeeInterval::Counted,
        },
        ..ClockSettings::default()
    };
    let on = a.on.unwrap_or_else(|| gongkai_store::Clock::System.today());
    let report = evaluate(&cal, &facts(&a), &settings, on)?;
    match a.format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        OutputFormat::Text => print!("{}", text(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

fn text(r: &ClockReport) -> String {
    let mut s = String::new();
    for line in r.summary_zh() {
        s.push_str(&line);
        s.push('\n');
    }
    let missing = r.missing_years();
    if !missing.is_empty() {
        let years: Vec<String> = missing.iter().map(|y| format!("{y}年")).collect();
        s.push_str(&format!(
            "提示：{}国务院办公厅节假日安排尚未导入，用 `gongkai calendar import FILE` 导入后即可计算\n",
            years.join("、")
        ));
    }
    s.push_str("计算过程：\n");
    for (i, step) in r.steps.iter().enumerate() {
        s.push_str(&format!("  {}. {step}\n", i + 1));
    }
    s
}
