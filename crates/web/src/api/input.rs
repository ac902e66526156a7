//! The API's inputs as their own serde types (JSON bodies and query strings), with their
//! OpenAPI schemas, and their conversion into what the shared page code takes.

use crate::error::AppError;
use crate::staff::{AuditParams, QueueFilter, Transition};
use gongkai_ledger::{ApplicantType, ApplicationState, Consultee, EventKind};
use gongkai_report::{Decimal, Outcome};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use std::str::FromStr;
use time::Date;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};

// --- JSON bodies ------------------------------------------------------------------------

/// `POST /applications`: the online application form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyInput {
    /// Code of the body applied to (机关代码).
    pub body: String,
    #[schema(schema_with = applicant_type_schema)]
    pub applicant_type: String,
    /// Name of the person or organisation.
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
    /// The information asked for.
    pub request_text: String,
    /// How the reply is to be delivered: 电子邮件 (then `email` is required), 邮寄纸质件,
    /// 当面领取 or 在线查看.
    #[serde(default)]
    pub delivery: String,
    /// Kind of `id_number`: `resident_id` (18-digit 居民身份证号码, check digit verified),
    /// `uscc` (统一社会信用代码, check character verified) or `other`; by default
    /// `resident_id` for a natural person and `uscc` for an organisation.
    #[serde(default)]
    pub id_kind: String,
}

impl ApplyInput {
    /// The portal form's fields (validated by the portal's rules).
    pub fn into_form(self) -> crate::portal::ApplyForm {
        crate::portal::ApplyForm {
            csrf: String::new(),
            applicant_type: self.applicant_type,
            name: self.name,
            id_number: self.id_number,
            phone: self.phone,
            email: self.email,
            address: self.address,
            request_text: self.request_text,
            delivery: self.delivery,
            id_kind: self.id_kind,
            form_token: String::new(),
        }
    }
}

/// `POST /applications/status`: the applicant's tracking code and secret.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    pub code: String,
    pub secret: String,
}

/// `POST /staff/applications/{id}/events`: one transition, chosen by `kind`. Every kind
/// takes `on` (the day it happened) and an optional `note`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventInput {
    /// 作出答复
    Decided {
        #[serde(deserialize_with = "de_on")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        #[serde(default)]
        note: Option<String>,
        #[serde(deserialize_with = "de_outcome")]
        #[schema(schema_with = outcome_schema)]
        outcome: Outcome,
        /// 答复文号
        #[serde(default)]
        reference: Option<String>,
        #[serde(default)]
        summary: Option<String>,
    },
    /// 告知补正
    CorrectionRequested {
        #[serde(deserialize_with = "de_on")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        #[serde(default)]
        note: Option<String>,
        /// 补正期限
        #[serde(deserialize_with = "de_deadline")]
        #[schema(value_type = String, format = Date)]
        deadline: Date,
    },
    /// 收到补正
    Corrected {
        #[serde(deserialize_with = "de_on")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        #[serde(default)]
        note: Option<String>,
    },
    /// 逾期未补正
    CorrectionLapsed {
        #[serde(deserialize_with = "de_on")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        #[serde(default)]
        note: Option<String>,
    },
    /// 开始征求意见
    ConsultationStarted {
        #[serde(deserialize_with = "de_on")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        #[serde(default)]
        note: Option<String>,
        #[serde(default, deserialize_with = "de_consultee")]
        consultee: ConsulteeInput,
    },
    /// 征求意见结束
    ConsultationEnded {
        #[serde(deserialize_with = "de_on")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        #[serde(default)]
        note: Option<String>,
    },
    /// 批准延期答复 (reviewer)
    ExtensionApproved {
        #[serde(deserialize_with = "de_on")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        #[serde(default)]
        note: Option<String>,
        /// Working days added: a number or a string of digits.
        #[serde(deserialize_with = "de_days")]
        #[schema(schema_with = integer_or_string_schema)]
        days: u32,
    },
    /// 发出收费通知
    FeeNoticed {
        #[serde(deserialize_with = "de_on")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        #[serde(default)]
        note: Option<String>,
        /// Yuan (元), whole fen: a number or a numeric string.
        #[serde(deserialize_with = "de_amount")]
        #[schema(schema_with = number_or_string_schema)]
        amount: Decimal,
    },
    /// 已缴费
    FeePaid {
        #[serde(deserialize_with = "de_on")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        #[serde(default)]
        note: Option<String>,
    },
    /// 逾期未缴费
    FeeLapsed {
        #[serde(deserialize_with = "de_on")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        #[serde(default)]
        note: Option<String>,
    },
    /// 申请人撤回
    Withdrawn {
        #[serde(deserialize_with = "de_on")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        #[serde(default)]
        note: Option<String>,
    },
}

