use super::*;
use revita_methods::relocation::{EmploymentPlace, Setting, SiteCategory, SiteSubtype};
use revita_methods::work_relief::{FundSource, ProjectStatus, WorkerCategory, WorksType};

fn table(text: &str) -> Table {
    Table::from_csv_reader("in.csv", std::io::Cursor::new(text.as_bytes().to_vec())).unwrap()
}

fn observations(text: &str, options: ObservationOptions) -> Result<Vec<ObservationRecord>, Problems> {
    let mut reader = ObservationReader::new(table(text), options)?;
    let mut out = Vec::new();
    let mut problems = Problems::default();
    while reader.next_batch(2, &mut out, &mut problems) {}
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

fn first_error(problems: Problems) -> String {
    problems.errors[0].to_string()
}

#[test]
fn long_rows_become_observations() {
    let rows = observations(
        "region_code,indicator,period,value,source\n520102,pop_total,2020,\"1,000\",census\n520103,pop_total,2020Q1,2.5,\n",
        ObservationOptions { source: Some("default".into()), ..Default::default() },
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].row, rows[0].observation.value), (2, 1000.0));
    assert_eq!(rows[0].observation.source.as_deref(), Some("census"));
    assert_eq!(rows[1].observation.source.as_deref(), Some("default"));
    assert_eq!(rows[1].observation.period, Period::Quarter(2020, 1));
}

#[test]
fn a_bad_number_names_its_row_and_column() {
    let err = observations("region_code,indicator,period,value\n520102,pop_total,2020,12x\n", Default::default());
    assert_eq!(first_error(err.unwrap_err()), "in.csv, row 2, column 'value': '12x' is not a number");
}

#[test]
fn every_problem_is_collected_not_just_the_first() {
    let text = "region_code,indicator,period,value\n,pop_total,2020,1\n520102,2pop,2020,1\n520102,pop,20x,1\n520102,pop,2020,\n";
    let problems = observations(text, Default::default()).unwrap_err();
    let reasons: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(problems.total, 4);
    assert_eq!(reasons[0], "in.csv, row 2, column 'region_code': is empty");
    assert!(reasons[1].starts_with("in.csv, row 3, column 'indicator': indicator code '2pop'"), "{}", reasons[1]);
    assert!(reasons[2].starts_with("in.csv, row 4, column 'period': '20x' is not a period"), "{}", reasons[2]);
    assert_eq!(reasons[3], "in.csv, row 5, column 'value': is empty");
}

#[test]
fn wide_files_by_indicator_take_one_column_per_indicator() {
    let text = "region_code,name,period,pop_total,urbanization_rate_pct\n520102,南明区,2020,1000,\n520103,云岩区,2020,2000,95.5\n";
    let rows = observations(text, Default::default()).unwrap();
    let triples: Vec<_> =
        rows.iter().map(|r| (r.row, r.observation.indicator.to_string(), r.observation.value)).collect();
    assert_eq!(
        triples,
        [(2, "pop_total".into(), 1000.0), (3, "pop_total".into(), 2000.0), (3, "urbanization_rate_pct".into(), 95.5)]
    );
}

#[test]
fn wide_files_by_period_take_one_column_per_year() {
    let text = "region_code,indicator,2019,2020\n520102,pop_total,990,1000\n";
    let rows = observations(text, Default::default()).unwrap();
    let periods: Vec<_> = rows.iter().map(|r| r.observation.period.to_string()).collect();
    assert_eq!(periods, ["2019", "2020"]);
}

#[test]
fn a_wide_file_needs_a_period_from_somewhere() {
    let err = ObservationReader::new(table("region_code,pop_total\n520102,1\n"), Default::default()).err().unwrap();
    assert!(err.reason.contains("needs a 'period' column"), "{err}");
    let options = ObservationOptions { period: Some(Period::Year(2020)), ..Default::default() };
    assert_eq!(observations("region_code,pop_total\n520102,1\n", options).unwrap().len(), 1);
}

#[test]
fn wrong_headers_are_named() {
    let err = ObservationReader::new(table("regio,indicator,period,value\n"), Default::default()).err().unwrap();
    assert_eq!(err.reason, "missing column 'region_code' (the header has: regio, indicator, period, value)");
    let err = ObservationReader::new(table("region_code,indicator,2020,x\n"), Default::default()).err().unwrap();
    assert!(err.reason.starts_with("column 'x' is not a period"), "{err}");
    let err = ObservationReader::new(table("region_code,indicator,value\n"), Default::default()).err().unwrap();
    assert!(err.reason.starts_with("missing column 'period'"), "{err}");
}

