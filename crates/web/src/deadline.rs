//! 答复期限计算器: the public reply-deadline calculator (`/deadline`, `GET /api/v1/deadline`).
//! The same clock as the clerk's queue and `gongkai deadline` (条例第三十一条、第三十三条 on
//! the official working-day calendar); every date is explained step by step, and a date
//! that needs a year whose 节假日安排 is not yet imported is named as such.

use crate::app::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, PageResult};
use crate::portal_views::SelectOption;
use crate::views::{Layout, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use gongkai_calendar::{
    CaseFacts, Channel, ClockSettings, Correction, Extension, evaluate, format_date, parse_date,
};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};

/// The calculator's inputs (query string); every field is optional text so that a wrong
/// value comes back with its message instead of a bare 400.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// 收到申请之日 or the day of submission (YYYY-MM-DD); default today.
    #[serde(default)]
    #[param(format = Date)]
    pub received: String,
    /// `in-person`, `post`, `mail`, `online` or `fax` (条例第三十一条); default `online`.
    #[serde(default)]
    pub channel: String,
    /// Mail, online, fax: the day both sides confirmed receipt (YYYY-MM-DD).
    #[serde(default)]
    #[param(format = Date)]
    pub confirmed: String,
    /// Approved extension in working days, 1 to 20 (条例第三十三条第二款).
    #[serde(default)]
    pub extension_days: String,
    /// The day the applicant was asked to correct the application (条例第三十条).
    #[serde(default)]
    #[param(format = Date)]
    pub correction_requested: String,
    /// The day the corrected application was received (the clock restarts).
    #[serde(default)]
    #[param(format = Date)]
    pub corrected: String,
    /// Count used and remaining days as of this day; default today.
    #[serde(default)]
    #[param(format = Date)]
    pub on: String,
}

/// The computed deadline: the result in plain words, each step, and the dates.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlineResult {
    /// The deadline, YYYY-MM-DD, when it can be fixed.
    pub due_on: Option<String>,
    /// The deadline before the extension.
    pub original_due_on: Option<String>,
    pub working_days: u32,
    pub used: u32,
    pub remaining: u32,
    /// State code: `running`, `paused`, `awaiting-correction`, `overdue`, `decided` ….
    pub state: String,
    pub state_label: &'static str,
    /// The result in plain words, one line a fact.
    pub summary: Vec<String>,
    /// Each step of the computation: which days were skipped, which holiday, which pause.
    pub steps: Vec<String>,
    /// Irregularities (e.g. a correction asked later than 7 working days after receipt).
    pub warnings: Vec<String>,
    /// Years whose 节假日安排 the computation needs and the platform has not imported.
    pub missing_years: Vec<i32>,
}

/// `/deadline`: the form with the request's values, a message per refused field, the result.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineView {
    pub received: String,
    pub channels: Vec<SelectOption>,
    pub confirmed: String,
    pub extension_days: String,
    pub correction_requested: String,
    pub corrected: String,
    pub on: String,
    pub errors: Vec<String>,
    pub result: Option<DeadlineResult>,
}

fn day(s: &str, field: &str, errors: &mut Vec<String>) -> Option<Date> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    match parse_date(t) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(format!(
                "「{field}」不是有效日期，应为 YYYY-MM-DD（收到「{}」）",
                t.chars().take(40).collect::<String>()
            ));
            None
        }
    }
}

fn channel_of(s: &str) -> Option<Channel> {
    match s.trim() {
        "" => Some(Channel::Online),
        c => Channel::ALL.into_iter().find(|x| x.as_str() == c),
    }
}

/// Compute the deadline of `q` on the platform's calendar; refused fields in Chinese.
pub fn compute(st: &AppState, q: &DeadlineQuery) -> Result<DeadlineResult, Vec<String>> {
    let mut errors = Vec::new();
    let today = st.today();
    let received = day(&q.received, "收到申请日期", &mut errors).unwrap_or(today);
    let confirmed = day(&q.confirmed, "确认收到日期", &mut errors);
    let requested = day(&q.correction_requested, "告知补正日期", &mut errors);
    let corrected = day(&q.corrected, "收到补正日期", &mut errors);
    let on = day(&q.on, "计算截至日期", &mut errors).unwrap_or(today);
    let channel = channel_of(&q.channel).unwrap_or_else(|| {
        errors.push(format!("「提交方式」无效（收到「{}」）", q.channel.trim()));
        Channel::Online
    });
    let extension = match q.extension_days.trim() {
        "" | "0" => None,
        t => match t.parse::<u32>() {
            Ok(days @ 1..=20) => Some(Extension {
                days,
                approved: None,
            }),
            _ => {
                errors.push(format!("「延长工作日数」应为1至20的整数（收到「{t}」）"));
                None
            }
        },
    };
    if corrected.is_some() && requested.is_none() {
        errors.push("填写了收到补正日期，请同时填写告知补正日期".into());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut facts = CaseFacts::new(channel, received);
    facts.confirmed = confirmed;
    facts.extension = extension;
    if requested.is_some() {
        facts.correction = Some(Correction {
            requested,
            deadline: None,
            corrected,
        });
    }
    let r = evaluate(st.store.calendar(), &facts, &ClockSettings::default(), on)
        .map_err(|e| vec![e.to_string()])?;
    Ok(DeadlineResult {
        due_on: r.due.map(format_date),
        original_due_on: r
            .original_due
            .filter(|_| r.extension_days > 0)
            .map(format_date),
        working_days: r.working_days,
        used: r.used,
        remaining: r.remaining,
        state: r.state.as_str().to_string(),
        state_label: r.state.label_zh(),
        summary: r.summary_zh(),
        steps: r.steps.clone(),
        warnings: r.warnings.clone(),
        missing_years: r.missing_years(),
    })
}

#[derive(Template)]
#[template(path = "portal/deadline.html")]
struct DeadlinePage {
    layout: Layout,
    view: DeadlineView,
}

/// `GET /deadline`: the form; with `received` given, the result below it.
pub async fn page(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<DeadlineQuery>,
) -> PageResult<Response> {
    let asked = !q.received.trim().is_empty();
    let (result, errors) = if asked {
        match compute(&st, &q) {
            Ok(r) => (Some(r), Vec::new()),
            Err(e) => (None, e),
        }
    } else {
        (None, Vec::new())
    };
    let refused = !errors.is_empty();
    let channel = channel_of(&q.channel).unwrap_or(Channel::Online);
    let view = DeadlineView {
        received: if asked {
            q.received.trim().to_string()
        } else {
            format_date(st.today())
        },
        channels: Channel::ALL
            .iter()
            .map(|c| SelectOption::new(c.as_str(), c.label_zh(), *c == channel))
            .collect(),
        confirmed: q.confirmed.trim().to_string(),
        extension_days: q.extension_days.trim().to_string(),
        correction_requested: q.correction_requested.trim().to_string(),
        corrected: q.corrected.trim().to_string(),
        on: q.on.trim().to_string(),
        errors,
        result,
    };
    let mut res = render(&DeadlinePage {
        layout: Layout::portal(&st, &v, "答复期限计算器", None),
        view,
    })?;
    if refused {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// The JSON API's answer: the result, or a 422 with every message.
pub fn api_result(st: &AppState, q: &DeadlineQuery) -> Result<DeadlineResult, AppError> {
    compute(st, q).map_err(|e| AppError::Unprocessable(e.join("；")))
}
