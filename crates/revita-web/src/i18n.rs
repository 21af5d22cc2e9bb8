//! English and Chinese. The language comes from the `lang` cookie set by the
//! language switch, else from the browser's `Accept-Language` (the first of
//! zh or en it names), else Chinese. Every label a page shows is a key in
//! [`MESSAGES`]; a test checks that every key the templates use exists.

use axum::http::HeaderMap;

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The cookie value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Parses a cookie value or a language tag.
    pub fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Lang::Zh)
        } else if t.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The request's language: cookie, then Accept-Language, then Chinese.
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        let cookie = headers
            .get_all("cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().strip_prefix("lang="))
            .find_map(Lang::parse);
        cookie.or_else(|| accept_language(headers)).unwrap_or(Lang::Zh)
    }

    /// Translates a message key; an unknown key shows itself (and fails the
    /// template test).
    pub fn t(self, key: &str) -> &'static str {
        match MESSAGES.iter().find(|(k, ..)| *k == key) {
            Some((_, en, zh)) => match self {
                Lang::En => en,
                Lang::Zh => zh,
            },
            None => "??",
        }
    }

    /// A region's or indicator's name in this language.
    pub fn name<'a>(self, zh: &'a str, en: Option<&'a str>) -> &'a str {
        match (self, en) {
            (Lang::En, Some(en)) if !en.is_empty() => en,
            _ => zh,
        }
    }

    /// A unit of measurement in this language.
    pub fn unit(self, unit: &str) -> String {
        if self == Lang::En {
            return unit.to_string();
        }
        let (base, note) = match unit.split_once(" (") {
            Some((b, n)) => (b, Some(n.trim_end_matches(')'))),
            None => (unit, None),
        };
        let base = match base {
            "persons" => "人",
            "households" => "户",
            "years" => "年",
            "m2 per person" => "平方米/人",
            "males per 100 females" => "男性/百名女性",
            "persons per household" => "人/户",
            "yuan" => "元",
            "yuan per person" => "元/人",
            other => other,
        };
        match note {
            Some("long-form sample") => format!("{base}（长表抽样）"),
            Some(n) => format!("{base}（{n}）"),
            None => base.to_string(),
        }
    }

    /// A date in this language's usual form.
    pub fn date(self, date: revita_methods::Date) -> String {
        let text = date.to_string();
        let parts: Vec<&str> = text.split('-').collect();
        match (self, parts.as_slice()) {
            (Lang::Zh, [y, m, d]) => format!("{y}年{}月{}日", m.trim_start_matches('0'), d.trim_start_matches('0')),
            (Lang::En, [y, m, d]) => {
                const MONTHS: [&str; 12] =
                    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                let month = m.parse::<usize>().ok().and_then(|m| MONTHS.get(m - 1)).copied().unwrap_or("");
                format!("{} {month} {y}", d.trim_start_matches('0'))
            }
            _ => text,
        }
    }
}

fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let header = headers.get("accept-language")?.to_str().ok()?;
    let mut tags: Vec<(f32, &str)> = header
        .split(',')
        .map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse().ok()).unwrap_or(1.0);
            (q, tag)
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.into_iter().find_map(|(_, tag)| Lang::parse(tag))
}

