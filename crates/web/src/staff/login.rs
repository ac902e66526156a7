//! Staff login and logout.

use super::*;

// --- Login ------------------------------------------------------------------------------

pub(super) fn login_html(v: &Viewer, err: Option<&str>) -> String {
    format!(
        "<h2>工作人员登录</h2>{e}<form class=\"card stack\" method=\"post\" action=\"/staff/login\">{csrf}\
         <label for=\"login\">用户名</label><input id=\"login\" type=\"text\" name=\"login\" required autocomplete=\"username\">\
         <label for=\"password\">密码</label><input id=\"password\" type=\"password\" name=\"password\" required autocomplete=\"current-password\">\
         <p><button type=\"submit\">登录</button></p></form>",
        e = err
            .map(|e| format!("<p class=\"err\" role=\"alert\">{}</p>", esc(e)))
            .unwrap_or_default(),
        csrf = csrf_field(v)
    )
}

pub(super) async fn login_form(State(st): State<AppState>, v: Viewer) -> PageResult<Response> {
    if v.staff.is_some() {
        return Ok(Redirect::to("/staff").into_response());
    }
    page(
        &v,
        site(&st),
        "工作人员登录",
        staff_nav(&v),
        login_html(&v, None),
    )
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
            let session = Session::new(user.id, now_unix());
            st.store
                .audit(
                    &user.login,
                    None,
                    "staff.login",
                    &format!("user:{}", user.id),
                    "",
                )
                .await?;
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
            let mut res = page(
                &v,
                site(&st),
                "工作人员登录",
                staff_nav(&v),
                login_html(&v, Some("用户名或密码不正确")),
            )?;
            *res.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn logout(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    v.check_csrf(&f.csrf)?;
    if let Some(s) = &v.staff {
        st.store
            .audit(
                &s.user.login,
                None,
                "staff.logout",
                &format!("user:{}", s.user.id),
                "",
            )
            .await?;
    }
    let mut res = Redirect::to("/staff/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, st.config.secure_cookies),
    );
    Ok(res)
}
