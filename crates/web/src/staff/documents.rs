//! Documents (政府信息): list, create, edit, publish, attachments.

use super::{BodyQuery, BodyRef, BodySwitcher, SelectOption, StaffCtx, StaffForm, csrf_forms};
use super::{back_to, parse_day};
use crate::error::{AppError, PageResult};
use crate::views::{Layout, Pager, render};
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_calendar::format_date;
use gongkai_ledger::Body;
use gongkai_ledger::content::{CatalogItem, PublicDocumentRecord, TOPICS};
use gongkai_store::DocumentQuery;
use serde::{Deserialize, Serialize};

/// Rows per page of the staff document list.
const STAFF_PAGE_SIZE: i64 = 50;

/// A body's documents, drafts included (政府信息), with the form creating one.
#[derive(Debug, Serialize)]
pub struct DocumentsView {
    pub body: BodyRef,
    pub switcher: BodySwitcher,
    /// Documents in the whole list.
    pub total: i64,
    pub documents: Vec<DocumentRow>,
    /// The pager, when the list has more than one page.
    pub pager: Option<Pager>,
    /// Clerk work on the body: publish toggles and the new-document form.
    pub can_edit: bool,
    pub form: Option<DocumentFormView>,
}

#[derive(Debug, Serialize)]
pub struct DocumentRow {
    pub id: i64,
    pub index_number: String,
    pub title: String,
    pub written_on: String,
    pub published: bool,
}

impl DocumentRow {
    pub fn state_label(&self) -> &'static str {
        if self.published {
            "已发布"
        } else {
            "未发布"
        }
    }

    /// The value the publish toggle posts.
    pub fn toggle_value(&self) -> &'static str {
        if self.published { "0" } else { "1" }
    }

    pub fn toggle_label(&self) -> &'static str {
        if self.published { "撤回" } else { "发布" }
    }
}

/// The form creating or editing a document.
#[derive(Debug, Serialize)]
pub struct DocumentFormView {
    pub action: String,
    pub body_code: String,
    pub title: String,
    pub publisher: String,
    pub doc_number: String,
    pub written_on: String,
    pub topics: Vec<SelectOption>,
    pub catalog_items: Vec<SelectOption>,
    pub text: String,
}

