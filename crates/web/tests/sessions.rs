//! Server-side sessions on both backends: logout, a password change, disabling a user and
//! revoking a role take effect on the very next request of a session that was signed in.

mod common;

use axum::body::Body as HttpBody;
use axum::http::{Method, StatusCode, header};
use common::*;

/// Sign in through the login form; the session cookie (`gk_b=…; gk_session=…`) and the
/// session's CSRF token.
async fn sign_in(fx: &Fixture, login: &str, password: &str) -> Option<(String, String)> {
    let r = fx
        .post_form(
            "/staff/login",
            Anon,
            &[("login", login), ("password", password)],
        )
        .await;
    if r.status != StatusCode::SEE_OTHER {
        return None;
    }
    let session = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("gk_session="))?;
    let cookie = format!("gk_b={BROWSER}; {}", session.split(';').next()?);
    let csrf = get_with(fx, "/api/v1/csrf", &cookie).await.json()["token"]
        .as_str()?
        .to_string();
    Some((cookie, csrf))
}

async fn get_with(fx: &Fixture, uri: &str, cookie: &str) -> Resp {
    fx.send(
        fx.request(Method::GET, uri, Anon)
            .header(header::COOKIE, cookie)
            .body(HttpBody::empty())
            .unwrap(),
    )
    .await
}

/// Signed in as someone: the staff queue answers 200 rather than redirecting to login.
async fn signed_in(fx: &Fixture, cookie: &str) -> bool {
    get_with(fx, "/api/v1/csrf", cookie).await.json()["staff"] == true
}

async fn scenarios(fx: &Fixture) {
    let store = &fx.state.store;

    // Logout ends the session on the server: replaying the old cookie is signed out.
    let (cookie, csrf) = sign_in(fx, "clerk_a", PASSWORD).await.expect("sign in");
    assert!(signed_in(fx, &cookie).await);
    let r = fx
        .send(
            fx.request(Method::POST, "/staff/logout", Anon)
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(HttpBody::from(form_encode(&[("csrf", &csrf)])))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(!signed_in(fx, &cookie).await, "the old cookie still works");

    // A password change ends every session of the user; the new password signs in.
    let (cookie, _) = sign_in(fx, "clerk_b", PASSWORD).await.expect("sign in");
    let ended = store
        .set_password("clerk_b", "a brand new passphrase", "test")
        .await
        .unwrap();
    assert!(ended >= 1);
    assert!(!signed_in(fx, &cookie).await);
    assert!(sign_in(fx, "clerk_b", PASSWORD).await.is_none());
    assert!(
        sign_in(fx, "clerk_b", "a brand new passphrase")
            .await
            .is_some()
    );

    // Disabling a user ends their sessions and refuses the right password.
    let (cookie, _) = sign_in(fx, "reviewer_a", PASSWORD).await.expect("sign in");
    store
        .set_user_disabled("reviewer_a", true, "test")
        .await
        .unwrap();
    assert!(!signed_in(fx, &cookie).await);
    assert!(sign_in(fx, "reviewer_a", PASSWORD).await.is_none());
    store
        .set_user_disabled("reviewer_a", false, "test")
        .await
        .unwrap();
    assert!(sign_in(fx, "reviewer_a", PASSWORD).await.is_some());

    // Revoking a role applies to a session that is already signed in.
    let (cookie, _) = sign_in(fx, "clerk_other", PASSWORD).await.expect("sign in");
    let uri = format!("/staff/documents?body={OTHER_CITY}");
    assert_eq!(get_with(fx, &uri, &cookie).await.status, StatusCode::OK);
    let (uid, _) = fx.users["clerk_other"];
    assert!(
        store
            .revoke_role(
                uid,
                fx.body(OTHER_CITY),
                gongkai_ledger::Role::Clerk,
                "test"
            )
            .await
            .unwrap()
    );
    assert_eq!(
        get_with(fx, &uri, &cookie).await.status,
        StatusCode::FORBIDDEN
    );

    // Each of these is in the audit log.
    let log = store.audit_log(&[], 200).await.unwrap();
    for action in [
        "staff.login",
        "staff.logout",
        "user.passwd",
        "user.disable",
        "user.enable",
        "user.revoke",
    ] {
        assert!(
            log.iter().any(|e| e.action == action),
            "{action} not audited"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_on_sqlite() {
    let (store, dir) = sqlite_store().await;
    let fx = fixture(store, dir).await;
    scenarios(&fx).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_on_postgres() {
    let Some(db) = gongkai_store::testing::postgres("web sessions_on_postgres").await else {
        return;
    };
    let store = db.store().await.expect("postgres store");
    let dir = tempfile::tempdir().unwrap();
    let fx = fixture(store, dir).await;
    scenarios(&fx).await;
    fx.state.store.close().await;
    db.drop_db().await;
}
