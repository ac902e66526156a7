//! Bodies (机关) in their administrative hierarchy, users and their roles per body.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Limits on free-text identity fields.
pub const MAX_CODE_LEN: usize = 32;
/// Longest body or display name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Where a body sits in the hierarchy (province → city → district → town/department).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// 省级 (province, autonomous region, municipality directly under the central government).
    Province,
    /// 市级 (prefecture-level city).
    City,
    /// 县区级 (county, district, county-level city).
    District,
    /// 乡镇街道 (town, township, sub-district office).
    Town,
    /// 部门 (a department of a people's government at any level).
    Department,
}

impl BodyKind {
    /// All kinds, top down.
    pub const ALL: [BodyKind; 5] = [
        BodyKind::Province,
        BodyKind::City,
        BodyKind::District,
        BodyKind::Town,
        BodyKind::Department,
    ];

    /// Storage / CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::Province => "province",
            BodyKind::City => "city",
            BodyKind::District => "district",
            BodyKind::Town => "town",
            BodyKind::Department => "department",
        }
    }

    /// Parse a storage / CLI name.
    pub fn parse(s: &str) -> Option<BodyKind> {
        BodyKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            BodyKind::Province => "省级",
            BodyKind::City => "市级",
            BodyKind::District => "县区级",
            BodyKind::Town => "乡镇街道",
            BodyKind::Department => "部门",
        }
    }

    /// Whether a body of this kind may sit under a parent of kind `parent` (`None` = top level).
    ///
    /// Provinces are top level; cities sit under provinces; districts under cities or directly
    /// under a province-level municipality; towns under districts or under cities without
    /// districts (e.g. 东莞); departments under any people's government (not under a town's
    /// department or another department).
    pub fn allows_parent(self, parent: Option<BodyKind>) -> bool {
        use BodyKind::*;
        matches!(
            (self, parent),
            (Province, None)
                | (City, Some(Province))
                | (District, Some(City | Province))
                | (Town, Some(District | City))
                | (Department, Some(Province | City | District | Town))
        )
    }
}

impl fmt::Display for BodyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A body that does disclosure work and publishes an annual report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// Storage id.
    pub id: i64,
    /// Unique code (e.g. the administrative division code plus a suffix), `[A-Za-z0-9_-]{1,32}`.
    pub code: String,
    /// Official name as printed in the report title, e.g. `广州市南沙区黄阁镇人民政府`.
    pub name: String,
    /// Level in the hierarchy.
    pub kind: BodyKind,
    /// Parent body, `None` for a province.
    pub parent_id: Option<i64>,
}

/// A body to be created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBody {
    /// Unique code.
    pub code: String,
    /// Official name.
    pub name: String,
    /// Level in the hierarchy.
    pub kind: BodyKind,
    /// The parent's code; `None` only for a province.
    pub parent_code: Option<String>,
}

/// A body or user that cannot be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// Bad code.
    #[error(
        "机关代码 {0:?} 无效：应为1至32位字母、数字、下划线或连字符 (invalid body code: 1–32 of A-Z a-z 0-9 _ -)"
    )]
    BadCode(String),
    /// Bad name.
    #[error("名称无效：不能为空且不超过100个字符 (name must be 1–100 characters): {0:?}")]
    BadName(String),
    /// The hierarchy does not allow this parent.
    #[error("{kind_zh}机关不能隶属于{parent_zh} (a {kind} body cannot sit under {parent})")]
    BadParent {
        /// Child kind.
        kind: BodyKind,
        /// Child kind label.
        kind_zh: &'static str,
        /// Parent kind, or `none`.
        parent: String,
        /// Parent label.
        parent_zh: String,
    },
    /// Bad login.
    #[error("登录名 {0:?} 无效：应为1至64位字母、数字、点、下划线、@ 或连字符 (invalid login)")]
    BadLogin(String),
    /// Password policy.
    #[error("密码至少需要10个字符 (password must have at least 10 characters)")]
    WeakPassword,
}

