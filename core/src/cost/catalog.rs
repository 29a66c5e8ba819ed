//! The price catalog: rows of real list prices, each with where it came from and when.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::catalog::Provider;
use crate::error::{Code, Error, ErrorKind, Finding, Result};

/// The largest unit price a catalog row may carry (USD). Keeps every product of usage, count and
/// price far inside the exact range of [`Decimal`].
pub const MAX_UNIT_PRICE: u32 = 100_000;

// `pricing/*.csv`, embedded compressed (see `crate::embedded`).
static AWS_CSV: &[u8] = crate::embedded::packed!("pricing-aws.csv");
static AZURE_CSV: &[u8] = crate::embedded::packed!("pricing-azure.csv");
static GCP_CSV: &[u8] = crate::embedded::packed!("pricing-gcp.csv");
static GCP_EXTRA_CSV: &[u8] = crate::embedded::packed!("pricing-gcp-extra.csv");

/// One price: what is sold (`sku`), where, in which unit, for how much, and the source of the
/// figure. Serialized with the price as a decimal string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceRow {
    /// `aws`, `azure` or `gcp`.
    pub provider: String,
    /// Region id (`us-east-1`, `westeurope`, `europe-west1`), or `*` for a price that is the same
    /// everywhere (global services, typical discount rates).
    pub region: String,
    /// The provider's service name (`AmazonEC2`, `Virtual Machines`, `Compute Engine`).
    pub service: String,
    /// The catalog key the estimator looks up, e.g. `ec2/t3.micro`, `ebs/gp3`, `vm/Standard_B2s`,
    /// `gce/e2-standard-2` (see `pricing/README.md` for every family).
    pub sku: String,
    /// The unit the price is per (`hour`, `GB-month`, `1M requests`, `fraction`, ...).
    pub unit: String,
    /// Price in USD per unit.
    #[serde(with = "decimal_text")]
    pub price_usd: Decimal,
    /// `on_demand` (default), `sud_month`, `commit_1y`, `commit_3y`, `spot`.
    #[serde(default = "on_demand")]
    pub purchase: String,
    /// Where the figure comes from (repository@commit and path, or the document).
    pub source: String,
    /// The source's own date where it states one, else the date the figure was copied here.
    #[serde(default)]
    pub date: String,
}

fn on_demand() -> String {
    "on_demand".to_string()
}

/// Reads prices written either as a JSON string (`"0.0104"`) or a JSON number (`0.0104`).
mod decimal_text {
    use std::str::FromStr;

    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.normalize().to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Text {
            S(String),
            N(serde_json::Number),
        }
        let text = match Text::deserialize(d)? {
            Text::S(s) => s,
            Text::N(n) => n.to_string(),
        };
        Decimal::from_str(text.trim())
            .or_else(|_| Decimal::from_scientific(text.trim()))
            .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a decimal number")))
    }
}

/// Summary of a catalog, stamped into every estimate so staleness is visible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogInfo {
    /// Number of price rows.
    pub rows: usize,
    /// The oldest and newest `date` among the rows (ISO dates sort as text).
    pub oldest_date: String,
    /// See `oldest_date`.
    pub newest_date: String,
}

/// A set of prices, indexed for lookup by provider, SKU, region and purchase option.
///
/// The built-in catalog ([`PriceCatalog::builtin`]) is parsed once per process and shared. A
/// caller may replace it ([`PriceCatalog::from_csv`], [`PriceCatalog::from_json`]) or extend it
/// ([`PriceCatalog::extend`]): a row with the same provider, region, SKU and purchase option
/// replaces the built-in one, so private discount books and fresher prices stay local.
///
/// ```
/// use iac_dharma::PriceCatalog;
/// let builtin = PriceCatalog::builtin();
/// let mut mine = (*builtin).clone();
/// mine.extend(PriceCatalog::from_csv(
///     "provider,region,service,sku,unit,price_usd,purchase,source,date\n\
///      aws,us-east-1,AmazonEC2,ec2/t3.micro,hour,0.0090,on_demand,our negotiated rate,2026-11-01\n",
/// )?);
/// let row = mine.lookup(iac_dharma::Provider::Aws, "us-east-1", "ec2/t3.micro", "on_demand").unwrap();
/// assert_eq!(row.price_usd.to_string(), "0.0090");
/// # Ok::<(), iac_dharma::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct PriceCatalog {
    rows: Vec<PriceRow>,
    /// Per provider (aws, azure, gcp): SKU -> indexes of its rows.
    index: [FxHashMap<String, Vec<usize>>; 3],
    regions: [BTreeSet<String>; 3],
}