/// Whom a consultation asks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsulteeInput {
    /// 第三方
    #[default]
    ThirdParty,
    /// 其他机关
    OtherAgency,
}

impl From<ConsulteeInput> for Consultee {
    fn from(c: ConsulteeInput) -> Consultee {
        match c {
            ConsulteeInput::ThirdParty => Consultee::ThirdParty,
            ConsulteeInput::OtherAgency => Consultee::OtherAgency,
        }
    }
}

impl EventInput {
    /// The ledger transition, validated as the console's form is.
    pub fn into_transition(self) -> Result<Transition, AppError> {
        use EventInput as E;
        let (on, note, event) = match self {
            E::Decided {
                on,
                note,
                outcome,
                reference,
                summary,
            } => (
                on,
                note,
                EventKind::Decided {
                    outcome,
                    reply: crate::staff::reply_document(
                        reference.as_deref().unwrap_or(""),
                        summary.as_deref().unwrap_or(""),
                    ),
                },
            ),
            E::CorrectionRequested { on, note, deadline } => {
                (on, note, EventKind::CorrectionRequested { deadline })
            }
            E::Corrected { on, note } => (on, note, EventKind::Corrected),
            E::CorrectionLapsed { on, note } => (on, note, EventKind::CorrectionLapsed),
            E::ConsultationStarted {
                on,
                note,
                consultee,
            } => (
                on,
                note,
                EventKind::ConsultationStarted {
                    consultee: consultee.into(),
                },
            ),
            E::ConsultationEnded { on, note } => (on, note, EventKind::ConsultationEnded),
            E::ExtensionApproved { on, note, days } => {
                (on, note, EventKind::ExtensionApproved { days })
            }
            E::FeeNoticed { on, note, amount } => (
                on,
                note,
                EventKind::FeeNoticed {
                    amount_fen: crate::staff::fen_of_yuan(amount)?,
                },
            ),
            E::FeePaid { on, note } => (on, note, EventKind::FeePaid),
            E::FeeLapsed { on, note } => (on, note, EventKind::FeeLapsed),
            E::Withdrawn { on, note } => (on, note, EventKind::Withdrawn),
        };
        Ok(Transition {
            event,
            on,
            note: note.unwrap_or_default().trim().to_string(),
        })
    }
}

// --- Query strings ----------------------------------------------------------------------

/// A page of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page, from 1 (50 documents a page).
    #[serde(default)]
    pub page: Option<i64>,
}

/// A version of a published report.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// Version (default: the newest).
    #[serde(default)]
    pub v: Option<i32>,
}

/// The full-text search.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Query text.
    #[serde(default)]
    pub q: String,
    /// Body code (with its subordinates).
    #[serde(default)]
    pub body: String,
    /// 领域 (domain of the standard catalog).
    #[serde(default)]
    pub domain: String,
    /// Year.
    #[serde(default)]
    pub year: String,
    /// Kind of item: `document`, `catalog_item`, `report` or `service_item` (办事指南).
    #[serde(default)]
    pub kind: String,
    /// Page, from 1 (20 hits a page).
    #[serde(default)]
    pub page: Option<usize>,
}

/// The order of the application queue.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueueSort {
    /// Least time left first.
    #[default]
    Due,
    /// Newest received first.
    Received,
}

/// The application queue's filter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Body code (default: every readable body).
    #[serde(default)]
    pub body: String,
    #[serde(default, deserialize_with = "de_state")]
    #[param(schema_with = state_filter_schema)]
    pub state: Option<ApplicationState>,
    /// Include closed applications.
    #[serde(default, deserialize_with = "de_flag")]
    #[param(schema_with = flag_schema)]
    pub closed: bool,
    #[serde(default)]
    #[param(inline)]
    pub sort: QueueSort,
    /// Page, from 1 (50 applications a page).
    #[serde(default)]
    pub page: Option<i64>,
}

impl From<QueueQuery> for QueueFilter {
    fn from(q: QueueQuery) -> QueueFilter {
        QueueFilter {
            body: q.body.trim().to_string(),
            state: q.state,
            by_received: q.sort == QueueSort::Received,
            show_closed: q.closed,
            page: q.page.unwrap_or(1),
        }
    }
}

