//! Who is asking: the browser cookie (for anonymous CSRF tokens and the large-text preference),
//! the staff session with the user's roles, and the permission checks every staff route uses.

use crate::app::AppState;
use crate::error::AppError;
use crate::security::{self, LARGE_TEXT_COOKIE, SESSION_COOKIE, Session};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use gongkai_ledger::{Action, Body, BodyPath, Role, RoleGrant, User};

pub const BROWSER_COOKIE: &str = "gk_b";

/// The per-browser random id (set by [`browser_cookie`]).
#[derive(Debug, Clone)]
pub struct BrowserId(pub String);

/// Value of a cookie in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with our attributes.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("cookie values are ASCII")
}

/// Middleware: give every browser a random id cookie, used to bind anonymous CSRF tokens.
pub async fn browser_cookie(mut req: Request, next: Next) -> Response {
    let existing = cookie(req.headers(), BROWSER_COOKIE)
        .filter(|v| {
            v.len() >= 16
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_string);
    let (id, fresh) = match existing {
        Some(id) => (id, false),
        None => {
            use base64::Engine;
            let bytes: [u8; 18] = rand::random();
            (
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
                true,
            )
        }
    };
    req.extensions_mut().insert(BrowserId(id.clone()));
    let mut res = next.run(req).await;
    if fresh {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(BROWSER_COOKIE, &id, 365 * 24 * 3600, false),
        );
    }
    res
}

/// A signed-in staff member with roles.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: User,
    pub roles: Vec<RoleGrant>,
    pub session: Session,
}

impl Staff {
    /// Whether the user holds `role` (or admin) for the body itself.
    pub fn has(&self, body_id: i64, role: Role) -> bool {
        self.roles
            .iter()
            .any(|g| g.body_id == body_id && (g.role == role || g.role == Role::Admin))
    }

    /// Bodies whose records the user may work on (clerk, reviewer or admin).
    pub fn working_bodies(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .roles
            .iter()
            .filter(|g| g.role != Role::Oversight)
            .map(|g| g.body_id)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Bodies the user may read (the policy's [`Action::Read`]): own bodies, plus every
    /// body below one it oversees — one query for the subtrees of the user's grants.
    pub async fn readable_bodies(
        &self,
        store: &gongkai_store::Store,
    ) -> Result<Vec<Body>, AppError> {
        let mut roots: Vec<i64> = self.roles.iter().map(|g| g.body_id).collect();
        roots.sort_unstable();
        roots.dedup();
        let reach = store.bodies_under(&roots).await?;
        // Paths within the subtrees suffice: every grant sits on one of their roots.
        Ok(reach
            .iter()
            .filter(|b| self.can(Action::Read, &body_path(&reach, b.id)))
            .cloned()
            .collect())
    }

    /// Whether the user may read the records of `body_id`.
    pub async fn can_read(
        &self,
        store: &gongkai_store::Store,
        body_id: i64,
    ) -> Result<bool, AppError> {
        Ok(self
            .readable_bodies(store)
            .await?
            .iter()
            .any(|b| b.id == body_id))
    }

    /// The policy's answer for this user.
    pub fn can(&self, action: Action, body: &BodyPath) -> bool {
        gongkai_ledger::can(&self.roles, action, body)
    }

    /// Whether the user may see applicants' personal data of `body_id` (oversight may not).
    pub fn can_read_personal(&self, body_id: i64) -> bool {
        self.can(Action::ReadPersonalData, &own(body_id))
    }

    /// Clerk work (register, transitions, documents) on a body.
    pub fn require_clerk(&self, body_id: i64) -> Result<(), AppError> {
        if self.can(Action::Work, &own(body_id)) {
            Ok(())
        } else {
            Err(forbidden())
        }
    }

    /// Reviewer decisions (extension approval, report approval and publication).
    pub fn require_reviewer(&self, body_id: i64) -> Result<(), AppError> {
        if self.can(Action::Review, &own(body_id)) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "此操作需要审核人权限 (reviewer role required)".into(),
            ))
        }
    }
}

