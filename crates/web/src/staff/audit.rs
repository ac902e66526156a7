//! The audit log.

use super::*;

pub(super) async fn audit(State(st): State<AppState>, v: Viewer) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let all = st.store.list_bodies().await?;
    let readable = s.readable_bodies(&all);
    let log = st.store.audit_log(&readable, 200).await?;
    let mut html = String::from(
        "<h2>操作日志</h2><table class=\"list\"><thead><tr><th scope=\"col\">时间</th><th scope=\"col\">用户</th><th scope=\"col\">操作</th><th scope=\"col\">对象</th><th scope=\"col\">说明</th></tr></thead><tbody>",
    );
    for e in &log {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&e.at),
            esc(&e.actor),
            esc(&e.action),
            esc(&e.target),
            esc(&e.detail)
        ));
    }
    html.push_str("</tbody></table>");
    staff_page(&st, &v, "操作日志", html)
}