/// The audit log's filter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Body code.
    #[serde(default)]
    pub body: String,
    /// Login of the acting user.
    #[serde(default)]
    pub actor: String,
    /// Kind of action, a prefix of its code: `application.`, `document.`, `catalog.`,
    /// `case.`, `guide.`, `register.`, `report.`, `staff.`, `user.`, `body.`, `import.`.
    #[serde(default)]
    pub action: String,
    /// First day (YYYY-MM-DD, Beijing time).
    #[serde(default)]
    #[param(format = Date)]
    pub from: String,
    /// Last day (YYYY-MM-DD, Beijing time).
    #[serde(default)]
    #[param(format = Date)]
    pub to: String,
    /// Page, from 1 (100 entries a page).
    #[serde(default)]
    pub page: Option<i64>,
}

impl From<AuditQuery> for AuditParams {
    fn from(q: AuditQuery) -> AuditParams {
        AuditParams {
            body: q.body,
            actor: q.actor,
            action: q.action,
            from: q.from,
            to: q.to,
            page: q.page.map(|p| p.to_string()).unwrap_or_default(),
        }
    }
}

// --- Deserialisers naming their field -----------------------------------------------------
//
// The fields of an internally tagged enum are deserialised from a buffer, so serde's errors
// do not carry their path; these name the field themselves.

/// `T`, with the field named in the error.
fn named<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D, field: &str) -> Result<T, D::Error> {
    T::deserialize(d).map_err(|e| de::Error::custom(format!("字段「{field}」无效：{e}")))
}

/// A `YYYY-MM-DD` date.
fn date<'de, D: Deserializer<'de>>(d: D, field: &str) -> Result<Date, D::Error> {
    let s: String = named(d, field)?;
    gongkai_calendar::parse_date(s.trim()).map_err(|_| {
        de::Error::custom(format!(
            "字段「{field}」日期格式应为 YYYY-MM-DD（收到「{s}」）"
        ))
    })
}

/// A number, or a string of one (`20` or `"20"`).
fn number<'de, D, T>(d: D, field: &str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
{
    struct NumberText;

    impl Visitor<'_> for NumberText {
        type Value = String;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number or a numeric string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.trim().to_string())
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }

    let text = d
        .deserialize_any(NumberText)
        .map_err(|e| de::Error::custom(format!("字段「{field}」应为数字：{e}")))?;
    text.parse()
        .map_err(|_| de::Error::custom(format!("字段「{field}」的值「{text}」无效")))
}

fn de_on<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    date(d, "on（日期）")
}

fn de_deadline<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    date(d, "deadline（补正期限）")
}

fn de_outcome<'de, D: Deserializer<'de>>(d: D) -> Result<Outcome, D::Error> {
    named(d, "outcome（办理结果）")
}

fn de_consultee<'de, D: Deserializer<'de>>(d: D) -> Result<ConsulteeInput, D::Error> {
    named(d, "consultee（征求意见对象）")
}

fn de_days<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    number(d, "days（延长天数）")
}

fn de_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    number(d, "amount（金额）")
}

/// A queue state filter; empty for every state.
fn de_state<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ApplicationState>, D::Error> {
    let s = String::deserialize(d)?;
    match s.trim() {
        "" => Ok(None),
        other => ApplicationState::parse(other)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("未知的状态「{other}」(unknown state)"))),
    }
}

/// A check box: `1` or `true` on, `0`, `false` or empty off.
fn de_flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let s = String::deserialize(d)?;
    match s.trim() {
        "1" | "true" => Ok(true),
        "" | "0" | "false" => Ok(false),
        other => Err(de::Error::custom(format!(
            "「{other}」应为 1、true、0 或 false"
        ))),
    }
}

// --- Schemas of fields whose values come from other crates --------------------------------

fn string_enum(values: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

fn applicant_type_schema() -> Object {
    string_enum(
        ApplicantType::ALL.iter().map(|a| a.column_key()),
        "申请人类型 (applicant type)",
    )
}

fn outcome_schema() -> Object {
    string_enum(
        Outcome::ALL.iter().map(|o| o.code()),
        "办理结果 (outcome code, a row of table 三)",
    )
}

/// The schema of an [`ApplicationState`] in a view model.
pub fn state_schema() -> Object {
    string_enum(
        ApplicationState::ALL.iter().map(|s| s.as_str()),
        "办理状态 (application state)",
    )
}

fn state_filter_schema() -> Object {
    string_enum(
        ApplicationState::ALL.iter().map(|s| s.as_str()),
        "Only applications in this state (default: every state).",
    )
}

fn flag_schema() -> Object {
    string_enum(["1", "true", "0", "false"], "Include closed applications.")
}

fn integer_or_string_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::Integer, Type::String]))
        .description(Some("Working days added: a number or a string of digits."))
        .build()
}

