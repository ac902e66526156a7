//! Staff login and logout. These two run before (or without) a staff session, so they take
//! the [`Viewer`] and check the form's CSRF token themselves.

use super::csrf_forms;
use crate::app::AppState;
use crate::auth::{Viewer, set_cookie};
use crate::error::{AppError, PageResult};
use crate::portal::client_ip;
use crate::security::{SESSION_COOKIE, SESSION_SECONDS};
use crate::views::{Layout, render};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

/// The login screen.
#[derive(Debug, Serialize)]
pub struct LoginView {
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    layout: Layout,
    view: LoginView,
}

fn login_page(st: &AppState, v: &Viewer, error: Option<&str>) -> PageResult<Response> {
    render(&LoginPage {
        layout: Layout::staff(st, v, "工作人员登录"),
        view: LoginView {
            error: error.map(str::to_string),
        },
    })
}

pub(super) async fn login_form(State(st): State<AppState>, v: Viewer) -> PageResult<Response> {
    if v.staff.is_some() {
        return Ok(Redirect::to("/staff").into_response());
    }
    login_page(&st, &v, None)
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

csrf_forms!(LoginForm, CsrfOnly);

pub(super) async fn login(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    crate::auth::Peer(peer): crate::auth::Peer,
    Form(f): Form<LoginForm>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    let ip = client_ip(&st, &headers, peer);
    if st.limits.login.check_key(&ip).is_err() {
        return Err(AppError::TooManyRequests);
    }
    match st.store.verify_login(f.login.trim(), &f.password).await? {
        Some(user) => {
            let session = crate::auth::sign_in(&st, &user, &format!("ip:{ip}")).await?;
            let mut res = Redirect::to("/staff").into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &session.encode(&st.secret),
                    SESSION_SECONDS,
                    st.config.secure_cookies,
                ),
            );
            Ok(res)
        }
        None => {
            st.store
                .audit(
                    f.login.trim(),
                    None,
                    "staff.login_failed",
                    &format!("ip:{ip}"),
                    "",
                )
                .await?;
            let mut res = login_page(&st, &v, Some("用户名或密码不正确"))?;
            *res.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(res)
        }
    }
}

pub(super) async fn logout(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    if let Some(s) = &v.staff {
        crate::auth::sign_out(&st, s).await?;
    }
    let mut res = Redirect::to("/staff/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, st.config.secure_cookies),
    );
    Ok(res)
}
