//! The index: schema, writer lifecycle, upserts, deletes, commits with an
//! outbox checkpoint, and search.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use jieba_rs::Jieba;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::directory::error::{LockError, OpenDirectoryError};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query as TQuery,
    RegexQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
    Value,
};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument,
    TantivyError, Term,
};

use crate::doc::{DocKind, SearchDoc};
use crate::error::{Result, SearchError};
use crate::highlight::{Highlighter, SNIPPET_CHARS, html_escape};
use crate::query::{Hit, MAX_OFFSET, ParsedText, Query, SearchResults, parse_text};
use crate::tokenize::{BIGRAM_TOKENIZER, BigramTokenizer, JIEBA_TOKENIZER, JiebaTokenizer, jieba};

/// Memory budget of the single writer (split among its indexing threads).
const WRITER_MEMORY_BYTES: usize = 128 * 1024 * 1024;

/// Weight of a jieba word match relative to a bigram match.
const JIEBA_BOOST: f32 = 2.0;
/// Weight of a title match relative to a body-text match.
const TITLE_BOOST: f32 = 2.0;
/// Weight of body name, 文号 and 索引号 matches relative to a body-text match.
const META_BOOST: f32 = 1.5;

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    body_code: Field,
    body_name: Field,
    domain: Field,
    year: Field,
    date: Field,
    date_key: Field,
    url: Field,
    doc_number: Field,
    index_number: Field,
    title_j: Field,
    title_b: Field,
    text_j: Field,
    text_b: Field,
    meta_j: Field,
    meta_b: Field,
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let jieba_opts = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(JIEBA_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        if stored { o.set_stored() } else { o }
    };
    let bigram_opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(BIGRAM_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        body_code: b.add_text_field("body_code", STRING | STORED),
        body_name: b.add_text_field("body_name", STORED),
        domain: b.add_text_field("domain", STRING | STORED),
        year: b.add_i64_field("year", INDEXED | STORED),
        date: b.add_text_field("date", STORED),
        date_key: b.add_i64_field("date_key", tantivy::schema::FAST),
        url: b.add_text_field("url", STORED),
        doc_number: b.add_text_field("doc_number", STORED),
        index_number: b.add_text_field("index_number", STORED),
        title_j: b.add_text_field("title_j", jieba_opts(true)),
        title_b: b.add_text_field("title_b", bigram_opts.clone()),
        text_j: b.add_text_field("text_j", jieba_opts(true)),
        text_b: b.add_text_field("text_b", bigram_opts.clone()),
        meta_j: b.add_text_field("meta_j", jieba_opts(false)),
        meta_b: b.add_text_field("meta_b", bigram_opts),
    };
    (b.build(), fields)
}

/// What [`SearchIndex::upsert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Upserted {
    /// The body text exceeded [`crate::MAX_TEXT_BYTES`]; only its beginning is searchable.
    pub text_truncated: bool,
}

