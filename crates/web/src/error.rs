//! Errors of request handling with stable codes and Chinese messages; HTML for pages,
//! JSON (`{"error": code, "message": …}`) for the API.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use gongkai_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}不存在 (not found)")]
    NotFound(String),
    #[error("请先登录 (sign in required)")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("请求过于频繁，请稍后再试 (too many requests)")]
    TooManyRequests,
    #[error("请求体过大 (payload too large)")]
    PayloadTooLarge,
    /// A well-formed request that cannot be done (e.g. a submission key reused with other fields).
    #[error("{0}")]
    Unprocessable(String),
    /// Something that existed and is no longer kept (e.g. a receipt after 24 hours).
    #[error("{0}")]
    Gone(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("服务器内部错误 (internal error): {0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Store(e) => match e {
                StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
                StoreError::Duplicate { .. } | StoreError::Conflict(_) => StatusCode::CONFLICT,
                StoreError::Db(_)
                | StoreError::Migrate(_)
                | StoreError::DataDir { .. }
                | StoreError::Corrupt(_)
                | StoreError::Io(_)
                | StoreError::Password(_) => StatusCode::INTERNAL_SERVER_ERROR,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::BadRequest(_) => "bad_request",
            AppError::TooManyRequests => "too_many_requests",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Unprocessable(_) => "invalid",
            AppError::Gone(_) => "gone",
            AppError::Store(StoreError::NotFound { .. }) => "not_found",
            AppError::Store(StoreError::Duplicate { .. }) => "duplicate",
            AppError::Store(StoreError::Conflict(_)) => "conflict",
            AppError::Store(StoreError::Transition { .. }) => "illegal_transition",
            AppError::Store(e) if self.status() == StatusCode::UNPROCESSABLE_ENTITY => {
                let _ = e;
                "invalid"
            }
            AppError::Store(_) | AppError::Internal(_) => "internal",
        }
    }

    /// The message shown to users (internal details are logged, not shown).
    pub fn public_message(&self) -> String {
        if self.status() == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
            "服务器内部错误，请稍后再试 (internal error)".into()
        } else {
            self.to_string()
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let heading = heading_zh(status);
        let page = ErrorPage {
            layout: crate::views::Layout::bare(heading),
            heading,
            message: self.public_message(),
        };
        match askama::Template::render(&page) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, page.message).into_response(),
        }
    }
}

/// An error page in the site's layout.
#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: crate::views::Layout,
    heading: &'static str,
    message: String,
}

/// The Chinese heading of an error page.
fn heading_zh(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求有误",
        401 => "请先登录",
        403 => "无权访问",
        404 => "页面不存在",
        408 => "请求超时",
        409 => "操作冲突",
        410 => "已过期",
        413 => "文件过大",
        422 => "无法处理",
        429 => "请求过于频繁",
        503 => "服务暂不可用",
        s if s >= 500 => "服务器内部错误",
        _ => "出错了",
    }
}

/// The same error rendered as JSON for the API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

/// The JSON body of every API error.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable code: `not_found`, `unauthorized`, `forbidden`, `bad_request`, `invalid`,
    /// `too_many_requests`, `payload_too_large`, `duplicate`, `conflict`, `gone`,
    /// `illegal_transition`, `internal`.
    pub error: String,
    /// What went wrong, in Chinese.
    pub message: String,
    /// Every message of a refused form (`invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
    /// The same messages by field (`invalid` application forms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<crate::portal::FieldError>>,
}

impl ErrorBody {
    pub fn new(e: &AppError) -> ErrorBody {
        ErrorBody {
            error: e.code().to_string(),
            message: e.public_message(),
            errors: None,
            fields: None,
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError(AppError::Store(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0.status(), axum::Json(ErrorBody::new(&self.0))).into_response()
    }
}

pub type PageResult<T> = Result<T, AppError>;
pub type ApiResult<T> = Result<T, ApiError>;
