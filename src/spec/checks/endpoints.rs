//! Endpoints: engines and their settings, Kafka and S3 targets, secrets, ARNs.

use super::*;

impl Checker<'_> {
    pub(super) fn endpoints(&mut self) {
        let mut used = BTreeSet::new();
        for r in self.spec.replications.values() {
            used.insert(r.source.as_str());
            used.insert(r.target.as_str());
        }
        // An unused endpoint next to an unresolved reference is most likely its misspelling,
        // which is reported already.
        let all_resolve = used.iter().all(|u| self.spec.endpoints.contains_key(*u));
        for (name, e) in &self.spec.endpoints {
            let at = |f: &[&str]| ptr(&[&["endpoints", name.as_str()], f].concat());
            let engine = e.engine.dms_name();
            if e.role == EndpointRole::Source && e.engine.target_only() {
                self.error(
                    "engine-role",
                    at(&["role"]),
                    format!("`{engine}` endpoints can only be targets"),
                );
            }
            self.connection(name, e);
            if let Some(arn) = &e.certificate_arn {
                self.arn(at(&["certificate_arn"]), arn, "dms");
            }
            if let Some(c) = &e.certificate {
                self.reference(
                    at(&["certificate"]),
                    "certificate",
                    c,
                    &self.spec.certificates,
                );
                if e.certificate_arn.is_some() {
                    self.error(
                        "invalid-value",
                        at(&["certificate"]),
                        "`certificate` and `certificate_arn` cannot both be set: name the spec's \
                         certificate or give an ARN"
                            .into(),
                    );
                }
            }
            if let Some(pw) = &e.password {
                self.secret(at(&["password"]), pw);
            }
            for (k, v) in &e.extra_connection_attributes {
                if k.is_empty() || k.contains([';', '=']) || v.to_string().contains(';') {
                    self.error("invalid-value", at(&["extra_connection_attributes", k]), format!("extra connection attribute `{k}` cannot contain `;` or `=` in its name or `;` in its value"));
                }
            }
            self.engine_blocks(name, e);
            self.tags(&e.tags, &["endpoints", name, "tags"]);
            if !used.contains(name.as_str()) && all_resolve {
                self.warning_key(
                    "unused",
                    at(&[]),
                    format!("endpoint `{name}` is not used by any replication"),
                );
            }
        }
    }

    /// Where and how a database endpoint connects; other engines take none of it.
    fn connection(&mut self, name: &str, e: &Endpoint) {
        let at = |f: &[&str]| ptr(&[&["endpoints", name], f].concat());
        let engine = e.engine.dms_name();
        if e.engine.is_database() {
            let via_secret = matches!(e.password, Some(SecretRef::SecretsManager(_)));
            if !via_secret {
                for (field, present) in [
                    ("host", e.host.is_some()),
                    ("username", e.username.is_some()),
                    ("password", e.password.is_some()),
                ] {
                    if !present {
                        self.error_key("missing-field", at(&[]), format!("endpoint `{name}` ({engine}) needs `{field}`"))
                            .help = Some("or give `password: { secrets_manager: ... }`, whose secret holds host, port, user and password".into());
                    }
                }
            }
            if e.engine.needs_database() && e.database.is_none() {
                self.error_key(
                    "missing-field",
                    at(&[]),
                    format!("endpoint `{name}` ({engine}) needs `database`"),
                );
            }
            if let Some(port) = e.port {
                if !(1..=65535).contains(&port) {
                    self.error(
                        "invalid-port",
                        at(&["port"]),
                        format!("port {port} is outside 1–65535"),
                    );
                }
            }
            if matches!(e.ssl_mode, Some(SslMode::VerifyCa | SslMode::VerifyFull))
                && e.certificate_arn.is_none()
                && e.certificate.is_none()
            {
                self.error(
                    "missing-field",
                    at(&["ssl_mode"]),
                    format!(
                        "ssl_mode `{}` needs `certificate` or `certificate_arn`",
                        e.ssl_mode.map_or("", SslMode::dms_name)
                    ),
                );
            }
        } else {
            for (field, present) in [
                ("host", e.host.is_some()),
                ("port", e.port.is_some()),
                ("database", e.database.is_some()),
                ("username", e.username.is_some()),
                ("password", e.password.is_some()),
                ("ssl_mode", e.ssl_mode.is_some()),
            ] {
                if present {
                    self.error_key(
                        "unused-field",
                        at(&[field]),
                        format!("`{field}` does not apply to `{engine}` endpoints"),
                    );
                }
            }
        }
    }

    /// The `kafka` and `s3` blocks: each on its own engine, and only there.
    fn engine_blocks(&mut self, name: &str, e: &Endpoint) {
        let at = |f: &[&str]| ptr(&[&["endpoints", name], f].concat());
        let engine = e.engine.dms_name();
        match (e.engine, &e.kafka) {
            (Engine::Kafka, Some(k)) => self.kafka(name, k),
            (Engine::Kafka, None) => {
                self.error_key(
                    "missing-field",
                    at(&[]),
                    format!(
                        "kafka endpoint `{name}` needs a `kafka` block with at least `brokers`"
                    ),
                );
            }
            (_, Some(_)) => {
                self.error_key(
                    "unused-field",
                    at(&["kafka"]),
                    format!("`kafka` settings on a `{engine}` endpoint"),
                )
                .help = Some("set `engine: kafka` or remove the block".into());
            }
            _ => {}
        }
        match (e.engine, &e.s3) {
            (Engine::S3, Some(s3)) => self.arn(
                at(&["s3", "service_access_role_arn"]),
                &s3.service_access_role_arn,
                "iam",
            ),
            (Engine::S3, None) => {
                self.error_key(
                    "missing-field",
                    at(&[]),
                    format!("s3 endpoint `{name}` needs an `s3` block"),
                );
            }
            (_, Some(_)) => {
                self.error_key(
                    "unused-field",
                    at(&["s3"]),
                    format!("`s3` settings on a `{engine}` endpoint"),
                );
            }
            _ => {}
        }
    }

    pub(super) fn kafka(&mut self, name: &str, k: &KafkaSettings) {
        let at = |f: &[&str]| ptr(&[&["endpoints", name, "kafka"], f].concat());
        if k.brokers.is_empty() {
            self.error(
                "missing-field",
                at(&["brokers"]),
                format!("kafka endpoint `{name}` lists no broker"),
            );
        }
        for (i, b) in k.brokers.iter().enumerate() {
            let ok = b
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0));
            if !ok {
                self.error(
                    "invalid-broker",
                    at(&["brokers", &i.to_string()]),
                    format!("broker `{b}` is not `host:port`"),
                )
                .help =
                    Some("for example `b-1.cluster.kafka.eu-central-1.amazonaws.com:9096`".into());
            }
        }
        self.kafka_security(name, k);
        if let Some(p) = &k.sasl_password {
            self.secret(at(&["sasl_password"]), p);
        }
        if let Some(p) = &k.ssl_client_key_password {
            self.secret(at(&["ssl_client_key_password"]), p);
        }
        for (field, arn) in [
            ("ssl_ca_certificate_arn", &k.ssl_ca_certificate_arn),
            ("ssl_client_certificate_arn", &k.ssl_client_certificate_arn),
            ("ssl_client_key_arn", &k.ssl_client_key_arn),
        ] {
            if let Some(arn) = arn {
                self.arn(at(&[field]), arn, "");
            }
        }
        if let Some(m) = k.message_max_bytes {
            if m <= 0 {
                self.error(
                    "invalid-value",
                    at(&["message_max_bytes"]),
                    format!("message_max_bytes must be positive, found {m}"),
                );
            }
        }
    }

    /// What each Kafka `security_protocol` needs, and what only `sasl-ssl` takes.
    fn kafka_security(&mut self, name: &str, k: &KafkaSettings) {
        let at = |f: &[&str]| ptr(&[&["endpoints", name, "kafka"], f].concat());
        let protocol = k.security_protocol.unwrap_or(SecurityProtocol::Plaintext);
        if protocol == SecurityProtocol::SaslSsl {
            for (field, present) in [
                ("sasl_username", k.sasl_username.is_some()),
                ("sasl_password", k.sasl_password.is_some()),
            ] {
                if !present {
                    self.error(
                        "missing-field",
                        at(&["security_protocol"]),
                        format!("security_protocol `sasl-ssl` needs `{field}`"),
                    );
                }
            }
        } else {
            for (field, present) in [
                ("sasl_username", k.sasl_username.is_some()),
                ("sasl_password", k.sasl_password.is_some()),
                ("sasl_mechanism", k.sasl_mechanism.is_some()),
            ] {
                if present {
                    self.error_key(
                        "unused-field",
                        at(&[field]),
                        format!("`{field}` needs `security_protocol: sasl-ssl`"),
                    );
                }
            }
        }
        if protocol == SecurityProtocol::SslAuthentication {
            for (field, present) in [
                (
                    "ssl_client_certificate_arn",
                    k.ssl_client_certificate_arn.is_some(),
                ),
                ("ssl_client_key_arn", k.ssl_client_key_arn.is_some()),
            ] {
                if !present {
                    self.error(
                        "missing-field",
                        at(&["security_protocol"]),
                        format!("security_protocol `ssl-authentication` needs `{field}`"),
                    );
                }
            }
        }
    }

    pub(super) fn secret(&mut self, pointer: String, s: &SecretRef) {
        match s {
            SecretRef::Env(var) => {
                let p = child_pointer(&pointer, "env");
                if var.is_empty()
                    || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    || var.starts_with(|c: char| c.is_ascii_digit())
                {
                    self.error(
                        "invalid-value",
                        p,
                        format!("`{var}` is not an environment variable name"),
                    );
                } else if !(self.env_is_set)(var) {
                    self.warning(
                        "env-not-set",
                        p,
                        format!("environment variable `{var}` is not set"),
                    )
                    .help =
                        Some("it must be set when dmsctl creates or updates this endpoint".into());
                }
            }
            SecretRef::SecretsManager(sm) => {
                let p = child_pointer(&pointer, "secrets_manager");
                if sm.secret_id.is_empty() {
                    self.error(
                        "invalid-value",
                        child_pointer(&p, "secret_id"),
                        "`secret_id` is empty".into(),
                    );
                }
                self.arn(
                    child_pointer(&p, "access_role_arn"),
                    &sm.access_role_arn,
                    "iam",
                );
            }
        }
    }

    /// Checks the general ARN form and, when `service` is not empty, the service.
    pub(super) fn arn(&mut self, pointer: String, arn: &str, service: &str) {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let ok = parts.len() == 6
            && parts[0] == "arn"
            && parts[1].starts_with("aws")
            && !parts[2].is_empty()
            && (service.is_empty() || parts[2] == service)
            && !parts[5].is_empty();
        if !ok {
            let what = match service {
                "iam" => "an IAM role",
                "dms" => "a DMS certificate",
                "sns" => "an SNS topic",
                _ => "an",
            };
            let d = self.error("invalid-arn", pointer, format!("`{arn}` is not {what} ARN"));
            d.help = Some(match service {
                "iam" => "IAM role ARNs look like `arn:aws:iam::123456789012:role/name`".into(),
                "sns" => {
                    "SNS topic ARNs look like `arn:aws:sns:eu-central-1:123456789012:name`".into()
                }
                _ => "ARNs look like `arn:aws:<service>:<region>:<account>:<resource>`".into(),
            });
        }
    }
}
