//! Seed inputs for the fuzzer, built in code: a few valid files of every
//! kind the readers take, each in the variants the readers treat apart
//! (UTF-8, GBK, CRLF line ends; inline and shared strings; Parquet pages
//! plain or dictionary-encoded, compressed or not).

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int8Array, Int32Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// A CSV text as UTF-8, as GBK, and with CRLF line ends.
pub fn csv_variants(text: &str) -> Vec<Vec<u8>> {
    let (gbk, _, _) = encoding_rs::GB18030.encode(text);
    vec![text.as_bytes().to_vec(), gbk.into_owned(), text.replace('\n', "\r\n").into_bytes()]
}

pub const REGIONS: &str = "code,name_zh,name_en,level,parent_code,valid_from,valid_to\n\
520000,贵州省,Guizhou,province,,1981-01-01,\n\
520100,贵阳市,Guiyang,prefecture,520000,,\n\
520102,南明区,\"Nanming, District\",county,520100,,2030-12-31\n";

pub const INDICATORS: &str = "code,name_zh,name_en,unit,direction,aggregation,weight_indicator,description,source\n\
pop_total,常住人口,Population,persons,higher_is_better,sum,,\"resident, year end\",census\n\
urbanization_rate_pct,城镇化率,Urbanization,%,higher_is_better,weighted_mean,pop_total,,\n";

pub const DESIGNATIONS: &str = "region_code,category,class,basis_title,basis_number,valid_from,valid_to,notes\n\
520402,poverty_county,,832个贫困县名单,,2012-01-01,2019-12-31,\n\
140200,resource_based_city,declining,国发〔2013〕45号,45,2013-11-12,,x\n";

pub const PAIRINGS: &str = "program,donor_code,recipient_code,start_year,end_year,notes\n\
对口援疆,440000,653121,2010,2020,two sources\n\
东西部协作,330000,520000,2016,,\n";

pub const WATER_SAMPLES: &str = "section,date,indicator,upstream,downstream,reserve\n街口,2020-01-05,codmn,1.62,1.58,\n街口,2020-01-20,tp,0.021,0.030,0.024\n";
pub const LAND_USE: &str = "region_code,type,hectares\n341021,broadleaf_forest,120000.5\n341021,paddy,8000\n";
pub const GEP_ITEMS: &str = "region_code,year,service,quantity,unit,price,price_method\n341021,2020,water_conservation,1500000,m³,6.1,replacement_cost\n341021,2020,recreation,100000,visit,300,travel_cost\n";
pub const TRANSFER_COUNTIES: &str = "county,standard_expenditure,standard_revenue,prohibited_area,rangers,quality_change\n341021,800000000,300000000,120.5,40,1.2\n341022,500000000,450000000,,,-0.5\n";
pub const PAIRING_FLOWS: &str = "program,donor_code,recipient_code,year,kind,project,amount,sector,county_level,livelihood\n对口援疆,440000,653121,2021,funds,医院,30000000,health,1,1\n对口援疆,440000,653121,2021,cadres,第十批,36,,,\n";
pub const ASSESSMENT: &str = "county_code,sector,asset,ownership,kind,destroyed,damaged,replacement_cost,repair_cost,baseline,actual,additional_costs\n513221,housing,brick_house,private,damage,100,300,200000,30000,,,\n513221,tourism,visits,private,loss,,,,,1000000,200000,5000\n";
pub const HIT_COUNTIES: &str = "county_code,severity,affected,displaced,shelters\n513221,extreme,100000,20000,15000\n";
pub const REBUILDS: &str = "household_id,status,grant,completed_on\nH1,completed,20000,2021-06-30\nH2,planned,,\n";
pub const PLACES: &str = "kind,id,name,county_code,lon,lat,population,households\n\
village,140202001001,甲村,140202,113.30,40.05,820,260\n\
household,H1,,140202,113.31,40.06,4,\n";
pub const HOUSES: &str = "house_id,household_id,strain,curvature,tilt\nF1,H1,2.5,0.1,4\nF2,,,0.7,\n";
pub const PARCELS: &str =
    "parcel_id,hectares,deformation,slope,depth,water_table,yield_loss\nP1,12.5,9,25,1.5,1.2,30\nP2,3,,,7,,\n";