#[test]
fn regions_accept_nbs_headers_and_optional_columns() {
    let parsed = read_regions(&mut table("code12,name\n110101001001,多福巷社区居委会\n")).unwrap();
    let (row, region) = &parsed.rows[0];
    assert_eq!((*row, region.code.as_str(), region.level.as_deref()), (2, "110101001001", None));
    let parsed = read_regions(&mut table(
        "code,name_zh,level,parent_code,valid_from,extra\n520000,贵州省,province,000000,1981-01-01,x\n",
    ))
    .unwrap();
    assert_eq!(parsed.ignored_columns, ["extra"]);
    assert_eq!(parsed.rows[0].1.parent.as_ref().map(|p| p.as_str()), Some("000000"));
}

#[test]
fn a_bad_date_in_a_region_row_is_reported() {
    let problems = read_regions(&mut table("code,name_zh,valid_from\n520000,贵州省,1981/01/01\n")).unwrap_err();
    assert_eq!(
        first_error(problems),
        "in.csv, row 2, column 'valid_from': '1981/01/01' is not a date in the form YYYY-MM-DD"
    );
}

#[test]
fn a_header_without_rows_is_an_error() {
    let problems = read_regions(&mut table("code,name_zh\n")).unwrap_err();
    assert_eq!(first_error(problems), "in.csv: the file has a header but no data rows");
}

#[test]
fn indicators_are_checked_row_by_row() {
    let text = "code,name_zh,unit,direction,aggregation,weight_indicator\n\
                urbanization_rate_pct,城镇化率,%,higher_is_better,weighted_mean,pop_total\n\
                pop_total,常住人口,persons,up,sum,\n";
    let problems = read_indicators(&mut table(text)).unwrap_err();
    assert_eq!(problems.total, 1);
    assert!(first_error(problems).starts_with("in.csv, row 3, column 'direction': direction 'up'"));
}

#[test]
fn designations_check_category_and_class() {
    let text = "region_code,category,class,basis_title,valid_from,valid_to\n\
                520402,poverty_county,,832个贫困县名单,2012-01-01,2019-12-31\n\
                140200,resource_based_city,dying,国发〔2013〕45号,2013-11-12,\n\
                520402,poor,,x,,\n";
    let problems = read_designations(&mut table(text)).unwrap_err();
    let reasons: Vec<_> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert!(reasons[0].contains("row 3, column 'class': class 'dying' is not valid"), "{}", reasons[0]);
    assert!(reasons[1].contains("row 4, column 'category': category 'poor'"), "{}", reasons[1]);
}

#[test]
fn the_mca_code_history_is_read_with_successors() {
    let text = "code,province_name,prefecture_name,name,level,status,first_year,end_year,successor_codes\n\
                110103,北京市,直辖,崇文区,county,retired,1981,2010,110101\n\
                130102,河北省,石家庄市,长安区,county,retired,1981,2014,130104;130105[2013]\n";
    let parsed = read_code_history(&mut table(text)).unwrap();
    assert_eq!(parsed.rows[1].1.successors.len(), 2);
    assert_eq!(parsed.rows[0].1.end_year, Some(2010));
}

#[test]
fn a_broken_code_history_names_its_cells() {
    let text = "code,name,level,status,first_year,end_year,successor_codes\n\
                110103,崇文区,county,gone,1981,2010,110101\n\
                110104,宣武区,county,retired,19x1,2010,110102\n\
                110105,朝阳区,county,in_use,,,\n";
    let problems = read_code_history(&mut table(text)).unwrap_err();
    let reasons: Vec<_> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        reasons,
        [
            "in.csv, row 2, column 'status': 'gone' is not in_use, retired or changed",
            "in.csv, row 3, column 'first_year': '19x1' is not a year",
            "in.csv, row 4, column 'first_year': is empty",
        ]
    );
}

#[test]
fn pairings_need_both_codes_and_real_years() {
    let text = "program,donor,donor_code,recipient_code_2024,start_year,verification\n\
                对口援疆,广东省,440000,653121,2010,two sources\n\
                对口援疆,北京市,110000,,2010,\n\
                对口援藏,福建省,350000,540300,20x6,\n";
    let problems = read_pairings(&mut table(text)).unwrap_err();
    let reasons: Vec<_> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        reasons,
        [
            "in.csv, row 3, column 'recipient_code_2024': is empty",
            "in.csv, row 4, column 'start_year': '20x6' is not a year",
        ]
    );
}

const HOUSEHOLD_HEADER: &str = "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,\
disaster_loss,d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,\
d_housing,d_assets,d_health_ins";

#[test]
fn registry_rows_may_carry_income_sources_and_a_relocation_site() {
    let text = format!(
        "{HOUSEHOLD_HEADER},income_wage,income_business,income_property,income_transfer,relocation_site\n\
         H1,520103001001,3,2,8000,8000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,12000,6000,0,6000,幸福社区\n\
         H2,520103001001,3,2,8000,8000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,,,\n"
    );
    let parsed = read_registered_households(&mut table(&text)).unwrap();
    let (first, second) = (&parsed.rows[0].1, &parsed.rows[1].1);
    assert_eq!(first.income_sources.map(|s| s.total()), Some(24_000.0));
    assert_eq!(first.relocation_site.as_deref(), Some("幸福社区"));
    assert_eq!((second.income_sources, second.relocation_site.as_deref()), (None, None));
}

