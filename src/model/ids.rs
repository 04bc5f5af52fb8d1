//! Identifiers: the names a spec may use and the AWS identifiers derived from them.

/// Kinds of resources whose identifiers dmsctl derives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Endpoint,
    Replication,
    Instance,
    SubnetGroup,
    Certificate,
    EventSubscription,
}

impl IdKind {
    pub fn noun(self) -> &'static str {
        match self {
            IdKind::Endpoint => "endpoint",
            IdKind::Replication => "replication",
            IdKind::Instance => "replication instance",
            IdKind::SubnetGroup => "subnet group",
            IdKind::Certificate => "certificate",
            IdKind::EventSubscription => "event subscription",
        }
    }

    /// AWS's rules for the identifier of this kind of resource.
    pub fn validate(self, id: &str) -> Result<(), String> {
        if self == IdKind::SubnetGroup {
            if id.is_empty() || id.len() > 255 {
                return Err("it must have 1 to 255 characters".into());
            }
            if !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " ._-".contains(c))
            {
                return Err("use letters, digits, periods, underscores, spaces and hyphens".into());
            }
            if id.eq_ignore_ascii_case("default") {
                return Err("`default` is reserved".into());
            }
            return Ok(());
        }
        let max = if self == IdKind::Instance { 63 } else { 255 };
        if id.is_empty() {
            return Err("it is empty".into());
        }
        if id.len() > max {
            return Err(format!(
                "it has {} characters, at most {max} are allowed",
                id.len()
            ));
        }
        if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err("it must start with a letter".into());
        }
        if let Some(bad) = id
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(format!(
                "`{bad}` is not allowed; use letters, digits and hyphens"
            ));
        }
        if id.contains("--") {
            return Err("it contains two hyphens in a row".into());
        }
        if id.ends_with('-') {
            return Err("it ends with a hyphen".into());
        }
        Ok(())
    }
}

/// `<stack>-<name>` in lowercase, unless the resource sets its own identifier.
pub fn derived_id(stack: &str, name: &str, explicit: Option<&str>) -> String {
    match explicit {
        Some(id) => id.to_string(),
        None => format!("{stack}-{name}").to_lowercase(),
    }
}

/// Whether `name` can be a logical name: lowercase letters, digits and single hyphens, starting
/// with a letter.
pub fn is_name(name: &str) -> bool {
    name_shape(name).is_ok()
}

/// The rule for a stack's name: a logical name of at most 40 characters.
pub fn stack_name(s: &str) -> Result<(), String> {
    name_shape(s)?;
    if s.len() > 40 {
        return Err("it has more than 40 characters".into());
    }
    Ok(())
}

/// Lowercase letters, digits and single hyphens, starting with a letter.
fn name_shape(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("it is empty".into());
    }
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("it must start with a lowercase letter".into());
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err("use lowercase letters, digits and hyphens".into());
    }
    if s.contains("--") || s.ends_with('-') {
        return Err("no two hyphens in a row and no trailing hyphen".into());
    }
    Ok(())
}
