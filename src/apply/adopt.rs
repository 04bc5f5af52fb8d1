//! `adopt`'s one change: give resources made by hand the stack's ownership tags, all at once.

use crate::cloud::CloudWrite;
use crate::plan::adopt::Adoption;

/// What tagging came to: the adoptions that took, and those that failed with AWS's error
/// (and the hint for credentials or throttling).
#[derive(Debug, Default)]
pub struct Adopted<'a> {
    pub adopted: Vec<&'a Adoption>,
    pub failed: Vec<(&'a Adoption, String)>,
}

/// Tags every adoption's resource (one `AddTagsToResource` each, concurrently); one that
/// fails leaves the others be.
pub async fn adopt<'a, C: CloudWrite>(cloud: &C, adoptable: &'a [Adoption]) -> Adopted<'a> {
    let results =
        futures_util::future::join_all(adoptable.iter().map(|a| cloud.add_tags(&a.arn, &a.tags)))
            .await;
    let mut out = Adopted::default();
    for (a, result) in adoptable.iter().zip(results) {
        match result {
            Ok(()) => out.adopted.push(a),
            Err(e) => out.failed.push((a, e.with_hint())),
        }
    }
    out
}