pub const AREAS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"SX-1","name":"甲沉陷区","county_code":"140202","stability":"subsiding","mines":"甲矿;乙矿"},
 "geometry":{"type":"Polygon","coordinates":[[[113.2,40.0],[113.4,40.0],[113.4,40.1],[113.2,40.1],[113.2,40.0]]]}}]}"#;
pub const SITES: &str = "code,name,county_code,township,lon,lat,setting,subtype,category,capacity_people,capacity_units,\
floor_area,school,clinic,elder_care,community_centre,employment_workshops,party_branch,committee,certificates\n\
S1,花园,520102,花溪镇,106.7,26.6,urban,town_or_park,concentrated,800,200,16000,是,0,yes,,3,1,否,150\n\
S2,散居,520102,,106.8,26.5,rural,relatives,,4,1,,,,,,,,,\n";
pub const SITES_GEOJSON: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[106.7,26.6]},"properties":{"code":"S1","name":"花园",
 "county_code":"520102","township":"花溪镇","setting":"urban","subtype":"town_or_park","capacity_people":800,
 "capacity_units":200,"floor_area":16000,"school":true,"clinic":false,"employment_workshops":3,"certificates":150}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[106.8,26.5]},"properties":{"code":"S2","name":"散居",
 "county_code":"520102","setting":"rural","subtype":"relatives","capacity_people":4,"capacity_units":1,"township":null}}]}"#;
pub const RELOCATIONS: &str = "household_id,site_code,registered_poor,same_time_mover,moved_on,persons,labour,employed,\
employment_place,housing_area_pc,self_contribution,demolished,reclaimed,override_reason\n\
H1,S1,1,0,2019-10-01,4,2,1,in_county,25,12000,1,0,\n\
H2,S1,1,0,,4,2,1,,30,0,0,0,残疾成员\n";
pub const RELOCATION_INCOMES: &str = "household_id,year,income\nH1,2023,6000\nH1,2024,6500.5\n";
pub const RELIEF_PROJECTS: &str = "code,name,county_code,village_code,fund_source,batch,year,works_type,total_investment,\
central_investment,remuneration_planned,remuneration_paid,start_on,end_on,accepted_on,status,training_sessions,\
maintenance_posts\n\
P1,村道,520102,520102001001,central,第一批,2024,roads,2000000,1000000,300000,100000,2024-03-01,2024-10-31,,underway,2,5\n";
pub const RELIEF_WORKERS: &str = "project_code,worker_id,name,category,household_id,member_seq\nP1,W1,李四,脱贫人口,H1,2\nP1,W2,,returning_migrant,,\n";
pub const RELIEF_PAYMENTS: &str =
    "project_code,worker_id,paid_on,amount,account\nP1,W1,2024-05-31,3000,6222021234561234\n";
pub const MONITORING_LINES: &str = "region_code,year,amount,rule,multiple\n\
520000,2024,7600,fixed,\n\
520100,2024,8000,dibao,1.5\n";

pub const HOUSEHOLD_HEADER: &str = "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,\
disaster_loss,d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,\
d_housing,d_assets,d_health_ins";

/// A households file (SPEC B1 columns) of `n` households.
pub fn households_csv(n: usize) -> String {
    let mut text = format!("{HOUSEHOLD_HEADER}\n");
    for i in 0..n {
        let flags: Vec<&str> = (0..11).map(|d| if (i + d) % 4 == 0 { "1" } else { "0" }).collect();
        text.push_str(&format!(
            "{},52010{}001{:03},{},{},{}.5,{},{},{},0,{}\n",
            i + 1,
            i % 7,
            i % 300,
            1 + i % 6,
            i % 2,
            3000 + i * 37 % 9000,
            4000 + i * 53 % 9000,
            i % 3 * 100,
            i % 5 * 50,
            flags.join(",")
        ));
    }
    text
}

pub fn registry_csv() -> String {
    format!(
        "{HOUSEHOLD_HEADER},head_name,id_number,phone,income_wage,income_business,income_property,income_transfer,relocation_site\n\
         H1,520103001001,3,2,8000,8000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,张三,520103199001011234,13800000000,12000,6000,0,6000,幸福社区\n\
         H2,520103001002,1,0,3000,3500.5,200,0,0,1,0,0,0,0,0,1,0,0,0,0,,,,,,,,\n"
    )
}

