//! `dmsctl destroy`: remove everything the stack owns, in reverse dependency order, stopping
//! running replications first. An apply towards the same stack with nothing in it, so it
//! shows, confirms and reports exactly like `apply`. IAM roles and log groups stay: the roles
//! are shared by the account, the log groups hold the history.

use std::process::ExitCode;
use std::sync::Arc;

use super::apply::{drive, Session, Verb};
use crate::apply;
use crate::cli::{DestroyArgs, Global};
use crate::model::Desired;

pub fn run(global: &Global, args: &DestroyArgs) -> anyhow::Result<ExitCode> {
    let (spec, source) = super::load_spec(global)?;
    let nothing = apply::nothing(&Desired::from_spec(&spec));
    let session = Session {
        global,
        verb: Verb::Destroy,
        desired: &nothing,
        spec_text: &source.text,
        saved: None,
        auto_approve: args.auto_approve,
        // Confirming a destroy (or --auto-approve) is the explicit permission: the prompt says
        // so.
        allow_destroy: true,
        options: apply::Options {
            timeout: args.timeout,
            ..apply::Options::default()
        },
    };
    let rt = super::runtime()?;
    rt.block_on(async {
        let cloud = Arc::new(super::connect(global, &spec).await?);
        let code = drive(cloud.clone(), session).await;
        super::report_calls(global, cloud.as_ref())?;
        code
    })
}