#[test]
fn partial_or_bad_income_sources_are_named() {
    let text = format!(
        "{HOUSEHOLD_HEADER},income_wage,income_business,income_property,income_transfer\n\
         H1,520103001001,3,2,8000,8000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,12000,,0,6000\n\
         H2,520103001001,3,2,8000,8000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,12000,x,0,6000\n"
    );
    let problems = read_registered_households(&mut table(&text)).unwrap_err();
    let text: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        text[0].contains("row 2") && text[0].contains("income_business") && text[0].contains("all four"),
        "{text:?}"
    );
    assert!(text[1].contains("row 3") && text[1].contains("'x' is not a number"), "{text:?}");
}

#[test]
fn members_read_english_or_chinese_keywords() {
    let text = "hh_id,seq,name,sex,birth_year,labour,disabled,chronically_ill,schooling,insured\n\
                H1,1,张三,男,1970,有劳动能力,0,1,not_in_school,1\n\
                H1,2,,female,2014,none,否,否,义务教育在校,是\n";
    let parsed = read_household_members(&mut table(text), 2026).unwrap();
    assert_eq!(parsed.rows.len(), 2);
    let (household, head) = &parsed.rows[0].1;
    assert_eq!((household.as_str(), head.name.as_deref(), head.chronically_ill), ("H1", Some("张三"), true));
    let child = &parsed.rows[1].1.1;
    assert_eq!(
        (child.age(2026), child.schooling, child.insured),
        (12, revita_methods::registry::Schooling::Compulsory, true)
    );
}

#[test]
fn bad_members_name_row_column_and_reason() {
    let text = "hh_id,seq,sex,birth_year,labour,disabled,chronically_ill,schooling,insured\n\
                H1,1,x,1970,full,0,0,not_in_school,1\n\
                H1,2,male,2030,full,0,0,not_in_school,1\n\
                H1,3,male,1990,full,2,0,not_in_school,1\n";
    let problems = read_household_members(&mut table(text), 2026).unwrap_err();
    let text: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(text.len(), 3, "{text:?}");
    assert!(text[0].contains("row 2") && text[0].contains("sex") && text[0].contains("male, female"), "{text:?}");
    assert!(text[1].contains("birth_year") && text[1].contains("2030"), "{text:?}");
    assert!(text[2].contains("disabled") && text[2].contains("'2' is not 0 or 1"), "{text:?}");
    let missing = read_household_members(&mut table("hh_id,seq\nH1,1\n"), 2026).unwrap_err();
    assert!(first_error(missing).contains("missing column 'sex'"));
}

fn project_file(rows: &str) -> String {
    format!("{}\n{rows}", project_columns().join(","))
}

#[test]
fn projects_read_keywords_dates_goals_and_budgets() {
    let text = project_file(
        "P1,县城供水工程,基础设施,520102,106.7,26.5,2022-03-01,2024-12-31,underway,40,G1;2,1000000,,500000,,,\n\
         P2,技能培训,employment,520103,,,2023-01-01,2023-12-31,,,,,200000,,,,\n",
    );
    let parsed = read_projects(&mut table(&text)).unwrap();
    let (p1, p2) = (&parsed.rows[0].1, &parsed.rows[1].1);
    assert_eq!(
        (p1.category, p1.goals.clone(), p1.point),
        (revita_methods::plan::ProjectCategory::Infrastructure, vec![1, 2], Some((106.7, 26.5)))
    );
    assert_eq!(p1.total_budget(), 1_500_000.0);
    assert_eq!(
        (p2.status, p2.percent, p2.total_budget()),
        (revita_methods::plan::ProjectStatus::Planned, 0.0, 200_000.0)
    );
}

#[test]
fn bad_project_rows_name_row_column_and_reason() {
    let text = project_file(
        "P1,供水,基础设施,520102,,,2022-13-01,2024-12-31,,,,1000,,,,,\n\
         P2,培训,employment,520103,,,2023-01-01,2023-12-31,,,,abc,,,,,\n\
         P3,道路,roads,520103,,,2023-01-01,2023-12-31,,,,,,,,,\n\
         P4,道路,infrastructure,520103,,,2023-01-01,2022-12-31,,,,,,,,,\n\
         P5,道路,infrastructure,520103,,,2023-01-01,2023-12-31,,,,,,-5,,,\n",
    );
    let problems = read_projects(&mut table(&text)).unwrap_err();
    let text: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(text.len(), 5, "{text:?}");
    assert!(text[0].contains("row 2") && text[0].contains("start") && text[0].contains("not a date"), "{text:?}");
    assert!(
        text[1].contains("row 3")
            && text[1].contains("budget_central_budget")
            && text[1].contains("'abc' is not a number"),
        "{text:?}"
    );
    assert!(text[2].contains("category") && text[2].contains("'roads'"), "{text:?}");
    assert!(text[3].contains("end") && text[3].contains("before it starts"), "{text:?}");
    assert!(text[4].contains("budget_bonds") && text[4].contains("-5"), "{text:?}");
    let wrong = read_projects(&mut table("id,title\nP1,x\n")).unwrap_err();
    assert!(first_error(wrong).contains("missing column 'code'"));
}