/// A search index in one directory (or in memory), with its single writer.
///
/// Share it behind an `Arc` in a server: `search` runs concurrently; `upsert`
/// and `delete` buffer changes that become visible to searches after
/// `commit` (which reloads the reader before it returns). Each node keeps
/// its own directory; a second writer on the same directory gets
/// [`SearchError::Locked`].
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    writer: RwLock<IndexWriter>,
    reader: IndexReader,
    jieba: Arc<Jieba>,
    dir: Option<PathBuf>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn display_dir(dir: &Option<PathBuf>) -> PathBuf {
    dir.clone().unwrap_or_else(|| PathBuf::from("<memory>"))
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if
    /// needed.
    pub fn open(dir: impl AsRef<Path>) -> Result<SearchIndex> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|source| SearchError::Io {
            dir: dir.clone(),
            source,
        })?;
        let mmap = MmapDirectory::open(&dir).map_err(|e| match e {
            OpenDirectoryError::IoError { io_error, .. } => SearchError::Io {
                dir: dir.clone(),
                source: std::io::Error::new(io_error.kind(), io_error.to_string()),
            },
            other => SearchError::Io {
                dir: dir.clone(),
                source: std::io::Error::other(other.to_string()),
            },
        })?;
        let (schema, _) = build_schema();
        let exists = Index::exists(&mmap).map_err(|e| SearchError::Io {
            dir: dir.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let index = if exists {
            let index = Index::open(mmap)?;
            if index.schema() != schema {
                return Err(SearchError::SchemaMismatch { dir });
            }
            index
        } else {
            Index::create(mmap, schema, tantivy::IndexSettings::default())?
        };
        SearchIndex::from_index(index, Some(dir))
    }

    /// An index in memory (tests, one-off tools).
    pub fn open_in_ram() -> Result<SearchIndex> {
        let (schema, _) = build_schema();
        SearchIndex::from_index(Index::create_in_ram(schema), None)
    }

    fn from_index(index: Index, dir: Option<PathBuf>) -> Result<SearchIndex> {
        let (_, fields) = build_schema();
        let jieba = jieba();
        index
            .tokenizers()
            .register(JIEBA_TOKENIZER, JiebaTokenizer::new(jieba.clone()));
        index
            .tokenizers()
            .register(BIGRAM_TOKENIZER, BigramTokenizer);
        let writer = index.writer(WRITER_MEMORY_BYTES).map_err(|e| match e {
            TantivyError::LockFailure(LockError::LockBusy, _) => SearchError::Locked {
                dir: display_dir(&dir),
            },
            other => SearchError::Engine(other),
        })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            fields,
            writer: RwLock::new(writer),
            reader,
            jieba,
            dir,
        })
    }

    /// The directory of this index (`None` in memory).
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn writer_read(&self) -> std::sync::RwLockReadGuard<'_, IndexWriter> {
        self.writer.read().unwrap_or_else(|e| e.into_inner())
    }

    fn writer_write(&self) -> std::sync::RwLockWriteGuard<'_, IndexWriter> {
        self.writer.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a document or replaces the one with the same id (after `commit`).
    pub fn upsert(&self, doc: &SearchDoc) -> Result<Upserted> {
        let prepared = doc.prepare()?;
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.id, &doc.id);
        d.add_text(f.kind, doc.kind.as_str());
        d.add_text(f.body_code, &doc.body_code);
        d.add_text(f.body_name, &doc.body_name);
        d.add_text(f.url, &doc.url);
        if let Some(domain) = &doc.domain {
            d.add_text(f.domain, domain);
        }
        if let Some(year) = doc.year {
            d.add_i64(f.year, i64::from(year));
        }
        if let Some(date) = &doc.date {
            d.add_text(f.date, date);
        }
        d.add_i64(f.date_key, prepared.date_key.unwrap_or(0));
        d.add_text(f.title_j, &prepared.title);
        d.add_text(f.title_b, &prepared.title);
        d.add_text(f.text_j, &prepared.text);
        d.add_text(f.text_b, &prepared.text);
        let mut meta = vec![doc.body_name.as_str()];
        if let Some(n) = &doc.doc_number {
            d.add_text(f.doc_number, n);
            meta.push(n);
        }
        if let Some(n) = &doc.index_number {
            d.add_text(f.index_number, n);
            meta.push(n);
        }
        let meta = meta.join("\n");
        d.add_text(f.meta_j, &meta);
        d.add_text(f.meta_b, &meta);

        let writer = self.writer_read();
        writer.delete_term(Term::from_field_text(f.id, &doc.id));
        writer.add_document(d)?;
        Ok(Upserted {
            text_truncated: prepared.text_truncated,
        })
    }

    /// Removes the document with this id (after `commit`); unknown ids are ignored.
    pub fn delete(&self, id: &str) -> Result<()> {
        self.writer_read()
            .delete_term(Term::from_field_text(self.fields.id, id));
        Ok(())
    }

    /// Removes every document (after `commit`): the first step of a rebuild.
    pub fn delete_all(&self) -> Result<()> {
        self.writer_read().delete_all_documents()?;
        Ok(())
    }

    /// Makes all buffered changes durable and visible to searches.
    pub fn commit(&self) -> Result<()> {
        self.writer_write().commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Like [`commit`](Self::commit), and records `outbox_id` as the last
    /// change-log entry applied, atomically with the changes.
    pub fn commit_checkpoint(&self, outbox_id: i64) -> Result<()> {
        {
            let mut writer = self.writer_write();
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&outbox_id.to_string());
            prepared.commit()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// Segments the searches currently read.
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Merges all segments into one when there are more than `max_segments`, and waits for
    /// it: after a bulk load (thousands of commits leave many small segments, and every
    /// query pays per segment). Returns whether a merge ran. Searches keep working meanwhile.
    pub fn compact(&self, max_segments: usize) -> Result<bool> {
        // Background merges (the writer's merge policy) may hold some of the segments for a
        // moment; try again until they are done.
        let mut attempt = 0;
        loop {
            let ids = self.index.searchable_segment_ids()?;
            if ids.len() <= max_segments.max(1) {
                return Ok(attempt > 0);
            }
            let merge = self.writer_write().merge(&ids);
            match merge.wait() {
                Ok(_) => {
                    self.reader.reload()?;
                    return Ok(true);
                }
                Err(_) if attempt < 100 => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    self.reader.reload()?;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The outbox id recorded by the last [`commit_checkpoint`](Self::commit_checkpoint)
    /// (`None` for a new index or after a plain `commit`).
    pub fn checkpoint(&self) -> Result<Option<i64>> {
        match self.index.load_metas()?.payload {
            None => Ok(None),
            Some(p) => p
                .parse()
                .map(Some)
                .map_err(|_| SearchError::BadCheckpoint { payload: p }),
        }
    }

    /// Drops the changes buffered since the last commit.
    pub fn rollback(&self) -> Result<()> {
        self.writer_write().rollback()?;
        Ok(())
    }

    /// Number of committed documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a query. User text never causes an error.
    pub fn search(&self, q: &Query) -> Result<SearchResults> {
        let started = Instant::now();
        let parsed = parse_text(&q.text);
        let filters = self.filter_clauses(q);
        let searcher = self.reader.searcher();
        let limit = q.effective_limit();
        let offset = q.offset;

        let (total, scored): (usize, Vec<(f32, DocAddress)>) = if parsed.is_empty() {
            let query: Box<dyn TQuery> = if filters.is_empty() {
                Box::new(AllQuery)
            } else {
                Box::new(BooleanQuery::new(filters))
            };
            if offset > MAX_OFFSET {
                (searcher.search(&query, &Count)?, Vec::new())
            } else {
                let top = TopDocs::with_limit(limit)
                    .and_offset(offset)
                    .order_by_fast_field::<i64>("date_key", Order::Desc);
                let (total, docs) = searcher.search(&query, &(Count, top))?;
                (total, docs.into_iter().map(|(_, a)| (0.0, a)).collect())
            }
        } else {
            let mut clauses = self.text_clauses(&parsed);
            clauses.extend(filters);
            let query = BooleanQuery::new(clauses);
            if offset > MAX_OFFSET {
                (searcher.search(&query, &Count)?, Vec::new())
            } else {
                // Equal scores are common (a series of notices with the same wording): the newer
                // comes first, so that pages do not depend on how the segments were merged.
                let top = TopDocs::with_limit(limit).and_offset(offset).tweak_score(
                    |segment: &tantivy::SegmentReader| {
                        let dates = segment
                            .fast_fields()
                            .i64("date_key")
                            .ok()
                            .map(|c| c.first_or_default_col(0));
                        move |doc: tantivy::DocId, score: tantivy::Score| {
                            (score, dates.as_ref().map_or(0, |d| d.get_val(doc)))
                        }
                    },
                );
                let (total, docs) = searcher.search(&query, &(Count, top))?;
                (total, docs.into_iter().map(|((s, _), a)| (s, a)).collect())
            }
        };

        let highlighter = Highlighter::new(&self.jieba, &parsed);
        let mut hits = Vec::with_capacity(scored.len());
        for (score, address) in scored {
            let doc: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&doc, score, &parsed, &highlighter));
        }
        Ok(SearchResults {
            total,
            hits,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }

    fn filter_clauses(&self, q: &Query) -> Vec<(Occur, Box<dyn TQuery>)> {
        let f = &self.fields;
        let mut out: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        let mut push = |query: Box<dyn TQuery>| {
            out.push((Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0))));
        };
        if !q.body_codes.is_empty() {
            let terms = q
                .body_codes
                .iter()
                .map(|c| Term::from_field_text(f.body_code, c));
            push(Box::new(TermSetQuery::new(terms)));
        }
        if let Some(domain) = &q.domain {
            push(term_query(Term::from_field_text(f.domain, domain)));
        }
        if let Some(year) = q.year {
            push(term_query(Term::from_field_i64(f.year, i64::from(year))));
        }
        if let Some(kind) = q.kind {
            push(term_query(Term::from_field_text(f.kind, kind.as_str())));
        }
        out
    }

    /// One required clause per query segment: the segment matches as a
    /// bigram phrase (exact, normalised) in any field, or all its jieba words
    /// occur (boosted).
    fn text_clauses(&self, parsed: &ParsedText) -> Vec<(Occur, Box<dyn TQuery>)> {
        let f = &self.fields;
        let bigram_fields = [
            (f.title_b, TITLE_BOOST),
            (f.text_b, 1.0),
            (f.meta_b, META_BOOST),
        ];
        let jieba_fields = [
            (f.title_j, TITLE_BOOST),
            (f.text_j, 1.0),
            (f.meta_j, META_BOOST),
        ];
        let mut clauses = Vec::new();
        for segment in &parsed.segments {
            let mut alternatives: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
            for (field, boost) in bigram_fields {
                let q: Box<dyn TQuery> = match segment.bigrams.as_slice() {
                    [] => {
                        let Some(c) = segment.chars.first() else {
                            continue;
                        };
                        match RegexQuery::from_pattern(&format!("{}.?", regex_escape(*c)), field) {
                            Ok(q) => Box::new(q),
                            Err(_) => continue,
                        }
                    }
                    [one] => term_query(Term::from_field_text(field, one)),
                    many => Box::new(PhraseQuery::new_with_offset(
                        sparse_bigrams(many)
                            .map(|(i, b)| (i, Term::from_field_text(field, b)))
                            .collect(),
                    )),
                };
                alternatives.push((Occur::Should, boosted(q, boost)));
            }
            if !segment.words.is_empty() {
                let mut all_words: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
                for word in &segment.words {
                    let any_field: Vec<(Occur, Box<dyn TQuery>)> = jieba_fields
                        .iter()
                        .map(|&(field, boost)| {
                            let q = term_query(Term::from_field_text(field, word));
                            (Occur::Should, boosted(q, boost))
                        })
                        .collect();
                    all_words.push((Occur::Must, Box::new(BooleanQuery::new(any_field))));
                }
                alternatives.push((
                    Occur::Should,
                    boosted(Box::new(BooleanQuery::new(all_words)), JIEBA_BOOST),
                ));
            }
            if !alternatives.is_empty() {
                clauses.push((
                    Occur::Must,
                    Box::new(BooleanQuery::new(alternatives)) as Box<dyn TQuery>,
                ));
            }
        }
        clauses
    }

    fn hit(
        &self,
        doc: &TantivyDocument,
        score: f32,
        parsed: &ParsedText,
        highlighter: &Highlighter<'_>,
    ) -> Hit {
        let f = &self.fields;
        let text = |field: Field| -> Option<String> {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let title = text(f.title_j).unwrap_or_default();
        let body = text(f.text_j).unwrap_or_default();
        let (title_html, snippet_html) = if parsed.is_empty() {
            let mut t = String::new();
            html_escape(&title, &mut t);
            (t, plain_snippet(&body))
        } else {
            (
                highlighter.title_html(&title),
                highlighter.snippet_html(&body),
            )
        };
        Hit {
            id: text(f.id).unwrap_or_default(),
            kind: text(f.kind)
                .and_then(|k| DocKind::parse(&k))
                .unwrap_or(DocKind::Document),
            title_html,
            snippet_html,
            body_code: text(f.body_code).unwrap_or_default(),
            body_name: text(f.body_name).unwrap_or_default(),
            domain: text(f.domain),
            year: doc
                .get_first(f.year)
                .and_then(|v| v.as_i64())
                .and_then(|y| i32::try_from(y).ok()),
            date: text(f.date),
            doc_number: text(f.doc_number),
            url: text(f.url).unwrap_or_default(),
            score,
        }
    }
}

/// Every other bigram of a run, plus the last: they cover every character,
/// and since positions are consecutive only inside a run, matching them at
/// their offsets is the same as matching all bigrams, at half the cost.
fn sparse_bigrams(bigrams: &[String]) -> impl Iterator<Item = (usize, &String)> {
    let last = bigrams.len().saturating_sub(1);
    bigrams
        .iter()
        .enumerate()
        .filter(move |(i, _)| i % 2 == 0 || *i == last)
}

fn term_query(term: Term) -> Box<dyn TQuery> {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

fn boosted(q: Box<dyn TQuery>, boost: f32) -> Box<dyn TQuery> {
    if boost == 1.0 {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

fn regex_escape(c: char) -> String {
    if c.is_alphanumeric() {
        c.to_string()
    } else {
        format!("\\{c}")
    }
}

/// The beginning of a text, escaped, whitespace folded, `…` when cut.
fn plain_snippet(text: &str) -> String {
    let cut = text
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let mut out = String::with_capacity(cut + 8);
    let mut in_space = false;
    for c in text[..cut].chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            in_space = false;
            let mut buf = [0u8; 4];
            html_escape(c.encode_utf8(&mut buf), &mut out);
        }
    }
    let mut out = out.trim().to_string();
    if cut < text.len() {
        out.push('…');
    }
    out
}