/// The applicant's personal data as `s` may see it: in full (and the read audited) for
/// staff of the application's body, masked for oversight.
pub async fn personal_data_for(
    st: &AppState,
    s: &Staff,
    app: &gongkai_ledger::Application,
) -> Result<gongkai_ledger::PersonalData, AppError> {
    let personal = st.store.personal_data(app.id).await?;
    if !s.can_read_personal(app.body_id) {
        return Ok(personal.masked());
    }
    st.store
        .audit(
            &s.user.login,
            Some(app.body_id),
            "application.personal_read",
            &format!("application:{}", app.id),
            &app.tracking_code,
        )
        .await?;
    Ok(personal)
}

/// A body without its ancestors: enough for every action but oversight reading.
fn own(body_id: i64) -> BodyPath {
    BodyPath {
        id: body_id,
        ancestors: Vec::new(),
    }
}

/// A body's place in the hierarchy, from the list of bodies.
pub fn body_path(all: &[Body], body_id: i64) -> BodyPath {
    let mut ancestors = Vec::new();
    let mut cur = all
        .iter()
        .find(|b| b.id == body_id)
        .and_then(|b| b.parent_id);
    while let Some(p) = cur {
        if ancestors.contains(&p) || ancestors.len() > 16 {
            break;
        }
        ancestors.push(p);
        cur = all.iter().find(|b| b.id == p).and_then(|b| b.parent_id);
    }
    BodyPath {
        id: body_id,
        ancestors,
    }
}

pub fn forbidden() -> AppError {
    AppError::Forbidden("无权访问其他机关的记录 (no access to this body's records)".into())
}

/// Everything a page needs to know about the requester.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub large: bool,
    pub browser: String,
    pub staff: Option<Staff>,
    pub path: String,
    pub csrf: String,
}

impl Viewer {
    /// Check a submitted CSRF token.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if security::tokens_equal(token, &self.csrf) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "表单已过期或来源无效，请刷新页面后重试 (invalid CSRF token)".into(),
            ))
        }
    }

    pub fn staff(&self) -> Result<&Staff, AppError> {
        self.staff.as_ref().ok_or(AppError::Unauthorized)
    }
}

/// Start a session for a user who just proved their password; audited as `staff.login`.
pub async fn sign_in(st: &AppState, user: &User, detail: &str) -> Result<Session, AppError> {
    let session = Session::new(user.id, now_unix());
    st.store
        .start_session(user.id, &session.id(), session.expires, &user.login, detail)
        .await?;
    Ok(session)
}

/// End a staff member's current session; audited as `staff.logout`.
pub async fn sign_out(st: &AppState, staff: &Staff) -> Result<(), AppError> {
    st.store
        .end_session(staff.user.id, &staff.session.id(), &staff.user.login)
        .await?;
    Ok(())
}

pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Viewer, AppError> {
        let large = cookie(&parts.headers, LARGE_TEXT_COOKIE) == Some("1");
        let browser = parts
            .extensions
            .get::<BrowserId>()
            .map(|b| b.0.clone())
            .unwrap_or_default();
        let mut staff = None;
        if let Some(v) = cookie(&parts.headers, SESSION_COOKIE)
            && let Some(session) = Session::decode(v, &st.secret, now_unix())
        {
            // Only a live session row counts: ended, expired or disabled users are signed out.
            if let Some(user) = st.store.session_user(&session.id(), now_unix()).await?
                && user.id == session.user_id
            {
                let roles = st.store.user_roles(user.id).await?;
                staff = Some(Staff {
                    user,
                    roles,
                    session,
                });
            }
        }
        let csrf = match &staff {
            Some(s) => s.session.csrf_token(&st.secret),
            None => security::anonymous_csrf_token(&st.secret, &browser),
        };
        Ok(Viewer {
            large,
            browser,
            staff,
            path: parts.uri.path().to_string(),
            csrf,
        })
    }
}

/// The TCP peer address when the server runs with connect info (absent in in-process tests).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Peer, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}
