//! Keeping the household registry (methods.md §9.1): editing a household's
//! record in a form, and loading its members from a file. Both are checked
//! against the user's jurisdiction, guarded by the household's version, and
//! audited.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use revita_ingest::error::{Problems, RowError};
use revita_ingest::records;
use revita_methods::monitoring::RegisteredHousehold;
use revita_methods::region::RegionCode;
use revita_methods::registry::Member;

use crate::auth::{Actor, Origin};
use crate::import::{FileImport, read_table};
use crate::{App, AppError, AppResult, ImportReport};

/// A change to one household's members.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberChange {
    /// Add the member, or replace the one with its number.
    Save(Member),
    /// Remove the member with this number.
    Remove(i32),
}

/// What a household edit form sends: the screening record's numbers and
/// flags, income by source and the relocation link.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdEdit {
    /// Members, labour, income, spending and deprivations (the village is
    /// not edited: moving a household is a re-registration).
    pub household: revita_methods::screening::Household,
    /// Income by source, if recorded.
    pub income_sources: Option<revita_methods::registry::IncomeSources>,
    /// The resettlement site, if relocated.
    pub relocation_site: Option<String>,
    /// The version the form was read at.
    pub version: i64,
}

fn county_of(household: &RegisteredHousehold) -> AppResult<RegionCode> {
    RegionCode::parse(&format!("{:06}", household.household.county())).map_err(|e| AppError::Invalid(e.to_string()))
}

impl App {
    /// The monitoring lines (yuan per person per year) by region and year:
    /// published policy, read by anyone who reads monitoring.
    pub async fn monitoring_lines(&self) -> AppResult<Vec<revita_methods::monitoring::MonitoringLine>> {
        Ok(self.store().monitoring_lines(None).await?)
    }

    /// Edits a registry household the actor may change; returns the new
    /// version. A stale version is a conflict: the other edit is kept and the
    /// user reloads.
    pub async fn edit_household(
        &self,
        actor: &Actor,
        id: &str,
        edit: &HouseholdEdit,
        origin: &Origin,
    ) -> AppResult<i64> {
        use revita_methods::access::Action;
        let before = self.store().household(id).await?.ok_or_else(|| AppError::NotFound(format!("household {id}")))?;
        let county = county_of(&before)?;
        if !self.jurisdiction(actor, Action::EditData).await?.covers(&county) {
            return Err(AppError::Forbidden(format!("county {county} is outside your jurisdiction")));
        }
        let household =
            revita_methods::screening::Household { village_code: before.household.village_code, ..edit.household };
        household.check().map_err(|p| AppError::Invalid(p.to_string()))?;
        if let Some(site) = &edit.relocation_site
            && site.chars().count() > 200
        {
            return Err(AppError::Invalid("relocation_site: at most 200 characters".into()));
        }
        let after = RegisteredHousehold {
            household,
            income_sources: edit.income_sources,
            relocation_site: edit.relocation_site.clone(),
            ..before.clone()
        };
        let summary = |h: &RegisteredHousehold| {
            format!(
                "size={} labor={} income_pc={} deprived={:#x} sources={:?} site={:?}",
                h.household.size,
                h.household.labor,
                h.household.income_pc,
                h.household.deprived,
                h.income_sources.map(|s| [s.wage, s.business, s.property, s.transfer]),
                h.relocation_site
            )
        };
        let change = (Some(summary(&before)), Some(summary(&after)));
        let entry =
            crate::auth::audit_entry(&actor.name, "household.edit", ("household", id), Some(&county), change, origin);
        Ok(self.store().write(entry, async |tx| tx.update_household(&after, edit.version).await).await?)
    }

