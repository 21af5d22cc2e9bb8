//! Search keys: what a region can be found by besides its code and Chinese
//! name — its pinyin, written whole (`bijieshi`) and as initials (`bjs`), and
//! its English name. Stored beside each region so that a search is one
//! indexed `LIKE`.
//!
//! Readings come from the `pinyin` crate's table of the most common reading
//! of each character, corrected for place names: a polyphonic character
//! reads as it does in names (长沙 Changsha, not zhangsha; 成都 Chengdu;
//! 厦门 Xiamen; 西藏 Xizang), and a few names read a character unlike any
//! other (六安 Lu'an beside 六盘水 Liupanshui; 乐亭 Laoting beside 乐山
//! Leshan). Where the place reading differs from the common one, the key
//! holds both, so either finds the region.

use pinyin::ToPinyin;

/// Characters whose reading in place names differs from their most common
/// one (as in the Ministry of Civil Affairs' romanised names).
const PLACE_READINGS: &[(char, &str)] = &[
    ('长', "chang"), // 长沙, 长春, 长治
    ('都', "du"),    // 成都, 都匀, 郫都
    ('厦', "xia"),   // 厦门
    ('藏', "zang"),  // 西藏
    ('蚌', "beng"),  // 蚌埠
    ('重', "chong"), // 重庆
    ('陂', "pi"),    // 黄陂
    ('涡', "guo"),   // 涡阳
    ('枞', "zong"),  // 枞阳
    ('泌', "bi"),    // 泌阳
    ('浚', "xun"),   // 浚县
    ('蔚', "yu"),    // 蔚县
];

/// Names with a reading of their own, character by character.
const NAME_READINGS: &[(&str, &[&str])] = &[
    ("六安", &["lu", "an"]),
    ("六合", &["lu", "he"]),
    ("乐亭", &["lao", "ting"]),
    ("乐清", &["yue", "qing"]),
    ("番禺", &["pan", "yu"]),
    ("单县", &["shan", "xian"]),
    ("洪洞", &["hong", "tong"]),
    ("尉犁", &["yu", "li"]),
    ("东阿", &["dong", "e"]),
    ("铅山", &["yan", "shan"]),
    ("解州", &["xie", "zhou"]),
    ("繁峙", &["fan", "shi"]),
    ("会稽", &["kuai", "ji"]),
];

/// The lowercase search key of a region: pinyin as the name reads (and as
/// its characters commonly read, where that differs), initials and the
/// English name, separated by spaces.
pub fn search_key(name_zh: &str, name_en: Option<&str>) -> String {
    let common = readings(name_zh, false);
    let place = readings(name_zh, true);
    let mut parts = vec![joined(&place), initials(&place)];
    if place != common {
        parts.extend([joined(&common), initials(&common)]);
    }
    if let Some(en) = name_en.filter(|e| !e.is_empty()) {
        parts.push(en.to_lowercase());
    }
    parts.join(" ")
}

/// Each character's reading (a Latin letter or digit stands for itself;
/// other marks are left out), as place names read them or as is common.
fn readings(name_zh: &str, as_place_name: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = name_zh.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if as_place_name
            && let Some((word, reading)) = NAME_READINGS
                .iter()
                .find(|(word, _)| chars[i..].iter().copied().take(word.chars().count()).eq(word.chars()))
        {
            out.extend(reading.iter().map(|r| r.to_string()));
            i += word.chars().count();
            continue;
        }
        let c = chars[i];
        let place = PLACE_READINGS.iter().find(|(p, _)| *p == c).map(|(_, r)| *r).filter(|_| as_place_name);
        match (place, c.to_pinyin()) {
            (Some(reading), _) => out.push(reading.to_string()),
            (None, Some(p)) => out.push(p.plain().to_string()),
            (None, None) if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase().to_string()),
            (None, None) => {}
        }
        i += 1;
    }
    out
}

/// Administrative suffixes and their English forms, longest first (the
/// MCA's English names: 七星关区 Qixingguan District, 黄平县 Huangping
/// County, 威宁彝族回族苗族自治县 Weining Yi, Hui and Miao Autonomous County).
const SUFFIXES: &[(&str, &str)] = &[
    ("特别行政区", "Special Administrative Region"),
    ("自治区", "Autonomous Region"),
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("林区", "Forestry District"),
    ("特区", "Special District"),
    ("地区", "Prefecture"),
    ("省", "Province"),
    ("市", "City"),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("盟", "League"),
    ("镇", "Town"),
    ("乡", "Township"),
    ("村", "Village"),
];

