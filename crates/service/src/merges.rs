//! One person, one record, in the product: the review queue of likely
//! duplicate pairs (filled by `passage linkage dedupe --database-url`), the
//! side-by-side view with the model's explanation, the decision (same
//! person, different, unsure), the merge that keeps everything and the
//! spellings as aliases, and its undo. Reviewers see only pairs whose two
//! persons they may both see; every decision, merge and undo is audited.

use crate::access::{self, Action, Actor};
use crate::audit;
use crate::error::{ServiceError, ServiceResult};
use crate::linkage::{explain, person_link_record, ScorePart};
use crate::Passage;
use passage_domain::date::Timestamp;
use passage_domain::ids::PersonId;
use passage_domain::linkage::PairDecision;
use passage_storage::merges::{self as store, MergeRow, PairRow};
use passage_storage::records::{CaseRecord, PersonRecord};
use passage_storage::registry as reg;
use serde_json::json;
use sqlx::AnyConnection;

/// A pair in the queue, as listed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DuplicateSummary {
    pub id: String,
    pub probability: f64,
    pub decision: PairDecision,
    pub a: PersonSide,
    pub b: PersonSide,
}

/// One side of a pair: who, and what is recorded on them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PersonSide {
    pub person_id: PersonId,
    pub display_name: String,
    pub names: Vec<String>,
    pub sex: String,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub phone: Option<String>,
    pub registered_at: Timestamp,
    pub cases: Vec<CaseSide>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseSide {
    pub case_id: passage_domain::ids::CaseId,
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub office: String,
}

/// A pair side by side, with the model's score now and each field's part.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DuplicatePair {
    #[serde(flatten)]
    pub summary: DuplicateSummary,
    pub explanation: Vec<ScorePart>,
    pub merge_id: Option<String>,
}

/// What `find_duplicates` did.
#[derive(Debug, Clone)]
pub struct FoundDuplicates {
    pub persons: usize,
    pub pairs: usize,
    pub new_pairs: usize,
}

impl Passage {
    async fn side(&self, c: &mut AnyConnection, actor: &Actor, person: PersonId) -> ServiceResult<(PersonRecord, PersonSide)> {
        let p = reg::get_person(c, &self.keys, person).await?.ok_or(ServiceError::NotFound)?;
        let cases: Vec<CaseRecord> = reg::cases_of_person(c, person, &access::scope(actor)).await?;
        let side = PersonSide {
            person_id: p.id,
            display_name: p.display_name.clone(),
            names: p.names.iter().map(|n| n.full()).collect(),
            sex: p.sex.as_str().to_string(),
            birth_date: p.birth_date.map(|b| match b.precision {
                passage_domain::date::BirthDatePrecision::Exact => b.date.to_string(),
                _ => format!("{} ({})", b.year(), b.precision.as_str()),
            }),
            nationality: p.nationality.map(|n| n.to_string()),
            phone: p.phone.clone(),
            registered_at: p.created_at,
            cases: cases
                .iter()
                .map(|k| CaseSide {
                    case_id: k.id,
                    reference: k.reference.clone(),
                    kind: k.kind.as_str().to_string(),
                    status: k.status.as_str().to_string(),
                    office: k.office_code.clone(),
                })
                .collect(),
        };
        Ok((p, side))
    }