/// Every UI message: key, English, Chinese.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("monitoring_lines", "Monitoring lines", "监测范围标准"),
    ("set_line", "Set a line", "设定标准"),
    ("rule", "Rule", "方式"),
    ("multiple", "Multiple", "倍数"),
    ("amount_yuan", "Yuan per person per year", "元/人·年"),
    ("region", "Region", "地区"),
    ("mpi_cutoff", "MPI cut-off k (e.g. 1/3)", "多维贫困临界值 k（如 1/3）"),
    ("mpi_weights", "MPI weights (ten whole parts)", "多维贫困指标权重（十个整数份额）"),
    (
        "mpi_weights_help",
        "Relative weights of nutrition, child mortality, schooling, attendance, cooking fuel, sanitation, water, electricity, housing, assets; the global MPI is 3,3,3,3,1,1,1,1,1,1",
        "营养、儿童死亡、受教育年限、入学、做饭燃料、卫生设施、饮水、用电、住房、资产的相对权重；全球MPI为 3,3,3,3,1,1,1,1,1,1",
    ),
    ("indicator_nutrition", "Nutrition", "营养"),
    ("indicator_child_mortality", "Child mortality", "儿童死亡"),
    ("indicator_schooling", "Years of schooling", "受教育年限"),
    ("indicator_attendance", "School attendance", "适龄儿童入学"),
    ("indicator_cooking", "Cooking fuel", "做饭燃料"),
    ("indicator_sanitation", "Sanitation", "卫生设施"),
    ("indicator_water", "Drinking water", "饮水安全"),
    ("indicator_electricity", "Electricity", "用电"),
    ("indicator_housing", "Housing", "住房安全"),
    ("indicator_assets", "Assets", "资产"),
    ("indicator_health_ins", "Medical insurance", "基本医疗保险"),
    ("step_identified", "identified", "发现识别"),
    ("step_verified", "verified", "入户核实"),
    ("step_consented", "consented", "农户承诺授权"),
    ("step_appraised", "appraised and noticed", "村级民主评议并公示"),
    ("step_approved", "approved", "县级审核确定"),
    ("step_assisted", "assisted", "落实帮扶措施"),
    ("step_risk_eliminated", "risk eliminated", "风险消除"),
    ("step_kept_under_monitoring", "kept under monitoring", "继续监测"),
    ("category_marginal", "Marginal household at risk", "边缘易致贫户"),
    ("category_unstable_exited", "Unstable exited household", "脱贫不稳定户"),
    ("category_sudden_difficulty", "Sudden severe difficulty", "突发严重困难户"),
    ("channel_data_screening", "Data screening", "部门数据比对筛查"),
    ("channel_cadre_visit", "Cadre visit", "干部走访排查"),
    ("channel_self_declared", "Self-declared", "农户自主申报"),
    ("relocation_site", "Resettlement site", "易地搬迁安置点"),
    ("income_by_source", "Net income by source (yuan, household)", "分项纯收入（元，全户）"),
    ("income_wage", "Wages", "工资性收入"),
    ("income_business", "Business", "经营净收入"),
    ("income_property", "Property", "财产净收入"),
    ("income_transfer", "Transfers", "转移净收入"),
    ("income_total", "Total", "合计"),
    ("per_capita", "Per person", "人均"),
    ("transfer_share", "Transfers share", "转移性收入占比"),
    ("household_members", "Household members", "家庭成员"),
    ("sex", "Sex", "性别"),
    ("person_name", "Name", "姓名"),
    ("age", "Age", "年龄"),
    ("sex_male", "male", "男"),
    ("sex_female", "female", "女"),
    ("labour_capacity", "Labour capacity", "劳动能力"),
    ("labour_full", "able to work", "有劳动能力"),
    ("labour_partial", "partly able", "弱劳动力"),
    ("labour_none", "unable to work", "无劳动能力"),
    ("disability", "Disability", "残疾"),
    ("chronic_illness", "Chronic illness", "慢性病/大病"),
    ("schooling_status", "Schooling", "在校情况"),
    ("schooling_preschool", "pre-school", "学龄前"),
    ("schooling_compulsory", "in compulsory school", "义务教育在校"),
    ("schooling_beyond", "in upper secondary or higher", "高中及以上在校"),
    ("schooling_out_of_school", "out of school", "失学辍学"),
    ("schooling_not_in_school", "not in school", "非在校"),
    ("medical_insurance", "Medical insurance", "基本医疗保险"),
    ("import_members", "Import members (CSV/XLSX)", "导入家庭成员（CSV/XLSX）"),
    ("edit_household", "Edit the household record", "修改农户信息"),
    ("income_pc", "Net income per person this year", "本年人均纯收入"),
    ("income_pc_prev", "Net income per person last year", "上年人均纯收入"),
    ("medical_exp", "Medical spending", "医疗支出"),
    ("education_exp", "Education spending", "教育支出"),
    ("disaster_loss", "Disaster loss", "灾害损失"),
    ("deprivations", "Deprivations", "缺失指标"),
    ("save", "Save", "保存"),
    ("mismatch_size", "Members listed differ from the household size", "所列成员数与家庭人口数不一致"),
    ("mismatch_labour", "Members able to work differ from the labour count", "有劳动能力成员数与劳动力数不一致"),
    (
        "mismatch_income",
        "Income by source per person differs from the recorded income",
        "分项收入人均值与登记人均纯收入不一致",
    ),
    (
        "mismatch_guarantee",
        "A member has a guarantee gap the household flags do not show; member",
        "有成员存在“三保障”问题但农户未标记，成员",
    ),
    ("kind_household_members", "Members of registry households (CSV/XLSX)", "监测户家庭成员（CSV/XLSX）"),
    ("mpi_by_indicator", "MPI by indicator", "多维贫困分指标"),
    ("weight", "Weight", "权重"),
    ("censored_headcount", "Censored headcount", "删减人数比"),
    ("share_of_m0", "Share of M0", "对M0的贡献"),
    (
        "rising_regions",
        "Regions whose flagged share (+5 points) or M0 (+0.02) rose",
        "预警户占比（+5个百分点）或M0（+0.02）上升的地区",
    ),
    ("monitoring", "Return-to-poverty monitoring", "防止返贫监测"),
    ("monitoring_line", "Monitoring line (yuan per person)", "监测范围（元/人）"),
    ("households", "Households", "户数"),
    ("flagged", "Flagged", "预警"),
    ("alerts", "Alerts", "预警提示"),
    ("registry_export", "Registry households (CSV)", "监测户名册（CSV）"),
    ("all_alerts", "All alerts, and flagged households without a case", "全部预警及未纳入监测的预警户"),
    ("overdue_steps", "Overdue case steps", "逾期未办环节"),
    ("case", "Case", "监测对象"),
    ("due", "due", "应于"),
    ("days_late", "days late", "天逾期"),
    ("flagged_without_case", "Flagged households without a case", "未纳入监测的预警户"),
    ("by_county", "By county", "分县"),
    ("household", "Household", "农户"),
    ("head_name", "Head of household", "户主"),
    ("id_number", "ID number", "身份证号"),
    ("phone", "Phone", "电话"),
    ("members", "Members", "家庭人口"),
    ("able_to_work", "able to work", "有劳动能力"),
    ("identifiers_masked", "Personal identifiers are masked for your role.", "按您的角色，个人信息已遮蔽。"),
    ("triggers", "Monitoring triggers", "监测指标"),
    ("trigger_income", "Income below the line", "收入低于监测范围"),
    ("trigger_drop", "Sharp income drop", "收入骤减"),
    ("trigger_expense", "Heavy rigid expenditure", "刚性支出较大"),
    ("trigger_guarantee", "Guarantee or drinking-water gap", "“三保障”或饮水安全问题"),
    ("cases", "Cases", "监测记录"),
    ("notice_until", "Public notice until", "公示至"),
    ("next_step", "Next step", "下一环节"),
    ("date", "Date", "日期"),
    ("evidence", "Evidence", "依据"),
    ("record_step", "Record step", "记录环节"),
    ("open_case", "Open a case", "纳入监测"),
    ("category", "Category", "类别"),
    ("channel", "Channel", "发现方式"),
    ("nav_monitoring", "Monitoring", "返贫监测"),
    ("list_committed", "Official list committed:", "已发布认定名单："),
    ("effective", "Effective from", "生效日期"),
    ("joining", "Joining", "新纳入"),
    ("leaving", "Leaving", "退出"),
    ("commit_list", "Commit as an official designation list", "发布为正式认定名单"),
    ("list_preview", "Review what the list changes before committing it", "发布前请核对名单的变化"),
    ("staying", "Staying", "保留"),
    (
        "untouched_designations",
        "Designations left as they are (outside the run, or excluded from it)",
        "不受影响的认定（不在本次测算范围内或被排除）",
    ),
    ("confirm_commit", "Confirm and commit", "确认发布"),
    ("preview_commit", "Preview the list", "预览名单"),
    ("classes_listed", "Classes on the list (comma-separated)", "列入名单的类别（逗号分隔）"),
    ("basis_number", "Document number", "文号"),
    ("transition_until", "Leaving regions stay designated until", "退出地区过渡期至"),
    ("commit", "Commit", "发布"),
    ("fund_allocation", "Fund allocation", "资金分配"),
    ("allocation_spec", "Allocation method (JSON spec)", "分配方法（JSON）"),
    ("factors", "Factors (weights); columns show each factor's part", "因素（权重）；各列为各因素分得的数额"),
    ("with_formulas", "with the formulas", "含公式"),
    ("formula_amount", "Formula amount", "公式数额"),
    ("floor", "Floor", "下限"),
    ("cap", "Cap", "上限"),
    ("amount", "Amount", "分配数额"),
    ("previous", "Last year", "上年"),
    ("change", "Change", "变化"),
    ("nav_allocate", "Allocation", "资金分配"),
    ("compare_with", "Compare with another run", "与另一次测算比较"),
    ("same_if_empty", "empty: the same", "留空则相同"),
    ("moved_worse", "Moved to a worse class", "降入更差类别"),
    ("moved_better", "Moved to a better class", "升入更好类别"),
    ("moved_same", "Same class", "类别不变"),
    ("class_changes", "Class changes between the runs", "两次测算间的类别变化"),
    ("not_classified", "not classified", "未分类"),
    ("designation_runs", "Designation runs", "认定测算"),
    ("method_spec", "Method (JSON spec)", "认定方法（JSON）"),
    ("run", "Run", "运行"),
    ("warning", "Warning", "警告"),
    ("weights", "Weights", "权重"),
    ("excluded", "Excluded", "未纳入"),
    ("index", "Index", "指数"),
    ("class", "Class", "类别"),
    ("boundary_distance", "Distance to class boundary", "距类别边界"),
    ("nearest_change", "Smallest change to another class", "改变类别的最小变动"),
    ("imputed", "Imputed", "插补"),
    ("nav_designate", "Designation", "认定"),
    ("app_name", "revita", "revita 区域振兴"),
    ("tagline", "Planning and steering the development of lagging regions", "欠发达地区发展规划与调度平台"),
    ("nav_home", "Map", "地图"),
    ("nav_regions", "Regions", "地区"),
    ("nav_indicators", "Indicators", "指标"),
    ("nav_import", "Import", "导入"),
    ("nav_api", "API", "接口"),
    ("switch_language", "中文", "English"),
    ("skip_to_content", "Skip to content", "跳到正文"),
    ("search", "Search", "搜索"),
    ("search_placeholder", "Code, name or pinyin, e.g. 毕节 or bijie", "代码、名称或拼音，如 毕节 或 bijie"),
    ("search_regions", "Search regions", "搜索地区"),
    ("no_results", "No region matches.", "没有匹配的地区。"),
    ("results_for", "Results for", "搜索结果："),
    ("map_settings", "Map settings", "地图设置"),
    ("show", "Show", "显示"),
    ("indicator", "Indicator", "指标"),
    ("designation", "Designation", "认定类别"),
    ("year", "Year", "年份"),
    ("level", "Level", "层级"),
    ("area", "Area", "范围"),
    ("all_china", "All of China", "全国"),
    ("classes", "Classes", "分级"),
    ("method", "Method", "分级方法"),
    ("quantiles", "Quantiles", "分位数"),
    ("natural_breaks", "Natural breaks (Jenks)", "自然断点法（Jenks）"),
    ("update_map", "Update map", "更新地图"),
    ("no_data", "No data", "无数据"),
    ("designated", "Designated", "已认定"),
    ("formerly_designated", "Formerly designated", "曾认定（已退出）"),
    ("not_designated", "Not designated", "未认定"),
    ("source", "Source", "来源"),
    ("key_figures", "Key figures", "主要数据"),
    ("regions_with_data", "Regions with data", "有数据的地区"),
    ("minimum", "Minimum", "最小值"),
    ("median", "Median", "中位数"),
    ("maximum", "Maximum", "最大值"),
    ("total", "Total", "合计"),
    ("code", "Code", "代码"),
    ("name", "Name", "名称"),
    ("value", "Value", "数值"),
    ("unit", "Unit", "单位"),
    ("period", "Period", "时期"),
    ("rank", "Rank", "排名"),
    ("percentile", "Percentile", "百分位"),
    ("of", "of", "/"),
    ("children", "Subdivisions", "下辖地区"),
    ("designations", "Designations", "认定情况"),
    ("no_designations", "No designations recorded.", "暂无认定记录。"),
    ("basis", "Basis", "依据"),
    ("valid", "In force", "有效期"),
    ("current", "current", "现行"),
    ("ended", "ended", "已结束"),
    ("notes", "Notes", "备注"),
    ("indicators_over_time", "Indicators", "指标"),
    ("among_peers", "Among all regions at this level", "在同级地区中"),
    ("reference_lines", "Dashed lines: national and provincial values.", "虚线为全国及所在省份数值。"),
    ("data_table", "Data table", "数据表"),
    ("download_csv", "Download CSV", "下载 CSV"),
    ("download_xlsx", "Download XLSX", "下载 XLSX"),
    ("map_of_children", "Map of subdivisions", "下辖地区地图"),
    ("synthetic_warning", "Synthetic data: not real figures.", "模拟数据：并非真实统计。"),
    ("browse", "Browse", "浏览"),
    ("provinces", "Provinces", "省级行政区"),
    ("catalogue", "Indicator catalogue", "指标目录"),
    ("direction", "Direction", "方向"),
    ("higher_is_better", "higher is better", "越高越好"),
    ("lower_is_better", "lower is better", "越低越好"),
    ("neutral", "neutral", "中性"),
    ("aggregation", "Roll-up", "汇总方式"),
    ("sum", "sum", "求和"),
    ("mean", "mean", "平均"),
    ("weighted_mean", "weighted mean", "加权平均"),
    ("none", "does not roll up", "不汇总"),
    ("weighted_by", "weighted by", "权重"),
    ("description", "Description", "说明"),
    ("coverage_by_year", "Coverage by period", "各时期覆盖情况"),
    ("regions_reporting", "Regions reporting", "有数据地区数"),
    ("distribution", "Distribution", "分布"),
    ("import_title", "Import data", "导入数据"),
    (
        "import_help",
        "Upload a file. revita checks every row and shows what it found before anything is written.",
        "上传文件。系统会先逐行校验并显示结果，确认后才写入。",
    ),
    ("file_kind", "What the file holds", "文件内容"),
    ("kind_regions", "Regions (CSV/XLSX)", "地区（CSV/XLSX）"),
    ("kind_indicators", "Indicator definitions (CSV/XLSX)", "指标定义（CSV/XLSX）"),
    ("kind_observations", "Observations (CSV/XLSX)", "指标数据（CSV/XLSX）"),
    ("kind_designations", "Designation list (CSV/XLSX)", "认定名单（CSV/XLSX）"),
    ("kind_boundaries", "Boundaries (GeoJSON)", "边界（GeoJSON）"),
    ("file", "File", "文件"),
    ("check_file", "Check file", "校验文件"),
    ("validation_report", "Validation report", "校验报告"),
    (
        "rejected",
        "Nothing was imported. Fix these problems and upload again:",
        "未导入任何数据。请修正以下问题后重新上传：",
    ),
    ("row", "Row", "行"),
    ("column", "Column", "列"),
    ("problem", "Problem", "问题"),
    ("more_problems", "more problems not shown", "个问题未显示"),
    ("ready_to_import", "The file is valid. Nothing has been written yet.", "文件校验通过，尚未写入。"),
    ("confirm_import", "Import now", "确认导入"),
    ("replace_offer_before", "Every problem is a value already stored:", "所有问题均为已存储的数值："),
    (
        "replace_offer_after",
        "values. You may import the file replacing them; the values replaced are kept as revisions and the change is audited.",
        "个。可导入此文件并替换这些数值；被替换的数值将保留为历史版本，操作记入审计日志。",
    ),
    ("confirm_replace", "Import, replacing the stored values", "导入并替换已存储的数值"),
    (
        "values_replaced",
        "stored values were replaced (kept as revisions).",
        "个已存储的数值已被替换（保留为历史版本）。",
    ),
    ("imported", "Imported.", "导入完成。"),
    ("records", "Records", "记录数"),
    ("rows_read", "Rows read", "读取行数"),
    ("remapped_codes", "Retired codes mapped to current regions", "已停用代码映射到现行地区"),
    ("ignored_columns", "Ignored columns", "忽略的列"),
    ("upload_expired", "This upload has expired; please upload the file again.", "上传已过期，请重新上传。"),
    ("error_too_large", "Upload too large", "上传文件过大"),
    ("upload_too_large", "the file is over the upload limit of this server:", "文件超过本服务器的上传上限："),
    ("error_not_found", "Page not found", "页面不存在"),
    ("error_bad_request", "The request is not valid", "请求无效"),
    ("error_conflict", "Someone changed this meanwhile", "该记录已被他人修改"),
    ("error_internal", "Something went wrong on our side", "服务器内部错误"),
    ("error_busy", "Busy", "系统繁忙"),
    (
        "error_busy_message",
        "The database is busy with another change. Nothing was lost; try again in a moment.",
        "数据库正在处理其他修改，您的操作未生效也未丢失，请稍后重试。",
    ),
    ("error_forbidden", "Not allowed", "无权访问"),
    ("error_unauthorized", "Please log in", "请先登录"),
    ("request_id", "Request id", "请求编号"),
    ("back_home", "Back to the map", "返回地图"),
    ("api_title", "JSON API", "JSON 接口"),
    (
        "api_intro",
        "Everything the pages show is available as JSON. The OpenAPI 3 document:",
        "页面上的所有数据均可通过 JSON 接口获取。OpenAPI 3 文档：",
    ),
    ("endpoint", "Endpoint", "接口"),
    ("what", "What", "内容"),
    ("pairings", "Pairing assistance", "对口支援"),
    ("program", "Programme", "项目"),
    ("partner", "Partner", "结对方"),
    ("role", "Role", "角色"),
    ("since", "Since", "起始年份"),
    ("gives_assistance", "gives assistance", "支援方"),
    ("receives_assistance", "receives assistance", "受援方"),
    ("kind_pairings", "Pairings (CSV/XLSX)", "结对关系（CSV/XLSX）"),
    ("kind_households", "Households for the monitoring registry (CSV/XLSX)", "监测户（CSV/XLSX）"),
    ("kind_monitoring_lines", "Monitoring lines (CSV/XLSX)", "监测范围标准（CSV/XLSX）"),
    ("nav_plans", "Plans", "规划"),
    ("plans", "Development plans", "发展规划"),
    ("plan_title", "Title", "标题"),
    ("plan_kind", "Kind", "类型"),
    ("plan_kind_five_year", "Five-year plan", "五年规划"),
    ("plan_kind_relocation", "Relocation plan", "易地搬迁规划"),
    ("plan_kind_reconstruction", "Reconstruction plan", "灾后恢复重建规划"),
    ("plan_kind_transformation", "Transformation plan", "转型发展规划"),
    ("plan_kind_special", "Special plan", "专项规划"),
    ("plan_status_draft", "draft", "编制中"),
    ("plan_status_under_review", "under review", "审查中"),
    ("plan_status_approved", "approved", "已批准"),
    ("plan_status_in_implementation", "in implementation", "实施中"),
    ("plan_status_completed", "completed", "已完成"),
    ("plan_status_evaluated", "evaluated", "已评估"),
    ("office", "Responsible office", "编制单位"),
    ("status", "Status", "状态"),
    ("projects_template", "Project template (XLSX)", "项目导入模板（XLSX）"),
    ("create_plan", "Create a plan", "新建规划"),
    ("plan_region", "Region of the responsible office", "编制单位所在地区"),
    ("plan_scope", "Scope", "规划范围"),
    ("scope_subtree", "a region and all below it", "某地区及其下辖地区"),
    ("scope_regions", "a set of regions (codes, comma-separated)", "若干地区（代码，逗号分隔）"),
    ("scope_list", "an official designation list (its number)", "认定名单（名单编号）"),
    (
        "scope_help",
        "A region code, codes separated by commas, or a list number",
        "地区代码、逗号分隔的多个代码或名单编号",
    ),
    ("start_year", "First year", "起始年份"),
    ("end_year", "Last year", "终止年份"),
    (
        "plan_partial",
        "You see the part of this plan within your jurisdiction: its targets and projects there.",
        "您看到的是本规划在您辖区内的部分：辖区内的指标和项目。",
    ),
    ("printable", "Printable view", "打印版"),
    ("comment", "Comment", "说明"),
    ("progress", "Progress", "进展"),
    ("targets_status", "Binding targets", "约束性指标"),
    ("status_achieved", "achieved", "已实现"),
    ("status_on_track", "on track", "进度正常"),
    ("status_at_risk", "at risk", "存在风险"),
    ("status_off_track", "off track", "明显滞后"),
    ("status_no_data", "no data", "无数据"),
    (
        "status_rule",
        "A target is achieved once its latest value reaches it; otherwise on track at ≥ 95% of the change the path from baseline to target expects by that year, at risk from 75%, off track below. Goals and the plan take the worst status of their binding targets.",
        "最新值达到目标值为“已实现”；否则按基期至目标值的路径计算当年应完成的变化量，完成≥95%为“进度正常”，75%—95%为“存在风险”，低于75%为“明显滞后”。目标和规划取约束性指标中最差的状态。",
    ),
    ("budget", "Budget (yuan)", "总投资（元）"),
    ("disbursed", "Disbursed", "已拨付"),
    ("execution_rate", "Execution rate", "执行率"),
    ("goals_targets", "Goals and targets", "目标与指标"),
    ("target_kind", "Kind", "属性"),
    ("baseline", "Baseline", "基期值"),
    ("target", "Target", "目标值"),
    ("latest", "Latest", "最新值"),
    ("path_value", "On the path", "路径值"),
    ("whole_scope", "whole scope", "全域"),
    ("binding", "binding", "约束性"),
    ("expected", "expected", "预期性"),
    ("add_goal", "Add a chapter or goal", "添加章节或目标"),
    ("chapter", "Chapter", "章节"),
    ("new_chapter", "(a new chapter)", "（新章节）"),
    ("add_target", "Add a target", "添加指标目标"),
    ("goal", "Goal", "目标"),
    ("baseline_year", "Baseline year", "基期年份"),
    ("target_year", "Target year", "目标年份"),
    ("intermediate", "Yearly targets (optional)", "年度目标（可选）"),
    ("projects", "Projects", "项目"),
    ("project", "Project", "项目"),
    ("import_rejected", "The file was not imported; nothing was written:", "文件未导入，未写入任何数据："),
    ("project_category_infrastructure", "infrastructure", "基础设施"),
    ("project_category_industry", "industry", "产业发展"),
    ("project_category_public_services", "public services", "公共服务"),
    ("project_category_ecology", "ecology", "生态环保"),
    ("project_category_housing", "housing", "住房安置"),
    ("project_category_employment", "employment", "就业培训"),
    ("project_category_other", "other", "其他"),
    ("project_status_planned", "planned", "计划"),
    ("project_status_underway", "underway", "在建"),
    ("project_status_completed", "completed", "已完工"),
    ("project_status_suspended", "suspended", "暂停"),
    ("late_milestones", "Late milestones", "逾期里程碑"),
    ("mark_done", "Mark done", "标记完成"),
    ("funding_source", "Source", "资金来源"),
    ("disbursement_amount", "Amount (yuan)", "金额（元）"),
    ("funding_central_budget", "Central budget", "中央预算"),
    ("funding_local_budget", "Local budget", "地方预算"),
    ("funding_bonds", "Special bonds", "专项债券"),
    ("funding_pairing_assistance", "Pairing assistance", "对口帮扶"),
    ("funding_loans", "Bank loans", "银行贷款"),
    ("funding_social_capital", "Social capital", "社会资本"),
    ("record_disbursement", "Record a disbursement", "记录拨付"),
    ("milestone", "Milestone", "里程碑"),
    ("add_milestone", "Add a milestone", "添加里程碑"),
    ("add_project", "Add a project", "添加项目"),
    ("start_date", "Start", "开工日期"),
    ("end_date", "End", "完工日期"),
    ("longitude", "Longitude", "经度"),
    ("latitude", "Latitude", "纬度"),
    ("goals_served", "Goals served", "对应目标"),
    ("import_projects", "Import projects (CSV/XLSX)", "导入项目（CSV/XLSX）"),
    ("import", "Import", "导入"),
    ("targets_by_status", "Targets by status", "指标目标状态"),
    ("timeline", "Project timeline", "项目进度计划"),
    ("map_by_target_status", "Regions by the worst status of their targets", "各地区分解指标的最差状态"),
    ("measure_kind", "Assistance", "帮扶措施"),
    ("measure_amount", "Amount (yuan)", "金额（元）"),
    ("from_date", "From", "起始日期"),
    ("to_date", "Until", "截止日期"),
    ("recorded_by", "Recorded by", "记录人"),
    ("record_measure", "Record the measure", "记录帮扶措施"),
    ("measure_industry", "industry", "产业帮扶"),
    ("measure_employment", "employment", "就业帮扶"),
    ("measure_education", "education", "教育帮扶"),
    ("measure_health", "health", "健康帮扶"),
    ("measure_housing", "housing safety", "住房安全保障"),
    ("measure_water", "drinking water", "饮水安全保障"),
    ("measure_social_security", "social security", "综合保障"),
    ("measure_other", "other", "其他"),
    ("edit", "Edit", "修改"),
    ("edit_plan", "Edit the plan", "修改规划信息"),
    ("add_member", "Add or replace a member (same number replaces)", "添加或修改成员（编号相同则替换）"),
    ("remove", "Remove", "删除"),
    ("birth_year", "Year of birth", "出生年份"),
    ("users", "Users", "用户"),
    ("grants", "Roles and jurisdictions", "角色与辖区"),
    ("state", "State", "状态"),
    ("actions", "Actions", "操作"),
    ("disabled", "disabled", "已停用"),
    ("active", "active", "有效"),
    ("must_change", "must change password", "须修改密码"),
    ("enable", "Enable", "启用"),
    ("disable", "Disable", "停用"),
    ("force_reset", "Force password reset", "强制重设密码"),
    ("create_user", "Create user", "新建用户"),
    ("add_grant", "Add role", "增加角色"),
    ("jurisdiction", "Jurisdiction (region code)", "辖区（地区代码）"),
    ("saved", "Saved.", "已保存。"),
    ("api_tokens", "API tokens", "接口令牌"),
    (
        "token_shown_once",
        "Your new token — copy it now, it will not be shown again:",
        "新令牌如下，请立即复制，之后不再显示：",
    ),
    ("expires", "Expires", "到期"),
    ("revoked", "revoked", "已撤销"),
    ("revoke", "Revoke", "撤销"),
    ("create_token", "Create token", "新建令牌"),
    ("valid_days", "Valid for (days)", "有效天数"),
    ("audit_log", "Audit log", "审计日志"),
    ("actor", "Who", "操作人"),
    ("action", "Action", "操作"),
    ("object_type", "Object type", "对象类型"),
    ("object", "Object", "对象"),
    ("before", "Before", "修改前"),
    ("after", "After", "修改后"),
    ("when", "When (UTC)", "时间（UTC）"),
    ("client", "Client", "客户端"),
    ("nav_users", "Users", "用户"),
    ("nav_audit", "Audit", "审计"),
    ("nav_tokens", "API tokens", "令牌"),
    ("log_in", "Log in", "登录"),
    (
        "login_form_expired",
        "the login form has expired or did not come from this site; log in again",
        "登录表单已过期或并非来自本站，请重新登录",
    ),
    ("log_out", "Log out", "退出"),
    ("user_name", "User name", "用户名"),
    ("password", "Password", "密码"),
    ("change_password", "Change password", "修改密码"),
    ("must_change_password", "Please choose a new password before you continue.", "请先设置新密码。"),
    ("current_password", "Current password", "当前密码"),
    ("new_password", "New password (at least 12 characters)", "新密码（至少 12 个字符）"),
    ("level_country", "country", "全国"),
    ("level_province", "province", "省级"),
    ("level_prefecture", "prefecture", "地级"),
    ("level_county", "county", "县级"),
    ("level_township", "township", "乡级"),
    ("level_village", "village", "村级"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_cookie_wins_then_accept_language_then_chinese() {
        assert_eq!(Lang::from_headers(&headers(&[("cookie", "a=1; lang=en"), ("accept-language", "zh-CN")])), Lang::En);
        assert_eq!(Lang::from_headers(&headers(&[("accept-language", "fr;q=0.9, en-GB;q=0.8, zh;q=0.5")])), Lang::En);
        assert_eq!(Lang::from_headers(&headers(&[("accept-language", "de")])), Lang::Zh);
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::Zh);
    }

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<&str> = MESSAGES.iter().map(|(k, ..)| *k).collect();
        keys.sort();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len());
    }

    #[test]
    fn units_and_dates_follow_the_language() {
        assert_eq!(Lang::Zh.unit("persons (long-form sample)"), "人（长表抽样）");
        assert_eq!(Lang::En.unit("persons"), "persons");
        let d = revita_methods::Date::parse("2021-08-27").unwrap();
        assert_eq!((Lang::Zh.date(d), Lang::En.date(d)), ("2021年8月27日".to_string(), "27 Aug 2021".to_string()));
    }
}