/// Ethnic groups as autonomous areas' names list them, with their English
/// names (longest first, so that 布依族 is not read as 依族).
const ETHNIC_GROUPS: &[(&str, &str)] = &[
    ("柯尔克孜族", "Kirgiz"),
    ("哈萨克族", "Kazak"),
    ("达斡尔族", "Daur"),
    ("鄂伦春族", "Oroqen"),
    ("鄂温克族", "Ewenki"),
    ("塔吉克族", "Tajik"),
    ("布依族", "Bouyei"),
    ("土家族", "Tujia"),
    ("蒙古族", "Mongolian"),
    ("朝鲜族", "Korean"),
    ("傈僳族", "Lisu"),
    ("拉祜族", "Lahu"),
    ("纳西族", "Naxi"),
    ("景颇族", "Jingpo"),
    ("仡佬族", "Gelao"),
    ("毛南族", "Maonan"),
    ("仫佬族", "Mulao"),
    ("维吾尔", "Uygur"),
    ("哈尼族", "Hani"),
    ("锡伯族", "Xibe"),
    ("撒拉族", "Salar"),
    ("裕固族", "Yugur"),
    ("保安族", "Bonan"),
    ("东乡族", "Dongxiang"),
    ("独龙族", "Derung"),
    ("普米族", "Pumi"),
    ("彝族", "Yi"),
    ("回族", "Hui"),
    ("苗族", "Miao"),
    ("侗族", "Dong"),
    ("藏族", "Tibetan"),
    ("壮族", "Zhuang"),
    ("瑶族", "Yao"),
    ("傣族", "Dai"),
    ("黎族", "Li"),
    ("羌族", "Qiang"),
    ("白族", "Bai"),
    ("佤族", "Va"),
    ("水族", "Shui"),
    ("满族", "Manchu"),
    ("畲族", "She"),
    ("土族", "Tu"),
    ("怒族", "Nu"),
    ("各族", "Multi-ethnic"),
];

/// A region's name in English when none is recorded: the place name in
/// pinyin as place names read (capitalised, one word), then the ethnic
/// groups of an autonomous area and the English of its administrative
/// suffix: 七星关区 → `Qixingguan District`, 长沙市 → `Changsha City`.
pub fn romanize(name_zh: &str) -> String {
    let (stem, suffix) = SUFFIXES
        .iter()
        .find_map(|(zh, en)| name_zh.strip_suffix(zh).filter(|s| !s.is_empty()).map(|s| (s, Some(*en))))
        .unwrap_or((name_zh, None));
    // An autonomous area: the place name, then the ethnic groups.
    let mut groups = Vec::new();
    let mut place_end = stem.len();
    if let Some(first) = ETHNIC_GROUPS.iter().filter_map(|(zh, _)| stem.find(zh)).min() {
        place_end = first;
        let mut rest = &stem[first..];
        while let Some((zh, en)) = ETHNIC_GROUPS.iter().find(|(zh, _)| rest.starts_with(zh)) {
            groups.push(*en);
            rest = &rest[zh.len()..];
            rest = rest.strip_prefix("族").unwrap_or(rest);
        }
        if !rest.is_empty() {
            // Not a list of groups after all: romanise the whole stem.
            groups.clear();
            place_end = stem.len();
        }
    }
    let place = capitalised(&readings(&stem[..place_end], true).concat());
    let mut parts = vec![place];
    match groups.as_slice() {
        [] => {}
        [one] => parts.push(one.to_string()),
        [init @ .., last] => parts.push(format!("{} and {last}", init.join(", "))),
    }
    if let Some(suffix) = suffix {
        parts.push(suffix.to_string());
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn joined(readings: &[String]) -> String {
    readings.concat()
}

fn initials(readings: &[String]) -> String {
    readings.iter().filter_map(|r| r.chars().next()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_by_pinyin_initials_and_english() {
        assert_eq!(search_key("毕节市", None), "bijieshi bjs");
        assert_eq!(search_key("贵州省", Some("Guizhou")), "guizhousheng gzs guizhou");
        assert_eq!(search_key("七星关区", None), "qixingguanqu qxgq");
    }

    /// Issue 16: names read as place names, found by the common reading too.
    #[test]
    fn polyphonic_characters_read_as_in_place_names() {
        assert_eq!(search_key("长沙市", None), "changshashi css zhangshashi zss");
        assert_eq!(search_key("成都市", None), "chengdushi cds chengdoushi cds");
        for (name, reading) in [
            ("厦门市", "xiamenshi"),
            ("西藏自治区", "xizangzizhiqu"),
            ("蚌埠市", "bengbushi"),
            ("番禺区", "panyuqu"),
            ("重庆市", "chongqingshi"),
            ("六安市", "luanshi"),
            ("乐亭县", "laotingxian"),
            ("黄陂区", "huangpiqu"),
        ] {
            assert!(search_key(name, None).starts_with(reading), "{name}: {}", search_key(name, None));
        }
        // Elsewhere the characters keep their usual readings.
        assert!(search_key("六盘水市", None).starts_with("liupanshuishi"));
        assert!(search_key("乐山市", None).starts_with("leshanshi"));
        assert!(search_key("吐鲁番市", None).starts_with("tulufanshi"));
    }

    #[test]
    fn names_without_an_english_form_are_romanised_as_place_names() {
        assert_eq!(romanize("七星关区"), "Qixingguan District");
        assert_eq!(romanize("长沙市"), "Changsha City");
        assert_eq!(romanize("黄平县"), "Huangping County");
        assert_eq!(romanize("威宁彝族回族苗族自治县"), "Weining Yi, Hui and Miao Autonomous County");
        assert_eq!(romanize("黔东南苗族侗族自治州"), "Qiandongnan Miao and Dong Autonomous Prefecture");
        assert_eq!(romanize("西藏自治区"), "Xizang Autonomous Region");
        assert_eq!(romanize("镇宁布依族苗族自治县"), "Zhenning Bouyei and Miao Autonomous County");
        assert_eq!(romanize("全国"), "Quanguo");
        // A suffix alone is a name, not a suffix.
        assert_eq!(romanize("市"), "Shi");
    }

    #[test]
    fn latin_letters_and_digits_are_kept() {
        assert_eq!(search_key("X1区", None), "x1qu x1q");
    }
}
