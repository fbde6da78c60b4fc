//! Checking the dossier audit log (nhật ký): the whole hash chain, walked in
//! batches, then its end against the recorded head.

use egov_domain::dossier::chain::{verify_batch, verify_head};

use super::{AuditReport, Dossiers};
use crate::AppError;

/// Entries read per round trip.
const BATCH: u32 = 1000;

impl Dossiers {
    /// Walks the whole chain; Err names the first broken entry.
    pub async fn verify_audit(&self) -> Result<AuditReport, AppError> {
        let broken = |e: egov_domain::dossier::chain::ChainBroken| {
            AppError::Storage(format!("the audit chain is broken: {e}"))
        };
        let mut last: Option<(i64, String)> = None;
        let mut entries = 0i64;
        loop {
            let after = last.as_ref().map_or(0, |(seq, _)| *seq);
            let batch = self.store.chain_entries(after, BATCH).await?;
            let count = batch.len();
            if count == 0 {
                break;
            }
            last = verify_batch(last, &batch).map_err(broken)?;
            entries += count as i64;
            if count < BATCH as usize {
                break;
            }
        }
        let head = self.store.chain_head().await?;
        verify_head(last.clone(), head).map_err(broken)?;
        Ok(AuditReport {
            entries,
            head_hash: last.map(|(_, hash)| hash),
        })
    }
}
