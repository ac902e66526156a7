//! Documents (政府信息): list, create, edit, publish, attachments.

use super::*;

pub(super) fn document_form(
    st: &AppState,
    v: &Viewer,
    action: &str,
    body: &Body,
    catalog: &[gongkai_ledger::content::CatalogItem],
    d: Option<&PublicDocumentRecord>,
) -> String {
    let val = |f: fn(&PublicDocumentRecord) -> String| d.map(f).unwrap_or_default();
    format!(
        "<form class=\"card stack\" method=\"post\" action=\"{action}\">{csrf}<input type=\"hidden\" name=\"body\" value=\"{code}\">\
         <label for=\"d-title\">标题</label><input id=\"d-title\" type=\"text\" name=\"title\" required maxlength=\"300\" value=\"{title}\">\
         <label for=\"d-publisher\">发布机构</label><input id=\"d-publisher\" type=\"text\" name=\"publisher\" required value=\"{publisher}\">\
         <label for=\"d-number\">文号</label><input id=\"d-number\" type=\"text\" name=\"doc_number\" maxlength=\"100\" value=\"{number}\">\
         <label for=\"d-written\">成文日期</label><input id=\"d-written\" type=\"date\" name=\"written_on\" required value=\"{written}\">\
         <label for=\"d-topic\">主题分类</label><select id=\"d-topic\" name=\"topic\">{topics}</select>\
         <label for=\"d-item\">标准目录事项</label><select id=\"d-item\" name=\"catalog_item\"><option value=\"\">（无）</option>{items}</select>\
         <label for=\"d-text\">正文</label><textarea id=\"d-text\" name=\"text\" rows=\"10\" required>{text}</textarea>\
         <p><button type=\"submit\">保存</button></p></form>",
        csrf = csrf_field(v),
        code = esc(&body.code),
        title = esc(&val(|d| d.title.clone())),
        publisher = esc(&d
            .map(|d| d.publisher.clone())
            .unwrap_or_else(|| body.name.clone())),
        number = esc(&val(|d| d.doc_number.clone())),
        written = d
            .map(|d| format_date(d.written_on))
            .unwrap_or_else(|| format_date(st.today())),
        topics = TOPICS
            .iter()
            .map(|t| format!(
                "<option{}>{t}</option>",
                if d.is_some_and(|d| d.topic == *t) {
                    " selected"
                } else {
                    ""
                }
            ))
            .collect::<String>(),
        items = catalog
            .iter()
            .map(|i| format!(
                "<option value=\"{}\"{}>{}·{}</option>",
                i.id,
                if d.is_some_and(|d| d.catalog_item_id == Some(i.id)) {
                    " selected"
                } else {
                    ""
                },
                esc(&i.record.domain),
                esc(&i.record.name)
            ))
            .collect::<String>(),
        text = esc(&val(|d| d.text.clone())),
    )
}