#[test]
fn water_samples_are_read_with_their_reserve() {
    let text = "section,date,indicator,upstream,downstream,reserve\n街口,2020-01-05,codmn,1.62,1.58,\n街口,2020-01-20,tp,0.021,0.030,0.024\n";
    let parsed = read_water_samples(&mut table(text)).unwrap();
    assert_eq!(parsed.rows.len(), 2);
    let (row, sample) = &parsed.rows[1];
    assert_eq!((*row, sample.indicator.as_str(), sample.reserve), (3, "tp", Some(0.024)));
    assert!(sample.valid && sample.lab.is_none(), "a sample counts unless declared void");
    let text = "section,date,indicator,upstream,downstream,lab,valid\n街口,2020-01-05,tp,0.02,0.02,黄山站,0\n";
    let void = read_water_samples(&mut table(text)).unwrap();
    assert_eq!((void.rows[0].1.lab.as_deref(), void.rows[0].1.valid), (Some("黄山站"), false));
}

#[test]
fn a_bad_sample_names_its_row_and_column() {
    let text =
        "section,date,indicator,upstream,downstream\n街口,2020-13-05,codmn,1.6,1.5\n街口,2020-01-20,tp,-0.1,0.03\n";
    let problems = read_water_samples(&mut table(text)).unwrap_err();
    let all: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert!(all[0].contains("row 2") && all[0].contains("'date'"), "{all:?}");
    assert!(all[1].contains("row 3") && all[1].contains("'upstream'") && all[1].contains("-0.1"), "{all:?}");
    let text = "section,date,indicator,upstream,downstream,valid\n街口,2020-01-05,tp,0.02,0.02,maybe\n";
    let problems = read_water_samples(&mut table(text)).unwrap_err();
    assert!(problems.errors[0].to_string().contains("'valid'"), "{problems:?}");
}

#[test]
fn land_use_names_the_types_it_takes() {
    let text = "region_code,type,hectares\n341021,broadleaf_forest,120000.5\n341021,orchard,10\n341021,paddy,-5\n";
    let problems = read_land_use(&mut table(text)).unwrap_err();
    let all: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert!(all[0].contains("row 3") && all[0].contains("'orchard' is not one of dry_land, paddy"), "{all:?}");
    assert!(all[1].contains("row 4") && all[1].contains("'hectares'"), "{all:?}");
    let good = read_land_use(&mut table("region_code,type,hectares\n341021,paddy,8000\n")).unwrap();
    assert_eq!((good.rows[0].1.hectares, good.rows[0].1.year), (8000.0, None));
    let dated = read_land_use(&mut table("region_code,year,type,hectares\n341021,2020,paddy,8000\n")).unwrap();
    assert_eq!(dated.rows[0].1.year, Some(2020));
    let problems = read_land_use(&mut table("region_code,year,type,hectares\n341021,20x0,paddy,8000\n")).unwrap_err();
    assert!(problems.errors[0].to_string().contains("'year'"), "{problems:?}");
}

#[test]
fn gep_items_name_their_service_and_price_method() {
    let text = "region_code,year,service,quantity,unit,price,price_method\n\
                341021,2020,water_conservation,1500000,m³,6.1,replacement_cost\n\
                341021,2020,scenery,1,visit,300,travel_cost\n\
                341021,2020,recreation,-1,visit,300,travel_cost\n\
                341021,2020,recreation,1,visit,300,guess\n";
    let problems = read_gep_items(&mut table(text)).unwrap_err();
    let all: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert!(all[0].contains("row 3") && all[0].contains("'service'"), "{all:?}");
    assert!(all[1].contains("row 4") && all[1].contains("'quantity'"), "{all:?}");
    assert!(all[2].contains("row 5") && all[2].contains("'price_method'"), "{all:?}");
    let good = read_gep_items(&mut table(text.lines().take(2).collect::<Vec<_>>().join("\n").as_str())).unwrap();
    assert_eq!((good.rows[0].1.year, good.rows[0].1.price), (2020, 6.1));
}

