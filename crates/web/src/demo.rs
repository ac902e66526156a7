//! The demo data set of `gongkai serve --demo`: 广州市 → 南沙区 → 黄阁镇 and sibling bodies,
//! staff accounts, a standard catalog, documents, a year of applications, cases, registers and
//! published reports. Loading is idempotent: an already seeded database is left as it is.

use gongkai_ledger::{BodyKind, NewBody, Role};
use gongkai_store::{Store, StoreError};

/// Demo staff accounts: (login, display name, password, body code, role).
pub const DEMO_USERS: [(&str, &str, &str, &str, Role); 4] = [
    (
        "clerk",
        "黄阁镇承办人",
        "gongkai-demo",
        "440115101",
        Role::Clerk,
    ),
    (
        "reviewer",
        "黄阁镇审核人",
        "gongkai-demo",
        "440115101",
        Role::Reviewer,
    ),
    (
        "nansha",
        "南沙区政务公开办",
        "gongkai-demo",
        "440115",
        Role::Oversight,
    ),
    ("admin", "系统管理员", "gongkai-demo", "440100", Role::Admin),
];

/// The demo bodies: (code, name, kind, parent code).
pub const DEMO_BODIES: [(&str, &str, BodyKind, Option<&str>); 7] = [
    ("440000", "广东省人民政府", BodyKind::Province, None),
    ("440100", "广州市人民政府", BodyKind::City, Some("440000")),
    (
        "440115",
        "广州市南沙区人民政府",
        BodyKind::District,
        Some("440100"),
    ),
    (
        "440115101",
        "广州市南沙区黄阁镇人民政府",
        BodyKind::Town,
        Some("440115"),
    ),
    (
        "440115102",
        "广州市南沙区横沥镇人民政府",
        BodyKind::Town,
        Some("440115"),
    ),
    (
        "440115001",
        "广州市南沙区南沙街道办事处",
        BodyKind::Town,
        Some("440115"),
    ),
    (
        "440115201",
        "广州市南沙区民政局",
        BodyKind::Department,
        Some("440115"),
    ),
];

/// Seed the demo data unless the database already has bodies. Returns whether it seeded.
pub async fn seed(store: &Store) -> Result<bool, StoreError> {
    if !store.list_bodies().await?.is_empty() {
        return Ok(false);
    }
    for (code, name, kind, parent) in DEMO_BODIES {
        store
            .create_body(&NewBody {
                code: code.into(),
                name: name.into(),
                kind,
                parent_code: parent.map(Into::into),
            })
            .await?;
    }
    for (login, display, password, body, role) in DEMO_USERS {
        let user = store.create_user(login, display, password).await?;
        let b = store.get_body_by_code(body).await?;
        store.grant_role(user.id, b.id, role).await?;
    }
    Ok(true)
}
