//! The permission policy: one function, [`can`], answers whether a user with some role
//! grants may take an action on a body's records. The web pages, the JSON API and the CLI
//! all ask it, so that they cannot disagree.

use crate::body::{Role, RoleGrant};

/// What a user wants to do with a body's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read the body's records (queue, documents, cases, reports, audit log).
    Read,
    /// See applicants' personal data (name, identity number, phone, e-mail, address).
    ReadPersonalData,
    /// Clerk work: register applications, record transitions, edit documents, catalog,
    /// registers, cases and the report narrative.
    Work,
    /// Reviewer decisions: approve extensions, approve and publish the annual report.
    Review,
    /// Manage the body's users and settings.
    Administer,
}

impl Action {
    /// Chinese label for refusals.
    pub fn label_zh(self) -> &'static str {
        match self {
            Action::Read => "查看",
            Action::ReadPersonalData => "查看申请人个人信息",
            Action::Work => "办理",
            Action::Review => "审核",
            Action::Administer => "管理",
        }
    }
}

/// Where a body sits: its id and the ids of the bodies above it, nearest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyPath {
    /// The body.
    pub id: i64,
    /// Its parent, the parent's parent, … up to the root.
    pub ancestors: Vec<i64>,
}

/// Whether a user holding `grants` may take `action` on the records of `body`.
///
/// - clerk: read, personal data and clerk work on the body itself;
/// - reviewer: all that, and reviewer decisions;
/// - admin: everything on the body itself;
/// - oversight (of a higher level): read the body itself and every body below it, never
///   personal data (it is masked), never change anything.
pub fn can(grants: &[RoleGrant], action: Action, body: &BodyPath) -> bool {
    grants.iter().any(|g| {
        let own = g.body_id == body.id;
        match (g.role, action) {
            (Role::Admin, _) => own,
            (Role::Reviewer, _) => own && action != Action::Administer,
            (Role::Clerk, Action::Read | Action::ReadPersonalData | Action::Work) => own,
            (Role::Clerk, _) => false,
            (Role::Oversight, Action::Read) => own || body.ancestors.contains(&g.body_id),
            (Role::Oversight, _) => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn grant(body_id: i64, role: Role) -> RoleGrant {
        RoleGrant {
            body_id,
            body_code: body_id.to_string(),
            role,
        }
    }

    fn town() -> BodyPath {
        BodyPath {
            id: 3,
            ancestors: vec![2, 1],
        }
    }

    #[test]
    fn roles_on_their_own_body() {
        let t = town();
        assert!(can(&[grant(3, Role::Clerk)], Action::Work, &t));
        assert!(can(&[grant(3, Role::Clerk)], Action::ReadPersonalData, &t));
        assert!(!can(&[grant(3, Role::Clerk)], Action::Review, &t));
        assert!(can(&[grant(3, Role::Reviewer)], Action::Review, &t));
        assert!(!can(&[grant(3, Role::Reviewer)], Action::Administer, &t));
        assert!(can(&[grant(3, Role::Admin)], Action::Administer, &t));
        assert!(!can(&[], Action::Read, &t));
        assert!(!can(&[grant(3, Role::Clerk)], Action::Read, &TOWN_B));
    }

    const TOWN_B: BodyPath = BodyPath {
        id: 4,
        ancestors: Vec::new(),
    };

    #[test]
    fn oversight_reads_below_without_personal_data() {
        let t = town();
        let district = [grant(2, Role::Oversight)];
        assert!(can(&district, Action::Read, &t));
        assert!(!can(&district, Action::ReadPersonalData, &t));
        assert!(!can(&district, Action::Work, &t));
        // Not sideways or upwards.
        assert!(!can(&district, Action::Read, &TOWN_B));
        let up = BodyPath {
            id: 1,
            ancestors: vec![],
        };
        assert!(!can(&district, Action::Read, &up));
    }

    fn role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }

    fn action() -> impl Strategy<Value = Action> {
        prop::sample::select(vec![
            Action::Read,
            Action::ReadPersonalData,
            Action::Work,
            Action::Review,
            Action::Administer,
        ])
    }

    proptest! {
        /// Every permission implies reading; a grant on another, unrelated body never helps;
        /// oversight never changes anything.
        #[test]
        fn policy_is_monotone_and_scoped(
            grants in prop::collection::vec((1i64..6, role()), 0..6),
            a in action(),
            id in 1i64..6,
            ancestors in prop::collection::vec(1i64..6, 0..3),
        ) {
            let grants: Vec<RoleGrant> = grants.into_iter().map(|(b, r)| grant(b, r)).collect();
            let body = BodyPath { id, ancestors: ancestors.clone() };
            if can(&grants, a, &body) {
                prop_assert!(can(&grants, Action::Read, &body));
                let related: Vec<RoleGrant> = grants
                    .iter()
                    .filter(|g| g.body_id == id || ancestors.contains(&g.body_id))
                    .cloned()
                    .collect();
                prop_assert!(can(&related, a, &body));
            }
            let oversight: Vec<RoleGrant> =
                grants.iter().filter(|g| g.role == Role::Oversight).cloned().collect();
            prop_assert!(!can(&oversight, Action::Work, &body));
            prop_assert!(!can(&oversight, Action::ReadPersonalData, &body));
        }
    }
}
