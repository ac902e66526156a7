//! The statutory outcome taxonomy and applicant types, shared by the ledger and the report so that
//! every decided application lands in exactly one row of table 三.

use crate::spec::FormatVersion;
use serde::{Deserialize, Serialize};

/// Applicant columns of table 三.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    /// 自然人
    NaturalPerson,
    /// 法人或其他组织 · 商业企业
    Commercial,
    /// 法人或其他组织 · 科研机构
    Research,
    /// 法人或其他组织 · 社会公益组织
    SocialWelfare,
    /// 法人或其他组织 · 法律服务机构
    LegalService,
    /// 法人或其他组织 · 其他
    OtherOrg,
}

impl ApplicantType {
    pub const ALL: [ApplicantType; 6] = [
        ApplicantType::NaturalPerson,
        ApplicantType::Commercial,
        ApplicantType::Research,
        ApplicantType::SocialWelfare,
        ApplicantType::LegalService,
        ApplicantType::OtherOrg,
    ];

    /// Column key in table 三.
    pub fn column_key(self) -> &'static str {
        match self {
            ApplicantType::NaturalPerson => "natural_person",
            ApplicantType::Commercial => "commercial",
            ApplicantType::Research => "research",
            ApplicantType::SocialWelfare => "social_welfare",
            ApplicantType::LegalService => "legal_service",
            ApplicantType::OtherOrg => "other_org",
        }
    }

    pub fn from_column_key(key: &str) -> Option<ApplicantType> {
        ApplicantType::ALL
            .into_iter()
            .find(|a| a.column_key() == key)
    }

    /// Official label.
    pub fn label(self) -> &'static str {
        match self {
            ApplicantType::NaturalPerson => "自然人",
            ApplicantType::Commercial => "商业企业",
            ApplicantType::Research => "科研机构",
            ApplicantType::SocialWelfare => "社会公益组织",
            ApplicantType::LegalService => "法律服务机构",
            ApplicantType::OtherOrg => "其他",
        }
    }

    pub fn is_organisation(self) -> bool {
        self != ApplicantType::NaturalPerson
    }
}

/// How an application ended: exactly one result row of table 三.
/// 部分公开 is one outcome: an application answered partly is counted only there.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Granted,
    Partial,
    DeniedStateSecret,
    DeniedLawForbidden,
    DeniedThreeSecurityOneStability,
    DeniedThirdPartyRights,
    DeniedInternalAffairs,
    DeniedProcessInfo,
    DeniedEnforcementCaseFile,
    DeniedAdminInquiry,
    UnableNotHeld,
    UnableNeedNewCreation,
    UnableUnclearAfterCorrection,
    NpPetitionComplaint,
    NpDuplicate,
    NpPublication,
    NpMassiveRepeated,
    NpConfirmOrReissue,
    /// 申请人无正当理由逾期不补正
    OtherNoCorrection,
    /// 申请人逾期未按收费通知要求缴纳费用
    OtherFeeUnpaid,
    /// 其他 (e.g. withdrawn)
    OtherOther,
}

impl Outcome {
    pub const ALL: [Outcome; 21] = [
        Outcome::Granted,
        Outcome::Partial,
        Outcome::DeniedStateSecret,
        Outcome::DeniedLawForbidden,
        Outcome::DeniedThreeSecurityOneStability,
        Outcome::DeniedThirdPartyRights,
        Outcome::DeniedInternalAffairs,
        Outcome::DeniedProcessInfo,
        Outcome::DeniedEnforcementCaseFile,
        Outcome::DeniedAdminInquiry,
        Outcome::UnableNotHeld,
        Outcome::UnableNeedNewCreation,
        Outcome::UnableUnclearAfterCorrection,
        Outcome::NpPetitionComplaint,
        Outcome::NpDuplicate,
        Outcome::NpPublication,
        Outcome::NpMassiveRepeated,
        Outcome::NpConfirmOrReissue,
        Outcome::OtherNoCorrection,
        Outcome::OtherFeeUnpaid,
        Outcome::OtherOther,
    ];

    /// Stable code (the 2021-format row key), used in storage and APIs.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Granted => "granted",
            Outcome::Partial => "partial",
            Outcome::DeniedStateSecret => "denied_state_secret",
            Outcome::DeniedLawForbidden => "denied_law_forbidden",
            Outcome::DeniedThreeSecurityOneStability => "denied_three_security_one_stability",
            Outcome::DeniedThirdPartyRights => "denied_third_party_rights",
            Outcome::DeniedInternalAffairs => "denied_internal_affairs",
            Outcome::DeniedProcessInfo => "denied_process_info",
            Outcome::DeniedEnforcementCaseFile => "denied_enforcement_case_file",
            Outcome::DeniedAdminInquiry => "denied_admin_inquiry",
            Outcome::UnableNotHeld => "unable_not_held",
            Outcome::UnableNeedNewCreation => "unable_need_new_creation",
            Outcome::UnableUnclearAfterCorrection => "unable_unclear_after_correction",
            Outcome::NpPetitionComplaint => "np_petition_complaint",
            Outcome::NpDuplicate => "np_duplicate",
            Outcome::NpPublication => "np_publication",
            Outcome::NpMassiveRepeated => "np_massive_repeated",
            Outcome::NpConfirmOrReissue => "np_confirm_or_reissue",
            Outcome::OtherNoCorrection => "other_no_correction",
            Outcome::OtherFeeUnpaid => "other_fee_unpaid",
            Outcome::OtherOther => "other_other",
        }
    }

    pub fn from_code(code: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == code)
    }

    /// The table 三 row this outcome is counted in for a format version
    /// (the three （六） sub-rows of 2021 are the single （六）其他处理 row in 2019).
    pub fn row_key(self, format: FormatVersion) -> &'static str {
        match (format, self) {
            (
                FormatVersion::V2019,
                Outcome::OtherNoCorrection | Outcome::OtherFeeUnpaid | Outcome::OtherOther,
            ) => "other",
            _ => self.code(),
        }
    }

    /// The official label of the row in the 2021 format, with its group.
    pub fn label(self) -> String {
        let spec = FormatVersion::V2021.spec();
        let t3 = spec.table("t3").expect("t3");
        let row = t3.row(self.code()).expect("every outcome is a 2021 row");
        match row.parent.as_deref().and_then(|p| t3.row(p)) {
            Some(parent) if parent.key != "results" => format!("{}·{}", parent.label, row.label),
            _ => row.label.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_result_row_has_exactly_one_outcome_per_format() {
        for v in FormatVersion::ALL {
            let t3 = v.spec().table("t3").unwrap();
            let results: Vec<&str> = t3
                .data_rows()
                .map(|r| r.key.as_str())
                .filter(|k| {
                    ![
                        "new_received",
                        "carried_over",
                        "total_processed",
                        "carried_forward",
                    ]
                    .contains(k)
                })
                .collect();
            for row in &results {
                assert!(
                    Outcome::ALL.iter().any(|o| o.row_key(v) == *row),
                    "{v}: row {row} has no outcome"
                );
            }
            for o in Outcome::ALL {
                assert!(results.contains(&o.row_key(v)), "{v}: {o:?}");
            }
        }
    }

    #[test]
    fn labels() {
        assert_eq!(
            Outcome::DeniedStateSecret.label(),
            "（三）不予公开·1.属于国家秘密"
        );
        assert_eq!(Outcome::Granted.label(), "（一）予以公开");
        assert_eq!(
            ApplicantType::from_column_key("research"),
            Some(ApplicantType::Research)
        );
    }
}
