use super::*;

pub(crate) async fn create_user(
    pool: &Pool,
    _cal: &Calendar,
    login: &str,
    display_name: &str,
    hash: &str,
    actor: &str,
) -> Result<User> {
    let mut tx = begin_write(pool).await?;
    let row = sqlx::query(
        "INSERT INTO users (login, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(login)
    .bind(display_name)
    .bind(hash)
    .bind(now_rfc3339())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            StoreError::Duplicate {
                what: "登录名",
                what_en: "login",
                key: login.to_string(),
            }
        } else {
            e.into()
        }
    })?;
    let id: i64 = row.try_get("id")?;
    audit_row(
        &mut tx,
        actor,
        None,
        "user.create",
        &format!("user:{id}"),
        &format!("{login} {display_name}"),
    )
    .await?;
    tx.commit().await?;
    Ok(User {
        id,
        login: login.to_string(),
        display_name: display_name.to_string(),
    })
}

pub(crate) async fn get_user_by_login(
    pool: &Pool,
    _cal: &Calendar,
    login: &str,
) -> Result<UserWithHash> {
    let row = sqlx::query(
        "SELECT id, login, display_name, password_hash, disabled_at FROM users WHERE login = $1",
    )
    .bind(login)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        what: "用户",
        what_en: "user",
        key: login.to_string(),
    })?;
    Ok(UserWithHash {
        user: User {
            id: row.try_get("id")?,
            login: row.try_get("login")?,
            display_name: row.try_get("display_name")?,
        },
        password_hash: row.try_get("password_hash")?,
        disabled: row.try_get::<Option<String>, _>("disabled_at")?.is_some(),
    })
}

pub(crate) async fn grant_role(
    pool: &Pool,
    _cal: &Calendar,
    user_id: i64,
    body_id: i64,
    role: Role,
    actor: &str,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query(
        "INSERT INTO user_roles (user_id, body_id, role) VALUES ($1, $2, $3) ON CONFLICT (user_id, body_id, role) DO NOTHING",
    )
    .bind(user_id)
    .bind(body_id)
    .bind(role.as_str())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() > 0 {
        audit_row(
            &mut tx,
            actor,
            Some(body_id),
            "user.grant",
            &format!("user:{user_id}"),
            role.as_str(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn user_roles(
    pool: &Pool,
    _cal: &Calendar,
    user_id: i64,
) -> Result<Vec<RoleGrant>> {
    let rows = sqlx::query(
        "SELECT r.body_id, b.code, r.role FROM user_roles r JOIN bodies b ON b.id = r.body_id \
         WHERE r.user_id = $1 ORDER BY b.code, r.role",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(RoleGrant {
                body_id: r.try_get("body_id")?,
                body_code: r.try_get("code")?,
                role: Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
            })
        })
        .collect()
}

pub(crate) async fn start_session(
    pool: &Pool,
    _cal: &Calendar,
    user_id: i64,
    session_id: &str,
    expires_at: i64,
    actor: &str,
    detail: &str,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    sqlx::query(
        "INSERT INTO staff_sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(session_id)
    .bind(user_id)
    .bind(now_rfc3339())
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    audit_row(
        &mut tx,
        actor,
        None,
        "staff.login",
        &format!("user:{user_id}"),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn end_session(
    pool: &Pool,
    _cal: &Calendar,
    user_id: i64,
    session_id: &str,
    actor: &str,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    sqlx::query(
        "UPDATE staff_sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_rfc3339())
    .bind(session_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    audit_row(
        &mut tx,
        actor,
        None,
        "staff.logout",
        &format!("user:{user_id}"),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn session_user(
    pool: &Pool,
    _cal: &Calendar,
    session_id: &str,
    now: i64,
) -> Result<Option<User>> {
    let row = sqlx::query(
        "SELECT u.id, u.login, u.display_name FROM staff_sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL",
    )
    .bind(session_id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(User {
            id: r.try_get("id")?,
            login: r.try_get("login")?,
            display_name: r.try_get("display_name")?,
        })
    })
    .transpose()
}

pub(crate) async fn user_id_of(conn: &mut Conn, login: &str) -> Result<i64> {
    let row = sqlx::query("SELECT id FROM users WHERE login = $1")
        .bind(login)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "用户",
            what_en: "user",
            key: login.to_string(),
        })?;
    Ok(row.try_get("id")?)
}

pub(crate) async fn revoke_sessions(conn: &mut Conn, user_id: i64) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE staff_sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_rfc3339())
    .bind(user_id)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Disable (or re-enable) a user; disabling ends every session at once.
pub(crate) async fn set_user_disabled(
    pool: &Pool,
    _cal: &Calendar,
    login: &str,
    disabled: bool,
    actor: &str,
) -> Result<u64> {
    let mut tx = begin_write(pool).await?;
    let id = user_id_of(&mut tx, login).await?;
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
        .bind(disabled.then(now_rfc3339))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let ended = if disabled {
        revoke_sessions(&mut tx, id).await?
    } else {
        0
    };
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    audit_row(&mut tx, actor, None, action, &format!("user:{id}"), login).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Replace a user's password hash and end every session.
pub(crate) async fn set_password(
    pool: &Pool,
    _cal: &Calendar,
    login: &str,
    hash: &str,
    actor: &str,
) -> Result<u64> {
    let mut tx = begin_write(pool).await?;
    let id = user_id_of(&mut tx, login).await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let ended = revoke_sessions(&mut tx, id).await?;
    audit_row(
        &mut tx,
        actor,
        None,
        "user.passwd",
        &format!("user:{id}"),
        login,
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// Take a role away (roles are read on every request, so it applies at once).
pub(crate) async fn revoke_role(
    pool: &Pool,
    _cal: &Calendar,
    user_id: i64,
    body_id: i64,
    role: Role,
    actor: &str,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let done =
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND body_id = $2 AND role = $3")
            .bind(user_id)
            .bind(body_id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
    let removed = done.rows_affected() > 0;
    if removed {
        audit_row(
            &mut tx,
            actor,
            Some(body_id),
            "user.revoke",
            &format!("user:{user_id}"),
            role.as_str(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(removed)
}

pub(crate) async fn get_user(pool: &Pool, id: i64) -> Result<gongkai_ledger::User> {
    let r = sqlx::query("SELECT id, login, display_name FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| not_found("用户", "user", id))?;
    Ok(gongkai_ledger::User {
        id: r.try_get("id")?,
        login: r.try_get("login")?,
        display_name: r.try_get("display_name")?,
    })
}