    /// The pair, if the actor may review it: they hold the right and may see both persons.
    async fn reviewable(&self, c: &mut AnyConnection, actor: &Actor, pair: &PairRow) -> ServiceResult<bool> {
        // A person merged since is seen through the person kept: their cases are there now.
        let scope = access::scope(actor);
        for p in [pair.person_a, pair.person_b] {
            let p = store::merged_into(c, p).await?.unwrap_or(p);
            if !reg::person_in_scope(c, p, &scope).await? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Pairs waiting for a decision that the actor may review, most likely first (at most 100).
    pub async fn duplicate_queue(&self, actor: &Actor) -> ServiceResult<Vec<DuplicateSummary>> {
        access::require(actor, Action::MergePersons)?;
        let mut c = self.reader().await?;
        let mut out = Vec::new();
        for pair in store::waiting_pairs(&mut c, &access::scope(actor), 100).await? {
            let (_, a) = self.side(&mut c, actor, pair.person_a).await?;
            let (_, b) = self.side(&mut c, actor, pair.person_b).await?;
            out.push(DuplicateSummary { id: pair.id, probability: pair.score_milli as f64 / 1000.0, decision: pair.decision, a, b });
        }
        Ok(out)
    }

    /// A pair side by side, scored again on the records as they are now.
    pub async fn duplicate_pair(&self, actor: &Actor, pair_id: &str) -> ServiceResult<DuplicatePair> {
        access::require(actor, Action::MergePersons)?;
        let mut c = self.reader().await?;
        let pair = store::pair(&mut c, pair_id.trim()).await?.ok_or(ServiceError::NotFound)?;
        if !self.reviewable(&mut c, actor, &pair).await? {
            return Err(ServiceError::NotFound);
        }
        let (pa, a) = self.side(&mut c, actor, pair.person_a).await?;
        let (pb, b) = self.side(&mut c, actor, pair.person_b).await?;
        let (ra, rb) = (person_link_record(&pa), person_link_record(&pb));
        let score = self.pair_model(&mut c).await?.score(&passage_domain::linkage::compare(&ra, &rb), &ra, &rb, None);
        Ok(DuplicatePair {
            summary: DuplicateSummary { id: pair.id, probability: score.probability(), decision: pair.decision, a, b },
            explanation: explain(&score),
            merge_id: pair.merge_id,
        })
    }

    /// Decide on a pair. "Same" merges: `keep` names the person kept ("a"
    /// or "b"; empty keeps the first registered). Returns the merge's id.
    pub async fn decide_duplicate(&self, actor: &Actor, pair_id: &str, decision: &str, keep: &str) -> ServiceResult<Option<String>> {
        access::require(actor, Action::MergePersons)?;
        let decision = PairDecision::parse_decision(decision).map_err(|e| ServiceError::Invalid(passage_domain::Invalid::one(e)))?;
        let mut tx = self.db.begin().await?;
        let pair = store::pair(&mut tx, pair_id.trim()).await?.ok_or(ServiceError::NotFound)?;
        if !self.reviewable(&mut tx, actor, &pair).await? {
            return Err(ServiceError::NotFound);
        }
        if !pair.decision.waiting() {
            return Err(ServiceError::Conflict("this pair was decided already"));
        }
        let now = Timestamp::now();
        let merge_id = if decision == PairDecision::Same {
            let (kept, merged) = match keep.trim() {
                "a" => (pair.person_a, pair.person_b),
                "b" => (pair.person_b, pair.person_a),
                "" => {
                    let a = reg::get_person(&mut tx, &self.keys, pair.person_a).await?.ok_or(ServiceError::NotFound)?;
                    let b = reg::get_person(&mut tx, &self.keys, pair.person_b).await?.ok_or(ServiceError::NotFound)?;
                    if (a.created_at, a.id.to_string()) <= (b.created_at, b.id.to_string()) {
                        (a.id, b.id)
                    } else {
                        (b.id, a.id)
                    }
                }
                _ => {
                    return Err(ServiceError::Invalid(passage_domain::Invalid::one(passage_domain::FieldError::new(
                        "keep",
                        "err-unknown-choice",
                    ))))
                }
            };
            Some(self.merge_in(&mut tx, actor, kept, merged, now).await?)
        } else {
            None
        };
        store::decide(&mut tx, &pair.id, decision, actor.id, now, merge_id.as_deref()).await?;
        let changes =
            json!({"decision": [pair.decision, decision], "persons": [null, [pair.person_a, pair.person_b]], "merge": [null, merge_id]});
        audit::record(&mut tx, Some(actor), "duplicate.decide", format!("duplicate:{}", pair.id), Some(pair.person_a), changes).await?;
        tx.commit().await?;
        Ok(merge_id)
    }

    async fn merge_in(
        &self,
        c: &mut AnyConnection,
        actor: &Actor,
        kept: PersonId,
        merged: PersonId,
        now: Timestamp,
    ) -> ServiceResult<String> {
        for p in [kept, merged] {
            if store::merged_into(c, p).await?.is_some() {
                return Err(ServiceError::Conflict("one of the two was merged into another person meanwhile"));
            }
        }
        let (merge_id, moved) = store::merge(c, kept, merged, actor.id, now).await?;
        // Figures count a person once: the cases now count for the kept person only.
        passage_storage::analytics::refresh_person(c, kept).await?;
        passage_storage::analytics::refresh_person(c, merged).await?;
        let changes = json!({
            "merged": [null, merged], "kept": [null, kept], "merge": [null, merge_id],
            "cases": [null, moved.cases], "consents": [null, moved.consents.len()], "documents": [null, moved.documents.len()],
            "aliases": [null, moved.aliases.len()],
        });
        // One act, two persons: each person's trail shows it.
        audit::record(c, Some(actor), "person.merge", format!("person:{kept}"), Some(kept), changes.clone()).await?;
        audit::record(c, Some(actor), "person.merge", format!("person:{merged}"), Some(merged), changes).await?;
        Ok(merge_id)
    }

    /// Undo a merge: what it moved goes back, the aliases it added go; the
    /// pair is marked "different". Refused while the kept person is itself
    /// merged into another (undo that first).
    pub async fn undo_merge(&self, actor: &Actor, merge_id: &str) -> ServiceResult<()> {
        access::require(actor, Action::MergePersons)?;
        let mut tx = self.db.begin().await?;
        let m: MergeRow = store::merge_record(&mut tx, merge_id.trim()).await?.ok_or(ServiceError::NotFound)?;
        if !reg::person_in_scope(&mut tx, m.kept_person_id, &access::scope(actor)).await? {
            return Err(ServiceError::NotFound);
        }
        if m.undone_at.is_some() {
            return Err(ServiceError::Conflict("this merge was undone already"));
        }
        if store::merged_into(&mut tx, m.kept_person_id).await?.is_some() {
            return Err(ServiceError::Conflict("the person kept was merged into another since: undo that merge first"));
        }
        let now = Timestamp::now();
        store::unmerge(&mut tx, &m, actor.id, now).await?;
        passage_storage::analytics::refresh_person(&mut tx, m.kept_person_id).await?;
        passage_storage::analytics::refresh_person(&mut tx, m.merged_person_id).await?;
        let changes = json!({"merge": [m.id, null], "kept": [m.kept_person_id, null], "merged": [m.merged_person_id, null], "cases": [m.moved.cases, null]});
        for p in [m.kept_person_id, m.merged_person_id] {
            audit::record(&mut tx, Some(actor), "person.unmerge", format!("person:{p}"), Some(p), changes.clone()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The merges into a person the actor may see (undone ones too), newest first.
    pub async fn merges_into(&self, actor: &Actor, person: PersonId) -> ServiceResult<Vec<MergeRow>> {
        access::require(actor, Action::ReadCases)?;
        let mut c = self.reader().await?;
        if !reg::person_in_scope(&mut c, person, &access::scope(actor)).await? {
            return Err(ServiceError::NotFound);
        }
        Ok(store::merges_into(&mut c, person).await?)
    }

    /// Run the batch linkage over every person of their own in the database
    /// and put each linked pair in the review queue (a pair decided before
    /// keeps its decision). A system task: the command line runs it.
    pub async fn find_duplicates(&self, threshold: f64, estimate: bool, progress: impl FnMut(f64)) -> ServiceResult<FoundDuplicates> {
        use passage_domain::linkage::{compare, dedupe, BirthDate, DedupeOptions, Frequencies, LinkRecord, ModelChoice, ModelSource};
        let mut c = self.reader().await?;
        let persons = store::linkage_records(&mut c).await?;
        drop(c);
        let records: Vec<LinkRecord> = persons
            .iter()
            .map(|p| {
                let birth = BirthDate::parse(&p.birth).unwrap_or(BirthDate::Unknown);
                crate::linkage::link_record(&p.id.to_string(), &p.names, &p.sex, birth, &p.nationality, &p.phone)
            })
            .collect();
        let choice = if estimate { ModelChoice::Estimate } else { ModelChoice::Auto };
        let report = dedupe(&records, &DedupeOptions { threshold, model: choice, ..Default::default() }, progress);
        let (model, freq) = (&report.model, Frequencies::of(&records));
        // Each member of a cluster with its cluster's first record: a
        // reviewer decides one pair at a time, and a chain of merges joins the rest.
        let mut pairs = Vec::new();
        for (i, &root) in report.clusters.iter().enumerate() {
            let root = root as usize;
            if root != i {
                let score = model.score(&compare(&records[root], &records[i]), &records[root], &records[i], Some(&freq));
                pairs.push((persons[root].id, persons[i].id, (score.probability() * 1000.0).round() as i64));
            }
        }
        let mut tx = self.db.begin().await?;
        let now = Timestamp::now();
        let new_pairs = store::add_pairs(&mut tx, &pairs, now).await?;
        let source = match model.source {
            ModelSource::Configured => "configured",
            ModelSource::Estimated => "estimated",
        };
        let kept =
            serde_json::to_string(model).map_err(|e| ServiceError::Operation(format!("the linkage model could not be kept: {e}")))?;
        store::save_model(&mut tx, source, records.len(), &kept, now).await?;
        let changes = json!({"persons": [null, records.len()], "pairs": [null, pairs.len()], "new_pairs": [null, new_pairs], "threshold": [null, threshold], "model": [null, source]});
        audit::record(&mut tx, None, "duplicate.find", "duplicates".into(), None, changes).await?;
        tx.commit().await?;
        Ok(FoundDuplicates { persons: records.len(), pairs: pairs.len(), new_pairs })
    }
}
