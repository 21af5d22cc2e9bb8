//! `revita user`: accounts, roles and jurisdictions from the command line.

use super::{now, open};
use anyhow::Context;

pub(super) async fn user(args: crate::cli::UserArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    match args.action {
        crate::cli::UserAction::Create { name, role, scope } => {
            let role = revita_methods::access::Role::parse(&role)
                .with_context(|| format!("--role '{role}' is not admin, planner, data_entry, viewer or auditor"))?;
            let grant = revita_methods::access::Grant { role, scope: app.parse_region_code(&scope)? };
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("cannot read the password from standard input")?;
            let origin = revita_app::auth::Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
            app.create_user(None, &name, password.trim_end_matches(['\n', '\r']), &[grant], &origin).await?;
            outln!("created user {name} ({role} @ {scope})");
            Ok(())
        }
        crate::cli::UserAction::Token { name, label, days } => {
            let actor = app.actor_named(&name).await?;
            let origin = revita_app::auth::Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
            let (secret, _) = app.create_api_token(&actor, &label, days, &origin).await?;
            outln!("{secret}");
            Ok(())
        }
    }
}