pub(super) async fn documents(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<BodyQuery>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let (body, choices) = chosen_body(&st, &s, &q.body).await?;
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let (docs, total) = st
        .store
        .list_public_documents(&DocumentQuery {
            body_id: body.id,
            published_only: false,
            catalog_item_id: None,
            limit: STAFF_PAGE_SIZE,
            offset: (page_no - 1) * STAFF_PAGE_SIZE,
        })
        .await?;
    let catalog = st.store.list_catalog(body.id).await?;
    let mut html = format!("<h2>政府信息（{}，共{total}条）</h2>", esc(&body.name));
    html.push_str(&body_switcher("/staff/documents", &choices, &body, ""));
    html.push_str("<table class=\"list\"><thead><tr><th scope=\"col\">索引号</th><th scope=\"col\">标题</th><th scope=\"col\">成文日期</th><th scope=\"col\">状态</th><th scope=\"col\">操作</th></tr></thead><tbody>");
    let can_edit = s.require_clerk(body.id).is_ok();
    for d in &docs {
        let toggle = if can_edit {
            format!(
                "<form class=\"inline\" method=\"post\" action=\"/staff/documents/{}/publish\">{}<input type=\"hidden\" name=\"publish\" value=\"{}\"><button class=\"secondary\" type=\"submit\">{}</button></form>",
                d.id,
                csrf_field(&v),
                if d.published { "0" } else { "1" },
                if d.published { "撤回" } else { "发布" }
            )
        } else {
            String::new()
        };
        html.push_str(&format!(
            "<tr><td>{}</td><td><a href=\"/staff/documents/{}\">{}</a></td><td>{}</td><td>{}</td><td>{toggle}</td></tr>",
            esc(&d.index_number),
            d.id,
            esc(&d.record.title),
            format_date(d.record.written_on),
            if d.published { "已发布" } else { "未发布" }
        ));
    }
    html.push_str("</tbody></table>");
    let pages = (total + STAFF_PAGE_SIZE - 1) / STAFF_PAGE_SIZE;
    if pages > 1 {
        let base = format!("/staff/documents?body={}&amp;page=", esc(&body.code));
        html.push_str(&crate::views::pager(&base, page_no, pages));
    }
    if can_edit {
        html.push_str("<h2>新建政府信息</h2>");
        html.push_str(&document_form(
            &st,
            &v,
            "/staff/documents",
            &body,
            &catalog,
            None,
        ));
    }
    staff_page(&st, &v, "政府信息", html)
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

pub(super) fn record_from(f: &DocumentForm, body: &Body) -> Result<PublicDocumentRecord, AppError> {
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
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<DocumentForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let body = body_by_code(&st, &f.body).await?;
    s.require_clerk(body.id)?;
    let rec = record_from(&f, &body)?;
    let doc = st.store.create_public_document(&rec, &s.user.login).await?;
    Ok(Redirect::to(&format!("/staff/documents/{}", doc.id)).into_response())
}

pub(super) async fn edit_document(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    let d = st.store.get_public_document(id).await?;
    let all = st.store.list_bodies().await?;
    if !s.can_read(&all, d.record.body_id) {
        return Err(crate::auth::forbidden());
    }
    let body = st.store.get_body(d.record.body_id).await?;
    let catalog = st.store.list_catalog(body.id).await?;
    let atts = st.store.list_attachments(d.id).await?;
    let mut html = format!(
        "<p class=\"crumbs\"><a href=\"/staff/documents?body={c}\">政府信息</a> › {idx}</p><h2>{t}</h2><p>索引号 {idx} · {state} · <a href=\"/docs/{id}\">查看</a></p>",
        c = esc(&body.code),
        idx = esc(&d.index_number),
        t = esc(&d.record.title),
        state = if d.published {
            "已发布"
        } else {
            "未发布"
        },
        id = d.id
    );
    if s.require_clerk(body.id).is_ok() {
        html.push_str(&document_form(
            &st,
            &v,
            &format!("/staff/documents/{}", d.id),
            &body,
            &catalog,
            Some(&d.record),
        ));
        html.push_str(&format!(
            "<h3>附件</h3><ul>{}</ul><form class=\"card stack\" method=\"post\" action=\"/staff/documents/{}/attachments?csrf={}\" enctype=\"multipart/form-data\">\
             <label for=\"file\">上传附件（不超过10 MiB）</label><input id=\"file\" type=\"file\" name=\"file\" required><p><button type=\"submit\">上传</button></p></form>",
            atts.iter()
                .map(|a| format!("<li><a href=\"/attachments/{}\">{}</a></li>", a.id, esc(&a.file_name)))
                .collect::<String>(),
            d.id,
            crate::portal::urlencode(&v.csrf)
        ));
    }
    staff_page(&st, &v, &d.record.title, html)
}

pub(super) async fn update_document(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<DocumentForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let d = st.store.get_public_document(id).await?;
    s.require_clerk(d.record.body_id)?;
    let body = st.store.get_body(d.record.body_id).await?;
    let rec = record_from(&f, &body)?;
    st.store
        .update_public_document(id, &rec, &s.user.login)
        .await?;
    Ok(Redirect::to(&format!("/staff/documents/{id}")).into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct PublishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    publish: String,
}

pub(super) async fn publish_document(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<PublishForm>,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&f.csrf)?;
    let d = st.store.get_public_document(id).await?;
    s.require_clerk(d.record.body_id)?;
    let publish = f.publish == "1";
    st.store
        .set_document_published(id, publish, st.today(), &s.user.login)
        .await?;
    let body = st.store.get_body(d.record.body_id).await?;
    Ok(back_to("/staff/documents", &body, None))
}

#[derive(Deserialize, Default)]
pub(super) struct CsrfQuery {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn upload_attachment(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<CsrfQuery>,
    mut mp: Multipart,
) -> PageResult<Response> {
    let s = staff_or_login!(v);
    v.check_csrf(&q.csrf)?;
    let d = st.store.get_public_document(id).await?;
    s.require_clerk(d.record.body_id)?;
    let mut saved = 0;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("附件").to_string();
        let ct = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let data = field
            .bytes()
            .await
            .map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?;
        if data.is_empty() {
            continue;
        }
        st.store
            .add_attachment(id, &name, &ct, &data, &s.user.login)
            .await?;
        saved += 1;
    }
    if saved == 0 {
        return Err(AppError::BadRequest("没有收到文件 (no file)".into()));
    }
    Ok(Redirect::to(&format!("/staff/documents/{id}")).into_response())
}
