//! The AWS SDK implementation of `crate::cloud::Cloud`: the only module that names `aws_sdk_*`.