#[test]
fn transfer_counties_take_optional_components_as_zero() {
    let text = "county,standard_expenditure,standard_revenue,prohibited_area,rangers,quality_change\n\
                A,800,300,,,\nB,800,-1,1,1,-2\n";
    let problems = read_transfer_counties(&mut table(text)).unwrap_err();
    assert!(
        problems.errors[0].to_string().contains("row 3")
            && problems.errors[0].to_string().contains("'standard_revenue'")
    );
    let good = read_transfer_counties(&mut table("county,standard_expenditure,standard_revenue\nA,800,300\n")).unwrap();
    let a = &good.rows[0].1;
    assert_eq!((a.prohibited_area, a.rangers, a.quality_change), (0.0, 0.0, 0.0));
}

#[test]
fn pairing_flows_name_their_kind_and_flags() {
    let text = "program,donor_code,recipient_code,year,kind,project,amount,sector,county_level,livelihood\n\
                对口援疆,440000,653121,2021,funds,疏附县人民医院,30000000,health,1,1\n\
                对口援疆,440000,653121,2021,money,x,1,,,\n\
                对口援疆,440000,653121,2021,cadres,第十批,-3,,,\n\
                对口援疆,440000,653121,2021,labour,转移就业,120,,yes,\n";
    let (parsed, problems) = read_pairing_flows_with_problems(&mut table(text)).unwrap();
    assert_eq!(parsed.rows.len(), 1);
    let (row, flow) = &parsed.rows[0];
    assert_eq!((*row, flow.amount, flow.county_level, flow.livelihood), (2, 3e7, true, true));
    let all: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert!(all[0].contains("row 3") && all[0].contains("'kind'"), "{all:?}");
    assert!(all[1].contains("row 4") && all[1].contains("'amount'"), "{all:?}");
    assert!(all[2].contains("row 5") && all[2].contains("'county_level'"), "{all:?}");
}

#[test]
fn assessment_lines_name_sector_ownership_and_kind() {
    let text = "county_code,sector,asset,ownership,kind,destroyed,damaged,replacement_cost,repair_cost,baseline,actual,additional_costs\n\
                513221,housing,brick_house,private,damage,100,300,200000,30000,,,\n\
                513221,palaces,x,public,damage,1,,,,,,\n\
                513221,housing,x,state,damage,1,,,,,,\n\
                513221,tourism,visits,private,loss,,,,,,,\n\
                513221,transport,road_km,public,damage,-4,,,,,,\n";
    let (parsed, problems) = read_assessment_with_problems(&mut table(text)).unwrap();
    assert_eq!(parsed.rows.len(), 1);
    assert_eq!((parsed.rows[0].1.destroyed, parsed.rows[0].1.replacement_cost), (100.0, Some(200_000.0)));
    let all: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert!(all[0].contains("row 3") && all[0].contains("'sector'"), "{all:?}");
    assert!(all[1].contains("row 4") && all[1].contains("'ownership'"), "{all:?}");
    assert!(all[2].contains("row 5") && all[2].contains("'baseline'"), "{all:?}");
    assert!(all[3].contains("row 6") && all[3].contains("'destroyed'"), "{all:?}");
}

#[test]
fn hit_counties_and_unit_costs_check_their_vocabulary() {
    let problems = read_hit_counties(&mut table("county_code,severity,affected\n513221,terrible,10\n")).unwrap_err();
    assert!(problems.errors[0].to_string().contains("'severity'"), "{problems:?}");
    let good = read_hit_counties(&mut table("county_code,severity\n513221,extreme\n")).unwrap();
    assert_eq!(good.rows[0].1.affected, 0.0);
    let costs = read_unit_costs(&mut table("sector,asset,replacement_cost\nhousing,brick_house,200000\n")).unwrap();
    assert_eq!(costs.rows[0].1, ("housing".into(), "brick_house".into(), 200_000.0, 0.0));
    assert!(read_unit_costs(&mut table("sector,asset,replacement_cost\nhousing,x,\n")).is_err());
}

#[test]
fn rebuilds_need_a_status_and_a_completion_day() {
    let text = "household_id,status,grant,completed_on\nH1,completed,20000,2021-06-30\nH2,done,1,\nH3,completed,1,\n";
    let problems = read_rebuilds(&mut table(text)).unwrap_err();
    let all: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert!(all[0].contains("row 3") && all[0].contains("'status'"), "{all:?}");
    assert!(all[1].contains("row 4") && all[1].contains("'completed_on'"), "{all:?}");
    let good = read_rebuilds(&mut table("household_id,status\nH1,planned\n")).unwrap();
    assert_eq!((good.rows[0].1.grant, good.rows[0].1.completed_on), (0.0, None));
}

