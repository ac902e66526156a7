//! Errors of request handling with stable codes and Chinese messages; HTML for pages,
//! JSON (`{"error": code, "message": …}`) for the API.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use gongkai_report::render::html_escape;
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
        let msg = html_escape(&self.public_message());
        let body = format!(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{} - 政府信息公开平台</title>\
             <link rel=\"stylesheet\" href=\"/static/gongkai.css\"></head><body><main id=\"main\"><div class=\"wrap\">\
             <div class=\"card\"><h2>{}</h2><p class=\"err\" role=\"alert\">{msg}</p><p><a href=\"javascript:history.back()\">返回上一页</a> · <a href=\"/\">首页</a></p></div></div></main></body></html>",
            status.as_u16(),
            status.canonical_reason().unwrap_or("错误"),
        );
        (status, Html(body)).into_response()
    }
}

/// The same error rendered as JSON for the API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

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
        let status = self.0.status();
        (
            status,
            axum::Json(
                serde_json::json!({"error": self.0.code(), "message": self.0.public_message()}),
            ),
        )
            .into_response()
    }
}

pub type PageResult<T> = Result<T, AppError>;
pub type ApiResult<T> = Result<T, ApiError>;
