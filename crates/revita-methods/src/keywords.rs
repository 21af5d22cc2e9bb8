//! Keyword enums: a closed set of values that files, forms and URLs write
//! as one English keyword, and that read the Chinese term too.

/// Defines an enum with its keywords and Chinese terms: `ALL`, `as_str`,
/// `zh` and `parse` (the keyword, any case, or the Chinese term).
macro_rules! keywords {
    ($(#[$doc:meta])* $ty:ident { $($(#[$vdoc:meta])* $variant:ident => $en:literal | $zh:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $ty { $($(#[$vdoc])* $variant),+ }

        impl $ty {
            /// Every value, in order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The keyword files, forms and URLs use.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $en),+ }
            }

            /// The Chinese term.
            pub fn zh(self) -> &'static str {
                match self { $($ty::$variant => $zh),+ }
            }

            /// The value named by its keyword or its Chinese term.
            pub fn parse(text: &str) -> Option<$ty> {
                let text = text.trim();
                $ty::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(text) || v.zh() == text)
            }
        }
    };
}

pub(crate) use keywords;