fn slot(provider: Provider) -> usize {
    match provider {
        Provider::Aws => 0,
        Provider::Azure => 1,
        Provider::Gcp => 2,
    }
}

fn pricing_error(path: String, message: String) -> Error {
    Error::single(
        ErrorKind::Pricing,
        Finding::error(Code::InvalidPriceCatalog, path, message),
    )
}

/// The built-in catalog, parsed on first use ([`PriceCatalog::builtin`]).
static BUILTIN: OnceLock<Arc<PriceCatalog>> = OnceLock::new();

impl PriceCatalog {
    /// The catalog embedded in the library (`pricing/*.csv`), parsed on first use and shared.
    pub fn builtin() -> Arc<PriceCatalog> {
        BUILTIN
            .get_or_init(|| {
                let mut cat = PriceCatalog::default();
                for packed in [AWS_CSV, AZURE_CSV, GCP_CSV, GCP_EXTRA_CSV] {
                    // The embedded files are checked by tests; a broken one yields fewer prices,
                    // never a panic.
                    if let Ok(part) = PriceCatalog::parse_csv(&crate::embedded::text(packed)) {
                        cat.extend(part);
                    }
                }
                Arc::new(cat)
            })
            .clone()
    }

    /// The built-in catalog if it is loaded and `catalog` is it: its rows live as long as the
    /// process, so an estimate can borrow their SKUs instead of copying them into each line item.
    pub(crate) fn as_builtin(catalog: &Arc<PriceCatalog>) -> Option<&'static PriceCatalog> {
        BUILTIN
            .get()
            .filter(|b| Arc::ptr_eq(b, catalog))
            .map(|b| &**b)
    }

    /// Parses a catalog from CSV text with the header
    /// `provider,region,service,sku,unit,price_usd,purchase,source,date` (`purchase` and `date`
    /// may be empty).
    ///
    /// # Errors
    /// A [`ErrorKind::Pricing`] error (`invalid_price_catalog`) naming the line and column of the
    /// first bad row: a missing column, an unknown provider, a price that is not a decimal, or is
    /// negative or above [`MAX_UNIT_PRICE`].
    ///
    /// A row for a SKU the built-in catalog prices must be in the built-in rows' unit: the
    /// estimate's rules measure each SKU in that unit (hours of an instance), so a monthly price
    /// for an hourly SKU would be multiplied by 730 hours; such a row is an error at its `unit`.
    pub fn from_csv(text: &str) -> Result<PriceCatalog> {
        PriceCatalog::read_csv(text, true)
    }

    /// [`PriceCatalog::from_csv`] without the unit check (the built-in files themselves).
    fn parse_csv(text: &str) -> Result<PriceCatalog> {
        PriceCatalog::read_csv(text, false)
    }

    fn read_csv(text: &str, check_units: bool) -> Result<PriceCatalog> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for (i, record) in reader.deserialize::<CsvRow>().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| {
                pricing_error(format!("line {line}"), format!("invalid price row: {e}"))
            })?;
            let price = Decimal::from_str(&record.price_usd)
                .or_else(|_| Decimal::from_scientific(&record.price_usd))
                .map_err(|_| {
                    pricing_error(
                        format!("line {line}.price_usd"),
                        format!("`{}` is not a decimal number", record.price_usd),
                    )
                })?;
            rows.push(PriceRow {
                provider: record.provider,
                region: record.region,
                service: record.service,
                sku: record.sku,
                unit: record.unit,
                price_usd: price,
                purchase: if record.purchase.is_empty() {
                    on_demand()
                } else {
                    record.purchase
                },
                source: record.source,
                date: record.date,
            });
        }
        PriceCatalog::build(rows, |i| format!("line {}", i + 2), check_units)
    }

    /// Parses a catalog from a JSON array of rows (the fields of [`PriceRow`]; `price_usd` as a
    /// string or a number).
    ///
    /// # Errors
    /// As [`PriceCatalog::from_csv`], with JSON paths (`[3].price_usd`).
    pub fn from_json(text: &str) -> Result<PriceCatalog> {
        let mut de = serde_json::Deserializer::from_str(text);
        let rows: Vec<PriceRow> = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            pricing_error(
                e.path().to_string(),
                format!("invalid price catalog: {}", e.inner()),
            )
        })?;
        PriceCatalog::from_rows(rows, |i| format!("[{i}]"))
    }

    /// The built-in unit of `row`'s SKU and purchase option when `row` is in another one (the
    /// same SKU can be sold per hour on demand and per month with a discount).
    fn foreign_unit(builtin: &PriceCatalog, provider: Provider, row: &PriceRow) -> Option<String> {
        let mut units = builtin.index[slot(provider)]
            .get(&row.sku)?
            .iter()
            .filter_map(|&j| builtin.rows.get(j))
            .filter(|r| r.purchase == row.purchase)
            .map(|r| r.unit.as_str());
        let expected = units.next()?;
        (row.unit != expected && units.all(|u| u != row.unit)).then(|| expected.to_string())
    }

    /// Builds a catalog from rows, checking each.
    ///
    /// # Errors
    /// As [`PriceCatalog::from_csv`].
    pub fn from_rows(rows: Vec<PriceRow>, path: impl Fn(usize) -> String) -> Result<PriceCatalog> {
        PriceCatalog::build(rows, path, true)
    }

    fn build(
        rows: Vec<PriceRow>,
        path: impl Fn(usize) -> String,
        check_units: bool,
    ) -> Result<PriceCatalog> {
        let builtin = check_units.then(PriceCatalog::builtin);
        let mut cat = PriceCatalog::default();
        for (i, row) in rows.into_iter().enumerate() {
            let Ok(provider) = Provider::from_str(&row.provider) else {
                return Err(pricing_error(
                    format!("{}.provider", path(i)),
                    format!(
                        "unknown provider `{}`; expected aws, azure or gcp",
                        row.provider
                    ),
                ));
            };
            if row.price_usd.is_sign_negative() || row.price_usd > Decimal::from(MAX_UNIT_PRICE) {
                return Err(pricing_error(
                    format!("{}.price_usd", path(i)),
                    format!(
                        "price {} is out of range (0 to {MAX_UNIT_PRICE} USD per unit)",
                        row.price_usd
                    ),
                ));
            }
            for (field, value) in [
                ("region", &row.region),
                ("sku", &row.sku),
                ("unit", &row.unit),
            ] {
                if value.is_empty() {
                    return Err(pricing_error(
                        format!("{}.{field}", path(i)),
                        format!("`{field}` is empty"),
                    ));
                }
            }
            if let Some(expected) = builtin
                .as_deref()
                .and_then(|b| PriceCatalog::foreign_unit(b, provider, &row))
            {
                return Err(pricing_error(
                    format!("{}.unit", path(i)),
                    format!(
                        "`{}` ({}) is priced per `{expected}` in the built-in catalog, and the estimate measures it in that unit; this row is per `{}` (give the price in USD per {expected})",
                        row.sku, row.purchase, row.unit
                    ),
                ));
            }
            cat.insert(provider, row);
        }
        Ok(cat)
    }

    fn insert(&mut self, provider: Provider, row: PriceRow) {
        let s = slot(provider);
        if let Some(existing) = self.find_exact(provider, &row.region, &row.sku, &row.purchase) {
            if let Some(old) = self.rows.get_mut(existing) {
                *old = row;
            }
            return;
        }
        if row.region != "*" {
            self.regions[s].insert(row.region.clone());
        }
        let i = self.rows.len();
        self.index[s].entry(row.sku.clone()).or_default().push(i);
        self.rows.push(row);
    }

    fn find_exact(
        &self,
        provider: Provider,
        region: &str,
        sku: &str,
        purchase: &str,
    ) -> Option<usize> {
        self.index[slot(provider)]
            .get(sku)?
            .iter()
            .copied()
            .find(|&i| {
                self.rows
                    .get(i)
                    .is_some_and(|r| r.region == region && r.purchase == purchase)
            })
    }

    /// Adds every row of `other`; a row for the same provider, region, SKU and purchase option
    /// replaces the existing one.
    pub fn extend(&mut self, other: PriceCatalog) {
        for row in other.rows {
            if let Ok(provider) = Provider::from_str(&row.provider) {
                self.insert(provider, row);
            }
        }
    }

    /// The price of `sku` in `region` (falling back to a global `*` row) for a purchase option.
    pub fn lookup(
        &self,
        provider: Provider,
        region: &str,
        sku: &str,
        purchase: &str,
    ) -> Option<&PriceRow> {
        let idx = self.index[slot(provider)].get(sku)?;
        let mut global = None;
        for &i in idx {
            let Some(row) = self.rows.get(i) else {
                continue;
            };
            if row.purchase != purchase {
                continue;
            }
            if row.region == region {
                return Some(row);
            }
            if row.region == "*" {
                global = Some(row);
            }
        }
        global
    }

    /// Whether the catalog has any price for `sku` in another region (used to explain why a
    /// resource is unpriced).
    pub fn priced_elsewhere(&self, provider: Provider, sku: &str) -> bool {
        self.index[slot(provider)].contains_key(sku)
    }

    /// Regions with at least one price for the provider.
    pub fn regions(&self, provider: Provider) -> impl Iterator<Item = &str> {
        self.regions[slot(provider)].iter().map(String::as_str)
    }

    /// Whether the provider has prices in this region.
    pub fn has_region(&self, provider: Provider, region: &str) -> bool {
        self.regions[slot(provider)].contains(region)
    }

    /// Every row, in insertion order.
    pub fn rows(&self) -> &[PriceRow] {
        &self.rows
    }

    /// Row count and date range.
    pub fn info(&self) -> CatalogInfo {
        let dates = self
            .rows
            .iter()
            .map(|r| r.date.as_str())
            .filter(|d| d.len() >= 4);
        let oldest = dates.clone().min().unwrap_or_default().to_string();
        let newest = dates.max().unwrap_or_default().to_string();
        CatalogInfo {
            rows: self.rows.len(),
            oldest_date: oldest,
            newest_date: newest,
        }
    }
}

