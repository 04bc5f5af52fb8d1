//! One place that turns every AWS SDK failure into a [`CloudError`] of a small [`ErrorKind`].
//!
//! The planner and executor act on the kind (retry later, treat as absent, stop and ask for
//! credentials); the message is AWS's own text so users can search for it. SDK error `Display`
//! impls never print credentials, and the request (which may carry a password) is never
//! formatted here.

use std::error::Error as StdError;

use aws_sdk_databasemigration::config::http::HttpResponse;
use aws_sdk_databasemigration::error::{ProvideErrorMetadata, SdkError};

use crate::cloud::{CloudError, ErrorKind};

/// Maps any SDK error (of any of the three services) to a [`CloudError`] for `operation`.
pub(crate) fn cloud_error<E>(operation: &str, err: &SdkError<E, HttpResponse>) -> CloudError
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let display = e.to_string();
            // A modeled error always has its code in the metadata when it was parsed from a
            // response; one built in code (tests, mocks) only names its shape at the start of
            // its Display ("ResourceNotFoundFault: ...").
            let code = e
                .code()
                .or_else(|| display.split(':').next().filter(|s| !s.contains(' ')));
            let message = match e.message() {
                Some(m) => m.to_string(),
                None => code
                    .and_then(|c| display.strip_prefix(c))
                    .map(|rest| rest.trim_start_matches(':').trim())
                    .filter(|rest| !rest.is_empty())
                    .unwrap_or(&display)
                    .to_string(),
            };
            CloudError {
                kind: classify(code, status, ""),
                operation: operation.to_string(),
                message,
            }
        }
        // Dispatch, construction, timeout and unparseable-response errors carry no AWS code:
        // the whole source chain is the only explanation (e.g. "no providers in chain provided
        // credentials"), so it is the message.
        other => {
            let chain = source_chain(other);
            CloudError {
                kind: classify(other.code(), status, &chain),
                operation: operation.to_string(),
                message: chain,
            }
        }
    }
}