pub const MEMBERS: &str = "hh_id,seq,name,sex,birth_year,labour,disabled,chronically_ill,schooling,insured\n\
H1,1,张三,男,1970,有劳动能力,0,1,not_in_school,1\n\
H1,2,,female,2014,none,否,否,义务教育在校,是\n";

pub fn projects_csv() -> String {
    let header = revita_ingest::records::project_columns().join(",");
    format!(
        "{header}\n\
         P1,县城供水工程,基础设施,520102,106.7,26.5,2022-03-01,2024-12-31,underway,40,G1;2,1000000,,500000,,,\n\
         P2,技能培训,employment,520103,,,2023-01-01,2023-12-31,,,,,200000,,,,\n"
    )
}

pub const CODE_HISTORY: &str = "code,province_name,prefecture_name,name,level,status,first_year,end_year,successor_codes\n\
110103,北京市,直辖,崇文区,county,retired,1981,2010,110101\n\
130102,河北省,石家庄市,长安区,county,retired,1981,2014,130104;130105[2013]\n\
110105,北京市,直辖,朝阳区,county,in_use,1981,,\n";

pub const OBSERVATIONS_LONG: &str = "region_code,indicator,period,value,source,status\n\
520102,pop_total,2020,\"1,000.5\",\"census, 2020\",final\n\
520103,pop_total,2020Q3,3e6,,provisional\n\
520104,gdp_pc,2021-05,-2,,synthetic\n";

pub const OBSERVATIONS_WIDE_BY_INDICATOR: &str = "region_code,name,period,pop_total,urbanization_rate_pct\n\
520102,南明区,2020,1000,\n\
520103,云岩区,2020,2000,95.5\n";

pub const OBSERVATIONS_WIDE_BY_PERIOD: &str = "region_code,indicator,2019,2020,2021Q1\n\
520102,pop_total,990,1000,\n\
520103,pop_total,1990,2000,2001.5\n";

/// Workbooks: observations with numbers, a date and text in shared strings;
/// the same in constant-memory mode (inline strings); two sheets.
pub fn workbooks() -> Vec<Vec<u8>> {
    let build = |constant_memory: bool, second_sheet: bool| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = if constant_memory {
            book.add_worksheet_with_constant_memory().expect("a constant-memory sheet")
        } else {
            book.add_worksheet()
        };
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        for (c, h) in ["region_code", "indicator", "period", "value", "source", "day"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).expect("a header cell");
        }
        for r in 1..6u32 {
            sheet.write_string(r, 0, format!("52010{r}")).expect("a code");
            sheet.write_string(r, 1, "pop_total").expect("an indicator");
            sheet.write_number(r, 2, 2020.0).expect("a year");
            sheet.write_number(r, 3, f64::from(r) * 1.5 - 3.0).expect("a value");
            sheet.write_string(r, 4, "统计年鉴, 2021").expect("a source");
            let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 1 + r as u8, 27).expect("a date");
            sheet.write_datetime_with_format(r, 5, &day, &date).expect("a date cell");
        }
        if second_sheet {
            let other = book.add_worksheet().set_name("notes").expect("a name");
            other.write_string(0, 0, "note").expect("a cell");
            other.write_boolean(1, 0, true).expect("a cell");
        }
        book.save_to_buffer().expect("a workbook")
    };
    vec![build(false, false), build(true, false), build(false, true)]
}

pub const BOUNDARIES: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"520102","name":"南明区"},"geometry":{"type":"Polygon","coordinates":[[[106,26],[107,26],[107,27],[106,26]]]}},
{"type":"Feature","properties":{"code":520103},"geometry":{"type":"MultiPolygon","coordinates":[[[[106.5,26.5,100],[107,26],[107,27],[106.5,26.5,100]],[[106.6,26.6],[106.7,26.6],[106.7,26.7],[106.6,26.6]]]]}}]}"#;

