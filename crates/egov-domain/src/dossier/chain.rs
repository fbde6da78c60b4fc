//! The hash chain of the dossier audit log (nhật ký): each entry carries the
//! hash of the one before, so an edited, removed or reordered entry breaks
//! the chain. The head (last sequence number and hash) is kept apart, so a
//! removed tail is detected too.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The content of one audit entry, as hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainContent {
    /// RFC 3339 instant.
    pub at: String,
    /// Acting account id, or "system".
    pub actor: String,
    /// The dossier code.
    pub subject: String,
    /// The transition (`accept`, `approve`…) or `submit`.
    pub action: String,
    /// Canonical JSON of the details (serde_json::Value keeps map keys sorted).
    pub detail: String,
}

/// One stored entry of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainEntry {
    /// 1, 2, 3… without gaps.
    pub seq: i64,
    pub content: ChainContent,
    pub prev_hash: String,
    pub hash: String,
}

impl ChainEntry {
    /// The entry after `prev` (None for the first).
    pub fn next(prev: Option<(i64, &str)>, content: ChainContent) -> Self {
        let (seq, prev_hash) = match prev {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS.to_owned()),
        };
        let hash = entry_hash(seq, &prev_hash, &content);
        Self {
            seq,
            content,
            prev_hash,
            hash,
        }
    }
}

/// SHA-256 over the sequence number, the previous hash and every field,
/// each length-prefixed so no two contents hash alike by shifting bytes.
pub fn entry_hash(seq: i64, prev_hash: &str, content: &ChainContent) -> String {
    let mut hasher = Sha256::new();
    hasher.update(seq.to_be_bytes());
    for part in [
        prev_hash,
        &content.at,
        &content.actor,
        &content.subject,
        &content.action,
        &content.detail,
    ] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBroken {
    #[error(
        "entry {seq}: expected sequence number {expected} (an entry was removed or reordered)"
    )]
    Gap { seq: i64, expected: i64 },
    #[error("entry {seq}: does not follow the entry before it (removed or reordered)")]
    Link { seq: i64 },
    #[error("entry {seq}: its content does not match its hash (edited)")]
    Content { seq: i64 },
    #[error(
        "the chain ends at entry {last} but its head says {head} (entries removed at the end)"
    )]
    Head { last: i64, head: i64 },
    #[error("the last entry's hash does not match the recorded head")]
    HeadHash,
}

/// Checks entries in order, continuing from `prev` (None at the start), and
/// returns the last (seq, hash) seen, to continue with the next batch.
pub fn verify_batch(
    prev: Option<(i64, String)>,
    entries: &[ChainEntry],
) -> Result<Option<(i64, String)>, ChainBroken> {
    let mut prev = prev;
    for entry in entries {
        let (expected, prev_hash) = match &prev {
            Some((seq, hash)) => (seq + 1, hash.as_str()),
            None => (1, GENESIS),
        };
        if entry.seq != expected {
            return Err(ChainBroken::Gap {
                seq: entry.seq,
                expected,
            });
        }
        if entry.prev_hash != prev_hash {
            return Err(ChainBroken::Link { seq: entry.seq });
        }
        if entry_hash(entry.seq, &entry.prev_hash, &entry.content) != entry.hash {
            return Err(ChainBroken::Content { seq: entry.seq });
        }
        prev = Some((entry.seq, entry.hash.clone()));
    }
    Ok(prev)
}

/// Checks the end of the chain against the recorded head.
pub fn verify_head(
    last: Option<(i64, String)>,
    head: Option<(i64, String)>,
) -> Result<(), ChainBroken> {
    let (last_seq, last_hash) = last.unwrap_or((0, GENESIS.to_owned()));
    let (head_seq, head_hash) = head.unwrap_or((0, GENESIS.to_owned()));
    if last_seq != head_seq {
        return Err(ChainBroken::Head {
            last: last_seq,
            head: head_seq,
        });
    }
    if last_hash != head_hash {
        return Err(ChainBroken::HeadHash);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(n: u32) -> ChainContent {
        ChainContent {
            at: format!("2026-11-23T10:00:{n:02}Z"),
            actor: "acc-1".into(),
            subject: "000.00.00.H01-261123-0001".into(),
            action: "accept".into(),
            detail: format!("{{\"n\":{n}}}"),
        }
    }

    fn chain(n: u32) -> Vec<ChainEntry> {
        let mut out: Vec<ChainEntry> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|e| (e.seq, e.hash.as_str()));
            let entry = ChainEntry::next(prev, content(i));
            out.push(entry);
        }
        out
    }

    fn head(entries: &[ChainEntry]) -> Option<(i64, String)> {
        entries.last().map(|e| (e.seq, e.hash.clone()))
    }

    fn verify(entries: &[ChainEntry], head: Option<(i64, String)>) -> Result<(), ChainBroken> {
        let last = verify_batch(None, entries)?;
        verify_head(last, head)
    }

    #[test]
    fn an_intact_chain_verifies_in_one_batch_or_several() {
        let entries = chain(5);
        assert_eq!(verify(&entries, head(&entries)), Ok(()));
        let middle = verify_batch(None, &entries[..2]).unwrap();
        let last = verify_batch(middle, &entries[2..]).unwrap();
        assert_eq!(verify_head(last, head(&entries)), Ok(()));
        assert_eq!(verify(&[], None), Ok(()));
    }

    #[test]
    fn an_edited_entry_is_detected() {
        let mut entries = chain(5);
        let h = head(&entries);
        entries[2].content.detail = "{\"n\":99}".into();
        assert_eq!(verify(&entries, h), Err(ChainBroken::Content { seq: 3 }));
    }

    #[test]
    fn an_edit_with_a_recomputed_hash_breaks_the_next_link() {
        let mut entries = chain(5);
        let h = head(&entries);
        entries[2].content.actor = "someone-else".into();
        entries[2].hash = entry_hash(3, &entries[2].prev_hash, &entries[2].content);
        assert_eq!(verify(&entries, h), Err(ChainBroken::Link { seq: 4 }));
    }

    #[test]
    fn a_removed_entry_is_detected() {
        let mut entries = chain(5);
        let h = head(&entries);
        entries.remove(1);
        assert_eq!(
            verify(&entries, h),
            Err(ChainBroken::Gap {
                seq: 3,
                expected: 2
            })
        );
    }

    #[test]
    fn reordered_entries_are_detected() {
        let mut entries = chain(5);
        let h = head(&entries);
        entries.swap(1, 2);
        assert!(verify(&entries, h).is_err());
        // Even with the sequence numbers swapped back into order.
        let mut entries = chain(5);
        let h = head(&entries);
        let (a, b) = (entries[1].clone(), entries[2].clone());
        entries[1] = ChainEntry { seq: 2, ..b };
        entries[2] = ChainEntry { seq: 3, ..a };
        assert!(verify(&entries, h).is_err());
    }

    #[test]
    fn a_removed_tail_is_detected_by_the_head() {
        let mut entries = chain(5);
        let h = head(&entries);
        entries.pop();
        assert_eq!(
            verify(&entries, h),
            Err(ChainBroken::Head { last: 4, head: 5 })
        );
    }
}
