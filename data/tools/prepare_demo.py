#!/usr/bin/env python3
"""Build the revita demo dataset (data/demo/) from the shared raw data.

Usage (from the repository root):

    python3 data/tools/prepare_demo.py [SHARED_DATA_DIR] [--out data/demo]

SHARED_DATA_DIR defaults to ``../shared/data`` relative to the repository root
and must contain ``admin_divisions/``, ``county_statistics/``,
``designated_areas/`` and ``boundaries/`` with their PROVENANCE.md files.

Requirements: Python 3.11, standard library only.  The boundary
simplification is implemented here (shared-arc Douglas-Peucker, see
``simplify_layer``), so shapely is *not* needed.  If shapely happens to be
importable it is used only for an optional validity report at the end; it is
never required and never changes the output.

Outputs (all UTF-8, ``\\n`` line endings, comma-separated, header row):

    regions.csv, code_history.csv, indicators.csv, census2020_wide.csv,
    census_prefecture_2010_2020_long.csv, designations.csv, pairings.csv,
    boundaries_province.geojson, boundaries_prefecture.geojson,
    boundaries_county.geojson

Everything the script has to decide (unmatched codes, dropped rows, recoded
boundary features, ...) is printed as a report on stdout; data/README.md
documents the same caveats.  The script is deterministic: running it twice on
the same input gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

CENSUS_SOURCE = "Seventh National Population Census (2020), by county — see data/README.md"
PANEL_SOURCE = ("Sixth (2010) and Seventh (2020) National Population Census, prefecture tables"
                " — see data/README.md")

# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------

REPORT: list[str] = []


def report(msg: str = "") -> None:
    REPORT.append(msg)
    print(msg)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, header: list[str], rows) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        for r in rows:
            if isinstance(r, dict):
                r = [r.get(h, "") for h in header]
            w.writerow(r)
            n += 1
    return n


def parse_successors(s: str) -> list[str]:
    """'330102[1996];330102;330114' -> ['330102', '330114'] (distinct, in order)."""
    out: list[str] = []
    for part in s.split(";"):
        part = re.sub(r"\[\d{4}\]$", "", part.strip())
        if part and part not in out:
            out.append(part)
    return out


# --------------------------------------------------------------------------------------
# 1. regions
# --------------------------------------------------------------------------------------

PROVINCE_EN = {
    "110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi",
    "150000": "Inner Mongolia", "210000": "Liaoning", "220000": "Jilin", "230000": "Heilongjiang",
    "310000": "Shanghai", "320000": "Jiangsu", "330000": "Zhejiang", "340000": "Anhui",
    "350000": "Fujian", "360000": "Jiangxi", "370000": "Shandong", "410000": "Henan",
    "420000": "Hubei", "430000": "Hunan", "440000": "Guangdong", "450000": "Guangxi",
    "460000": "Hainan", "500000": "Chongqing", "510000": "Sichuan", "520000": "Guizhou",
    "530000": "Yunnan", "540000": "Tibet", "610000": "Shaanxi", "620000": "Gansu",
    "630000": "Qinghai", "640000": "Ningxia", "650000": "Xinjiang", "710000": "Taiwan",
    "810000": "Hong Kong", "820000": "Macao",
}

REGION_COLS = ["code", "name_zh", "name_en", "level", "parent_code", "valid_from", "valid_to"]


def build_regions(src: Path, history: list[dict]) -> tuple[list[dict], dict[str, dict]]:
    mca = read_csv(src / "admin_divisions" / "mca_admin_codes_2024.csv")
    by_code: dict[str, dict] = {}
    dups = Counter(r["code"] for r in mca)
    for c, n in dups.items():
        if n > 1:
            report(f"  ! duplicate MCA code {c} ({n} rows) — first row kept")
    first_year: dict[str, int] = {}
    for h in history:
        if h["status"] == "in_use":
            first_year[h["code"]] = int(h["first_year"])

    rows = [{"code": "000000", "name_zh": "全国", "name_en": "China", "level": "country",
             "parent_code": "", "valid_from": "", "valid_to": ""}]
    codes = {r["code"] for r in mca}
    odd = 0
    for r in sorted(mca, key=lambda r: r["code"]):
        c = r["code"]
        if c in by_code:
            continue
        lvl = r["level"]
        if not re.fullmatch(r"\d{6}", c) or lvl not in ("province", "prefecture", "county"):
            report(f"  ! odd MCA row skipped: {r}")
            odd += 1
            continue
        if lvl == "province":
            parent = "000000"
        elif lvl == "prefecture":
            parent = r["province_code"]
        else:
            parent = r["prefecture_code"] if r["prefecture_code"] in codes else r["province_code"]
        if parent != "000000" and parent not in codes:
            report(f"  ! {c} {r['name']}: parent {parent} not in MCA list — using province/root")
            parent = r["province_code"] if r["province_code"] in codes else "000000"
            odd += 1
        fy = first_year.get(c)
        if fy is None:
            report(f"  ! {c} {r['name']}: no in_use record in code history (valid_from left empty)")
        row = {"code": c, "name_zh": r["name"], "name_en": PROVINCE_EN.get(c, "") if lvl == "province" else "",
               "level": lvl, "parent_code": parent,
               "valid_from": f"{fy}-01-01" if fy and fy > 1981 else "", "valid_to": ""}
        if lvl == "province" and c not in PROVINCE_EN:
            report(f"  ! no English name for province {c} {r['name']}")
        by_code[c] = row
        rows.append(row)
    by_code["000000"] = rows[0]
    # integrity checks
    allc = {r["code"] for r in rows}
    assert len(allc) == len(rows), "duplicate region codes"
    for r in rows:
        assert r["parent_code"] == "" or r["parent_code"] in allc, r
    n_direct = sum(1 for r in rows if r["level"] == "county" and r["parent_code"].endswith("0000"))
    report(f"regions.csv: {len(rows)} rows ({dict(sorted(Counter(r['level'] for r in rows).items()))}); "
           f"{n_direct} county-level units hang directly under their province; "
           f"{sum(1 for r in rows if r['valid_from'])} with valid_from; odd rows: {odd}")
    return rows, by_code


# --------------------------------------------------------------------------------------
# 3. indicators
# --------------------------------------------------------------------------------------

IND_COLS = ["code", "name_zh", "name_en", "unit", "direction", "aggregation", "weight_indicator",
            "description", "source", "valid_min", "valid_max"]


def value_range(unit):
    """The values an indicator can take: shares in percent lie in 0-100,
    everything else the census counts or averages is never negative."""
    return ("0", "100") if unit == "%" else ("0", "")

LF = "long-form (~10%) sample count, not a population total"

# code: (name_zh, name_en, unit, direction, aggregation, weight, description)
CENSUS_INDICATORS = {
    "pop_total": ("常住人口", "Resident population", "persons", "neutral", "sum", "",
                  "Resident (de facto) population at the census reference date, 1 November 2020."),
    "pop_male": ("常住人口（男）", "Resident population, male", "persons", "neutral", "sum", "",
                 "Male resident population, 1 November 2020."),
    "pop_female": ("常住人口（女）", "Resident population, female", "persons", "neutral", "sum", "",
                   "Female resident population, 1 November 2020."),
    "sex_ratio_f100": ("性别比（女=100）", "Sex ratio (males per 100 females)", "males per 100 females",
                       "neutral", "none", "",
                       "Males per 100 females in the resident population; do not average — recompute from "
                       "pop_male and pop_female when aggregating."),
    "ethnic_minority_share_pct": ("少数民族人口比重", "Ethnic-minority share of population", "%", "neutral",
                                  "weighted_mean", "pop_total",
                                  "Share of the resident population belonging to an ethnic minority (non-Han)."),
    "pop_urban": ("城镇人口", "Urban population", "persons", "neutral", "sum", "",
                  "Resident population living in urban areas (城镇)."),
    "pop_rural": ("乡村人口", "Rural population", "persons", "neutral", "sum", "",
                  "Resident population living in rural areas (乡村)."),
    "pop_city_proper": ("城区人口", "City-proper population", "persons", "neutral", "sum", "",
                        "Population of the city proper (城区) as printed in the census yearbook; mostly empty "
                        "at county level."),
    "family_households": ("家庭户户数", "Family households", "households", "neutral", "sum", "",
                          "Number of family households (家庭户), full count."),
    "family_household_pop": ("家庭户人口", "Population in family households", "persons", "neutral", "sum", "",
                             "Number of persons living in family households (excludes collective households)."),
    "avg_family_household_size": ("平均家庭户规模", "Average family-household size", "persons per household",
                                  "neutral", "weighted_mean", "family_households",
                                  "Average number of persons per family household."),
    "share_age_0_14_pct": ("0—14岁人口比重", "Share of population aged 0–14", "%", "neutral",
                           "weighted_mean", "pop_total",
                           "Share of the resident population aged 0–14."),
    "share_age_15_64_pct": ("15—64岁人口比重", "Share of population aged 15–64", "%", "higher_is_better",
                            "weighted_mean", "pop_total",
                            "Share of the resident population of working age (15–64)."),
    "share_age_65plus_pct": ("65岁及以上人口比重", "Share of population aged 65+", "%", "lower_is_better",
                             "weighted_mean", "pop_total",
                             "Share of the resident population aged 65 and over (population ageing)."),
    "hukou_elsewhere_same_county": ("户口在本县（市、区）其他乡镇街道的人口",
                                    "Residents with hukou in another township of the same county",
                                    "persons", "neutral", "sum", "",
                                    "Residents whose hukou is registered in a different township/street of the "
                                    "same county-level unit (人户分离, within-county)."),
    "hukou_elsewhere_other_county_same_province": (
        "户口在本省其他县（市、区）的人口", "Residents with hukou in another county of the same province",
        "persons", "neutral", "sum", "",
        "Residents whose hukou is registered in another county-level unit of the same province "
        "(intra-provincial in-migrants)."),
    "hukou_elsewhere_other_province": ("户口在外省的人口", "Residents with hukou in another province",
                                       "persons", "neutral", "sum", "",
                                       "Residents whose hukou is registered in another province "
                                       "(inter-provincial in-migrants)."),
    "avg_years_schooling_15plus": ("15岁及以上人口平均受教育年限", "Average years of schooling, population 15+",
                                   "years", "higher_is_better", "weighted_mean", "pop_total",
                                   "Average years of schooling of the population aged 15 and over (weighting by "
                                   "pop_total approximates the exact weight, population 15+, which is not in the "
                                   "file)."),
    "illiteracy_rate_15plus_pct": ("15岁及以上人口文盲率", "Illiteracy rate, population 15+", "%",
                                   "lower_is_better", "weighted_mean", "pop_total",
                                   "Share of the population aged 15 and over who are illiterate (weighting by "
                                   "pop_total approximates the exact weight, population 15+)."),
    "lf_employed_total_longform": ("就业人口（长表抽样）", "Employed persons (long-form sample)",
                                   "persons (long-form sample)", "neutral", "sum", "",
                                   f"Employed persons, all industries — {LF}; use as the denominator for the "
                                   "other lf_employed_* indicators."),
    "lf_employed_agriculture_longform": ("农、林、牧、渔业就业人口（长表抽样）",
                                         "Employed in agriculture, forestry, animal husbandry and fishery "
                                         "(long-form sample)", "persons (long-form sample)", "neutral", "sum", "",
                                         f"Employed persons in agriculture, forestry, animal husbandry and fishery — "
                                         f"{LF}; use as a ratio to lf_employed_total_longform."),
    "lf_employed_mining_longform": ("采矿业就业人口（长表抽样）", "Employed in mining (long-form sample)",
                                    "persons (long-form sample)", "neutral", "sum", "",
                                    f"Employed persons in mining — {LF}; use as a ratio to "
                                    "lf_employed_total_longform."),
    "lf_employed_manufacturing_longform": ("制造业就业人口（长表抽样）",
                                           "Employed in manufacturing (long-form sample)",
                                           "persons (long-form sample)", "neutral", "sum", "",
                                           f"Employed persons in manufacturing — {LF}; use as a ratio to "
                                           "lf_employed_total_longform."),
    "housing_floor_area_per_capita_m2": ("家庭户人均住房建筑面积", "Housing floor area per person",
                                         "m2 per person", "higher_is_better", "weighted_mean",
                                         "family_household_pop",
                                         "Housing floor area per person living in family households."),
    "lf_family_households_longform": ("家庭户户数（长表抽样）", "Family households (long-form sample)",
                                      "households (long-form sample)", "neutral", "sum", "",
                                      f"Family households — {LF}; the denominator for the lf_hh_* indicators."),
    "lf_hh_piped_water_longform": ("使用自来水的家庭户（长表抽样）",
                                   "Family households with piped water (long-form sample)",
                                   "households (long-form sample)", "higher_is_better", "sum", "",
                                   f"Family households with piped (tap) water — {LF}; use as a ratio to "
                                   "lf_family_households_longform."),
    "lf_hh_toilet_longform": ("有厕所的家庭户（长表抽样）", "Family households with a toilet (long-form sample)",
                              "households (long-form sample)", "higher_is_better", "sum", "",
                              f"Family households whose dwelling has a toilet — {LF}; use as a ratio to "
                              "lf_family_households_longform."),
    "lf_hh_with_car_longform": ("拥有汽车的家庭户（长表抽样）", "Family households with a car (long-form sample)",
                                "households (long-form sample)", "higher_is_better", "sum", "",
                                f"Family households owning a car — {LF}; use as a ratio to "
                                "lf_family_households_longform."),
    "edu_college_plus": ("大专及以上受教育程度人口", "Population with junior-college education or above",
                         "persons", "higher_is_better", "sum", "",
                         "Persons with junior-college (大专) education or above, both sexes, full count (sum of "
                         "the junior-college and bachelor-or-above columns, added by the data preparer)."),
    "urbanization_rate_pct": ("常住人口城镇化率", "Urbanization rate", "%", "neutral", "weighted_mean",
                              "pop_total",
                              "Urban share of the resident population (pop_urban / pop_total × 100, derived by "
                              "the data preparer)."),
}

# prefecture panel: source column stem -> (indicator code, zh, en, unit, direction, aggregation, weight, desc)
PANEL_INDICATORS = [
    ("popu", "pref_pop_total", "常住人口（地级面板）", "Resident population (prefecture panel)", "persons",
     "neutral", "sum", "",
     "Resident population of the prefecture-level unit from the 2010–2020 census panel, 2010 values adjusted by "
     "the panel authors to 2020 boundaries; may differ from pop_total."),
    ("popu_urban", "pref_pop_urban", "城镇人口（地级面板）", "Urban population (prefecture panel)", "persons",
     "neutral", "sum", "",
     "Urban resident population from the 2010–2020 prefecture census panel (2020 boundaries)."),
    ("popu_rural", "pref_pop_rural", "乡村人口（地级面板）", "Rural population (prefecture panel)", "persons",
     "neutral", "sum", "",
     "Rural resident population from the 2010–2020 prefecture census panel (2020 boundaries)."),
    ("household", "pref_avg_household_size", "平均户规模（地级面板）",
     "Average household size (prefecture panel)", "persons per household", "neutral", "none", "",
     "Average household size as reported in the prefecture panel (source column 'household'); no household "
     "counts are given, so it cannot be aggregated exactly."),
    ("male_female", "pref_sex_ratio_f100", "性别比（女=100，地级面板）",
     "Sex ratio, males per 100 females (prefecture panel)", "males per 100 females", "neutral", "none", "",
     "Males per 100 females from the 2010–2020 prefecture census panel."),
    ("age_0_14", "pref_share_age_0_14_pct", "0—14岁人口比重（地级面板）",
     "Share of population aged 0–14 (prefecture panel)", "%", "neutral", "weighted_mean", "pref_pop_total",
     "Share of the resident population aged 0–14, prefecture census panel."),
    ("age_15_59", "pref_share_age_15_59_pct", "15—59岁人口比重（地级面板）",
     "Share of population aged 15–59 (prefecture panel)", "%", "higher_is_better", "weighted_mean",
     "pref_pop_total", "Share of the resident population aged 15–59, prefecture census panel."),
    ("age_60", "pref_share_age_60plus_pct", "60岁及以上人口比重（地级面板）",
     "Share of population aged 60+ (prefecture panel)", "%", "lower_is_better", "weighted_mean",
     "pref_pop_total", "Share of the resident population aged 60 and over (overlaps the 65+ share), "
     "prefecture census panel."),
    ("age_65", "pref_share_age_65plus_pct", "65岁及以上人口比重（地级面板）",
     "Share of population aged 65+ (prefecture panel)", "%", "lower_is_better", "weighted_mean",
     "pref_pop_total", "Share of the resident population aged 65 and over, prefecture census panel."),
]


# --------------------------------------------------------------------------------------
# 4a. census 2020 wide
# --------------------------------------------------------------------------------------

NON_INDICATOR_COLS = {"code", "level", "province", "prefecture", "county"}


def build_census_wide(src: Path, out: Path, regions: dict[str, dict], history: list[dict]) -> list[str]:
    rows = read_csv(src / "county_statistics" / "census2020_by_county.csv")
    header = list(rows[0].keys())
    ind_cols = [c for c in header if c not in NON_INDICATOR_COLS]
    missing = [c for c in ind_cols if c not in CENSUS_INDICATORS]
    extra = [c for c in CENSUS_INDICATORS if c not in ind_cols]
    if missing or extra:
        sys.exit(f"indicator table out of sync with census columns: missing {missing}, extra {extra}")

    hist_by_code: dict[str, list[dict]] = defaultdict(list)
    for h in history:
        hist_by_code[h["code"]].append(h)

    census_codes = {r["code"] for r in rows if r["code"]}
    out_rows: list[list[str]] = []
    unmatched: list[tuple[str, str, str]] = []
    candidates: dict[str, tuple[dict, str, dict]] = {}  # old code -> (row, successor, hist rec)
    n_other = 0
    for r in rows:
        lvl, c = r["level"], r["code"]
        if lvl == "other_no_code":
            n_other += 1
            continue
        if lvl == "national":
            out_rows.append(["000000", "2020"] + [r[k] for k in ind_cols])
            continue
        if c in regions:
            out_rows.append([c, "2020"] + [r[k] for k in ind_cols])
            continue
        recs = [h for h in hist_by_code.get(c, []) if h["status"] == "retired"]
        if recs:
            rec = max(recs, key=lambda h: int(h["end_year"]))
            succ = parse_successors(rec["successor_codes"])
            succ_in = [s for s in succ if s in regions]
            if len(succ) == 1 and len(succ_in) == 1:
                candidates[c] = (r, succ[0], rec)
                continue
            unmatched.append((c, f"{r['prefecture']} {r['county']}",
                              f"retired {rec['end_year']}, {len(succ)} successors ({';'.join(succ)}) — ambiguous"))
            continue
        if c[:2] + "0000" not in regions:
            why = "not a GB/T 2260 code (province prefix does not exist — typo in source?)"
        elif lvl == "prefecture":
            why = "municipal 市辖区/县 aggregate — no such region in MCA (the province row carries the total)"
        else:
            why = "not a GB/T 2260 code (NBS statistical code: development zone / management area)"
        unmatched.append((c, f"{r['prefecture']} {r['county']}", why))

    # collision guards for retired codes: successor must not be in the census itself and must not be
    # the successor of another kept row (otherwise revita's crosswalk would create duplicates)
    succ_count = Counter(s for (_, s, _) in candidates.values())
    kept_old: list[tuple[str, str, str, str]] = []
    for c, (r, s, rec) in sorted(candidates.items()):
        if s in census_codes:
            unmatched.append((c, f"{r['prefecture']} {r['county']}",
                              f"retired {rec['end_year']} → {s} {regions[s]['name_zh']}, but {s} is itself in the "
                              "census file (would duplicate) — dropped"))
        elif succ_count[s] > 1:
            others = [o for o, (_, s2, _) in candidates.items() if s2 == s and o != c]
            unmatched.append((c, f"{r['prefecture']} {r['county']}",
                              f"retired {rec['end_year']} → {s} {regions[s]['name_zh']}, merged with "
                              f"{','.join(others)} (would duplicate) — dropped"))
        else:
            kept_old.append((c, r["county"], s, regions[s]["name_zh"]))
            out_rows.append([c, "2020"] + [r[k] for k in ind_cols])

    write_csv(out / "census2020_wide.csv", ["region_code", "period"] + ind_cols, out_rows)
    report(f"census2020_wide.csv: {len(out_rows)} rows x {len(ind_cols)} indicators "
           f"(source rows {len(rows)}; dropped {n_other} other_no_code rows; "
           f"{len(kept_old)} rows keep their retired 2020 code; {len(unmatched)} coded rows unmatched)")
    report("  rows kept under their retired 2020 code (single successor in regions.csv):")
    for c, name, s, sname in kept_old:
        report(f"    {c} {name} -> {s} {sname}")
    report("  coded census rows not matched (dropped):")
    for c, name, why in sorted(unmatched):
        report(f"    {c} {name}: {why}")
    # codes matched directly whose area changed after the census (boundary transfers 2021+)
    changed_area = set()
    for h in history:
        for part in h["successor_codes"].split(";"):
            m = re.fullmatch(r"(\d{6})(?:\[(\d{4})\])?", part.strip())
            if not m:
                continue
            s, y = m.group(1), m.group(2)
            year = int(y) if y else (int(h["end_year"]) if h["end_year"] else None)
            if year is None or year < 2021 or s == h["code"]:
                continue
            if (h["level"] == "province" and s[:2] == h["code"][:2]) or \
                    (h["level"] == "prefecture" and s[:4] == h["code"][:4]):
                continue  # area moved between units inside this province/prefecture: its total is unchanged
            if h["code"] in census_codes and h["code"] in regions:
                changed_area.add(h["code"])  # gave area away
            if s in census_codes and s in regions:
                changed_area.add(s)  # received area
    report(f"  {len(changed_area)} directly matched codes whose area changed 2021-2024 (2020 values refer to "
           "the 2020 area): " + " ".join(f"{c} {regions[c]['name_zh']}" for c in sorted(changed_area)))
    no_data = [c for c, r in regions.items() if c not in census_codes and c != "000000"
               and not any(s == c for (_, _, s, _) in kept_old)]
    report(f"  regions with no 2020 census row: " + " ".join(f"{c} {regions[c]['name_zh']}" for c in sorted(no_data)))
    return ind_cols


# --------------------------------------------------------------------------------------
# 4b. prefecture panel long
# --------------------------------------------------------------------------------------

def build_panel_long(src: Path, out: Path, regions: dict[str, dict]) -> None:
    rows = read_csv(src / "county_statistics" / "census_prefecture_2010_2020.csv")
    out_rows = []
    unmatched = []
    remapped = []
    empty = Counter()
    for r in rows:
        c = r["city_code"]
        if c not in regions:
            if c.endswith("0100") and r["province_code"] in regions and \
                    regions[r["province_code"]]["name_zh"] == r["city"]:
                remapped.append(f"{c}->{r['province_code']} {r['city']}")
                c = r["province_code"]
            else:
                unmatched.append(f"{c} {r['city']}")
                continue
        for stem, code, *_ in PANEL_INDICATORS:
            for year in ("2010", "2020"):
                v = r[f"{stem}_{year}"]
                if v == "":
                    empty[year] += 1
                    continue
                out_rows.append([c, code, year, v, PANEL_SOURCE])
    codes = [x[0] for x in out_rows]
    assert len({(x[0], x[1], x[2]) for x in out_rows}) == len(out_rows), "duplicate panel observations"
    out_rows.sort(key=lambda x: (x[0], x[1], x[2]))
    write_csv(out / "census_prefecture_2010_2020_long.csv",
              ["region_code", "indicator", "period", "value", "source"], out_rows)
    report(f"census_prefecture_2010_2020_long.csv: {len(out_rows)} rows, {len(set(codes))} regions "
           f"({len(rows)} source rows); municipalities remapped: {', '.join(remapped)}; unmatched: {unmatched}; "
           f"empty source cells skipped: 2010={empty['2010']}, 2020={empty['2020']}")
    lvls = Counter(regions[c]["level"] for c in set(codes))
    report(f"  region levels in the panel: {dict(sorted(lvls.items()))}")


def compare_panel_with_census(src: Path) -> None:
    panel = read_csv(src / "county_statistics" / "census_prefecture_2010_2020.csv")
    cen = {r["code"]: r for r in read_csv(src / "county_statistics" / "census2020_by_county.csv") if r["code"]}
    pop = []
    hh = 0
    for r in panel:
        e = cen.get(r["city_code"])
        if not e:
            continue
        if r["popu_2020"] and r["popu_2020"] != e["pop_total"]:
            pop.append(f"{r['city_code']} {r['city']} {r['popu_2020']} vs {e['pop_total']}")
        if r["household_2020"] and r["household_2020"] != e["avg_family_household_size"]:
            hh += 1
    report(f"  panel 2020 population differs from the county-census file for {len(pop)} units, e.g. "
           + "; ".join(pop[:4]) + f"; household size differs for {hh} units -> panel indicators use pref_ codes")


# --------------------------------------------------------------------------------------
# 5. designations
# --------------------------------------------------------------------------------------

DES_COLS = ["region_code", "category", "class", "basis_title", "basis_number", "valid_from", "valid_to", "notes"]


def build_designations(src: Path, out: Path, regions: dict[str, dict]) -> None:
    d = src / "designated_areas"
    rows = []
    pov = read_csv(d / "poverty_counties_832.csv")
    seen: dict[str, dict] = {}
    left_out = []
    for r in pov:
        c = r["code_2024"]
        if not c or c not in regions:
            left_out.append(f"{r['code_source']} {r['name_source']} (code_2024 {c or 'empty'})")
            continue
        note = f"exited {r['exit_year']} (摘帽); valid_from approximate"
        if r["name_source"] != r["name_2024"] or r["code_source"] != c:
            note += f"; as listed: {r['name_source']} ({r['code_source']})"
        if c in seen:
            prev = seen[c]
            if prev["valid_to"] != f"{r['exit_year']}-12-31":
                report(f"  ! poverty list: {c} listed twice with different exit years")
            prev["notes"] += f"; also listed: {r['name_source']} ({r['code_source']}); both now {r['name_2024']}"
            report(f"  poverty list: {c} {r['name_2024']} appears twice ({r['name_source']}) — merged into one row")
            continue
        row = {"region_code": c, "category": "poverty_county", "class": "",
               "basis_title": "国家扶贫开发工作重点县 / 集中连片特困地区县 (832个贫困县)",
               "basis_number": "", "valid_from": "2012-01-01", "valid_to": f"{r['exit_year']}-12-31",
               "notes": note}
        seen[c] = row
        rows.append(row)
    n_pov = len(rows)
    report(f"designations.csv: poverty_county {n_pov} rows from {len(pov)} source rows; left out: {left_out}")

    key = read_csv(d / "rural_revitalization_key_counties_2021_PARTIAL.csv")
    n_known = len(key)
    left_out = []
    for r in key:
        c = r["code_2024"]
        if not c or c not in regions:
            left_out.append(f"{r['name_source']} ({c or 'empty'})")
            continue
        note = (f"partial list: {n_known} of 160 counties known; {r['province']} {r['province_list_status']} "
                f"({r['listed_here_for_province']} of {r['official_province_total']}); absence from the list does "
                f"not mean not designated")
        rows.append({"region_code": c, "category": "key_assistance_county", "class": "",
                     "basis_title": "国家乡村振兴重点帮扶县 — 中央农村工作领导小组办公室、国家乡村振兴局"
                                    "《关于公布国家乡村振兴重点帮扶县名单的通知》",
                     "basis_number": "", "valid_from": "2021-08-27", "valid_to": "", "notes": note})
    report(f"  key_assistance_county {len(rows) - n_pov} rows from {n_known} source rows; left out: {left_out}")
    assert len({(r["region_code"], r["category"]) for r in rows}) == len(rows)
    write_csv(out / "designations.csv", DES_COLS, rows)


# --------------------------------------------------------------------------------------
# 6. pairings
# --------------------------------------------------------------------------------------

PAIR_COLS = ["program", "donor", "donor_type", "donor_code", "recipient_level", "recipient_code_2024",
             "recipient_name_2024", "start_year", "verification"]


def build_pairings(src: Path, out: Path, regions: dict[str, dict]) -> None:
    rows = read_csv(src / "designated_areas" / "counterpart_support_pairings.csv")
    # revita's pairing importer needs both codes; rows without one (XPCC
    # divisions, central enterprises as donors) are left out and listed.
    no_code = [f"{r['donor']}→{r['recipient_name_2024'] or '?'}" for r in rows
               if not r["recipient_code_2024"] or not r["donor_code"]]
    rows = [r for r in rows if r["recipient_code_2024"] and r["donor_code"]]
    n = write_csv(out / "pairings.csv", PAIR_COLS, rows)
    bad = [r["recipient_code_2024"] for r in rows if r["recipient_code_2024"] and r["recipient_code_2024"] not in regions]
    bad += [r["donor_code"] for r in rows if r["donor_code"] and r["donor_code"] not in regions]
    report(f"pairings.csv: {n} rows; left out without donor or recipient code: {no_code}; "
           f"codes not in regions: {bad}; rows without start_year: {sum(1 for r in rows if not r['start_year'])}")


# --------------------------------------------------------------------------------------
# 7. boundaries — shared-arc (topology-preserving) Douglas-Peucker
# --------------------------------------------------------------------------------------
# Coordinates in the source have 5 decimals; they are handled as integers in units of 1e-5 degree so that
# vertices shared by neighbouring polygons compare exactly.  Rings are cut into arcs at junction vertices
# (where more than two distinct neighbours meet), every distinct arc is simplified once and rounded once,
# and rings are re-assembled from the arcs — so neighbours keep identical shared borders (no slivers/gaps).

SCALE = 100_000


def _seg_dist2(px, py, ax, ay, bx, by) -> float:
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return (px - ax) ** 2 + (py - ay) ** 2
    t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
    t = 0.0 if t < 0 else 1.0 if t > 1 else t
    qx, qy = ax + t * dx, ay + t * dy
    return (px - qx) ** 2 + (py - qy) ** 2


def _dp(pts: list[tuple[int, int]], tol: float) -> list[tuple[int, int]]:
    """Douglas-Peucker for an open polyline; endpoints are always kept."""
    n = len(pts)
    if n <= 2:
        return list(pts)
    keep = [False] * n
    keep[0] = keep[-1] = True
    tol2 = tol * tol
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        ax, ay = pts[i]
        bx, by = pts[j]
        best, bi = -1.0, -1
        for k in range(i + 1, j):
            d = _seg_dist2(pts[k][0], pts[k][1], ax, ay, bx, by)
            if d > best:
                best, bi = d, k
        if best > tol2:
            keep[bi] = True
            stack.append((i, bi))
            stack.append((bi, j))
    return [p for p, k in zip(pts, keep) if k]


def _ensure_three(src: list[tuple[int, int]], simp: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep at least one interior vertex (the one farthest from the chord) of a half ring."""
    if len(simp) >= 3 or len(src) <= 2:
        return simp
    a, b = src[0], src[-1]
    mid = max(src[1:-1], key=lambda p: _seg_dist2(p[0], p[1], a[0], a[1], b[0], b[1]))
    return [a, mid, b]