/// `outer: inner: innermost`, each error's `Display` once (the SDK's `DisplayErrorContext`
/// appends a `Debug` dump of the whole tree, too noisy for a terminal).
fn source_chain(err: &(dyn StdError + 'static)) -> String {
    let mut text = without_request_dump(&err.to_string());
    let mut next = err.source();
    while let Some(e) = next {
        text.push_str(": ");
        text.push_str(&without_request_dump(&e.to_string()));
        next = e.source();
    }
    text
}

/// Some SDK errors quote the whole request they could not send (`failed to apply endpoint
/// `x` to request `Request { body: … }``), body included, and a body can carry a password:
/// the quote is cut.
fn without_request_dump(text: &str) -> String {
    const MARK: &str = " to request `Request {";
    match (text.find(MARK), text.rfind("}`")) {
        (Some(start), Some(end)) if end > start => {
            format!("{}{}", &text[..start], &text[end + 2..])
        }
        (Some(start), _) => text[..start].to_string(),
        _ => text.to_string(),
    }
}

/// The kind of a failure from its AWS error code, HTTP status and (for errors without a code)
/// the text of its source chain.
pub(crate) fn classify(code: Option<&str>, status: Option<u16>, chain: &str) -> ErrorKind {
    if let Some(code) = code {
        match code {
            // `ResourceNotFound`: CloudWatch's DeleteAlarms for a name it does not know.
            "ResourceNotFoundFault"
            | "ResourceNotFoundException"
            | "ResourceNotFound"
            | "NoSuchEntity"
            | "NoSuchEntityException" => return ErrorKind::NotFound,
            "ResourceAlreadyExistsFault"
            | "ResourceAlreadyExistsException"
            | "EntityAlreadyExists"
            | "EntityAlreadyExistsException" => return ErrorKind::AlreadyExists,
            "InvalidResourceStateFault" => return ErrorKind::InvalidState,
            "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "TooManyRequestsException"
            | "RequestLimitExceeded"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "SlowDown"
            | "ProvisionedThroughputExceededException"
            | "BandwidthLimitExceeded" => return ErrorKind::Throttled,
            "UnrecognizedClientException"
            | "ExpiredToken"
            | "ExpiredTokenException"
            | "InvalidClientTokenId"
            | "SignatureDoesNotMatch"
            | "InvalidSignatureException"
            | "MissingAuthenticationToken"
            | "IncompleteSignature"
            | "AuthFailure" => return ErrorKind::Denied,
            // AccessDenied, AccessDeniedException, AccessDeniedFault, KMSAccessDeniedFault, ...
            c if c.contains("AccessDenied") => return ErrorKind::Denied,
            _ => {}
        }
    }
    if status == Some(429) {
        return ErrorKind::Throttled;
    }
    if status.is_some_and(|s| s >= 500)
        || matches!(
            code,
            Some("InternalFailure" | "InternalError" | "ServiceUnavailable" | "RequestTimeout")
        )
    {
        return ErrorKind::Unavailable;
    }
    if code.is_none() {
        // Credential resolution fails before anything is sent; the SDK reports it as a
        // dispatch failure whose chain mentions the credentials provider or identity.
        let lower = chain.to_ascii_lowercase();
        if lower.contains("credential") || lower.contains("resolve identity") {
            return ErrorKind::Denied;
        }
        // No answer at all: a timeout or a connection that failed or dropped.
        if status.is_none()
            && [
                "timeout",
                "timed out",
                "connection",
                "dispatch failure",
                "io error",
            ]
            .iter()
            .any(|w| lower.contains(w))
        {
            return ErrorKind::Unavailable;
        }
    }
    ErrorKind::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_dumps_are_cut_from_messages() {
        let sdk = "failed to apply endpoint `foo` to request `Request { body: SdkBody { inner: \
                   Once(Some(b\"Action=X&Password=p`w}\")) }, uri: Uri { as_string: \"/\" } }`: \
                   endpoint must contain scheme";
        assert_eq!(
            without_request_dump(sdk),
            "failed to apply endpoint `foo`: endpoint must contain scheme"
        );
        assert_eq!(without_request_dump("x to request `Request { y"), "x");
        assert_eq!(without_request_dump("plain"), "plain");
    }

    #[test]
    fn codes_map_to_kinds() {
        let cases = [
            ("ResourceNotFoundFault", ErrorKind::NotFound),
            ("NoSuchEntity", ErrorKind::NotFound),
            ("ResourceAlreadyExistsFault", ErrorKind::AlreadyExists),
            ("EntityAlreadyExists", ErrorKind::AlreadyExists),
            ("InvalidResourceStateFault", ErrorKind::InvalidState),
            ("ThrottlingException", ErrorKind::Throttled),
            ("Throttling", ErrorKind::Throttled),
            ("RequestLimitExceeded", ErrorKind::Throttled),
            ("TooManyRequestsException", ErrorKind::Throttled),
            ("AccessDeniedFault", ErrorKind::Denied),
            ("AccessDenied", ErrorKind::Denied),
            ("UnrecognizedClientException", ErrorKind::Denied),
            ("ExpiredToken", ErrorKind::Denied),
            ("InvalidClientTokenId", ErrorKind::Denied),
            ("InvalidParameterValueException", ErrorKind::Other),
        ];
        for (code, kind) in cases {
            assert_eq!(classify(Some(code), Some(400), ""), kind, "{code}");
        }
    }

    #[test]
    fn status_and_chain_without_code() {
        assert_eq!(classify(None, Some(429), ""), ErrorKind::Throttled);
        assert_eq!(
            classify(
                None,
                None,
                "dispatch failure: other: no providers in chain provided credentials"
            ),
            ErrorKind::Denied
        );
        // No answer: worth asking again, as a 5xx is.
        assert_eq!(
            classify(None, None, "io error: connection refused"),
            ErrorKind::Unavailable
        );
        assert_eq!(
            classify(Some("InternalFailure"), Some(500), ""),
            ErrorKind::Unavailable
        );
        assert_eq!(classify(None, Some(503), ""), ErrorKind::Unavailable);
        assert_eq!(
            classify(Some("ValidationException"), Some(400), ""),
            ErrorKind::Other
        );
    }
}
