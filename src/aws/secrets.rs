//! Secrets Manager reads: the values of secrets dmsctl sends to DMS itself (Kafka's SASL
//! password), where DMS offers no Secrets Manager setting of its own.

use aws_sdk_secretsmanager as sm;

use super::errors::cloud_error;
use crate::cloud::{CloudError, ErrorKind, SecretValue};

/// The `SecretString` of `secret_id` (name or ARN), current version.
pub(crate) async fn secret_value(
    client: &sm::Client,
    secret_id: &str,
) -> Result<SecretValue, CloudError> {
    let out = client
        .get_secret_value()
        .secret_id(secret_id)
        .send()
        .await
        .map_err(|e| cloud_error("GetSecretValue", &e))?;
    // Registered for masking the moment it exists (SecretValue::new).
    match out.secret_string {
        Some(s) => Ok(SecretValue::new(s)),
        None => Err(CloudError {
            kind: ErrorKind::Other,
            operation: "GetSecretValue".into(),
            message: format!("secret `{secret_id}` holds binary data, not a string"),
        }),
    }
}