def _simplify_arc(arc: tuple, tol: float) -> list[tuple[int, int]]:
    pts = list(arc)
    if pts[0] != pts[-1]:
        return _dp(pts, tol)
    # closed arc (ring without junctions): anchor at start and at the vertex farthest from it,
    # and keep at least a quadrilateral so small islands survive
    x0, y0 = pts[0]
    far = max(range(len(pts)), key=lambda k: (pts[k][0] - x0) ** 2 + (pts[k][1] - y0) ** 2)
    a = _ensure_three(pts[:far + 1], _dp(pts[:far + 1], tol))
    b = _ensure_three(pts[far:], _dp(pts[far:], tol))
    return a + b[1:]


def _round_int(v: int, decimals: int) -> int:
    q = 10 ** (5 - decimals)
    if q == 1:
        return v
    # round half away from zero, on integers (exact)
    s = -1 if v < 0 else 1
    return s * ((abs(v) + q // 2) // q) * q


def _fmt(v: int) -> str:
    s = "-" if v < 0 else ""
    v = abs(v)
    ip, fp = divmod(v, SCALE)
    frac = f"{fp:05d}".rstrip("0")
    return f"{s}{ip}.{frac}" if frac else f"{s}{ip}"


def _area2(ring: list[tuple[int, int]]) -> int:
    """Twice the signed area (positive = counter-clockwise) of a closed ring."""
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1))


