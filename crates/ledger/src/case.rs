//! Administrative reconsideration (行政复议) and litigation (行政诉讼) cases about disclosure,
//! reported in table 四.
//!
//! **Which year a case counts in.** A case is reported in every year in which it was open at
//! some point: in the year it is concluded under its result (结果维持 / 结果纠正 / 其他结果),
//! and in each earlier year from its filing year on as 尚未审结. A case filed and concluded in
//! the same year counts once, under its result. So table 四 of year Y lists the cases concluded
//! in Y plus those still open on 31 December of Y.

use crate::counters::{self, Contributions};
use gongkai_calendar::serde_date;
use serde::{Deserialize, Serialize};
use time::Date;

/// The three groups of table 四.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// 行政复议
    Review,
    /// 行政诉讼 · 未经复议直接起诉
    LitigationDirect,
    /// 行政诉讼 · 复议后起诉
    LitigationAfterReview,
}

impl CaseKind {
    /// All kinds in table order.
    pub const ALL: [CaseKind; 3] = [
        CaseKind::Review,
        CaseKind::LitigationDirect,
        CaseKind::LitigationAfterReview,
    ];

    /// Key: the column prefix in table 四 (`review`, `lit_direct`, `lit_after_review`).
    pub fn key(self) -> &'static str {
        match self {
            CaseKind::Review => "review",
            CaseKind::LitigationDirect => "lit_direct",
            CaseKind::LitigationAfterReview => "lit_after_review",
        }
    }

    /// Parse a key.
    pub fn parse(s: &str) -> Option<CaseKind> {
        CaseKind::ALL.into_iter().find(|k| k.key() == s.trim())
    }

    /// Official label.
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseKind::Review => "行政复议",
            CaseKind::LitigationDirect => "未经复议直接起诉",
            CaseKind::LitigationAfterReview => "复议后起诉",
        }
    }
}

/// Result of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseOutcome {
    /// 结果维持
    Maintained,
    /// 结果纠正
    Corrected,
    /// 其他结果
    Other,
    /// 尚未审结
    Pending,
}

impl CaseOutcome {
    /// All outcomes in table order.
    pub const ALL: [CaseOutcome; 4] = [
        CaseOutcome::Maintained,
        CaseOutcome::Corrected,
        CaseOutcome::Other,
        CaseOutcome::Pending,
    ];

    /// Key: the column suffix in table 四.
    pub fn key(self) -> &'static str {
        match self {
            CaseOutcome::Maintained => "maintained",
            CaseOutcome::Corrected => "corrected",
            CaseOutcome::Other => "other",
            CaseOutcome::Pending => "pending",
        }
    }

    /// Parse a key.
    pub fn parse(s: &str) -> Option<CaseOutcome> {
        CaseOutcome::ALL.into_iter().find(|k| k.key() == s.trim())
    }

    /// Official label.
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseOutcome::Maintained => "结果维持",
            CaseOutcome::Corrected => "结果纠正",
            CaseOutcome::Other => "其他结果",
            CaseOutcome::Pending => "尚未审结",
        }
    }
}

/// A case (without storage id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// The respondent body.
    pub body_id: i64,
    /// The application the case is about, if known.
    pub application_id: Option<i64>,
    /// Group of table 四.
    pub kind: CaseKind,
    /// Result; `Pending` while open.
    pub outcome: CaseOutcome,
    /// Filing / acceptance date.
    #[serde(with = "serde_date")]
    pub filed_on: Date,
    /// Conclusion date; required unless pending.
    #[serde(with = "serde_date::option")]
    pub closed_on: Option<Date>,
    /// Case number (案号), e.g. `穗南府复〔2024〕12号`.
    pub reference: String,
    /// Note.
    pub note: String,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Storage id.
    pub id: i64,
    /// The case.
    #[serde(flatten)]
    pub record: CaseRecord,
}

/// An inconsistent case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// Pending with a closing date, or concluded without one.
    #[error("案件结果为「{outcome_zh}」时{what} (outcome `{outcome}`: {what_en})")]
    OutcomeDate {
        /// Outcome key.
        outcome: &'static str,
        /// Label.
        outcome_zh: &'static str,
        /// What is wrong.
        what: &'static str,
        /// In English.
        what_en: &'static str,
    },
    /// Closed before filed.
    #[error("审结日期 {closed} 早于立案日期 {filed} (closed {closed} before filed {filed})")]
    Reversed {
        /// Filing.
        filed: Date,
        /// Closing.
        closed: Date,
    },
    /// Reference too long.
    #[error("案号或备注过长 (reference or note too long)")]
    TooLong,
}

impl CaseRecord {
    /// Check the outcome / date combination.
    pub fn validate(&self) -> Result<(), CaseError> {
        match (self.outcome, self.closed_on) {
            (CaseOutcome::Pending, Some(_)) => {
                return Err(CaseError::OutcomeDate {
                    outcome: "pending",
                    outcome_zh: "尚未审结",
                    what: "不能有审结日期",
                    what_en: "a pending case has no closing date",
                });
            }
            (o, None) if o != CaseOutcome::Pending => {
                return Err(CaseError::OutcomeDate {
                    outcome: o.key(),
                    outcome_zh: o.label_zh(),
                    what: "须填写审结日期",
                    what_en: "a concluded case needs its closing date",
                });
            }
            (_, Some(c)) if c < self.filed_on => {
                return Err(CaseError::Reversed {
                    filed: self.filed_on,
                    closed: c,
                });
            }
            _ => {}
        }
        if self.reference.chars().count() > 200 || self.note.chars().count() > 5000 {
            return Err(CaseError::TooLong);
        }
        Ok(())
    }

    /// What the case contributes to the counters.
    pub fn contributions(&self) -> Contributions {
        let mut c = Contributions::new();
        let k = self.kind.key();
        counters::add(&mut c, self.filed_on.year(), format!("case.filed.{k}"), 1);
        if let Some(d) = self.closed_on {
            counters::add(
                &mut c,
                d.year(),
                format!("case.closed.{k}.{}", self.outcome.key()),
                1,
            );
        }
        c
    }

    /// How this case appears in table 四 of `year`: its result, 尚未审结, or not at all.
    pub fn reported_as(&self, year: i32) -> Option<CaseOutcome> {
        if self.filed_on.year() > year {
            return None;
        }
        match self.closed_on {
            Some(d) if d.year() == year => Some(self.outcome),
            Some(d) if d.year() < year => None,
            _ => Some(CaseOutcome::Pending),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn year_rule() {
        let c = CaseRecord {
            body_id: 1,
            application_id: None,
            kind: CaseKind::Review,
            outcome: CaseOutcome::Corrected,
            filed_on: date!(2022 - 11 - 01),
            closed_on: Some(date!(2024 - 02 - 01)),
            reference: "复〔2022〕1号".into(),
            note: String::new(),
        };
        c.validate().unwrap();
        assert_eq!(c.reported_as(2021), None);
        assert_eq!(c.reported_as(2022), Some(CaseOutcome::Pending));
        assert_eq!(c.reported_as(2023), Some(CaseOutcome::Pending));
        assert_eq!(c.reported_as(2024), Some(CaseOutcome::Corrected));
        assert_eq!(c.reported_as(2025), None);
        let mut bad = c.clone();
        bad.outcome = CaseOutcome::Pending;
        assert!(bad.validate().is_err());
        bad.closed_on = None;
        bad.validate().unwrap();
        let mut rev = c.clone();
        rev.closed_on = Some(date!(2022 - 01 - 01));
        assert!(matches!(rev.validate(), Err(CaseError::Reversed { .. })));
    }
}
