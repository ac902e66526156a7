//! # gongkai-web
//!
//! The web platform (`gongkai serve`): the public portal (bodies, 政府信息公开指南, 标准目录,
//! documents, Chinese full-text search, annual reports), the online application desk
//! (依申请公开: form, receipt with tracking code and secret, status page), the staff console
//! (queue with working-day countdown, every ledger transition, documents and catalog, cases,
//! registers, the annual report workspace with approval and immutable publication) and the
//! JSON API under `/api/v1` with its OpenAPI document.
//!
//! Server-rendered HTML that works without JavaScript; askama templates in `templates/`.

pub mod api;
pub mod app;
pub mod auth;
pub mod cache;
pub mod deadline;
pub mod demo;
pub mod error;
pub mod hall;
pub mod indexer;
pub mod portal;
pub mod portal_views;
pub mod security;
pub mod service;
pub mod staff;
pub mod views;

pub use app::{AppState, WebConfig, router, serve};
pub use error::AppError;