    /// Adds a member to a household, or replaces the one with the same
    /// number (`Some`), or removes member `seq` (`None` with `remove`), if
    /// the household is still at `version`; returns the new version.
    pub async fn change_member(
        &self,
        actor: &Actor,
        id: &str,
        change: MemberChange,
        version: i64,
        origin: &Origin,
    ) -> AppResult<i64> {
        use revita_methods::access::Action;
        let household =
            self.store().household(id).await?.ok_or_else(|| AppError::NotFound(format!("household {id}")))?;
        let county = county_of(&household)?;
        if !self.jurisdiction(actor, Action::EditData).await?.covers(&county) {
            return Err(AppError::Forbidden(format!("county {county} is outside your jurisdiction")));
        }
        let mut members = self.store().members(id).await?;
        let what = match &change {
            MemberChange::Save(member) => {
                let year = revita_methods::Date::from_days_since_epoch(origin.now.div_euclid(86_400)).year();
                member.check(year).map_err(|e| AppError::Invalid(e.to_string()))?;
                members.retain(|m| m.seq != member.seq);
                members.push(member.clone());
                members.sort_by_key(|m| m.seq);
                format!("member {} saved", member.seq)
            }
            MemberChange::Remove(seq) => {
                let before = members.len();
                members.retain(|m| m.seq != *seq);
                if members.len() == before {
                    return Err(AppError::NotFound(format!("member {seq} of household {id}")));
                }
                format!("member {seq} removed")
            }
        };
        let entry = crate::auth::audit_entry(
            &actor.name,
            "household.members",
            ("household", id),
            Some(&county),
            (None, Some(what)),
            origin,
        );
        Ok(self.store().write(entry, async |tx| tx.replace_household_members(id, &members, version).await).await?)
    }

    /// Loads household members from a CSV or XLSX file, replacing the
    /// members of every household the file lists: all or nothing. Each
    /// household must be in the registry and in the importing user's
    /// jurisdiction; a member number may appear once per household.
    pub async fn import_household_members(
        &self,
        path: &Path,
        options: &FileImport,
        year: i32,
    ) -> AppResult<ImportReport> {
        let (table, parsed) =
            read_table(path, options.sheet.clone(), move |t| records::read_household_members(t, year)).await?;
        let file = table.file.clone();
        let mut problems = Problems::default();
        let mut by_household: BTreeMap<&str, Vec<Member>> = BTreeMap::new();
        let mut first_row: HashMap<(&str, i32), u64> = HashMap::new();
        let named: HashSet<&str> = parsed.rows.iter().map(|(_, (household, _))| household.as_str()).collect();
        let counties = self.household_counties(&named).await?;
        for (row, (household, member)) in &parsed.rows {
            if let Some(first) = first_row.insert((household.as_str(), member.seq), *row) {
                let reason = format!("member {} of household {household} is already on row {first}", member.seq);
                problems.push(RowError::cell(&file, *row, "seq", reason));
                continue;
            }
            // Unknown and out-of-jurisdiction households read the same, so
            // that a file cannot probe another county's registry.
            match counties.get(household.as_str()) {
                Some(county) if options.within.covers(county) => {
                    by_household.entry(household).or_default().push(member.clone());
                }
                _ => {
                    let reason =
                        format!("household {household} is not in the registry of your jurisdiction (import it first)");
                    problems.push(RowError::cell(&file, *row, "hh_id", reason));
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems.into());
        }
        let members: Vec<(String, Vec<Member>)> =
            by_household.into_iter().map(|(h, list)| (h.to_string(), list)).collect();
        let valid = parsed.rows.len() as u64;
        let report = ImportReport {
            file,
            kind: "household-members".into(),
            encoding: table.encoding.name().to_string(),
            dry_run: options.dry_run,
            rows_read: valid,
            records_valid: valid,
            records_written: if options.dry_run { 0 } else { valid },
            ignored_columns: parsed.ignored_columns.clone(),
            ..Default::default()
        };
        if !options.dry_run {
            let regions = crate::import::distinct(counties.values());
            self.write_import(options, &report, &regions, async |tx| tx.replace_members(&members).await).await?;
        }
        Ok(report)
    }

    /// The county of each named household that is in the registry: one
    /// lookup each for a few, one streamed pass over the registry for many
    /// (a national members file names millions).
    async fn household_counties(&self, ids: &HashSet<&str>) -> AppResult<HashMap<String, RegionCode>> {
        /// Above this many households one pass beats a lookup each.
        const LOOKUPS: usize = 200;
        let mut counties = HashMap::with_capacity(ids.len());
        if ids.len() <= LOOKUPS {
            for id in ids {
                if let Some(registered) = self.store().household(id).await? {
                    counties.insert(id.to_string(), county_of(&registered)?);
                }
            }
            return Ok(counties);
        }
        let mut bad_code = None;
        // Any household the file names, wherever it lies: the caller checks
        // the stored county against the jurisdiction.
        self.store()
            .for_each_household(None, &mut |registered| {
                if ids.contains(registered.id.as_str()) {
                    match county_of(&registered) {
                        Ok(county) => {
                            counties.insert(registered.id, county);
                        }
                        Err(e) => bad_code = Some(e),
                    }
                }
            })
            .await?;
        match bad_code {
            Some(e) => Err(e),
            None => Ok(counties),
        }
    }
}

/// What a registry export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegistryExport {
    /// Households written.
    pub households: u64,
    /// Of which with identifiers unmasked.
    pub unmasked: u64,
}