impl NewBody {
    /// Check code, name and the hierarchy rule against the parent's kind.
    pub fn validate(&self, parent: Option<BodyKind>) -> Result<(), IdentityError> {
        validate_code(&self.code)?;
        validate_name(&self.name)?;
        if !self.kind.allows_parent(parent) {
            return Err(IdentityError::BadParent {
                kind: self.kind,
                kind_zh: self.kind.label_zh(),
                parent: parent.map_or("none".into(), |p| p.as_str().to_string()),
                parent_zh: parent.map_or("无上级".into(), |p| format!("{}机关", p.label_zh())),
            });
        }
        Ok(())
    }
}

/// Check a body code.
pub fn validate_code(code: &str) -> Result<(), IdentityError> {
    let ok = !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(IdentityError::BadCode(code.to_string()))
    }
}

fn validate_name(name: &str) -> Result<(), IdentityError> {
    let n = name.trim().chars().count();
    if n == 0 || n > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        Err(IdentityError::BadName(name.to_string()))
    } else {
        Ok(())
    }
}

/// What a user may do for a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 承办人: registers applications and runs them to a decision.
    Clerk,
    /// 审核人: approves extensions, decisions and the report.
    Reviewer,
    /// 管理员: manages users and registers of the body.
    Admin,
    /// 监督: the oversight office of a higher level; reads subordinate bodies' data.
    Oversight,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 4] = [Role::Clerk, Role::Reviewer, Role::Admin, Role::Oversight];

    /// Storage / CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
            Role::Oversight => "oversight",
        }
    }

    /// Parse a storage / CLI name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Clerk => "承办人",
            Role::Reviewer => "审核人",
            Role::Admin => "管理员",
            Role::Oversight => "政务公开监督",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A staff user. The password hash is never part of this type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Storage id.
    pub id: i64,
    /// Login name.
    pub login: String,
    /// Name shown in the console and in event histories.
    pub display_name: String,
}

/// One role a user holds for one body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    /// The body's id.
    pub body_id: i64,
    /// The body's code.
    pub body_code: String,
    /// The role.
    pub role: Role,
}

/// Check a login name: `[A-Za-z0-9._@-]{1,64}`.
pub fn validate_login(login: &str) -> Result<(), IdentityError> {
    let ok = !login.is_empty()
        && login.len() <= 64
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-'));
    if ok {
        Ok(())
    } else {
        Err(IdentityError::BadLogin(login.to_string()))
    }
}

/// Minimal password policy (length); the hash itself is computed by the store.
pub fn validate_password(password: &str) -> Result<(), IdentityError> {
    if password.chars().count() < 10 {
        Err(IdentityError::WeakPassword)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy() {
        use BodyKind::*;
        assert!(Province.allows_parent(None));
        assert!(!Province.allows_parent(Some(City)));
        assert!(City.allows_parent(Some(Province)));
        assert!(!City.allows_parent(None));
        assert!(District.allows_parent(Some(Province)));
        assert!(Town.allows_parent(Some(District)));
        assert!(!Town.allows_parent(Some(Province)));
        assert!(Department.allows_parent(Some(Town)));
        assert!(!Department.allows_parent(Some(Department)));
        let nb = NewBody {
            code: "440115".into(),
            name: "广州市南沙区人民政府".into(),
            kind: District,
            parent_code: Some("4401".into()),
        };
        assert!(nb.validate(Some(City)).is_ok());
        let err = nb.validate(Some(Town)).unwrap_err();
        assert!(err.to_string().contains("县区级机关不能隶属于乡镇街道机关"));
        assert!(validate_code("a b").is_err());
        assert!(validate_code("").is_err());
        assert!(validate_login("clerk.li@x").is_ok());
        assert!(validate_password("short").is_err());
        assert_eq!(Role::parse("reviewer"), Some(Role::Reviewer));
        assert_eq!(BodyKind::parse("town"), Some(Town));
    }
}