#[test]
fn places_check_kind_coordinates_and_counts() {
    let text = "kind,id,name,county_code,lon,lat,population\n\
        village,140202001001,甲村,140202,113.3,40.05,820\n\
        hamlet,X,,140202,113.3,40.05,1\n\
        household,H1,,140202,513.3,40.05,4\n\
        village,V2,,140202,113.3,40.05,2.5\n";
    let problems = read_places(&mut table(text)).unwrap_err();
    let all: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all[0].contains("row 3") && all[0].contains("'kind'"), "{all:?}");
    assert!(all[1].contains("row 4") && all[1].contains("'lon'") && all[1].contains("projected"), "{all:?}");
    assert!(all[2].contains("row 5") && all[2].contains("whole number"), "{all:?}");
    let good = read_places(&mut table("kind,id,county_code,lon,lat\nhousehold,H1,140202,113.3,40.05\n")).unwrap();
    let p = &good.rows[0].1;
    assert_eq!((p.name.as_str(), p.households, p.population), ("H1", 1, 0));
}

#[test]
fn houses_and_parcels_need_a_measure() {
    let problems = read_houses(&mut table("house_id,strain,curvature,tilt\nF1,,,\nF2,x,,\n")).unwrap_err();
    let all: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert!(all[0].contains("row 2") && all[0].contains("strain, curvature or tilt"), "{all:?}");
    assert!(all[1].contains("row 3") && all[1].contains("not a number"), "{all:?}");
    let good = read_houses(&mut table("house_id,tilt\nF1,-4\n")).unwrap();
    assert_eq!(good.rows[0].1.tilt, Some(-4.0));
    let text = "parcel_id,hectares,depth,yield_loss\nP1,2,,\nP2,-1,3,\nP3,1,,120\n";
    let problems = read_parcels(&mut table(text)).unwrap_err();
    let all: Vec<String> = problems.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all[0].contains("at least one damage measure"), "{all:?}");
    assert!(all[1].contains("below 0"), "{all:?}");
    assert!(all[2].contains("at most 100"), "{all:?}");
}

// ---------- relocation and work-relief (issue 17) ----------

fn reasons(problems: Problems) -> Vec<String> {
    problems.errors.iter().map(|e| e.to_string()).collect()
}

const SITES: &str = "code,name,county_code,township,lon,lat,setting,subtype,category,capacity_people,capacity_units,\
floor_area,school,clinic,elder_care,community_centre,employment_workshops,party_branch,committee,certificates\n";

#[test]
fn sites_are_read_with_their_type_and_services() {
    let text = format!(
        "{SITES}S1,花园安置点,520102,花溪镇,106.7,26.6,urban,town_or_park,concentrated,800,200,16000,是,0,yes,,3,1,否,150\n"
    );
    let sites = read_sites(&mut table(&text)).unwrap();
    let s = &sites.rows[0].1;
    assert_eq!(
        (s.subtype, s.subtype.category(), s.setting),
        (SiteSubtype::TownOrPark, SiteCategory::Concentrated, Setting::Urban)
    );
    assert_eq!(
        (s.services, s.governance, s.workshops, s.certificates),
        ([true, false, true, false], [true, false], 3, 150)
    );
}