#[derive(Deserialize)]
struct CsvRow {
    provider: String,
    region: String,
    service: String,
    sku: String,
    unit: String,
    price_usd: String,
    #[serde(default)]
    purchase: String,
    source: String,
    #[serde(default)]
    date: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_parse() {
        for (name, text) in [
            ("aws", AWS_CSV),
            ("azure", AZURE_CSV),
            ("gcp", GCP_CSV),
            ("gcp-extra", GCP_EXTRA_CSV),
        ] {
            let cat = PriceCatalog::from_csv(&crate::embedded::text(text))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!cat.rows().is_empty(), "{name}");
            for row in cat.rows() {
                assert!(!row.source.is_empty(), "{name}: {row:?} has no source");
                assert!(row.date.len() >= 7, "{name}: {row:?} has no date");
            }
        }
    }

    #[test]
    fn three_regions_per_provider_with_real_differences() {
        let cat = PriceCatalog::builtin();
        for p in Provider::ALL {
            assert!(cat.regions(p).count() >= 3, "{p}");
        }
        let price = |p, r, s| cat.lookup(p, r, s, "on_demand").map(|x| x.price_usd);
        assert_ne!(
            price(Provider::Aws, "us-east-1", "ec2/t3.micro"),
            price(Provider::Aws, "eu-west-1", "ec2/t3.micro")
        );
        assert_ne!(
            price(Provider::Azure, "eastus", "vm/Standard_B2s"),
            price(Provider::Azure, "westus", "vm/Standard_B2s")
        );
        assert_ne!(
            price(Provider::Gcp, "us-central1", "gce/n2-standard-2"),
            price(Provider::Gcp, "europe-west1", "gce/n2-standard-2")
        );
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_header() {
        // Spreadsheet programs save CSV with a byte order mark.
        let text = "\u{feff}provider,region,service,sku,unit,price_usd,purchase,source,date\naws,us-east-1,ec2/t3.micro,X,hour,0.0104,,test,2026-01\n";
        let cat = PriceCatalog::from_csv(text).unwrap();
        assert_eq!(cat.rows().len(), 1);
    }

    #[test]
    fn bad_rows_are_located_errors() {
        let e = PriceCatalog::from_csv(
            "provider,region,service,sku,unit,price_usd,purchase,source,date\naws,us-east-1,x,ec2/a,hour,abc,,s,2026-01-01\n",
        )
        .unwrap_err();
        assert_eq!(e.code(), Code::InvalidPriceCatalog);
        assert_eq!(e.path(), "line 2.price_usd");
        let e = PriceCatalog::from_json(r#"[{"provider":"ibm","region":"r","service":"s","sku":"k","unit":"hour","price_usd":"1","source":"x"}]"#).unwrap_err();
        assert_eq!(e.path(), "[0].provider");
        let e = PriceCatalog::from_json(r#"[{"provider":"aws","region":"r","service":"s","sku":"k","unit":"hour","price_usd":-1,"source":"x"}]"#).unwrap_err();
        assert_eq!(e.path(), "[0].price_usd");
    }

    #[test]
    fn a_row_in_another_unit_than_the_builtin_skus_is_an_error() {
        let header = "provider,region,service,sku,unit,price_usd,purchase,source,date\n";
        let e = PriceCatalog::from_csv(&format!(
            "{header}aws,us-east-1,EC2,ec2/t3.micro,hour,0.01,,mine,2026-01-01\naws,us-east-1,EC2,ec2/t3.small,month,5,on_demand,mine,2026-01-01\n"
        ))
        .unwrap_err();
        assert_eq!(e.findings()[0].path, "line 3.unit");
        assert!(e.to_string().contains("per `hour`"), "{e}");
        let e = PriceCatalog::from_json(
            r#"[{"provider":"aws","region":"us-east-1","service":"EC2","sku":"ec2/t3.micro","unit":"month","price_usd":5,"source":"x"}]"#,
        )
        .unwrap_err();
        assert_eq!(e.findings()[0].path, "[0].unit");
        // A SKU the built-in catalog does not price may use any unit.
        PriceCatalog::from_csv(&format!(
            "{header}aws,us-east-1,EC2,ec2/x9.custom,month,5,,mine,2026-01-01\n"
        ))
        .unwrap();
    }

    #[test]
    fn extend_replaces_same_key_and_global_fallback_applies() {
        let mut cat = PriceCatalog::from_csv(
            "provider,region,service,sku,unit,price_usd,purchase,source,date\naws,*,Route53,r53/zone,zone-month,0.50,,src,2026-01-01\naws,us-east-1,EC2,ec2/x,hour,1,,src,2026-01-01\n",
        )
        .unwrap();
        assert!(cat
            .lookup(Provider::Aws, "eu-west-1", "r53/zone", "on_demand")
            .is_some());
        cat.extend(
            PriceCatalog::from_json(r#"[{"provider":"aws","region":"us-east-1","service":"EC2","sku":"ec2/x","unit":"hour","price_usd":2,"source":"mine"}]"#)
                .unwrap(),
        );
        assert_eq!(cat.rows().len(), 2);
        let row = cat
            .lookup(Provider::Aws, "us-east-1", "ec2/x", "on_demand")
            .unwrap();
        assert_eq!(row.price_usd, Decimal::from(2));
        assert_eq!(row.source, "mine");
    }
}