/// Columns of a households Parquet file (SPEC B1 types: int8 flags, int32
/// counts) of `n` households, `hh_id` as text or an integer.
fn household_columns(n: usize, text_ids: bool) -> Vec<(&'static str, ArrayRef)> {
    let ids: ArrayRef = if text_ids {
        Arc::new(StringArray::from_iter_values((0..n).map(|i| format!("H{i}"))))
    } else {
        Arc::new(Int64Array::from_iter_values(0..n as i64))
    };
    let mut columns: Vec<(&str, ArrayRef)> = vec![
        ("hh_id", ids),
        ("village_code", Arc::new(Int64Array::from_iter_values((0..n).map(|i| 520_102_001_001 + (i % 5) as i64)))),
        ("size", Arc::new(Int32Array::from_iter_values((0..n).map(|i| 1 + (i % 6) as i32)))),
        ("labor", Arc::new(Int32Array::from_iter_values((0..n).map(|i| (i % 2) as i32)))),
    ];
    for name in ["income_pc", "income_pc_prev", "medical_exp", "education_exp", "disaster_loss"] {
        columns.push((name, Arc::new(Float64Array::from_iter_values((0..n).map(|i| (i * 37 % 9000) as f64 + 0.5)))));
    }
    for name in [
        "d_nutrition",
        "d_child_mortality",
        "d_schooling",
        "d_attendance",
        "d_cooking",
        "d_sanitation",
        "d_water",
        "d_electricity",
        "d_housing",
        "d_assets",
        "d_health_ins",
    ] {
        columns.push((name, Arc::new(Int8Array::from_iter_values((0..n).map(|i| (i % 3 == 0) as i8)))));
    }
    columns
}

fn parquet(
    columns: Vec<(&'static str, ArrayRef)>,
    compression: Compression,
    dictionary: bool,
    group: usize,
) -> Vec<u8> {
    let batch = RecordBatch::try_from_iter(columns).expect("a batch");
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_dictionary_enabled(dictionary)
        .set_max_row_group_row_count(Some(group))
        .build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).expect("a writer");
    writer.write(&batch).expect("a batch written");
    writer.close().expect("a file");
    out
}

/// Households Parquet files: plain and dictionary pages, uncompressed (so
/// that mutations hit values and headers) and snappy, one or several row
/// groups.
pub fn households_parquet() -> Vec<Vec<u8>> {
    vec![
        parquet(household_columns(40, false), Compression::UNCOMPRESSED, true, 16),
        parquet(household_columns(40, false), Compression::UNCOMPRESSED, false, 100),
        parquet(household_columns(40, false), Compression::SNAPPY, true, 100),
    ]
}

/// Registry Parquet files: text ids and the optional columns.
pub fn registry_parquet() -> Vec<Vec<u8>> {
    let with_extras = |n: usize| {
        let mut columns = household_columns(n, true);
        columns.push(("head_name", Arc::new(StringArray::from_iter((0..n).map(|i| (i % 2 == 0).then_some("张三"))))));
        columns.push(("phone", Arc::new(StringArray::from_iter_values((0..n).map(|i| format!("1380000{i:04}"))))));
        for name in ["income_wage", "income_business", "income_property", "income_transfer"] {
            columns.push((name, Arc::new(Float64Array::from_iter((0..n).map(|i| (i % 3 != 0).then_some(100.0))))));
        }
        columns
    };
    vec![
        parquet(with_extras(30), Compression::UNCOMPRESSED, true, 10),
        parquet(household_columns(30, false), Compression::UNCOMPRESSED, false, 100),
    ]
}

/// Observation tables as Parquet (revita's own export layout, and numbers
/// typed as numbers): plain and dictionary pages, one or several groups.
pub fn observations_parquet() -> Vec<Vec<u8>> {
    let columns = |n: usize| -> Vec<(&'static str, ArrayRef)> {
        vec![
            ("region_code", Arc::new(StringArray::from_iter_values((0..n).map(|i| format!("5201{:02}", i % 3 + 2))))),
            ("indicator", Arc::new(StringArray::from_iter_values((0..n).map(|_| "pop_total")))),
            ("period", Arc::new(Int64Array::from_iter_values((0..n).map(|i| 2000 + i as i64)))),
            ("value", Arc::new(Float64Array::from_iter_values((0..n).map(|i| i as f64 * 1.5)))),
            ("source", Arc::new(StringArray::from_iter((0..n).map(|i| (i % 2 == 0).then_some("census"))))),
        ]
    };
    vec![
        parquet(columns(20), Compression::UNCOMPRESSED, true, 8),
        parquet(columns(20), Compression::UNCOMPRESSED, false, 100),
    ]
}
