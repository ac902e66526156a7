//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and
//! the schemas of the types they take and return.

use super::{TAG_DESK, TAG_META, TAG_PUBLIC, TAG_STAFF};
use crate::error::ErrorBody;
use crate::security::SESSION_COOKIE;
use serde_json::Value;
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gongkai API",
        description = "政府信息公开平台 JSON API. Same permissions as the pages: public routes \
            are anonymous; /staff routes need a staff session (cookie `gk_session`) and a role \
            for the body. Reports use the JSON contract of shared/spec/report-json.md. POST \
            requests need the X-CSRF-Token header (GET /api/v1/csrf). Errors are \
            {\"error\": code, \"message\": text}."
    ),
    paths(
        super::openapi,
        super::csrf,
        super::bodies,
        super::documents,
        super::catalog,
        crate::service::api::services,
        crate::service::api::service,
        super::reports,
        super::report,
        super::document,
        super::search,
        super::deadline,
        super::submit_application,
        super::application_status,
        super::staff_applications,
        super::staff_application,
        super::staff_event,
        super::staff_report,
        super::staff_audit,
        crate::hall::api::display,
        crate::hall::api::take,
        crate::hall::api::window_action,
        crate::hall::api::stats,
    ),
    components(schemas(ErrorBody)),
    modifiers(&SessionCookie),
    tags(
        (name = TAG_META, description = "本接口的文档与 CSRF 令牌 (this document, CSRF tokens)"),
        (name = TAG_PUBLIC, description = "主动公开的政府信息、目录、年度报告与检索 (public, anonymous)"),
        (name = crate::service::api::TAG_SERVICE, description = "政务服务事项办事指南 (published service-item guides, anonymous)"),
        (name = TAG_DESK, description = "网上申请与办理进度查询 (the online application desk)"),
        (name = TAG_STAFF, description = "工作人员：办理、年度报告、操作日志 (staff session required)"),
        (name = crate::hall::api::TAG_HALL, description = "政务服务大厅：取号、叫号、显示屏、统计 (the window queue)"),
    )
)]
struct ApiDoc;

/// The `session` security scheme of the staff routes: the session cookie.
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                    SESSION_COOKIE,
                    "工作人员会话 (staff session, set by signing in at /staff/login)",
                ))),
            );
    }
}

/// The OpenAPI 3.1 document of this API (served at `/api/v1/openapi.json`).
pub fn openapi_document() -> Value {
    static DOC: LazyLock<Value> = LazyLock::new(|| {
        serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document is JSON")
    });
    DOC.clone()
}