impl App {
    /// Writes the registry households the actor may read as CSV to `out`,
    /// streamed from the store: the screening record, the triggers against
    /// `line` with the MPI score, income by source and relocation site, and
    /// the identifiers — masked except in counties where the actor may read
    /// personal data. An export with unmasked identifiers is audited.
    pub async fn export_registry(
        &self,
        actor: &Actor,
        line: f64,
        out: &mut (dyn std::io::Write + Send),
        origin: &Origin,
    ) -> AppResult<RegistryExport> {
        use revita_methods::access::Action;
        use revita_methods::screening::Deprivation;
        let readable = self.jurisdiction(actor, Action::Read).await?;
        let personal = self.jurisdiction(actor, Action::ReadPersonal).await?;
        let mut read = crate::screen::CountyScope::new(&readable);
        let mut unmasked_in = crate::screen::CountyScope::new(&personal);
        // A byte-order mark for spreadsheets, and no cell a spreadsheet
        // could take for a formula (names and phones are typed by people).
        let mut writer = revita_ingest::export::SafeCsvWriter::new(out)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot write the export: {e}")))?;
        let mut header: Vec<String> = ["hh_id", "village_code", "size", "labor", "income_pc", "income_pc_prev"]
            .iter()
            .chain(&["medical_exp", "education_exp", "disaster_loss"])
            .map(|c| c.to_string())
            .collect();
        header.extend(Deprivation::ALL.iter().map(|d| format!("d_{}", d.name())));
        header.extend(
            [
                "f_income",
                "f_drop",
                "f_expense",
                "f_guarantee",
                "mpi_score",
                "income_wage",
                "income_business",
                "income_property",
                "income_transfer",
                "relocation_site",
                "head_name",
                "id_number",
                "phone",
            ]
            .map(String::from),
        );
        let csv_error = |e: csv::Error| AppError::Internal(anyhow::anyhow!("cannot write the export: {e}"));
        writer.write_record(&header).map_err(csv_error)?;
        let mut written = RegistryExport::default();
        let mut failure: Option<csv::Error> = None;
        self.store()
            .for_each_household(readable.roots(), &mut |registered| {
                let county = registered.household.county();
                if failure.is_some() || !read.sees(county) {
                    return;
                }
                let show = unmasked_in.sees(county);
                let h = if show { registered } else { registered.masked() };
                written.households += 1;
                written.unmasked += u64::from(show);
                if let Err(e) = writer.write_record(registry_row(&h, line)) {
                    failure = Some(e);
                }
            })
            .await?;
        if let Some(e) = failure {
            return Err(csv_error(e));
        }
        writer.flush().map_err(|e| AppError::Internal(anyhow::anyhow!("cannot write the export: {e}")))?;
        if written.unmasked > 0 {
            let what = format!("{} households, {} with identifiers", written.households, written.unmasked);
            let region = actor.access.grants().first().map(|g| g.scope.clone());
            let change = (None, Some(what));
            self.audit(
                &actor.name,
                "household.export_personal",
                ("registry", "export"),
                region.as_ref(),
                change,
                origin,
            )
            .await?;
        }
        Ok(written)
    }
}

/// One export row, in the header's order.
fn registry_row(h: &RegisteredHousehold, line: f64) -> Vec<String> {
    use revita_methods::screening::Deprivation;
    let r = &h.household;
    let flags = r.flags(line);
    let mut row = vec![
        h.id.clone(),
        r.village_code.to_string(),
        r.size.to_string(),
        r.labor.to_string(),
        r.income_pc.to_string(),
        r.income_pc_prev.to_string(),
        r.medical_exp.to_string(),
        r.education_exp.to_string(),
        r.disaster_loss.to_string(),
    ];
    row.extend(Deprivation::ALL.iter().map(|d| u8::from(r.is_deprived(*d)).to_string()));
    row.extend([flags.income, flags.drop, flags.expense, flags.guarantee].map(|f| u8::from(f).to_string()));
    row.push(r.mpi_score().to_string());
    let sources = h.income_sources.map(|s| [s.wage, s.business, s.property, s.transfer]);
    row.extend((0..4).map(|k| sources.map(|s| s[k].to_string()).unwrap_or_default()));
    row.push(h.relocation_site.clone().unwrap_or_default());
    row.extend([&h.head_name, &h.id_number, &h.phone].map(|v| v.clone().unwrap_or_default()));
    row
}
