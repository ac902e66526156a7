//! # gongkai-ledger
//!
//! A body's disclosure work as pure domain logic (no SQL, no IO, no async): bodies in their
//! hierarchy, users and roles, applications as a state machine with an append-only event
//! history and statutory deadlines ([`gongkai_calendar`]), reconsideration and litigation
//! cases, the Art. 20 registers, and the report counters from which [`assemble_report`]
//! builds the annual report ([`gongkai_report::Report`]) so that its tables reconcile by
//! construction.
//!
//! The store (`gongkai-store`) persists these types; every change it makes goes through a
//! function here that validates it and says which counters change ([`counters::delta`]).
//!
//! ```
//! use gongkai_ledger::{EventKind, ReplyDocument, Status, transition, counters, YearCounters, assemble_report};
//! use gongkai_report::{ApplicantType, Outcome, check};
//! use time::macros::date;
//!
//! let s = Status::received(date!(2024 - 12 - 30));
//! let decided = transition(&s, &EventKind::Decided {
//!     outcome: Outcome::Granted,
//!     reply: ReplyDocument { reference: "答〔2025〕1号".into(), summary: "予以公开".into() },
//! }, date!(2025 - 01 - 08)).unwrap();
//! let c = decided.contributions(ApplicantType::NaturalPerson);
//! // 2024: received and carried forward; 2025: carried over and granted.
//! let r24 = assemble_report("某某镇人民政府", 2024, &YearCounters::from_contributions(&c, 2024), &[], &Default::default()).unwrap();
//! assert_eq!(r24.count("t3", "carried_forward", "total"), 1);
//! let r25 = assemble_report("某某镇人民政府", 2025, &YearCounters::from_contributions(&c, 2025), &[], &Default::default()).unwrap();
//! assert_eq!(r25.count("t3", "granted", "natural_person"), 1);
//! assert!(check(&r25, Some(&r24)).is_empty());
//! ```

#![warn(missing_docs)]

pub mod application;
pub mod assemble;
pub mod body;
pub mod case;
pub mod content;
pub mod counters;
pub mod duplicate;
pub mod identity;
pub mod policy;
pub mod publication;
pub mod queue;
pub mod recount;
pub mod register;
pub mod service;
pub mod tracking;

pub use application::{
    Application, ApplicationError, ApplicationEvent, ApplicationState, ConsultationFacts,
    Consultee, CorrectionFacts, DueStatus, EventKind, ExtensionFacts, FeeFacts, NewApplication,
    PersonalData, ReplayError, ReplyDocument, Status, TransitionError, replay, transition,
};
pub use assemble::{AssembleError, CellSource, DocumentColumn, assemble_report, cell_source};
pub use body::{Body, BodyKind, IdentityError, NewBody, Role, RoleGrant, User};
pub use case::{Case, CaseError, CaseKind, CaseOutcome, CaseRecord};
pub use counters::{Contributions, YearCounters};
pub use policy::{Action, BodyPath, can};
pub use register::{Document, DocumentKind, DocumentRecord, RegisterError, YearlyFigure};
pub use tracking::TrackingCredentials;

/// Re-exports the ledger's callers need.
pub use gongkai_calendar::{Calendar, Channel};
pub use gongkai_report::{ApplicantType, FormatVersion, Outcome, Report};
