//! `revita audit`: the audit log, its CSV export and the check of its hash chain.

use super::open;
use anyhow::bail;

/// `revita audit verify`: recomputes the audit log's hash chain.
pub(super) async fn audit(args: crate::cli::AuditArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    match args.action {
        crate::cli::AuditAction::Verify { json } => {
            let chain = app.verify_audit_chain().await?;
            if json {
                let value = serde_json::json!({"rows": chain.rows, "unchained": chain.unchained, "head": chain.head,
                    "broken_at": chain.broken_at.as_ref().map(|(id, why)| serde_json::json!({"id": id, "reason": why}))});
                outln!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                outln!("{} audit entries; {} written before the chain began", chain.rows, chain.unchained);
                if let Some(head) = &chain.head {
                    outln!("head {head}");
                }
            }
            match chain.broken_at {
                None => {
                    if !json {
                        outln!("the chain is intact");
                    }
                    Ok(())
                }
                Some((id, why)) => bail!("the audit log was tampered with at entry {id}: {why}"),
            }
        }
    }
}
