//! Pairing-assistance projects as an IATI activity file (the International
//! Aid Transparency Initiative standard, version 2.03): one
//! `iati-activity` per pairing and project of funds, with the donor as
//! funding organisation, the recipient as implementing organisation, and
//! each year's funds as a disbursement. Elements are written in the order
//! the 2.03 activity schema requires; text is XML-escaped.
//!
//! The reporting organisation's identifier is revita's placeholder
//! [`REPORTING_ORG`]; a department publishing to the IATI registry puts its
//! own registered identifier there.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use revita_methods::RegionCode;
use revita_methods::pairing::FlowKind;
use revita_store::ledger::PairingFlow;

/// The reporting organisation's identifier (a placeholder to replace with
/// the publisher's registered one).
pub const REPORTING_ORG: &str = "XI-REVITA";

/// Escapes text for XML content and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines are not XML.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// An identifier part: letters, digits and `-`, others as `_`.
fn id_part(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

/// The activity file of `flows` (funds only), `names` naming regions,
/// generated at `now` (ISO 8601 UTC).
pub fn activities(flows: &[PairingFlow], names: &HashMap<RegionCode, String>, now: &str) -> String {
    // One activity per programme, donor, recipient and project; its years'
    // funds are its transactions.
    let mut grouped: BTreeMap<(String, String, String, String), Vec<&PairingFlow>> = BTreeMap::new();
    for f in flows.iter().filter(|f| f.kind == FlowKind::Funds) {
        let key = (f.program.clone(), f.donor.to_string(), f.recipient.to_string(), f.project.clone());
        grouped.entry(key).or_default().push(f);
    }
    let stamp = now.replace(' ', "T").trim_end_matches('Z').to_string() + "Z";
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(xml, "<iati-activities version=\"2.03\" generated-datetime=\"{}\">", escape(&stamp));
    for ((program, donor, recipient, project), list) in &grouped {
        let name = |code: &str| {
            RegionCode::parse(code).ok().and_then(|c| names.get(&c).cloned()).unwrap_or_else(|| code.to_string())
        };
        let (donor_name, recipient_name) = (name(donor), name(recipient));
        let first = list.iter().map(|f| f.year).min().unwrap_or_default();
        let identifier = format!(
            "{REPORTING_ORG}-{}-{}-{}",
            id_part(donor),
            id_part(recipient),
            id_part(&format!("{:x}", fingerprint(&format!("{program}|{project}"))))
        );
        let _ = writeln!(
            xml,
            " <iati-activity last-updated-datetime=\"{}\" xml:lang=\"zh\" default-currency=\"CNY\" hierarchy=\"1\">",
            escape(&stamp)
        );
        let _ = writeln!(xml, "  <iati-identifier>{}</iati-identifier>", escape(&identifier));
        let _ = writeln!(
            xml,
            "  <reporting-org ref=\"{REPORTING_ORG}\" type=\"10\"><narrative>revita</narrative></reporting-org>"
        );
        let _ = writeln!(xml, "  <title><narrative>{}</narrative></title>", escape(project));
        let _ = writeln!(
            xml,
            "  <description type=\"1\"><narrative>{}：{} → {}</narrative></description>",
            escape(program),
            escape(&donor_name),
            escape(&recipient_name)
        );
        let _ = writeln!(
            xml,
            "  <participating-org role=\"1\" type=\"10\"><narrative>{}</narrative></participating-org>",
            escape(&donor_name)
        );
        let _ = writeln!(
            xml,
            "  <participating-org role=\"4\" type=\"10\"><narrative>{}</narrative></participating-org>",
            escape(&recipient_name)
        );
        let _ = writeln!(xml, "  <activity-status code=\"2\"/>");
        let _ = writeln!(xml, "  <activity-date type=\"2\" iso-date=\"{first:04}-01-01\"/>");
        let _ = writeln!(xml, "  <recipient-country code=\"CN\" percentage=\"100\"/>");
        if let Some(sector) = list.iter().find_map(|f| f.sector.as_deref()) {
            let _ = writeln!(
                xml,
                "  <sector vocabulary=\"99\" code=\"{}\"><narrative>{}</narrative></sector>",
                escape(&id_part(sector)),
                escape(sector)
            );
        }
        for f in list {
            let day = format!("{:04}-12-31", f.year);
            let _ = writeln!(xml, "  <transaction>");
            let _ = writeln!(xml, "   <transaction-type code=\"3\"/>");
            let _ = writeln!(xml, "   <transaction-date iso-date=\"{day}\"/>");
            let _ = writeln!(xml, "   <value currency=\"CNY\" value-date=\"{day}\">{:.2}</value>", f.amount);
            let _ = writeln!(xml, "  </transaction>");
        }
        let _ = writeln!(xml, " </iati-activity>");
    }
    xml.push_str("</iati-activities>\n");
    xml
}

/// A short stable number for a text (FNV-1a), so that an activity keeps
/// its identifier from one export to the next.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(year: i32, project: &str, amount: f64, kind: FlowKind) -> PairingFlow {
        PairingFlow {
            id: 0,
            program: "对口援疆".into(),
            donor: RegionCode::parse("440000").unwrap(),
            recipient: RegionCode::parse("653121").unwrap(),
            year,
            kind,
            project: project.into(),
            amount,
            sector: Some("health".into()),
            county_level: true,
            livelihood: true,
            recorded_by: String::new(),
            recorded_at: String::new(),
        }
    }

    #[test]
    fn each_project_is_an_activity_with_its_years_as_disbursements() {
        let names = HashMap::from([
            (RegionCode::parse("440000").unwrap(), "广东省".to_string()),
            (RegionCode::parse("653121").unwrap(), "疏附县".to_string()),
        ]);
        let flows = [
            flow(2020, "医院 <一期> & 二期", 1e7, FlowKind::Funds),
            flow(2021, "医院 <一期> & 二期", 2e7, FlowKind::Funds),
            flow(2021, "第十批", 36.0, FlowKind::Cadres),
        ];
        let xml = activities(&flows, &names, "2026-12-06 08:00:00");
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\""));
        assert_eq!(xml.matches("<iati-activity ").count(), 1, "cadres are no aid project");
        assert_eq!(xml.matches("<transaction>").count(), 2);
        assert!(xml.contains("<title><narrative>医院 &lt;一期&gt; &amp; 二期</narrative></title>"), "{xml}");
        assert!(xml.contains("<value currency=\"CNY\" value-date=\"2021-12-31\">20000000.00</value>"));
        assert!(xml.contains("generated-datetime=\"2026-12-06T08:00:00Z\""));
        // The 2.03 schema's order of an activity's elements.
        let order = [
            "<iati-identifier>",
            "<reporting-org",
            "<title>",
            "<description",
            "<participating-org role=\"1\"",
            "<participating-org role=\"4\"",
            "<activity-status",
            "<activity-date",
            "<recipient-country",
            "<sector",
            "<transaction>",
        ];
        let positions: Vec<usize> = order.iter().map(|e| xml.find(e).unwrap_or_else(|| panic!("{e}"))).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        // The identifier starts with the reporting organisation's and is stable.
        let again = activities(&flows, &names, "2027-01-01 00:00:00");
        let id = |x: &str| x.split("<iati-identifier>").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert_eq!(id(&xml), id(&again));
        assert!(id(&xml).starts_with("XI-REVITA-440000-653121-"));
    }
}