fn number_or_string_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::Number, Type::String]))
        .description(Some("Yuan (元), whole fen: a number or a numeric string."))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(v: serde_json::Value) -> Result<EventInput, String> {
        crate::api::decode_json(v.to_string().as_bytes()).map_err(|e| e.0.to_string())
    }

    #[test]
    fn events_take_numbers_as_numbers_or_strings() {
        let e = event(json!({"kind": "extension_approved", "days": 20, "on": "2026-01-05"}));
        assert!(matches!(
            e,
            Ok(EventInput::ExtensionApproved { days: 20, .. })
        ));
        let e = event(json!({"kind": "extension_approved", "days": " 20", "on": "2026-01-05"}));
        assert!(matches!(
            e,
            Ok(EventInput::ExtensionApproved { days: 20, .. })
        ));
        let t = event(json!({"kind": "fee_noticed", "amount": "12.50", "on": "2026-01-05"}))
            .unwrap()
            .into_transition()
            .unwrap();
        assert!(matches!(
            t.event,
            EventKind::FeeNoticed { amount_fen: 1250 }
        ));
        let t = event(json!({"kind": "fee_noticed", "amount": 12.5, "on": "2026-01-05"}))
            .unwrap()
            .into_transition()
            .unwrap();
        assert!(matches!(
            t.event,
            EventKind::FeeNoticed { amount_fen: 1250 }
        ));
        let e = event(json!({"kind": "fee_noticed", "amount": 0.001, "on": "2026-01-05"}));
        assert!(e.unwrap().into_transition().is_err(), "fractions of a fen");
        let e = event(
            json!({"kind": "fee_noticed", "amount": "79228162514264337593543950335",
                             "on": "2026-01-05"}),
        );
        assert!(e.unwrap().into_transition().is_err(), "too large");
    }

    #[test]
    fn event_errors_name_the_field() {
        let msg = |v| event(v).unwrap_err();
        let m = msg(json!({"kind": "extension_approved", "days": {"n": 1}, "on": "2026-01-05"}));
        assert!(m.contains("days"), "{m}");
        let m = msg(json!({"kind": "extension_approved", "days": "x", "on": "2026-01-05"}));
        assert!(m.contains("days"), "{m}");
        let m = msg(json!({"kind": "withdrawn", "on": "not a date"}));
        assert!(m.contains("on（日期）"), "{m}");
        let m = msg(json!({"kind": "withdrawn"}));
        assert!(m.contains("缺少字段「on」"), "{m}");
        let m = msg(json!({"kind": "withdrawn", "on": "2026-01-05", "days": 1}));
        assert!(m.contains("「days」"), "{m}");
        let m = msg(json!({"kind": "bogus", "on": "2026-01-05"}));
        assert!(m.contains("kind"), "{m}");
        let m = msg(json!({"kind": ["x"]}));
        assert!(m.contains("kind"), "{m}");
        let m = msg(json!({"on": "2026-01-05"}));
        assert!(m.contains("kind"), "{m}");
        let m = msg(json!({"kind": "decided", "outcome": "nope", "on": "2026-01-05"}));
        assert!(m.contains("outcome"), "{m}");
        assert!(event(json!([1])).is_err());
    }

    #[test]
    fn decided_keeps_the_reply_and_trims_the_note() {
        let t = event(
            json!({"kind": "decided", "outcome": "granted", "on": "2026-01-05",
                             "reference": " 文号 ", "summary": "摘要", "note": " 备注 "}),
        )
        .unwrap()
        .into_transition()
        .unwrap();
        assert_eq!(t.note, "备注");
        match t.event {
            EventKind::Decided { outcome, reply } => {
                assert_eq!(outcome, Outcome::Granted);
                assert_eq!(reply.reference, "文号");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn outcome_codes_are_their_serde_names() {
        for o in Outcome::ALL {
            assert_eq!(serde_json::to_value(o).unwrap(), o.code());
        }
    }

    #[test]
    fn json_bodies_refuse_unknown_fields() {
        let r: Result<StatusInput, _> =
            crate::api::decode_json(br#"{"code": "a", "secret": "b", "x": 1}"#);
        let m = r.unwrap_err().0.to_string();
        assert!(m.contains("「x」"), "{m}");
        let r: Result<StatusInput, _> = crate::api::decode_json(br#"{"code": 1, "secret": "b"}"#);
        let m = r.unwrap_err().0.to_string();
        assert!(m.contains("「code」"), "{m}");
    }
}
