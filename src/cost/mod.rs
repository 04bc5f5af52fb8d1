//! Monthly cost of a spec: dated price catalog, estimate, compare.
//!
//! A pure core: `catalog` reads prices (the built-in, dated catalog or a user's file),
//! [`estimate`](mod@estimate) turns a spec and prices into a [`CostReport`], and [`render`] / [`html`] write
//! that report as table, JSON, Markdown or HTML. Nothing here touches the network or AWS.

pub mod actual;
pub(crate) mod catalog;
pub(crate) mod diff;
pub mod estimate;
pub mod html;
pub mod observed;
pub mod pricelist;
pub mod render;

pub use catalog::{Catalog, PricePair, RegionPrices};
pub use estimate::{
    estimate, resolve_region, Comparison, CostReport, LineItem, ModeCost, Money, Options,
};

/// Everything that can go wrong while pricing a spec.
#[derive(Debug, thiserror::Error)]
pub enum CostError {
    /// The `--prices` file could not be read.
    #[error("cannot read the price catalog `{path}`")]
    Read {
        path: String,
        #[source]
        source: crate::input::ReadError,
    },
    /// The catalog is not valid YAML or does not have the catalog's shape.
    #[error("{origin}:{line}:{column}: invalid price catalog: {message}")]
    Parse {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The catalog parsed but holds a figure no price can have, or no location is known.
    #[error("{origin}: invalid price catalog: {message}")]
    Invalid { origin: String, message: String },
    /// Neither `--region` nor the spec names a region.
    #[error("no region to price: pass --region or set `region` in {spec}")]
    NoRegion { spec: String },
    /// The catalog has no prices for the region.
    #[error(
        "no prices for region `{region}` in {origin} (it prices {known}); choose one of those \
         with --region, or pass a catalog that prices `{region}` with --prices FILE"
    )]
    UnknownRegion {
        region: String,
        origin: String,
        known: String,
    },
    /// The catalog has no hourly price for an instance class in the region.
    #[error(
        "no price for instance class `{class}` in region `{region}` in {origin} (it prices \
         {known}); use one of those, or pass a catalog that prices `{class}` with --prices FILE"
    )]
    UnknownClass {
        class: String,
        region: String,
        origin: String,
        known: String,
    },
    /// The catalog prices the region but not this item.
    #[error(
        "no {what} for region `{region}` in {origin}; pass a catalog that has one with --prices FILE"
    )]
    MissingPrice {
        what: &'static str,
        region: String,
        origin: String,
    },
    /// The AWS Price List API could not be read or its answer not used.
    #[error("{0}")]
    PriceList(String),
    /// A command-line figure that cannot be priced.
    #[error("{flag} must be a positive number, not {value}")]
    BadArgument { flag: &'static str, value: f64 },
}