impl DocumentFormView {
    fn new(
        ctx: &StaffCtx,
        action: String,
        body: &Body,
        catalog: &[CatalogItem],
        d: Option<&PublicDocumentRecord>,
    ) -> DocumentFormView {
        DocumentFormView {
            action,
            body_code: body.code.clone(),
            title: d.map(|d| d.title.clone()).unwrap_or_default(),
            publisher: d
                .map(|d| d.publisher.clone())
                .unwrap_or_else(|| body.name.clone()),
            doc_number: d.map(|d| d.doc_number.clone()).unwrap_or_default(),
            written_on: format_date(d.map_or_else(|| ctx.today(), |d| d.written_on)),
            topics: TOPICS
                .iter()
                .map(|t| SelectOption::new(*t, *t, d.is_some_and(|d| d.topic == *t)))
                .collect(),
            catalog_items: catalog
                .iter()
                .map(|i| {
                    SelectOption::new(
                        i.id.to_string(),
                        format!("{}·{}", i.record.domain, i.record.name),
                        d.is_some_and(|d| d.catalog_item_id == Some(i.id)),
                    )
                })
                .collect(),
            text: d.map(|d| d.text.clone()).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/documents.html")]
struct DocumentsPage {
    layout: Layout,
    view: DocumentsView,
}

pub(super) async fn documents(ctx: StaffCtx, Query(q): Query<BodyQuery>) -> PageResult<Response> {
    let (body, switcher) = ctx.chosen_body(&q.body, "/staff/documents", None).await?;
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let base = format!(
        "/staff/documents?body={}&page=",
        crate::portal::urlencode(&body.code)
    );
    let mut pager = Pager::new(base, page_no, STAFF_PAGE_SIZE, 0);
    let (docs, total) = ctx
        .st
        .store
        .list_public_documents(&DocumentQuery {
            body_id: body.id,
            published_only: false,
            catalog_item_id: None,
            limit: STAFF_PAGE_SIZE,
            offset: pager.offset(),
        })
        .await?;
    pager.total = total;
    let can_edit = ctx.s.require_clerk(body.id).is_ok();
    let form = if can_edit {
        let catalog = ctx.st.store.list_catalog(body.id).await?;
        Some(DocumentFormView::new(
            &ctx,
            "/staff/documents".into(),
            &body,
            &catalog,
            None,
        ))
    } else {
        None
    };
    let view = DocumentsView {
        body: BodyRef::from(&body),
        switcher,
        total,
        documents: docs
            .into_iter()
            .map(|d| DocumentRow {
                id: d.id,
                index_number: d.index_number,
                title: d.record.title,
                written_on: format_date(d.record.written_on),
                published: d.published,
            })
            .collect(),
        pager: (pager.pages() > 1).then_some(pager),
        can_edit,
        form,
    };
    render(&DocumentsPage {
        layout: ctx.layout("政府信息"),
        view,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct DocumentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    publisher: String,
    #[serde(default)]
    doc_number: String,
    #[serde(default)]
    written_on: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    catalog_item: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize, Default)]
pub(super) struct PublishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    publish: String,
}

csrf_forms!(DocumentForm, PublishForm);

fn record_from(f: &DocumentForm, body: &Body) -> Result<PublicDocumentRecord, AppError> {
    Ok(PublicDocumentRecord {
        body_id: body.id,
        catalog_item_id: f.catalog_item.trim().parse().ok(),
        publisher: f.publisher.trim().to_string(),
        written_on: parse_day(&f.written_on, "成文日期")?,
        doc_number: f.doc_number.trim().to_string(),
        topic: f.topic.trim().to_string(),
        title: f.title.trim().to_string(),
        text: f.text.trim().to_string(),
    })
}

pub(super) async fn create_document(
    StaffForm(ctx, f): StaffForm<DocumentForm>,
) -> PageResult<Response> {
    let body = ctx.clerk_body(&f.body).await?;
    let rec = record_from(&f, &body)?;
    let doc = ctx
        .st
        .store
        .create_public_document(&rec, &ctx.s.user.login)
        .await?;
    Ok(Redirect::to(&format!("/staff/documents/{}", doc.id)).into_response())
}

/// One document: its state, the edit form and the attachments (clerks).
#[derive(Debug, Serialize)]
pub struct DocumentEditView {
    pub id: i64,
    pub index_number: String,
    pub title: String,
    pub published: bool,
    pub body: BodyRef,
    pub can_edit: bool,
    pub form: Option<DocumentFormView>,
    pub attachments: Vec<AttachmentRow>,
}

impl DocumentEditView {
    pub fn state_label(&self) -> &'static str {
        if self.published {
            "已发布"
        } else {
            "未发布"
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AttachmentRow {
    pub id: i64,
    pub file_name: String,
}

#[derive(Template)]
#[template(path = "staff/document_edit.html")]
struct DocumentEditPage {
    layout: Layout,
    view: DocumentEditView,
    /// The upload form's action (the multipart body carries no CSRF field, so the token
    /// travels in the query).
    upload_action: String,
}

pub(super) async fn edit_document(ctx: StaffCtx, Path(id): Path<i64>) -> PageResult<Response> {
    let st = &ctx.st;
    let d = st.store.get_public_document(id).await?;
    if !ctx.s.can_read(&st.store, d.record.body_id).await? {
        return Err(crate::auth::forbidden());
    }
    let body = st.store.get_body(d.record.body_id).await?;
    let can_edit = ctx.s.require_clerk(body.id).is_ok();
    let (form, attachments) = if can_edit {
        let catalog = st.store.list_catalog(body.id).await?;
        let atts = st.store.list_attachments(d.id).await?;
        (
            Some(DocumentFormView::new(
                &ctx,
                format!("/staff/documents/{}", d.id),
                &body,
                &catalog,
                Some(&d.record),
            )),
            atts.into_iter()
                .map(|a| AttachmentRow {
                    id: a.id,
                    file_name: a.file_name,
                })
                .collect(),
        )
    } else {
        (None, Vec::new())
    };
    let upload_action = format!(
        "/staff/documents/{}/attachments?csrf={}",
        d.id,
        crate::portal::urlencode(&ctx.v.csrf)
    );
    let view = DocumentEditView {
        id: d.id,
        index_number: d.index_number,
        published: d.published,
        body: BodyRef::from(&body),
        can_edit,
        form,
        attachments,
        title: d.record.title,
    };
    render(&DocumentEditPage {
        layout: ctx.layout(&view.title),
        view,
        upload_action,
    })
}

pub(super) async fn update_document(
    Path(id): Path<i64>,
    StaffForm(ctx, f): StaffForm<DocumentForm>,
) -> PageResult<Response> {
    let d = ctx.st.store.get_public_document(id).await?;
    ctx.s.require_clerk(d.record.body_id)?;
    let body = ctx.st.store.get_body(d.record.body_id).await?;
    let rec = record_from(&f, &body)?;
    ctx.st
        .store
        .update_public_document(id, &rec, &ctx.s.user.login)
        .await?;
    Ok(Redirect::to(&format!("/staff/documents/{id}")).into_response())
}

pub(super) async fn publish_document(
    Path(id): Path<i64>,
    StaffForm(ctx, f): StaffForm<PublishForm>,
) -> PageResult<Response> {
    let d = ctx.st.store.get_public_document(id).await?;
    ctx.s.require_clerk(d.record.body_id)?;
    ctx.st
        .store
        .set_document_published(id, f.publish == "1", ctx.today(), &ctx.s.user.login)
        .await?;
    let body = ctx.st.store.get_body(d.record.body_id).await?;
    Ok(back_to("/staff/documents", &body, None))
}

#[derive(Deserialize, Default)]
pub(super) struct CsrfQuery {
    #[serde(default)]
    csrf: String,
}

/// A multipart upload: the CSRF token is in the query (see [`DocumentEditPage`]).
pub(super) async fn upload_attachment(
    ctx: StaffCtx,
    Path(id): Path<i64>,
    Query(q): Query<CsrfQuery>,
    mut mp: Multipart,
) -> PageResult<Response> {
    ctx.check_csrf(&q.csrf)?;
    let d = ctx.st.store.get_public_document(id).await?;
    ctx.s.require_clerk(d.record.body_id)?;
    for (name, ct, data) in super::uploaded_files(&mut mp).await? {
        ctx.st
            .store
            .add_attachment(id, &name, &ct, &data, &ctx.s.user.login)
            .await?;
    }
    Ok(Redirect::to(&format!("/staff/documents/{id}")).into_response())
}