#[test]
fn sites_read_from_geojson_points_as_from_csv() {
    let dir = std::env::temp_dir().join(format!("revita-sites-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sites.geojson");
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","geometry":{"type":"Point","coordinates":[106.7,26.6]},
         "properties":{"code":"S1","name":"花园安置点","county_code":"520102","township":"花溪镇","setting":"urban",
          "subtype":"town_or_park","category":"concentrated","capacity_people":800,"capacity_units":200,
          "floor_area":16000,"school":"是","clinic":0,"elder_care":true,"employment_workshops":3,"party_branch":1,
          "committee":false,"certificates":150}},
        {"type":"Feature","geometry":{"type":"Point","coordinates":[500000,26.6]},
         "properties":{"code":"S2","name":"b","county_code":"520102","setting":"urban","subtype":"infill",
          "capacity_people":8,"capacity_units":2}}]}"#,
    )
    .unwrap();
    let csv = format!(
        "{SITES}S1,花园安置点,520102,花溪镇,106.7,26.6,urban,town_or_park,concentrated,800,200,16000,是,0,yes,,3,1,否,150\n"
    );
    let from_csv = read_sites(&mut table(&csv)).unwrap().rows.remove(0).1;
    let mut geojson = Table::open(&path, None).unwrap();
    // The second feature's point is projected: refused by its number.
    assert_eq!(
        reasons(read_sites(&mut geojson).unwrap_err()),
        [format!("{}, row 2, column 'lon': 500000 is outside -180..180 (is it projected?)", path.display())]
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let first_only = text.replace("[500000,26.6]", "[106.8,26.5]");
    std::fs::write(&path, first_only).unwrap();
    let rows = read_sites(&mut Table::open(&path, None).unwrap()).unwrap().rows;
    assert_eq!((rows[0].0, &rows[0].1), (1, &from_csv));
    assert_eq!(rows[1].0, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_sites_name_every_row_and_column() {
    let text = format!(
        "{SITES}S1,a,520102,,106.7,26.6,urban,relatives,concentrated,8,2,,,,,,,,,\n\
         S2,b,520102,,500000,26.6,urban,infill,,8,2,,,,,,,,,\n\
         S3,c,520102,,106.7,26.6,suburb,infill,,8,2,,,,,,,,,\n\
         S4,d,520102,,106.7,26.6,rural,castle,,8,2,,,,,,,,,\n\
         S5,e,520102,,106.7,26.6,rural,infill,,8,2,,maybe,,,,,,,\n\
         S6,f,520102,,106.7,26.6,rural,infill,,8,2,,,,,,,,,3\n\
         S7,g,520102,,106.7,26.6,rural,infill,,-8,2,,,,,,,,,\n"
    );
    assert_eq!(
        reasons(read_sites(&mut table(&text)).unwrap_err()),
        [
            "in.csv, row 2, column 'category': 'concentrated' is not the category of subtype relatives",
            "in.csv, row 3, column 'lon': 500000 is outside -180..180 (is it projected?)",
            "in.csv, row 4, column 'setting': 'suburb' is not one of urban, rural",
            "in.csv, row 5, column 'subtype': 'castle' is not one of within_village, new_village, town_or_park, \
             project_or_farm, tourism, infill, relatives, self_urban",
            "in.csv, row 6, column 'school': 'maybe' is not yes or no (1/0, 是/否)",
            "in.csv, row 7, column 'certificates': 3 certificates for 2 units",
            "in.csv, row 8, column 'capacity_people': -8 is below 0",
        ]
    );
}

const RELOCATIONS: &str = "household_id,site_code,registered_poor,same_time_mover,moved_on,persons,labour,employed,\
employment_place,housing_area_pc,self_contribution,demolished,reclaimed,override_reason\n";

#[test]
fn relocations_are_checked_against_the_red_line() {
    let text = format!(
        "{RELOCATIONS}H1,S1,1,0,2019-10-01,4,2,1,in_county,25,12000,1,0,\n\
         H2,S1,1,0,,4,2,1,,30,0,0,0,残疾成员需无障碍房间\n\
         H3,S1,0,1,,4,2,1,,40,0,0,0,\n"
    );
    let rows = read_relocations(&mut table(&text)).unwrap();
    assert_eq!(rows.rows.len(), 3);
    let h1 = &rows.rows[0].1;
    assert_eq!(
        (h1.employment_place, h1.demolished, h1.moved_on.map(|d| d.to_string())),
        (Some(EmploymentPlace::InCounty), true, Some("2019-10-01".into()))
    );
    assert_eq!(rows.rows[1].1.mover.override_reason.as_deref(), Some("残疾成员需无障碍房间"));
    // 12,000 yuan from 4 persons: 3,000 a person (at the cap), above the
    // household's 10,000 — kept, flagged; the override is flagged too.
    assert_eq!(h1.flags, [revita_methods::relocation::MoverFlag::ContributionPerHousehold { total: 12_000.0 }]);
    assert_eq!(rows.rows[1].1.flags.len(), 1);
    assert!(rows.rows[2].1.flags.is_empty(), "not registered poor: no red line");
}

#[test]
fn bad_relocations_name_every_row_and_column() {
    let text = format!(
        "{RELOCATIONS}H1,S1,1,0,,4,2,1,,25.5,0,0,0,\n\
         H2,S1,1,0,,4,5,1,,20,0,0,0,\n\
         H3,S1,1,0,,4,2,3,,20,0,0,0,\n\
         H4,S1,1,0,,0,0,0,,20,0,0,0,\n\
         H5,S1,1,0,,4,2,1,abroad,20,0,0,0,\n\
         H6,S1,1,0,2019-13-01,4,2,1,,20,0,0,0,\n"
    );
    assert_eq!(
        reasons(read_relocations(&mut table(&text)).unwrap_err()),
        [
            "in.csv, row 2, column 'housing_area_pc': a registered-poor household may have at most 25 m² per person \
             (25.5 m² given) unless an override reason is recorded",
            "in.csv, row 3, column 'labour': labour-capable persons must lie between 0 and persons, employed between 0 \
             and labour-capable persons",
            "in.csv, row 4, column 'employed': labour-capable persons must lie between 0 and persons, employed between 0 \
             and labour-capable persons",
            "in.csv, row 5, column 'persons': a relocated household has at least one person",
            "in.csv, row 6, column 'employment_place': 'abroad' is not one of local, in_county, in_province, out_of_province",
            "in.csv, row 7, column 'moved_on': '2019-13-01' is not a calendar date",
        ]
    );
}

#[test]
fn incomes_by_year() {
    let rows = read_relocation_incomes(&mut table("household_id,year,income\nH1,2024,6500.5\n")).unwrap();
    assert_eq!(rows.rows[0].1, ("H1".to_string(), 2024, 6500.5));
    let bad = read_relocation_incomes(&mut table("household_id,year,income\nH1,24x,1\nH1,1800,1\nH1,2024,-1\n"));
    assert_eq!(
        reasons(bad.unwrap_err()),
        [
            "in.csv, row 2, column 'year': '24x' is not a year",
            "in.csv, row 3, column 'year': 1800 is not a plausible year",
            "in.csv, row 4, column 'income': -1 is below 0",
        ]
    );
}

const PROJECTS: &str = "code,name,county_code,village_code,fund_source,batch,year,works_type,total_investment,\
central_investment,remuneration_planned,remuneration_paid,start_on,end_on,accepted_on,status,training_sessions,\
maintenance_posts\n";

#[test]
fn relief_projects_are_read_and_checked() {
    let text = format!(
        "{PROJECTS}P1,村道,520102,520102001001,central,第一批,2024,roads,2000000,1000000,300000,100000,2024-03-01,\
         2024-10-31,,underway,2,5\n"
    );
    let p = &read_relief_projects(&mut table(&text)).unwrap().rows[0].1;
    assert_eq!(
        (p.fund_source, p.works_type, p.status, p.maintenance_posts),
        (FundSource::Central, WorksType::Roads, ProjectStatus::Underway, 5)
    );
    let bad = format!(
        "{PROJECTS}P1,a,520102,,central,b,2024,roads,100,200,10,,,,,planned,,\n\
         P2,a,520102,,state,b,2024,roads,100,50,10,,,,,planned,,\n\
         P3,a,520102,,central,b,2024,roads,100,50,10,,2024-05-01,2024-04-01,,underway,,\n\
         P4,a,520102,,central,b,2024,bridges,100,50,10,,,,,planned,,\n\
         P5,a,520102,,central,b,2024,roads,100,50,10,,,,,accepted,,\n"
    );
    assert_eq!(
        reasons(read_relief_projects(&mut table(&bad)).unwrap_err()),
        [
            "in.csv, row 2, column 'central_investment': central investment 200 exceeds the total 100",
            "in.csv, row 3, column 'fund_source': 'state' is not one of central, provincial, key_project",
            "in.csv, row 4, column 'end_on': the end 2024-04-01 precedes the start 2024-05-01",
            "in.csv, row 5, column 'works_type': 'bridges' is not one of roads, farmland_water, drinking_water, \
             basic_farmland, pasture, small_watershed, other",
            "in.csv, row 6, column 'accepted_on': an accepted project needs its acceptance date",
        ]
    );
}

#[test]
fn rosters_and_payments() {
    let roster = "project_code,worker_id,name,category,household_id,member_seq\nP1,W1,李四,脱贫人口,H1,2\nP1,W2,,returning_migrant,,\n";
    let rows = read_relief_workers(&mut table(roster)).unwrap();
    assert_eq!(
        (rows.rows[0].1.category, rows.rows[0].1.member.clone()),
        (WorkerCategory::PovertyExited, Some(("H1".into(), 2)))
    );
    let bad = "project_code,worker_id,category,household_id,member_seq\nP1,W1,poverty_exited,H1,\nP1,W2,poverty_exited,,3\nP1,W3,rich,,\n";
    assert_eq!(
        reasons(read_relief_workers(&mut table(bad)).unwrap_err()),
        [
            "in.csv, row 2, column 'member_seq': a household needs the member's number",
            "in.csv, row 3, column 'household_id': a member's number needs the household",
            "in.csv, row 4, column 'category': 'rich' is not one of poverty_exited, monitoring_object, returning_migrant, \
             other_low_income",
        ]
    );
    let payments = "project_code,worker_id,paid_on,amount,account\nP1,W1,2024-05-31,3000,6222021234561234\n";
    let rows = read_relief_payments(&mut table(payments)).unwrap();
    assert_eq!(rows.rows[0].1.account_ref, "****1234");
    let bad = "project_code,worker_id,paid_on,amount,account\nP1,W1,,3000,1234\nP1,W1,2024-05-31,0,1234\nP1,W1,2024-05-31,5,\n";
    assert_eq!(
        reasons(read_relief_payments(&mut table(bad)).unwrap_err()),
        [
            "in.csv, row 2, column 'paid_on': is empty",
            "in.csv, row 3, column 'amount': a payment is more than 0",
            "in.csv, row 4, column 'account': is empty",
        ]
    );
}

#[test]
fn a_problem_in_a_column_the_file_lacks_names_that_column() {
    let text = "code,name,county_code,fund_source,batch,year,works_type,total_investment,central_investment,\
remuneration_planned,status\nP1,a,520102,central,b,2024,roads,100,50,20,accepted\n";
    let problems = read_relief_projects(&mut table(text)).unwrap_err().to_string();
    assert!(problems.contains("column 'accepted_on'") && problems.contains("acceptance date"), "{problems}");
}