def _clean_ring(pts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Remove consecutive duplicates and A-B-A spikes; return a closed ring (may be degenerate)."""
    out: list[tuple[int, int]] = []
    for p in pts:
        if out and out[-1] == p:
            continue
        out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    changed = True
    while changed and len(out) >= 3:
        changed = False
        n = len(out)
        for i in range(n):
            if out[(i - 1) % n] == out[(i + 1) % n]:
                # spike at i: drop i and one copy of its neighbour
                j = (i + 1) % n
                for k in sorted({i, j}, reverse=True):
                    del out[k]
                changed = True
                break
        # consecutive duplicates can appear after spike removal
        dedup = []
        for p in out:
            if dedup and dedup[-1] == p:
                continue
            dedup.append(p)
        if len(dedup) > 1 and dedup[0] == dedup[-1]:
            dedup.pop()
        out = dedup
    return out + out[:1]


def _bbox(ring):
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _box_in(inner, outer) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _pip(pt, ring) -> bool:
    """Point strictly inside a closed ring (exact integer ray casting; caller avoids boundary points)."""
    px, py = pt
    inside = False
    for (ax, ay), (bx, by) in zip(ring, ring[1:]):
        if (ay > py) != (by > py):
            cross = (bx - ax) * (py - ay) - (px - ax) * (by - ay)
            if (cross > 0) == (by > ay):
                inside = not inside
    return inside


def _inside(inner, outer):
    """Is ring `inner` inside ring `outer`?  Decided on the first vertex of inner that is not a vertex of
    outer; None if every vertex is shared."""
    ov = set(outer)
    for p in inner:
        if p not in ov:
            return _pip(p, outer)
    return None


def _orient(a, b, c) -> int:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_seg(a, b, c) -> bool:
    """c is collinear with a-b (checked by caller); is it within the segment's box?"""
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def _crossing_arcs(arc_pts: list[list[tuple[int, int]]], cell: int = 2000) -> set[int]:
    """Arcs whose segments cross or touch another segment anywhere except at legitimate shared vertices
    (consecutive vertices of one arc, or junctions = arc end points).  Exact integer arithmetic."""
    segs = []
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for aid, pts in enumerate(arc_pts):
        n = len(pts) - 1
        closed = n > 1 and pts[0] == pts[-1]
        for i in range(n):
            p, q = pts[i], pts[i + 1]
            sid = len(segs)
            segs.append((aid, i, n, closed, p, q))
            for cx in range(min(p[0], q[0]) // cell, max(p[0], q[0]) // cell + 1):
                for cy in range(min(p[1], q[1]) // cell, max(p[1], q[1]) // cell + 1):
                    grid[(cx, cy)].append(sid)

    def arc_end(s, t) -> bool:
        return (s[1] == 0 and t == s[4]) or (s[1] == s[2] - 1 and t == s[5])

    def allowed(s1, s2, t) -> bool:
        if s1[0] == s2[0]:
            i, j = sorted((s1[1], s2[1]))
            if j == i + 1:
                common = segs_by_arc_point(s1, s2)
                return t == common
            if s1[3] and i == 0 and j == s1[2] - 1:
                return t == arc_pts[s1[0]][0]
        return arc_end(s1, t) and arc_end(s2, t)

    def segs_by_arc_point(s1, s2):
        return s1[5] if s1[1] < s2[1] else s1[4]

    bad: set[int] = set()
    seen: set[tuple[int, int]] = set()
    for ids in grid.values():
        m = len(ids)
        if m < 2:
            continue
        for x in range(m):
            s1 = segs[ids[x]]
            p1, p2 = s1[4], s1[5]
            for y in range(x + 1, m):
                s2 = segs[ids[y]]
                if s1[0] in bad and s2[0] in bad:
                    continue
                p3, p4 = s2[4], s2[5]
                if max(p1[0], p2[0]) < min(p3[0], p4[0]) or max(p3[0], p4[0]) < min(p1[0], p2[0]) or \
                        max(p1[1], p2[1]) < min(p3[1], p4[1]) or max(p3[1], p4[1]) < min(p1[1], p2[1]):
                    continue
                pair = (ids[x], ids[y]) if ids[x] < ids[y] else (ids[y], ids[x])
                if pair in seen:
                    continue
                seen.add(pair)
                d1, d2 = _orient(p3, p4, p1), _orient(p3, p4, p2)
                d3, d4 = _orient(p1, p2, p3), _orient(p1, p2, p4)
                hit = ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4))
                if not hit:
                    touches = []
                    if d1 == 0 and _on_seg(p3, p4, p1):
                        touches.append(p1)
                    if d2 == 0 and _on_seg(p3, p4, p2):
                        touches.append(p2)
                    if d3 == 0 and _on_seg(p1, p2, p3):
                        touches.append(p3)
                    if d4 == 0 and _on_seg(p1, p2, p4):
                        touches.append(p4)
                    if {p1, p2} == {p3, p4}:
                        hit = True
                    else:
                        for t in touches:
                            if not ((t == p1 or t == p2) and (t == p3 or t == p4) and allowed(s1, s2, t)):
                                hit = True
                                break
                if hit:
                    bad.add(s1[0])
                    bad.add(s2[0])
    return bad


def simplify_layer(features: list[tuple[str, list]], tol_deg: float, decimals: int = 3,
                   tiny_area_deg2: float = 0.0, size_factor: float = 0.05) -> tuple[list[tuple[str, list]], dict]:
    """features: [(code, [polygon, ...])], polygon = [ring, ...], ring = [[lon, lat], ...] (5-decimal floats).

    Returns simplified features in the same structure (rings as int tuples) and statistics."""
    # --- integer rings ---
    rings: list[list[tuple[int, int]]] = []  # ring id -> open vertex list
    feat_polys: list[tuple[str, list[list[int]]]] = []  # code -> polys as lists of ring ids
    for code, polys in features:
        plist = []
        for poly in polys:
            rids = []
            for ring in poly:
                pts = [(round(x * SCALE), round(y * SCALE)) for x, y in ring]
                clean = []
                for p in pts:
                    if not clean or clean[-1] != p:
                        clean.append(p)
                if clean[0] == clean[-1]:
                    clean.pop()
                if len(clean) < 3:
                    continue
                rids.append(len(rings))
                rings.append(clean)
            if rids:
                plist.append(rids)
        feat_polys.append((code, plist))

    # --- junctions: vertices with != 2 distinct neighbours, or visited more than once by one ring ---
    nbrs: dict[tuple[int, int], set] = defaultdict(set)
    for ring in rings:
        n = len(ring)
        for i, p in enumerate(ring):
            s = nbrs[p]
            s.add(ring[i - 1])
            s.add(ring[(i + 1) % n])
    junction = {p for p, s in nbrs.items() if len(s) != 2}
    for ring in rings:
        c = Counter(ring)
        junction.update(p for p, k in c.items() if k > 1)

    # --- cut rings into arcs ---
    arc_index: dict[tuple, int] = {}
    arcs: list[tuple] = []
    ring_arcs: list[list[tuple[int, bool]]] = []  # (arc id, reversed?)
    for ring in rings:
        n = len(ring)
        jidx = [i for i, p in enumerate(ring) if p in junction]
        pieces = []
        if not jidx:
            start = min(range(n), key=lambda i: ring[i])
            r = ring[start:] + ring[:start]
            r = r + [r[0]]
            # canonical direction: second vertex smaller than the penultimate one
            if r[1] > r[-2]:
                r = r[::-1]
                pieces.append((tuple(r), True))
            else:
                pieces.append((tuple(r), False))
        else:
            r = ring[jidx[0]:] + ring[:jidx[0]]
            rel = [i - jidx[0] for i in jidx] + [n]
            r = r + [r[0]]
            for a, b in zip(rel, rel[1:]):
                seg = tuple(r[a:b + 1])
                rev = seg[::-1]
                if rev < seg:
                    pieces.append((rev, True))
                else:
                    pieces.append((seg, False))
        ra = []
        for key, is_rev in pieces:
            aid = arc_index.get(key)
            if aid is None:
                aid = arc_index[key] = len(arcs)
                arcs.append(key)
            ra.append((aid, is_rev))
        ring_arcs.append(ra)

    arc_rings: dict[int, list[int]] = defaultdict(list)
    for rid, ra in enumerate(ring_arcs):
        for aid, _ in ra:
            arc_rings[aid].append(rid)

    tol0 = tol_deg * SCALE
    orig_area = [abs(_area2(r + r[:1])) / 2 / SCALE ** 2 for r in rings]
    # small features get a proportionally smaller tolerance: tol <= size_factor * sqrt(feature area)
    ring_feat_size = [0.0] * len(rings)
    for _, plist in feat_polys:
        size = math.sqrt(sum(orig_area[rids[0]] for rids in plist)) * SCALE
        for rids in plist:
            for rid in rids:
                ring_feat_size[rid] = size
    arc_tol = [tol0] * len(arcs)
    for rid, ra in enumerate(ring_arcs):
        t = min(tol0, size_factor * ring_feat_size[rid])
        for aid, _ in ra:
            if t < arc_tol[aid]:
                arc_tol[aid] = t
    arc_dec = [decimals] * len(arcs)
    cache: dict[tuple[int, float], list] = {}

    def ring_coords(rid: int, arc_out: list) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for aid, is_rev in ring_arcs[rid]:
            pts = arc_out[aid][::-1] if is_rev else arc_out[aid]
            out.extend(pts[1:] if out else pts)
        return out

    rounds = 0
    fixed_crossings = 0
    while True:
        # junction vertices take the finest precision of the arcs that meet there
        vdec: dict[tuple[int, int], int] = {}
        for aid, arc in enumerate(arcs):
            for p in (arc[0], arc[-1]):
                if vdec.get(p, -1) < arc_dec[aid]:
                    vdec[p] = arc_dec[aid]
        arc_out: list[list[tuple[int, int]]] = []
        for aid in range(len(arcs)):
            key = (aid, arc_tol[aid])
            simp = cache.get(key)
            if simp is None:
                simp = cache[key] = _simplify_arc(arcs[aid], arc_tol[aid])
            d = arc_dec[aid]
            pts: list[tuple[int, int]] = []
            for x, y in simp:
                dd = vdec.get((x, y), d)
                q = (_round_int(x, dd), _round_int(y, dd))
                if not pts or pts[-1] != q:
                    pts.append(q)
            arc_out.append(pts)
        result = []
        collapsed: set[int] = set()
        misplaced: set[int] = set()  # rings whose nesting changed (hole outside shell, part inside part)
        repeated: set[int] = set()   # rings touching themselves at a vertex
        dropped_parts = 0
        dropped_holes = 0
        for code, plist in feat_polys:
            polys_out = []
            for rids in plist:
                ext = _clean_ring(ring_coords(rids[0], arc_out))
                if len(ext) < 4 or _area2(ext) == 0:
                    if orig_area[rids[0]] >= tiny_area_deg2:
                        collapsed.add(rids[0])
                    dropped_parts += 1
                    continue
                out_rings = [(rids[0], ext)]
                for hid in rids[1:]:
                    h = _clean_ring(ring_coords(hid, arc_out))
                    if len(h) < 4 or _area2(h) == 0:
                        if orig_area[hid] >= tiny_area_deg2:
                            collapsed.add(hid)
                        dropped_holes += 1
                        continue
                    if _inside(h, ext) is False:
                        misplaced.update((rids[0], hid))
                    out_rings.append((hid, h))
                for rid, ring in out_rings:
                    if len(set(ring)) < len(ring) - 1:
                        repeated.add(rid)
                polys_out.append(out_rings)
            # parts of one feature must not nest (unless inside a hole of the other part)
            if len(polys_out) > 1:
                boxes = [_bbox(pl[0][1]) for pl in polys_out]
                for i, pi in enumerate(polys_out):
                    for j, pj in enumerate(polys_out):
                        if i == j or not _box_in(boxes[j], boxes[i]):
                            continue
                        if _inside(pj[0][1], pi[0][1]) and not any(_inside(pj[0][1], h) for _, h in pi[1:]):
                            misplaced.update((pi[0][0], pj[0][0]))
            result.append((code, [[r for _, r in pl] for pl in polys_out]))
        refinable = lambda aid: arc_tol[aid] > 0 or arc_dec[aid] < 5  # noqa: E731
        collapse_arcs = {aid for rid in collapsed for aid, _ in ring_arcs[rid] if refinable(aid)}
        cross_arcs = {aid for aid in _crossing_arcs(arc_out) if refinable(aid)}
        cross_arcs |= {aid for rid in misplaced for aid, _ in ring_arcs[rid] if refinable(aid)}
        precision_arcs = {aid for rid in repeated for aid, _ in ring_arcs[rid] if arc_dec[aid] < 5}
        if (not collapse_arcs and not cross_arcs and not precision_arcs) or rounds >= 24:
            break
        rounds += 1
        fixed_crossings += len(cross_arcs)
        for aid in collapse_arcs:
            arc_tol[aid] = arc_tol[aid] / 4 if arc_tol[aid] > 4 else 0.0
            arc_dec[aid] = min(5, arc_dec[aid] + 1)
        for aid in cross_arcs - collapse_arcs:
            if arc_tol[aid] > 0:
                arc_tol[aid] = arc_tol[aid] / 2 if arc_tol[aid] > 4 else 0.0
            else:
                arc_dec[aid] = min(5, arc_dec[aid] + 1)
        for aid in precision_arcs - collapse_arcs:
            arc_dec[aid] = min(5, arc_dec[aid] + 1)
    remaining = _crossing_arcs(arc_out)
    if remaining or misplaced or repeated:
        report(f"  ! unresolved: crossing arcs {sorted(remaining)[:10]}, misplaced rings {len(misplaced)}, "
               f"self-touching rings {len(repeated)}")

    # orientation per RFC 7946: exterior counter-clockwise, holes clockwise
    final = []
    for code, polys in result:
        fp = []
        for poly in polys:
            rr = []
            for k, ring in enumerate(poly):
                a = _area2(ring)
                if (k == 0 and a < 0) or (k > 0 and a > 0):
                    ring = ring[::-1]
                rr.append(ring)
            fp.append(rr)
        final.append((code, fp))
    stats = {"arcs": len(arcs), "junctions": len(junction), "refine_rounds": rounds,
             "crossing_refinements": fixed_crossings, "remaining_crossing_arcs": len(remaining),
             "refined_arcs": sum(1 for a in range(len(arcs)) if arc_dec[a] > decimals),
             "dropped_parts": dropped_parts, "dropped_holes": dropped_holes,
             "in_points": sum(len(r) + 1 for r in rings),
             "out_points": sum(len(r) for _, ps in final for p in ps for r in p)}
    return final, stats


def write_geojson(path: Path, feats: list[tuple[str, list]]) -> None:
    parts = []
    for code, polys in feats:
        if len(polys) == 1:
            gtype = "Polygon"
            coords = "[" + ",".join("[" + ",".join(f"[{_fmt(x)},{_fmt(y)}]" for x, y in ring) + "]"
                                    for ring in polys[0]) + "]"
        else:
            gtype = "MultiPolygon"
            coords = "[" + ",".join(
                "[" + ",".join("[" + ",".join(f"[{_fmt(x)},{_fmt(y)}]" for x, y in ring) + "]" for ring in poly) + "]"
                for poly in polys) + "]"
        parts.append('{"type":"Feature","properties":{"code":' + json.dumps(code) + '},"geometry":{"type":"'
                     + gtype + '","coordinates":' + coords + "}}")
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write('{"type":"FeatureCollection","features":[\n')
        fh.write(",\n".join(parts))
        fh.write("\n]}\n")


BOUNDARY_LAYERS = [
    # out name, source file, code property, expected region level, DP tolerance (degrees)
    ("province", "cn_provinces.geojson", "province_adcode", "province", 0.03),
    ("prefecture", "cn_prefectures.geojson", "city_adcode", "prefecture", 0.02),
    ("county", "cn_counties.geojson", "district_adcode", "county", 0.013),
]


def build_boundaries(src: Path, out: Path, regions: dict[str, dict], history: list[dict],
                     tolerances: dict[str, float]) -> None:
    retired_succ: dict[str, list[str]] = {}
    for h in history:
        if h["status"] == "retired":
            retired_succ[h["code"]] = parse_successors(h["successor_codes"])
    for layer, fname, prop, level, tol in BOUNDARY_LAYERS:
        tol = tolerances.get(layer, tol)
        data = json.loads((src / "boundaries" / fname).read_text(encoding="utf-8"))
        feats = []
        present = {f["properties"][prop] for f in data["features"]}
        dropped, recoded = [], []
        for f in data["features"]:
            p = f["properties"]
            code = p[prop]
            name = p.get("district_name") or p.get("city_name") or p.get("province_name")
            if code not in regions:
                new = None
                succ = [s for s in retired_succ.get(code, []) if s in regions]
                if len(retired_succ.get(code, [])) == 1 and len(succ) == 1:
                    new, how = succ[0], "code history successor"
                else:
                    # same name within the same parent (feature of an older code vintage)
                    parent = p.get("city_adcode") if layer == "county" else p.get("province_adcode")
                    cands = [c for c, r in regions.items() if r["name_zh"] == name and r["level"] == level
                             and (r["parent_code"] == parent or c[:2] == code[:2])]
                    if len(cands) == 1:
                        new, how = cands[0], "same name in MCA 2024"
                if new and new not in present:
                    recoded.append(f"{code} {name} -> {new} {regions[new]['name_zh']} ({how})")
                    code = new
                else:
                    dropped.append(f"{code} {name}")
                    continue
            g = f["geometry"]
            polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
            feats.append((code, polys))
        assert len({c for c, _ in feats}) == len(feats), f"duplicate codes in {layer} layer"
        simp, st = simplify_layer(feats, tol)
        simp = [(c, ps) for c, ps in simp if ps]
        empty = [c for c, ps in feats if c not in {x for x, _ in simp}]
        path = out / f"boundaries_{layer}.geojson"
        write_geojson(path, simp)
        codes = {c for c, _ in simp}
        lv = Counter(regions[c]["level"] for c in codes)
        missing = sorted(c for c, r in regions.items() if r["level"] == level and c not in codes)
        report(f"boundaries_{layer}.geojson: {len(simp)} features (source {len(data['features'])}, property "
               f"'{prop}'), levels {dict(sorted(lv.items()))}, tolerance {tol}°, points {st['in_points']} -> {st['out_points']}, "
               f"{path.stat().st_size} bytes; arcs {st['arcs']}, refine rounds {st['refine_rounds']} "
               f"(crossing refinements {st['crossing_refinements']}, arcs still crossing "
               f"{st['remaining_crossing_arcs']}), "
               f"arcs kept at >3 decimals {st['refined_arcs']}, dropped parts {st['dropped_parts']}, "
               f"dropped holes {st['dropped_holes']}, features emptied {empty}")
        if recoded:
            report(f"  recoded: {recoded}")
        if dropped:
            report(f"  dropped (code not in regions.csv): {len(dropped)}: {', '.join(dropped)}")
        report(f"  {level}-level regions without a feature in this layer: {len(missing)}: "
               + ", ".join(f"{c} {regions[c]['name_zh']}" for c in missing))
        _validity_report(path)


def _validity_report(path: Path) -> None:
    try:
        from shapely.geometry import shape  # optional, dev-time only
    except ImportError:
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    bad = [f["properties"]["code"] for f in data["features"] if not shape(f["geometry"]).is_valid]
    report(f"  shapely validity check: {len(bad)} invalid geometries {bad[:20]}")


# --------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("shared", nargs="?", default=str(REPO_ROOT.parent / "shared" / "data"),
                    help="shared raw data directory (default: ../shared/data relative to the repo root)")
    ap.add_argument("--out", default=str(REPO_ROOT / "data" / "demo"), help="output directory")
    ap.add_argument("--tol-province", type=float, default=None)
    ap.add_argument("--tol-prefecture", type=float, default=None)
    ap.add_argument("--tol-county", type=float, default=None)
    ap.add_argument("--skip-boundaries", action="store_true")
    args = ap.parse_args()
    src = Path(args.shared).resolve()
    out = Path(args.out).resolve()
    for sub in ("admin_divisions", "county_statistics", "designated_areas", "boundaries"):
        if not (src / sub).is_dir():
            sys.exit(f"{src / sub} not found — pass the shared data directory as the first argument")
    out.mkdir(parents=True, exist_ok=True)
    report(f"source: {src}\noutput: {out}\n")

    hist_path = src / "admin_divisions" / "mca_code_history_1981_2024.csv"
    history = read_csv(hist_path)

    region_rows, regions = build_regions(src, history)
    write_csv(out / "regions.csv", REGION_COLS, region_rows)

    raw = hist_path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf") or b"\r" in raw:
        sys.exit("code history is not plain UTF-8 with \\n line endings; refusing to copy unchanged")
    shutil.copyfile(hist_path, out / "code_history.csv")
    report(f"code_history.csv: byte copy, {len(history)} rows")

    ind_cols = build_census_wide(src, out, regions, history)
    build_panel_long(src, out, regions)
    compare_panel_with_census(src)
    ind_rows = []
    for c in ind_cols:
        zh, en, unit, direction, agg, w, desc = CENSUS_INDICATORS[c]
        ind_rows.append([c, zh, en, unit, direction, agg, w, desc, CENSUS_SOURCE, *value_range(unit)])
    for _, c, zh, en, unit, direction, agg, w, desc in PANEL_INDICATORS:
        ind_rows.append([c, zh, en, unit, direction, agg, w, desc, PANEL_SOURCE, *value_range(unit)])
    allc = {r[0] for r in ind_rows}
    for r in ind_rows:
        assert r[5] != "weighted_mean" or r[6] in allc, r
    write_csv(out / "indicators.csv", IND_COLS, ind_rows)
    report(f"indicators.csv: {len(ind_rows)} rows ({len(ind_cols)} county-census, {len(PANEL_INDICATORS)} pref_ panel)")

    build_designations(src, out, regions)
    build_pairings(src, out, regions)

    if not args.skip_boundaries:
        tols = {k: v for k, v in (("province", args.tol_province), ("prefecture", args.tol_prefecture),
                                  ("county", args.tol_county)) if v is not None}
        build_boundaries(src, out, regions, history, tols)

    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    report(f"\ntotal size of {out}: {total} bytes")


if __name__ == "__main__":
    main()
