//! Kafka's SASL password kept in AWS Secrets Manager: `apply` reads it (DMS cannot) and sends
//! it, through the real binary and SDK on the emulator, and never prints it.

mod common;

use std::process::Output;

use aws_sdk_databasemigration as dms;
use aws_sdk_secretsmanager as sm;

use common::emulator::{shared, Emulator};

const SASL_PASSWORD: &str = "kafka-sasl-secret-0xC0FFEE";
const DB_PASSWORD: &str = "invoices-db-secret-value";

fn dmsctl(emu: &Emulator, args: &[&str]) -> Output {
    let out = emu
        .dmsctl()
        .args(args)
        .env("INVOICES_DB_PASSWORD", DB_PASSWORD)
        .env_remove("MSK_SASL_PASSWORD")
        .output()
        .expect("dmsctl runs");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !all.contains(SASL_PASSWORD) && !all.contains(DB_PASSWORD),
        "a secret was printed:\n{all}"
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_sasl_password_comes_from_secrets_manager() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.reset(&["dms", "logs", "secretsmanager"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("dmsctl.yaml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/kafka-target.yaml"
    ))
    .expect("example");
    let edited = text.replace(
        "sasl_password: { env: MSK_SASL_PASSWORD }",
        "sasl_password: { secrets_manager: { secret_id: msk/dms, access_role_arn: 'arn:aws:iam::123456789012:role/unused' } }",
    );
    assert_ne!(edited, text, "the example names MSK_SASL_PASSWORD");
    std::fs::write(&spec, edited).expect("write spec");
    let spec = spec.to_str().expect("utf-8");

    // Not stored yet: apply refuses before touching anything, naming the secret.
    let out = dmsctl(emu, &["apply", "-f", spec, "--auto-approve", "-vvv"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("endpoint `events`: cannot read KafkaSettings.SaslPassword from AWS Secrets Manager secret `msk/dms`"),
        "{err}"
    );
    let calls = emu.calls();
    assert!(
        calls.keys().all(|k| !k.contains(":Create")),
        "nothing created: {calls:?}"
    );

    let config = emu.sdk_config("eu-central-1").await;
    sm::Client::new(&config)
        .create_secret()
        .name("msk/dms")
        .secret_string(format!(
            r#"{{"username": "dms", "password": "{SASL_PASSWORD}"}}"#
        ))
        .send()
        .await
        .expect("create secret");

    emu.reset_calls();
    let out = dmsctl(emu, &["apply", "-f", spec, "--auto-approve", "-vvv"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(emu.calls().get("secretsmanager:GetSecretValue"), Some(&1));

    // The emulator keeps what was sent (AWS would not return it): the password arrived.
    let endpoints = dms::Client::new(&config)
        .describe_endpoints()
        .send()
        .await
        .expect("endpoints")
        .endpoints
        .unwrap_or_default();
    let kafka = endpoints
        .iter()
        .find(|e| e.endpoint_identifier.as_deref() == Some("invoices-to-kafka-events"))
        .and_then(|e| e.kafka_settings.clone())
        .expect("the kafka endpoint");
    assert_eq!(kafka.sasl_password.as_deref(), Some(SASL_PASSWORD));

    let out = dmsctl(emu, &["destroy", "-f", spec, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0));
}
